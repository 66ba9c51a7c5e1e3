"""CK+ (extended Cohn-Kanade), as the CK+48 crops or as the full sequences with their Emotion labels.

Adjacent frames of one sequence are near-duplicates, so by default only the peak (last) frame of each
labelled sequence is used (SPEC §1.1); `frames="last3"` keeps the three last frames, as CK+48 does. Contempt
has no FER2013 counterpart: the paper relabelled it neutral (`contempt="neutral"`); it can also be dropped
(counted as rejections) or kept as an eighth class. Full sequences can add neutral faces from the first frame
of labelled sequences (`neutral_first_frames`, at most one per subject), as the paper did.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from ...labels import CKPLUS_CODES, EMOTIONS, UnknownLabelError, canonical_label
from .base import IMAGE_EXTENSIONS, SourceError, SourceImage, read_image_file

FRAME_NAME = re.compile(r"^S(?P<subject>\d+)_(?P<sequence>\d+)_(?P<frame>\d+)$")
CONTEMPT_CHOICES = ("neutral", "drop", "keep")
FRAME_CHOICES = ("peak", "last3")


def _class_names(contempt: str) -> tuple[str, ...]:
    return EMOTIONS + ("contempt",) if contempt == "keep" else EMOTIONS


def _check_options(contempt: str, frames: str) -> None:
    if contempt not in CONTEMPT_CHOICES:
        raise SourceError(f"contempt handling must be one of {CONTEMPT_CHOICES}, not {contempt!r}")
    if frames not in FRAME_CHOICES:
        raise SourceError(f"frames must be one of {FRAME_CHOICES}, not {frames!r}")


def _apply_contempt(label: str, contempt: str) -> tuple[str, tuple[str, str] | None]:
    if label != "contempt" or contempt == "keep":
        return label, None
    if contempt == "neutral":
        return "neutral", None
    return "", ("excluded_label", "contempt dropped (contempt='drop')")


def _iter_frames(root: Path, entries: list[tuple[Path, str, str]], contempt: str) -> Iterator[SourceImage]:
    """SourceImages for (file, subject, label) entries, applying the contempt choice."""
    for file, subject, label in entries:
        label, problem = _apply_contempt(label, contempt)
        source_id = file.relative_to(root).as_posix()
        if problem:
            yield SourceImage(source_id, "", subject=subject, problem=problem)
        else:
            yield read_image_file(file, source_id, label, subject=subject)


class CkPlus48:
    """`<emotion>/S<subject>_<sequence>_<frame>.png` crops (981 images in 7 folders, no neutral)."""

    kind = "ckplus"

    def __init__(self, path: Path, contempt: str = "neutral", frames: str = "peak", neutral_first_frames: int = 0):
        _check_options(contempt, frames)
        self.path = Path(path)
        if neutral_first_frames:
            raise SourceError(
                "CK+48 holds only the last three frames of each sequence; neutral first frames need the full "
                "CK+ sequences (cohn-kanade-images/ and Emotion/)"
            )
        if not self.path.is_dir():
            raise SourceError(f"CK+ folder {self.path} does not exist")
        self.contempt, self.frames = contempt, frames
        self.class_names = _class_names(contempt)
        self.entries, self.skipped = self._index()
        if not self.entries:
            raise SourceError(f"{self.path} holds no CK+48 images (<emotion>/S<subject>_<seq>_<frame>.png)")

    def _index(self) -> tuple[list[tuple[Path, str, str]], dict[str, int]]:
        sequences: dict[tuple[str, str, str], list[tuple[int, Path]]] = defaultdict(list)
        skipped: dict[str, int] = {}
        for folder in sorted(p for p in self.path.iterdir() if p.is_dir()):
            try:
                label = canonical_label(folder.name)
            except UnknownLabelError as exc:
                raise SourceError(f"{self.path}: folder {folder.name!r} is not an emotion ({exc})") from None
            for file in sorted(folder.iterdir()):
                match = FRAME_NAME.match(file.stem)
                if not file.is_file() or file.suffix.lower() not in IMAGE_EXTENSIONS or not match:
                    skipped[file.name] = 1
                    continue
                key = (f"S{match['subject']}", match["sequence"], label)
                sequences[key].append((int(match["frame"]), file))
        keep = 1 if self.frames == "peak" else 3
        entries = []
        for (subject, _, label), frames in sorted(sequences.items()):
            for _, file in sorted(frames)[-keep:]:
                entries.append((file, subject, label))
        return entries, skipped

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[SourceImage]:
        return _iter_frames(self.path, self.entries, self.contempt)

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "format": "ck+48",
            "input": str(self.path),
            "images": len(self.entries),
            "frames": self.frames,
            "contempt": self.contempt,
            "skipped_files": sorted(self.skipped),
        }


class CkPlusSequences:
    """Full CK+: `cohn-kanade-images/S005/001/S005_001_00000011.png` + `Emotion/S005/001/*_emotion.txt`."""

    kind = "ckplus"

    def __init__(self, path: Path, contempt: str = "neutral", frames: str = "peak", neutral_first_frames: int = 0):
        _check_options(contempt, frames)
        self.path = Path(path)
        self.images_dir = self.path / "cohn-kanade-images"
        self.emotion_dir = self.path / "Emotion"
        if not self.images_dir.is_dir() or not self.emotion_dir.is_dir():
            raise SourceError(f"{self.path} lacks cohn-kanade-images/ and Emotion/ folders")
        self.contempt, self.frames = contempt, frames
        self.neutral_first_frames = int(neutral_first_frames)
        self.class_names = _class_names(contempt)
        self.entries, self.problems = self._index()
        if not self.entries:
            raise SourceError(f"{self.path}: no labelled sequences found under Emotion/")

    def _sequence_frames(self, subject: str, sequence: str) -> list[Path]:
        folder = self.images_dir / subject / sequence
        return sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_EXTENSIONS) if folder.is_dir() else []

    def _index(self) -> tuple[list[tuple[Path, str, str]], list[tuple[str, str, str]]]:
        entries: list[tuple[Path, str, str]] = []
        problems: list[tuple[str, str, str]] = []  # (source id, reason, detail)
        neutral_subjects: list[str] = []
        for label_file in sorted(self.emotion_dir.glob("S*/*/*_emotion.txt")):
            subject, sequence = label_file.parent.parent.name, label_file.parent.name
            source_id = label_file.relative_to(self.path).as_posix()
            try:
                code = int(float(label_file.read_text().strip()))
                label = CKPLUS_CODES[code]
            except (ValueError, KeyError):
                problems.append((source_id, "unknown_label", f"unreadable emotion code in {label_file.name}"))
                continue
            frames = self._sequence_frames(subject, sequence)
            if not frames:
                problems.append((source_id, "missing_image", f"no frames in cohn-kanade-images/{subject}/{sequence}"))
                continue
            keep = 1 if self.frames == "peak" else 3
            entries.extend((frame, subject, label) for frame in frames[-keep:])
            wants_neutral = len(neutral_subjects) < self.neutral_first_frames and len(frames) > keep
            if wants_neutral and subject not in neutral_subjects:
                neutral_subjects.append(subject)
                entries.append((frames[0], subject, "neutral"))
        return entries, problems

    def __len__(self) -> int:
        return len(self.problems) + len(self.entries)

    def __iter__(self) -> Iterator[SourceImage]:
        for source_id, reason, detail in self.problems:
            yield SourceImage(source_id, "", problem=(reason, detail))
        yield from _iter_frames(self.path, self.entries, self.contempt)

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "format": "ck+ sequences",
            "input": str(self.path),
            "images": len(self.entries),
            "frames": self.frames,
            "contempt": self.contempt,
            "neutral_first_frames": self.neutral_first_frames,
        }


def open_ckplus(path: Path, **options) -> CkPlus48 | CkPlusSequences:
    """CK+ sequences when `path` has cohn-kanade-images/ and Emotion/, else CK+48 (also inside `path/CK+48`)."""
    path = Path(path)
    if (path / "cohn-kanade-images").is_dir():
        return CkPlusSequences(path, **options)
    if (path / "CK+48").is_dir():
        path = path / "CK+48"
    return CkPlus48(path, **options)

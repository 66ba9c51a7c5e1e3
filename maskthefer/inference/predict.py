"""`maskthefer predict`: a Recognizer over image files, folders, videos and a camera, with annotated outputs.

    summary = predict_inputs(recognizer, ["photos/", "clip.mp4"], out_dir="out/predict", every=5)

Writes OUT/predictions.jsonl (one line per face: source, frame, box, detector score, masked probability,
route, label, class probabilities), OUT/predictions.csv with --csv, and annotated copies under OUT/annotated/
(images as PNG, videos as MP4 at the source's frame rate, every frame drawn with the latest predictions).
Nothing that cannot be read stops the run: each problem is named on stderr and counted by reason in the
summary, and `summary.processed` is 0 only when nothing could be processed.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from ..quiet import native_stderr_discarded
from .annotate import annotate
from .recognizer import ROUTE_FULL_FACE, FacePrediction, ImageReadError, Recognizer, read_image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"}
PREDICTIONS_JSONL = "predictions.jsonl"
PREDICTIONS_CSV = "predictions.csv"
ANNOTATED_DIR = "annotated"
# A video whose frame count says more than this many frames remain when reading stops is reported truncated
# (containers often over-state the count by a frame or two).
TRUNCATION_SLACK = 2

PROBLEMS = {
    "missing": "no such file or folder",
    "unreadable_file": "neither a readable image nor a readable video",
    "unreadable_image": "an image file that cannot be decoded",
    "corrupt_video": "a video file without a single readable frame",
    "truncated_video": "a video that ends before the frame count its header gives",
    "camera_unavailable": "the camera could not be opened",
    "no_face": "an image (or video) in which no face was found",
}


@dataclass
class Item:
    """One input to process: an image or video file, or a camera index; `name` is its output name."""

    kind: str  # "image", "video", "file" (suffix unknown: tried as image, then video), "camera"
    source: str
    name: str
    path: Path | None = None
    camera: int | None = None


@dataclass
class PredictSummary:
    inputs: int = 0
    processed: int = 0
    frames: int = 0
    faces: int = 0
    masked_faces: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)  # source, reason, detail
    out_dir: Path | None = None

    @property
    def problem_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(p["reason"] for p in self.problems).items()))

    def text(self) -> str:
        parts = [f"{self.processed} of {self.inputs} inputs processed", f"{self.faces} faces"]
        if self.masked_faces:
            parts.append(f"{self.masked_faces} masked")
        if self.frames:
            parts.append(f"{self.frames} video frames analysed")
        counts = self.problem_counts
        if counts:
            parts.append("problems: " + ", ".join(f"{reason} {n}" for reason, n in counts.items()))
        return "; ".join(parts) + (f"; results in {self.out_dir}" if self.out_dir else "")


def expand_inputs(inputs: Iterable[os.PathLike | str], camera: int | None = None) -> tuple[list[Item], list[dict]]:
    """Files as given, folders searched recursively for images and videos, the camera last; missing paths listed."""
    items, problems = [], []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES)
            if not found:
                problems.append(_problem(str(path), "missing", "the folder holds no image or video files"))
            for p in found:
                kind = "image" if p.suffix.lower() in IMAGE_SUFFIXES else "video"
                items.append(Item(kind, str(p), str(Path(path.name) / p.relative_to(path)), path=p))
        elif path.is_file():
            suffix = path.suffix.lower()
            kind = "image" if suffix in IMAGE_SUFFIXES else "video" if suffix in VIDEO_SUFFIXES else "file"
            items.append(Item(kind, str(path), path.name, path=path))
        else:
            problems.append(_problem(str(path), "missing", PROBLEMS["missing"]))
    if camera is not None:
        items.append(Item("camera", f"camera {camera}", f"camera-{camera}", camera=camera))
    return items, problems


def _problem(source: str, reason: str, detail: str) -> dict[str, str]:
    return {"source": source, "reason": reason, "detail": detail}


def _describe(faces: Sequence[FacePrediction]) -> str:
    if not faces:
        return "no face"
    masked = sum(bool(f.masked) for f in faces)
    full_face = sum(f.route == ROUTE_FULL_FACE for f in faces)
    notes = [f"{masked} masked"] * bool(masked) + [f"{full_face} by the full-face model"] * bool(full_face)
    labels = ", ".join(f"{f.label} {f.probabilities[f.label]:.2f}" if f.label else "no crop" for f in faces)
    return f"{len(faces)} face{'s' * (len(faces) != 1)}" + (f" ({', '.join(notes)})" if notes else "") + f": {labels}"


class _Writers:
    """predictions.jsonl (always) and predictions.csv (optional), one row per face."""

    def __init__(self, out_dir: Path, class_names: Sequence[str], with_csv: bool):
        self.jsonl = open(out_dir / PREDICTIONS_JSONL, "w")
        self.csv_handle = open(out_dir / PREDICTIONS_CSV, "w", newline="") if with_csv else None
        self.class_names = list(class_names)
        if self.csv_handle:
            self.csv = csv.writer(self.csv_handle)
            self.csv.writerow(
                ["source", "frame", "time_s", "face", "left", "top", "right", "bottom", "detector_score",
                 "masked_probability", "masked", "route", "label", *(f"p_{name}" for name in self.class_names)]
            )

    def write(self, source: str, frame: int | None, time_s: float | None, faces: Sequence[FacePrediction]) -> None:
        for k, face in enumerate(faces):
            row = {"source": source, "frame": frame, "time_s": time_s, "face": k, **face.to_dict()}
            row["box"] = [round(v, 1) for v in face.box]
            self.jsonl.write(json.dumps(row) + "\n")
            if self.csv_handle:
                probs = [face.probabilities.get(name, "") for name in self.class_names]
                self.csv.writerow(
                    [source, "" if frame is None else frame, "" if time_s is None else round(time_s, 3), k,
                     *row["box"], round(face.detector_score, 4),
                     "" if face.masked_probability is None else round(face.masked_probability, 4),
                     "" if face.masked is None else int(face.masked), face.route, face.label,
                     *(p if p == "" else round(p, 5) for p in probs)]
                )

    def close(self) -> None:
        self.jsonl.close()
        if self.csv_handle:
            self.csv_handle.close()


def predict_inputs(
    recognizer: Recognizer,
    inputs: Iterable[os.PathLike | str],
    *,
    out_dir: os.PathLike | str,
    camera: int | None = None,
    every: int = 1,
    with_csv: bool = False,
    annotated: bool = True,
    max_frames: int | None = None,
    progress: bool = True,
    say: Callable[[str], None] | None = None,
) -> PredictSummary:
    """Run `recognizer` over every input; see the module docstring for what is written where."""
    from tqdm.auto import tqdm

    if every < 1:
        raise ValueError(f"every must be at least 1, not {every}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    items, problems = expand_inputs(inputs, camera)
    summary = PredictSummary(inputs=len(items) + len(problems), problems=problems, out_dir=out)
    bar_files = progress and len(items) > 1
    bar = tqdm(items, desc="predict", unit="file", disable=not bar_files, leave=False)
    say = say or (lambda text: tqdm.write(text, file=sys.stderr))
    for problem in problems:
        say(f"{problem['source']}: {problem['detail']}")
    writers = _Writers(out, recognizer.class_names, with_csv)
    try:
        for item in bar:
            before = len(summary.problems)
            if item.kind in ("image", "file"):
                done = _image(recognizer, item, out, writers, summary, annotated, say, try_video=item.kind == "file")
                if not done and item.kind == "file":
                    done = _video(recognizer, item, out, writers, summary, annotated, every, None, progress, say,
                                  quiet_open=True)
                    if not done and len(summary.problems) == before:
                        summary.problems.append(_problem(item.source, "unreadable_file", PROBLEMS["unreadable_file"]))
                        say(f"{item.source}: {PROBLEMS['unreadable_file']}")
            else:
                _video(recognizer, item, out, writers, summary, annotated, every, max_frames, progress, say)
    finally:
        writers.close()
        bar.close()
    return summary


def _output_path(out: Path, item: Item, suffix: str) -> Path:
    target = (out / ANNOTATED_DIR / item.name).with_suffix(suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _image(recognizer, item, out, writers, summary, annotated, say, try_video=False) -> bool:
    try:
        image = read_image(item.path)
    except ImageReadError as exc:
        if try_video:
            return False  # the caller tries it as a video before calling it unreadable
        summary.problems.append(_problem(item.source, "unreadable_image", str(exc)))
        say(str(exc))
        return False
    faces = recognizer.predict(image)
    summary.processed += 1
    _count(summary, faces)
    if not faces:
        summary.problems.append(_problem(item.source, "no_face", PROBLEMS["no_face"]))
    writers.write(item.source, None, None, faces)
    if annotated:
        cv2.imwrite(str(_output_path(out, item, ".png")), annotate(image, faces))
    say(f"{item.source}: {_describe(faces)}")
    return True


def _count(summary: PredictSummary, faces: Sequence[FacePrediction]) -> None:
    summary.faces += len(faces)
    summary.masked_faces += sum(bool(f.masked) for f in faces)


@contextlib.contextmanager
def _opencv_silenced():
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def _video(recognizer, item, out, writers, summary, annotated, every, max_frames, progress, say, quiet_open=False):
    from tqdm.auto import tqdm

    # OpenCV's and ffmpeg's own warnings ("can't open camera by index", "moov atom not found"); ours name the input.
    with _opencv_silenced(), native_stderr_discarded():
        capture = cv2.VideoCapture(item.camera if item.kind == "camera" else str(item.path))
    if not capture.isOpened():
        if not quiet_open:
            reason = "camera_unavailable" if item.kind == "camera" else "corrupt_video"
            detail = f"{item.source}: " + ("could not be opened" if item.kind == "camera" else "cannot be opened as a video")
            summary.problems.append(_problem(item.source, reason, detail))
            say(detail)
        return False
    expected = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if item.kind != "camera" else 0
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    total = min(expected, max_frames) if expected > 0 and max_frames else (expected or max_frames or None)
    bar = tqdm(total=total, desc=item.name, unit="frame", disable=not progress, leave=False)
    writer, latest, index, analysed, faces_seen = None, [], 0, 0, 0
    try:
        while max_frames is None or index < max_frames:
            with native_stderr_discarded():  # ffmpeg logs each damaged packet; truncation is reported below
                ok, frame = capture.read()
            if not ok or frame is None:
                break
            if index % every == 0:
                latest = recognizer.predict(frame)
                analysed += 1
                faces_seen += len(latest)
                _count(summary, latest)
                writers.write(item.source, index, index / fps, latest)
            if annotated:
                if writer is None:
                    height, width = frame.shape[:2]
                    target = _output_path(out, item, ".mp4")
                    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
                writer.write(annotate(frame, latest))
            index += 1
            bar.update(1)
    except KeyboardInterrupt:  # the way to stop a camera; what was read so far is kept
        pass
    finally:
        bar.close()
        capture.release()
        if writer is not None:
            writer.release()
    if index == 0:
        if quiet_open:
            return False
        reason = "camera_unavailable" if item.kind == "camera" else "corrupt_video"
        detail = f"{item.source}: " + ("gave no frame" if item.kind == "camera" else "no frame could be read")
        summary.problems.append(_problem(item.source, reason, detail))
        say(detail)
        return False
    summary.processed += 1
    summary.frames += analysed
    note = ""
    if expected and max_frames is None and index < expected - TRUNCATION_SLACK:
        detail = f"truncated: ends after {index} of the {expected} frames its header announces"
        summary.problems.append(_problem(item.source, "truncated_video", detail))
        note = f"; {detail}"
    if faces_seen == 0:
        summary.problems.append(_problem(item.source, "no_face", f"no face in {analysed} analysed frames"))
    say(f"{item.source}: {index} frames, {analysed} analysed, {faces_seen} faces{note}")
    return True

"""Any folder of labelled face photos: `<label>/<image>` (images may sit in sub-folders of the label folder).

Label folders are matched to emotions by their usual spellings ("anger", "happiness", "Surprised"...). A
folder whose name is no known emotion is an error, not a silent skip: it is usually a typo or a wrong path.
Files that are not read (types the decoder does not take, such as .gif, and files lying at the top level
of the input, outside any label folder) are yielded as rejections, so each has its row in rejected.csv,
and are counted by type in `describe()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ...labels import EMOTIONS, UnknownLabelError, canonical_label
from .base import IMAGE_EXTENSIONS, SourceError, SourceImage, read_image_file


class LabelledFolder:
    kind = "folder"

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise SourceError(f"image folder {self.path} does not exist")
        label_dirs = sorted(p for p in self.path.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not label_dirs:
            raise SourceError(f"{self.path} has no label sub-folders; expected <label>/<image> (e.g. happy/img1.jpg)")
        unknown = []
        self.entries: list[tuple[Path, str]] = []
        self.unread: list[tuple[Path, str, str]] = []  # (file, label, reason)
        self.skipped: dict[str, int] = {}
        for file in sorted(p for p in self.path.iterdir() if p.is_file() and not p.name.startswith(".")):
            self._skip(file, "", "outside_label_folder")
        for folder in label_dirs:
            try:
                label = canonical_label(folder.name)
            except UnknownLabelError:
                unknown.append(folder.name)
                continue
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                if file.suffix.lower() in IMAGE_EXTENSIONS:
                    self.entries.append((file, label))
                elif not file.name.startswith("."):  # hidden files (.DS_Store) are the file system's, not data
                    self._skip(file, label, "unsupported_file")
        if unknown:
            raise SourceError(
                f"{self.path}: folder name(s) {unknown} are not emotions; rename them to one of "
                f"{', '.join(EMOTIONS)} (or contempt)"
            )
        if not self.entries:
            raise SourceError(f"{self.path}: the label folders hold no images ({', '.join(sorted(IMAGE_EXTENSIONS))})")
        present = {label for _, label in self.entries}
        self.class_names = tuple(n for n in EMOTIONS if n in present) + tuple(sorted(present - set(EMOTIONS)))

    def _skip(self, file: Path, label: str, reason: str) -> None:
        self.unread.append((file, label, reason))
        key = file.suffix.lower() or file.name
        self.skipped[key] = self.skipped.get(key, 0) + 1

    def __len__(self) -> int:
        return len(self.entries) + len(self.unread)

    def __iter__(self) -> Iterator[SourceImage]:
        for file, label in self.entries:
            yield read_image_file(file, file.relative_to(self.path).as_posix(), label)
        for file, label, reason in self.unread:
            detail = (
                f"{file.suffix or file.name} files are not read (images: {', '.join(sorted(IMAGE_EXTENSIONS))})"
                if reason == "unsupported_file"
                else "not inside a <label>/ folder, so it has no label"
            )
            yield SourceImage(file.relative_to(self.path).as_posix(), label, problem=(reason, detail))

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "format": "folder",
            "input": str(self.path),
            "images": len(self.entries),
            "skipped_non_images": self.skipped,
        }

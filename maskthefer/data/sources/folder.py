"""Any folder of labelled face photos: `<label>/<image>` (images may sit in sub-folders of the label folder).

Label folders are matched to emotions by their usual spellings ("anger", "happiness", "Surprised"...). A
folder whose name is no known emotion is an error, not a silent skip: it is usually a typo or a wrong path.
Files that are not images (by extension) are counted and reported in `describe()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ...labels import EMOTIONS, UnknownLabelError, canonical_label
from .base import IMAGE_EXTENSIONS, SourceError, SourceImage


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
        self.skipped: dict[str, int] = {}
        for folder in label_dirs:
            try:
                label = canonical_label(folder.name)
            except UnknownLabelError:
                unknown.append(folder.name)
                continue
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                if file.suffix.lower() in IMAGE_EXTENSIONS:
                    self.entries.append((file, label))
                else:
                    key = file.suffix.lower() or file.name
                    self.skipped[key] = self.skipped.get(key, 0) + 1
        if unknown:
            raise SourceError(
                f"{self.path}: folder name(s) {unknown} are not emotions; rename them to one of "
                f"{', '.join(EMOTIONS)} (or contempt)"
            )
        if not self.entries:
            raise SourceError(f"{self.path}: the label folders hold no images ({', '.join(sorted(IMAGE_EXTENSIONS))})")
        present = {label for _, label in self.entries}
        self.class_names = tuple(n for n in EMOTIONS if n in present) + tuple(sorted(present - set(EMOTIONS)))

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[SourceImage]:
        for file, label in self.entries:
            source_id = file.relative_to(self.path).as_posix()
            try:
                data = file.read_bytes()
            except OSError as exc:
                yield SourceImage(source_id, label, problem=("unreadable_file", str(exc)))
                continue
            yield SourceImage(source_id, label, encoded=data)

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "format": "folder",
            "input": str(self.path),
            "images": len(self.entries),
            "skipped_non_images": self.skipped,
        }

"""FER2013 in its two circulated forms.

- The canonical CSV (`fer2013.csv` or `.csv.gz`): columns emotion, pixels, Usage; 2,304 gray values per row;
  emotion codes 0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral.
- The Kaggle folder layout `train|test/<emotion>/*.jpg` (e.g. msambare/fer2013), as a folder or its `.zip`.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from ...labels import EMOTIONS, FER2013_CODES, UnknownLabelError, canonical_label
from .base import IMAGE_EXTENSIONS, SourceError, SourceImage, read_image_file

REQUIRED_COLUMNS = ("emotion", "pixels")
FOLDER_USAGE = {"train": "Training", "training": "Training", "test": "PublicTest", "validation": "PublicTest"}


# What a damaged file raises while it is read: a truncated .gz ends with EOFError, a corrupted one with
# gzip.BadGzipFile (an OSError) or zlib.error, bytes that are no UTF-8 with UnicodeDecodeError.
_READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error)


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _read_problem(path: Path, exc: BaseException, lines: int) -> SourceError:
    """The one-line error for a CSV that breaks off or is damaged after `lines` good lines."""
    if isinstance(exc, gzip.BadGzipFile) and lines == 0 and "Not a gzipped file" in str(exc):
        return SourceError(f"{path} is not gzip-compressed ({exc}); if it is plain text, name it .csv")
    if isinstance(exc, EOFError):
        what = "is truncated (the compressed data ends early)"
    elif isinstance(exc, (zlib.error, gzip.BadGzipFile)):
        what = "is corrupted (the compressed data does not decode)"
    elif isinstance(exc, UnicodeDecodeError):
        what = "is not UTF-8 text"
    else:
        what = "cannot be read"
    return SourceError(f"{path} {what} after {lines} lines ({type(exc).__name__}: {exc}); copy or download it again")


def _checked(path: Path, lines: Iterable) -> Iterator:
    """`lines` (or CSV rows), turning a read failure half-way into a SourceError that names the file."""
    count = 0
    iterator = iter(lines)
    while True:
        try:
            line = next(iterator)
        except StopIteration:
            return
        except _READ_ERRORS as exc:
            raise _read_problem(path, exc, count) from None
        count += 1
        yield line


class Fer2013Csv:
    """Rows of the FER2013 CSV, in file order."""

    kind = "fer2013"
    class_names = EMOTIONS

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise SourceError(f"FER2013 CSV {self.path} does not exist")
        with _open_text(self.path) as handle:
            try:
                header = next(csv.reader(handle))
            except StopIteration:
                raise SourceError(f"{self.path} is empty") from None
            except _READ_ERRORS as exc:
                raise _read_problem(self.path, exc, 0) from None
        self.columns = [c.strip() for c in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in self.columns]
        if missing:
            raise SourceError(
                f"{self.path}: missing column(s) {missing}; found {self.columns}. "
                "FER2013's CSV has the columns emotion,pixels,Usage"
            )
        self.has_usage = "Usage" in self.columns

    def __len__(self) -> int:
        """Data rows (line count less the header; FER2013 has no quoted newlines)."""
        with _open_text(self.path) as handle:
            return max(0, sum(1 for _ in _checked(self.path, handle)) - 1)

    def __iter__(self) -> Iterator[SourceImage]:
        emotion_at = self.columns.index("emotion")
        pixels_at = self.columns.index("pixels")
        usage_at = self.columns.index("Usage") if self.has_usage else None
        with _open_text(self.path) as handle:
            reader = _checked(self.path, csv.reader(handle))
            next(reader)
            for row_number, row in enumerate(reader):
                source_id = f"row-{row_number:05d}"
                if len(row) != len(self.columns):
                    yield SourceImage(
                        source_id,
                        "",
                        problem=("bad_row", f"{len(row)} fields, header has {len(self.columns)}"),
                    )
                    continue
                usage = row[usage_at].strip() if usage_at is not None else ""
                code = row[emotion_at].strip()
                label = FER2013_CODES.get(int(code)) if code.isdigit() else None
                if label is None:
                    yield SourceImage(source_id, "", usage=usage, problem=("unknown_label", f"emotion code {code!r}"))
                    continue
                yield SourceImage(source_id, label, usage=usage, pixels=row[pixels_at])

    def describe(self) -> dict:
        return {"kind": self.kind, "format": "csv", "input": str(self.path), "columns": self.columns}


class Fer2013Folder:
    """The `train|test/<emotion>/<image>` layout, from a folder or a `.zip` of one."""

    kind = "fer2013"
    class_names = EMOTIONS

    def __init__(self, path: Path):
        self.path = Path(path)
        self.is_zip = self.path.suffix.lower() == ".zip"
        if self.is_zip:
            try:
                with zipfile.ZipFile(self.path) as archive:
                    names = [n for n in archive.namelist() if not n.endswith("/")]
            except zipfile.BadZipFile as exc:
                raise SourceError(f"{self.path} is not a readable zip archive: {exc}") from exc
        else:
            if not self.path.is_dir():
                raise SourceError(f"FER2013 folder {self.path} does not exist")
            names = [p.relative_to(self.path).as_posix() for p in sorted(self.path.rglob("*")) if p.is_file()]
        self.entries, self.skipped, self.unread = self._index(names)
        if not self.entries:
            raise SourceError(f"{self.path} holds no images in the layout train|test/<emotion>/<image>")

    def _index(self, names: list[str]):
        """(member name, usage, label) for every image; counts of what is not read, by extension; and the
        files not read as (name, reason), so each becomes a row of rejected.csv."""
        entries, skipped, unread = [], {}, []
        unknown: set[str] = set()

        def skip(name: str, reason: str) -> None:
            suffix = PurePosixPath(name).suffix.lower() or "(none)"
            skipped[suffix] = skipped.get(suffix, 0) + 1
            if not any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts):
                unread.append((name, reason))  # hidden files and zip metadata are the file system's, not data

        for name in sorted(names):
            parts = PurePosixPath(name).parts
            # Allow one wrapping folder (zips often hold fer2013/train/...): use the last three parts.
            if len(parts) < 3 or parts[-3].lower() not in FOLDER_USAGE:
                skip(name, "outside_label_folder")
                continue
            if PurePosixPath(name).suffix.lower() not in IMAGE_EXTENSIONS:
                skip(name, "unsupported_file")
                continue
            try:
                label = canonical_label(parts[-2])
            except UnknownLabelError:
                unknown.add(parts[-2])
                continue
            entries.append((name, FOLDER_USAGE[parts[-3].lower()], label))
        if unknown:
            raise SourceError(f"{self.path}: unknown emotion folder(s) {sorted(unknown)}")
        return entries, skipped, unread

    def __len__(self) -> int:
        return len(self.entries) + len(self.unread)

    def __iter__(self) -> Iterator[SourceImage]:
        archive = zipfile.ZipFile(self.path) if self.is_zip else None
        try:
            for name, usage, label in self.entries:
                if archive is None:
                    yield read_image_file(self.path / name, name, label, usage=usage)
                    continue
                try:
                    data = archive.read(name)
                except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
                    yield SourceImage(name, label, usage=usage, problem=("unreadable_file", f"{self.path}: {exc}"))
                    continue
                yield SourceImage(name, label, usage=usage, encoded=data)
        finally:
            if archive:
                archive.close()
        for name, reason in self.unread:
            detail = (
                "not in the layout train|test/<emotion>/<image>"
                if reason == "outside_label_folder"
                else f"{PurePosixPath(name).suffix or 'extensionless'} files are not read"
            )
            yield SourceImage(name, "", problem=(reason, detail))

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "format": "zip" if self.is_zip else "folder",
            "input": str(self.path),
            "images": len(self.entries),
            "skipped_non_images": self.skipped,
        }


def open_fer2013(path: Path) -> Fer2013Csv | Fer2013Folder:
    """Pick the reader by what `path` is: a CSV(.gz), a zip, or a folder."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return Fer2013Csv(path)
    if name.endswith(".zip") or path.is_dir():
        if path.is_dir() and (path / "fer2013.csv").is_file():
            return Fer2013Csv(path / "fer2013.csv")
        return Fer2013Folder(path)
    raise SourceError(f"{path}: expected fer2013.csv(.gz), a .zip, or a train|test/<emotion>/ folder")

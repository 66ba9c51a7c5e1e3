"""TFRecord files: writing them atomically and reading them back, with or without TensorFlow.

Framing per record: uint64 length, uint32 masked CRC of the length, the payload, uint32 masked CRC of the
payload (all little-endian). Files are written under a `.<pid>.partial` name and renamed only when closed
cleanly, so a shard that exists under its final name is always complete.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .crc32c import masked_crc32c

PARTIAL_SUFFIX = ".partial"


class CorruptRecordError(IOError):
    """A TFRecord file is truncated or fails its checksums; names the file and byte offset."""

    def __init__(self, path: os.PathLike | str, offset: int, problem: str):
        super().__init__(f"{path}: corrupt record at byte {offset}: {problem}")
        self.path = str(path)
        self.offset = offset


class RecordWriter:
    """Append records to `path` through a temporary file that becomes `path` on `close()`.

    Leaving the `with` block through an exception deletes the temporary file instead, so an interrupted
    writer never leaves a file that looks finished.
    """

    def __init__(self, path: os.PathLike | str):
        self.path = Path(path)
        # The process id keeps two writers of one file (a stray worker of a killed build and its re-run)
        # from truncating or renaming each other's half-written data.
        self.partial_path = self.path.with_name(f"{self.path.name}.{os.getpid()}{PARTIAL_SUFFIX}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO | None = open(self.partial_path, "wb")
        self.count = 0

    def write(self, payload: bytes) -> None:
        if self._file is None:
            raise ValueError(f"{self.path}: writer already closed")
        header = struct.pack("<Q", len(payload))
        self._file.write(header)
        self._file.write(struct.pack("<I", masked_crc32c(header)))
        self._file.write(payload)
        self._file.write(struct.pack("<I", masked_crc32c(payload)))
        self.count += 1

    def close(self) -> None:
        """Flush to disk and publish the file under its final name."""
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.replace(self.partial_path, self.path)

    def abort(self) -> None:
        """Discard everything written so far."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.partial_path.unlink(missing_ok=True)

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def iter_records(path: os.PathLike | str, verify: bool = True) -> Iterator[bytes]:
    """Yield the payload of every record in a TFRecord file.

    With `verify` the CRCs are checked; any truncation or mismatch raises `CorruptRecordError` naming the file
    and offset rather than yielding damaged data.
    """
    with open(path, "rb") as handle:
        offset = 0
        while True:
            header = handle.read(8)
            if not header:
                return
            if len(header) < 8:
                raise CorruptRecordError(path, offset, "file ends inside a record header")
            length_crc = handle.read(4)
            if len(length_crc) < 4:
                raise CorruptRecordError(path, offset, "file ends inside a record header")
            if verify and struct.unpack("<I", length_crc)[0] != masked_crc32c(header):
                raise CorruptRecordError(path, offset, "length checksum mismatch")
            (length,) = struct.unpack("<Q", header)
            payload = handle.read(length)
            footer = handle.read(4)
            if len(payload) < length or len(footer) < 4:
                raise CorruptRecordError(path, offset, "file ends inside a record")
            if verify and struct.unpack("<I", footer)[0] != masked_crc32c(payload):
                raise CorruptRecordError(path, offset, "payload checksum mismatch")
            yield payload
            offset += 16 + length


def count_records(path: os.PathLike | str) -> int:
    """Number of records in a file, reading only the headers."""
    count = 0
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        offset = 0
        while offset < size:
            handle.seek(offset)
            header = handle.read(8)
            if len(header) < 8:
                raise CorruptRecordError(path, offset, "file ends inside a record header")
            (length,) = struct.unpack("<Q", header)
            offset += 16 + length
            count += 1
        if offset != size:
            raise CorruptRecordError(path, offset, "last record is truncated")
    return count

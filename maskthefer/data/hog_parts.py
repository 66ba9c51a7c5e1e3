"""dlib's HOG face detector taken apart into the five filters it is made of, so a photo can be searched with
fewer of them.

`dlib.get_frontal_face_detector()` runs five linear HOG filters over one shared feature pyramid: a frontal
face, faces turned left and right, and frontal faces rotated left and right (dlib's documentation names them
in that order). On a 640x480 frame the filters cost about 55-60 % of the search (bench/detectors.py measures
it): the frontal filter alone is the `hog-frontal` detector, about 40 % faster, at the price of the turned
faces (on enlarged FER2013 faces it found 240 of the 285 faces the five filters found together; on frontal CK+
faces it found every one of them, masked or not).

dlib's Python API cannot select filters, but it can save a detector and load one from a file. The saved
object_detector is: a version, the scanner's settings, the box-overlap test, the number of filters and each
filter's weight column, every number written as dlib's packed integers (a header byte giving the sign and the
byte count, then the bytes little-endian; a double is two of them, mantissa and exponent). `sub_detector`
keeps the header, rewrites the count and keeps the chosen weight columns; the whole file is checked to parse
to its last byte, so a dlib that writes another layout is refused rather than half-read.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Sequence

from ..errors import MaskTheFERError

FILTERS = ("frontal", "turned_left", "turned_right", "frontal_rotated_left", "frontal_rotated_right")
_OBJECT_DETECTOR_VERSION = 2
# Before the filter count: the detector's version, the scanner's version and its nine integer settings, the
# nuclear-norm strength (a double), the feature count, and the box-overlap test's two doubles.
_HEADER_NUMBERS = 1 + 1 + 9 + 2 + 1 + 4


class HogLayoutError(MaskTheFERError):
    """The installed dlib saves its HOG detector in a layout this module does not know."""


def _read_packed(data: bytes, at: int) -> tuple[int, int]:
    """One dlib packed integer at `at`: (value, position after it)."""
    if at >= len(data) or at + 1 + (data[at] & 0x0F) > len(data):
        raise HogLayoutError(f"the saved HOG detector ends in the middle of a number (byte {at} of {len(data)})")
    head = data[at]
    size = head & 0x0F
    if size > 8:
        raise HogLayoutError(f"the saved HOG detector has a malformed number at byte {at}")
    value = int.from_bytes(data[at + 1 : at + 1 + size], "little")
    return (-value if head & 0x80 else value), at + 1 + size


def split_filters(saved: bytes) -> tuple[bytes, list[bytes]]:
    """A saved HOG object detector -> (its header, one serialised weight column per filter)."""
    at = 0
    numbers = []
    for _ in range(_HEADER_NUMBERS):
        value, at = _read_packed(saved, at)
        numbers.append(value)
    if numbers[0] != _OBJECT_DETECTOR_VERSION:
        raise HogLayoutError(f"saved HOG detector version {numbers[0]}, expected {_OBJECT_DETECTOR_VERSION}")
    header = saved[:at]
    count, at = _read_packed(saved, at)
    columns = []
    for _ in range(count):
        start = at
        rows, at = _read_packed(saved, at)
        cols, at = _read_packed(saved, at)
        for _ in range(abs(rows) * abs(cols) * 2):  # each double is a mantissa and an exponent
            _, at = _read_packed(saved, at)
        columns.append(saved[start:at])
    if at != len(saved):
        raise HogLayoutError(f"the saved HOG detector has {len(saved) - at} bytes after its {count} filters")
    return header, columns


def join_filters(header: bytes, columns: Sequence[bytes]) -> bytes:
    """The inverse of `split_filters` for a chosen subset of columns."""
    if not 1 <= len(columns) <= 15:
        raise HogLayoutError(f"a HOG detector needs 1 to 15 filters, got {len(columns)}")
    return header + bytes([1, len(columns)]) + b"".join(columns)


@functools.lru_cache(maxsize=1)
def _saved_frontal_detector() -> bytes:
    import dlib

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "frontal.svm")
        dlib.get_frontal_face_detector().save(path)
        with open(path, "rb") as handle:
            return handle.read()


@functools.lru_cache(maxsize=None)
def sub_detector(names: tuple[str, ...] = ("frontal",)):
    """A `dlib.fhog_object_detector` with only the named filters of dlib's face detector (see FILTERS)."""
    import dlib

    unknown = [n for n in names if n not in FILTERS]
    if unknown or not names:
        raise MaskTheFERError(f"unknown HOG filter(s) {unknown or list(names)}; choose from {', '.join(FILTERS)}")
    header, columns = split_filters(_saved_frontal_detector())
    if len(columns) != len(FILTERS):
        raise HogLayoutError(f"dlib's face detector has {len(columns)} filters, expected {len(FILTERS)}")
    chosen = join_filters(header, [columns[FILTERS.index(n)] for n in names])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "part.svm")
        with open(path, "wb") as handle:
            handle.write(chosen)
        return dlib.fhog_object_detector(path)

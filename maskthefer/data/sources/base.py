"""What every source yields: `SourceImage`, one labelled image still in its stored form.

Decoding is deferred to `SourceImage.decode()` so that build workers, not the reading process, pay for it.
Items that cannot be used (corrupt bytes, pixel strings of the wrong length, unknown label codes) are still
yielded, with `problem` set, so the build counts them as rejections instead of losing them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ...errors import MaskTheFERError

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
# Memory per image stays bounded whatever is put in a folder: larger files are rejected unread, larger
# images before their pixels are decoded (a 50-megapixel BGR image is 150 MB; faces need far fewer).
MAX_FILE_BYTES = 256 << 20
MAX_IMAGE_PIXELS = 50_000_000


class SourceError(MaskTheFERError):
    """A source that cannot be read at all: missing file, wrong CSV columns, empty folder, unknown labels."""


class ImageProblem(MaskTheFERError):
    """One item that cannot be decoded; `reason` is the rejection category written to rejected.csv."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class SourceImage:
    """One labelled image from a source, in stored form."""

    source_id: str  # stable and unique within the source (CSV row, path relative to the input)
    label: str  # canonical class name ("" when `problem` says the label is unusable)
    usage: str = ""  # the source's own split ("Training", "PublicTest", "train", "test"), if it has one
    subject: str = ""  # person id where known (CK+), so splits can keep a person on one side
    pixels: str | None = None  # FER2013 CSV pixel string
    encoded: bytes | None = None  # image file bytes
    image: np.ndarray | None = None  # already decoded uint8 gray or BGR
    problem: tuple[str, str] | None = None  # (reason, detail) when the item is unusable as stored

    def decode(self) -> np.ndarray:
        """The image as uint8 gray (H, W) or BGR (H, W, 3); raises ImageProblem when it cannot be."""
        if self.problem is not None:
            raise ImageProblem(*self.problem)
        if self.image is not None:
            return self.image
        if self.pixels is not None:
            return decode_pixel_string(self.pixels)
        if self.encoded is not None:
            return decode_image_bytes(self.encoded)
        raise ImageProblem("corrupt_image", "item carries no image data")


def decode_pixel_string(pixels: str, side: int = 48) -> np.ndarray:
    """FER2013's space-separated gray values -> (side, side) uint8."""
    try:
        values = np.array(pixels.split(), dtype=np.int64)
    except ValueError as exc:
        raise ImageProblem("bad_pixels", f"non-numeric pixel value ({exc})") from exc
    if values.size != side * side:
        raise ImageProblem("bad_pixels", f"{values.size} pixel values, expected {side * side}")
    if values.min(initial=0) < 0 or values.max(initial=0) > 255:
        raise ImageProblem("bad_pixels", "pixel values outside 0..255")
    return values.astype(np.uint8).reshape(side, side)


def read_image_file(path, source_id: str, label: str, **fields) -> SourceImage:
    """A SourceImage holding the file's bytes, or its counted rejection when the file cannot be read or is
    too large to read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return SourceImage(source_id, label, problem=(
                "image_too_large", f"{size / 2**20:.0f} MB file, over the {MAX_FILE_BYTES >> 20} MB limit"), **fields)  # fmt: skip
        return SourceImage(source_id, label, encoded=path.read_bytes(), **fields)
    except OSError as exc:
        return SourceImage(source_id, label, problem=("unreadable_file", f"{path}: {exc.strerror or exc}"), **fields)


def _pixel_count(data: bytes) -> int | None:
    """Width x height from the file's header, without decoding it (None when the header is not understood)."""
    try:
        from PIL import Image  # a dependency of matplotlib; it reads headers lazily

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        return width * height
    except Exception:  # any header PIL does not know: OpenCV decides below
        return None


def decode_image_bytes(data: bytes) -> np.ndarray:
    """Encoded image bytes -> uint8 gray or BGR; alpha is dropped, 16-bit scaled down."""
    import cv2

    if not data:
        raise ImageProblem("corrupt_image", "empty file")
    pixels = _pixel_count(data)
    if pixels is not None and pixels > MAX_IMAGE_PIXELS:
        raise ImageProblem("image_too_large", f"{pixels / 1e6:.0f} megapixels, over the {MAX_IMAGE_PIXELS / 1e6:.0f} limit")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ImageProblem("corrupt_image", "not a decodable image")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ImageProblem("corrupt_image", f"unsupported pixel type {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and _is_gray(image):
        image = image[:, :, 0]  # JPEGs of gray faces are often stored as three equal channels
    return np.ascontiguousarray(image)


def _is_gray(image: np.ndarray) -> bool:
    return bool(np.array_equal(image[:, :, 0], image[:, :, 1]) and np.array_equal(image[:, :, 1], image[:, :, 2]))


class Source(Protocol):
    """A dataset on disk, read in a fixed order."""

    kind: str  # "fer2013", "ckplus" or "folder": which paper defaults apply downstream
    class_names: tuple[str, ...]

    def __iter__(self) -> Iterator[SourceImage]: ...

    def describe(self) -> dict: ...

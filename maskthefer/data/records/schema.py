"""The fields of one maskthefer record and the manifest that describes a built dataset.

A record holds one face: the masked eye-region crop (what the paper trains on), the unmasked crop of the
same face cut with the same geometry (for masked/unmasked pairs), its label and provenance.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .example import decode_example, encode_example

MANIFEST_NAME = "manifest.json"
REJECTED_NAME = "rejected.csv"
PREVIEW_NAME = "preview.png"
FORMAT_NAME = "maskthefer-records"
FORMAT_VERSION = 1

# Feature keys, shared by the writer, the pure-Python reader and the tf.data reader.
IMAGE = "image"  # PNG bytes, uint8 grayscale, masked crop
IMAGE_UNMASKED = "image_unmasked"  # PNG bytes, same face and crop geometry without the mask
LABEL = "label"  # int64 index into the manifest's class_names
LABEL_NAME = "label_name"
SOURCE_ID = "source_id"  # stable id of the source image (CSV row, file path relative to the input)
SUBJECT = "subject"  # person id where the source has one (CK+), else ""
MASK_TYPE = "mask_type"
MASK_STYLE = "mask_style"  # colour / texture description
HEIGHT = "height"
WIDTH = "width"


@dataclass(frozen=True)
class FaceRecord:
    """One accepted face, as stored in a shard."""

    image: np.ndarray  # (H, W) uint8, masked crop
    image_unmasked: np.ndarray  # (H, W) uint8
    label: int
    label_name: str
    source_id: str
    subject: str = ""
    mask_type: str = ""
    mask_style: str = ""


def encode_png(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - cv2 fails only on invalid arrays
        raise ValueError("PNG encoding failed")
    return buf.tobytes()


def decode_png(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError("record image is not a decodable PNG")
    return image


def serialize_record(record: FaceRecord) -> bytes:
    height, width = record.image.shape[:2]
    return encode_example(
        {
            IMAGE: encode_png(record.image),
            IMAGE_UNMASKED: encode_png(record.image_unmasked),
            LABEL: int(record.label),
            LABEL_NAME: record.label_name,
            SOURCE_ID: record.source_id,
            SUBJECT: record.subject,
            MASK_TYPE: record.mask_type,
            MASK_STYLE: record.mask_style,
            HEIGHT: int(height),
            WIDTH: int(width),
        }
    )


def parse_record(payload: bytes, decode_images: bool = True) -> dict:
    """Decode one serialised record into a dict; images become uint8 arrays when `decode_images`."""
    raw = decode_example(payload)
    missing = [k for k in (IMAGE, LABEL, SOURCE_ID) if k not in raw]
    if missing:
        raise ValueError(f"record lacks required features {missing}; not a maskthefer record")

    def text(key: str) -> str:
        values = raw.get(key) or [b""]
        return values[0].decode("utf-8")

    out = {
        LABEL: int(raw[LABEL][0]),
        LABEL_NAME: text(LABEL_NAME),
        SOURCE_ID: text(SOURCE_ID),
        SUBJECT: text(SUBJECT),
        MASK_TYPE: text(MASK_TYPE),
        MASK_STYLE: text(MASK_STYLE),
        HEIGHT: int(raw.get(HEIGHT, [0])[0]),
        WIDTH: int(raw.get(WIDTH, [0])[0]),
    }
    for key in (IMAGE, IMAGE_UNMASKED):
        if key in raw:
            out[key] = decode_png(raw[key][0]) if decode_images else raw[key][0]
    return out

"""Photo-sized scenes composed from small real face crops, some of them masked, with their true boxes.

FER2013 and CK+48 hold 48x48 crops, not photos. To measure face detection and `maskthefer predict` on
something shaped like a photo, real crops are enlarged, pasted side by side onto a 640x480 background, and
(when asked) masked in place by the package's own masker, with landmarks taken inside the true box (so
masking does not depend on the detector being measured).

    scene = compose_scene([face_a, face_b], masked=[True, False], rng=np.random.default_rng(0), analyzer=fa)
    scene.image, scene.boxes, scene.masked
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..errors import MaskTheFERError
from .faces import Box, FaceAnalyzer


@dataclass
class Scene:
    """A BGR image with the true box, mask flag and mask style of every face pasted into it."""

    image: np.ndarray
    boxes: list[Box]
    masked: list[bool]
    mask_styles: list[str] = field(default_factory=list)


def background(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth, faceless colour background with some grain (what a wall or a blurred room looks like)."""
    coarse = rng.uniform(40, 215, size=(4, 5, 3)).astype(np.float32)
    smooth = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    grain = rng.normal(0, 6, size=(height, width, 3)).astype(np.float32)
    return np.clip(smooth + grain, 0, 255).astype(np.uint8)


def compose_scene(
    faces: Sequence[np.ndarray],
    *,
    masked: Sequence[bool] | None = None,
    rng: np.random.Generator,
    analyzer: FaceAnalyzer | None = None,
    size: tuple[int, int] = (480, 640),
    face_sides: tuple[int, int] = (140, 200),
    mask_types: Sequence[str] | None = None,
) -> Scene:
    """Paste `faces` (gray or BGR crops) left to right, each enlarged to a side drawn from `face_sides`.

    `masked[i]` draws a synthetic mask on face i (needs `analyzer` for its landmarks).
    """
    from . import masks  # drawing code, only needed here

    height, width = size
    masked = list(masked) if masked is not None else [False] * len(faces)
    if len(masked) != len(faces):
        raise MaskTheFERError(f"{len(faces)} faces but {len(masked)} masked flags")
    slot = width // max(len(faces), 1)
    if not faces or slot < face_sides[0]:
        raise MaskTheFERError(f"{len(faces)} faces of at least {face_sides[0]} px do not fit side by side in {width} px")
    image = background(height, width, rng)
    boxes = []
    for i, face in enumerate(faces):
        side = int(rng.integers(face_sides[0], min(face_sides[1], slot) + 1))
        left = i * slot + int(rng.integers(0, slot - side + 1))
        top = int(rng.integers(0, height - side + 1))
        bgr = face if face.ndim == 3 else cv2.cvtColor(face, cv2.COLOR_GRAY2BGR)
        image[top : top + side, left : left + side] = cv2.resize(bgr, (side, side), interpolation=cv2.INTER_CUBIC)
        boxes.append(Box(left, top, left + side, top + side, 1.0))
    styles = [""] * len(faces)
    if any(masked):
        if analyzer is None:
            raise MaskTheFERError("masking faces in a scene needs a FaceAnalyzer for their landmarks")
        for i, box in enumerate(boxes):
            if masked[i]:
                style = masks.sample_style(rng, mask_types)
                image = masks.apply_mask(image, analyzer.landmarks(image, box), style)
                styles[i] = style.describe()
    return Scene(image=image, boxes=boxes, masked=masked, mask_styles=styles)


def match_boxes(truth: Sequence[Box], found: Sequence[Box], min_overlap: float = 0.5) -> list[int | None]:
    """For each true box, the index of the found box covering it best (intersection over union), or None."""
    matches: list[int | None] = []
    for t in truth:
        best, best_iou = None, min_overlap
        for j, f in enumerate(found):
            iou = _iou(t, f)
            if iou >= best_iou:
                best, best_iou = j, iou
        matches.append(best)
    return matches


def _iou(a: Box, b: Box) -> float:
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / (a.width * a.height + b.width * b.height - inter)

"""Drawing predictions onto a frame: box, top label with its probability, a small bar per class, mask mark."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .recognizer import FacePrediction

MASKED_COLOUR = (0, 140, 255)  # BGR orange: a masked face
UNMASKED_COLOUR = (80, 200, 60)  # green
UNKNOWN_COLOUR = (200, 200, 200)  # no mask classifier, or no crop
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _colour(face: FacePrediction) -> tuple[int, int, int]:
    if face.masked is None or not face.probabilities:
        return UNKNOWN_COLOUR
    return MASKED_COLOUR if face.masked else UNMASKED_COLOUR


def annotate(image: np.ndarray, faces: Sequence[FacePrediction]) -> np.ndarray:
    """A BGR copy of `image` with every face drawn; sizes follow each face so small and large faces read alike."""
    out = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    for face in faces:
        left, top, right, bottom = (int(round(v)) for v in face.box)
        colour = _colour(face)
        side = max(right - left, 1)
        thickness = max(1, side // 80)
        cv2.rectangle(out, (left, top), (right, bottom), colour, thickness)
        scale = max(0.35, side / 300)
        if face.probabilities:
            title = f"{face.label} {face.probabilities[face.label]:.2f}"
        else:
            title = "no crop"
        if face.masked:
            title = f"[mask {face.masked_probability:.2f}] " + title
        _label(out, title, (left, top), colour, scale)
        if face.probabilities:
            _bars(out, face, (left, bottom), side, colour)
    return out


def _label(out: np.ndarray, text: str, corner: tuple[int, int], colour, scale: float) -> None:
    (width, height), base = cv2.getTextSize(text, _FONT, scale, 1)
    x, y = corner[0], max(corner[1], height + base + 2)
    cv2.rectangle(out, (x, y - height - base - 2), (x + width + 4, y), colour, -1)
    cv2.putText(out, text, (x + 2, y - base), _FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)


def _bars(out: np.ndarray, face: FacePrediction, corner: tuple[int, int], side: int, colour) -> None:
    """One thin bar per class under the box, its length the class probability, with the class's initials."""
    names = list(face.probabilities)
    row = max(8, side // 13)
    x0, y0 = corner[0], corner[1] + 3
    scale = row / 26
    label_width = cv2.getTextSize("sur", _FONT, scale, 1)[0][0] + 4
    length = max(side - label_width, 10)
    for k, name in enumerate(names):
        y = y0 + k * row
        if y + row > out.shape[0]:
            break
        cv2.putText(out, name[:3], (x0, y + row - 2), _FONT, scale, colour, 1, cv2.LINE_AA)
        filled = int(round(length * face.probabilities[name]))
        cv2.rectangle(out, (x0 + label_width, y + 1), (x0 + label_width + length, y + row - 1), (60, 60, 60), -1)
        cv2.rectangle(out, (x0 + label_width, y + 1), (x0 + label_width + filled, y + row - 1), colour, -1)

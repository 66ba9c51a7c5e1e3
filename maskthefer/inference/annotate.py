"""Drawing predictions onto a frame: box, top label with its probability, a small bar per class, mask mark.

The class bars sit on a dark panel with light initials, so they read the same on any background and in
either face colour (green initials on a green bar were hard to read), and the panel and the label are kept
inside the frame: a face near the bottom edge gets its bars over the lower part of its box instead of cut off.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .recognizer import FacePrediction

MASKED_COLOUR = (0, 140, 255)  # BGR orange: a masked face
UNMASKED_COLOUR = (80, 200, 60)  # green
UNKNOWN_COLOUR = (200, 200, 200)  # no mask classifier, or no crop
PANEL_COLOUR = (30, 30, 30)  # behind the class bars
TRACK_COLOUR = (85, 85, 85)  # a bar's empty part
TEXT_COLOUR = (235, 235, 235)  # the class initials
PANEL_OPACITY = 0.8
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
        # a dark rim under the coloured box keeps it visible on backgrounds of its own colour
        cv2.rectangle(out, (left, top), (right, bottom), PANEL_COLOUR, thickness + 2)
        cv2.rectangle(out, (left, top), (right, bottom), colour, thickness)
        scale = max(0.35, side / 300)
        if face.probabilities:
            title = f"{face.label} {face.probabilities[face.label]:.2f}"
        else:
            title = "no crop"
        if face.masked:
            title = f"[mask {face.masked_probability:.2f}] " + title
        if face.probabilities:
            _bars(out, face, (left, bottom), side, colour)
        _label(out, title, (left, top), colour, scale)
    return out


def _label(out: np.ndarray, text: str, corner: tuple[int, int], colour, scale: float) -> None:
    """`text` on a filled tab above the box's top-left corner, moved inside the frame where it would leave it."""
    (width, height), base = cv2.getTextSize(text, _FONT, scale, 1)
    x = max(0, min(corner[0], out.shape[1] - width - 4))
    y = max(corner[1], height + base + 2)
    cv2.rectangle(out, (x, y - height - base - 2), (x + width + 4, y), PANEL_COLOUR, 1)
    cv2.rectangle(out, (x + 1, y - height - base - 1), (x + width + 3, y - 1), colour, -1)
    cv2.putText(out, text, (x + 2, y - base), _FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)


def _bars(out: np.ndarray, face: FacePrediction, corner: tuple[int, int], side: int, colour) -> None:
    """One thin bar per class on a dark panel under the box, its length the class probability, with the
    class's initials; where the frame ends below the box, the panel is moved up over the box's lower part."""
    names = list(face.probabilities)
    row = max(8, side // 13)
    scale = row / 26
    label_width = cv2.getTextSize("sur", _FONT, scale, 1)[0][0] + 4
    length = max(side - label_width, 10)
    panel_width, panel_height = label_width + length + 2, len(names) * row + 2
    frame_height, frame_width = out.shape[:2]
    x0 = max(0, min(corner[0], frame_width - panel_width))
    y0 = max(0, min(corner[1] + 3, frame_height - panel_height))
    x1, y1 = min(frame_width, x0 + panel_width), min(frame_height, y0 + panel_height)
    region = out[y0:y1, x0:x1]
    region[:] = (PANEL_OPACITY * np.array(PANEL_COLOUR, np.float32) + (1 - PANEL_OPACITY) * region).astype(np.uint8)
    for k, name in enumerate(names):
        y = y0 + 1 + k * row
        cv2.putText(out, name[:3], (x0 + 1, y + row - 2), _FONT, scale, TEXT_COLOUR, 1, cv2.LINE_AA)
        filled = int(round(length * face.probabilities[name]))
        cv2.rectangle(out, (x0 + label_width, y + 1), (x0 + label_width + length, y + row - 2), TRACK_COLOUR, -1)
        if filled:
            cv2.rectangle(out, (x0 + label_width, y + 1), (x0 + label_width + filled, y + row - 2), colour, -1)

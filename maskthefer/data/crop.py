"""Eye alignment and the eye-region crop of MaskTheFER (SPEC §1.3, Fig. 2).

1. Rotate about the image centre by the angle of the line between the outer eye corners (36 -> 45), so the
   eyes are level.
2. Crop, in the rotated image: top = face box top; bottom = max(eye-corner y + 8, nose tip y);
   left = max(box left, x36 - 6); right = min(box right, x45 + 7).
3. Resize to 48 x 96 grayscale.

The pixel margins 8 / 6 / 7 are the paper's for 48x48 sources, where dlib's face box is about 44 px wide
(median measured on FER2013); they are scaled by box width / 44 so the same rule works on photos of any size.
Unlike the published script, the landmarks and box are carried through the rotation instead of re-detecting
on the unrotated image.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from ..errors import MaskTheFERError
from .faces import LEFT_EYE_OUTER, NOSE_TIP, RIGHT_EYE_OUTER, Box, to_gray

REFERENCE_FACE_WIDTH = 44.0


class CropRejected(MaskTheFERError):
    """The crop rule yields no usable region (e.g. eyes outside the face box)."""

    reason = "crop_failed"


@dataclass(frozen=True)
class CropSettings:
    """Output size and the paper's margins in pixels of a face box `reference_face_width` wide."""

    height: int = 48
    width: int = 96
    margin_below_eyes: float = 8.0
    margin_left: float = 6.0
    margin_right: float = 7.0
    reference_face_width: float = REFERENCE_FACE_WIDTH
    align: bool = True  # rotate so the eyes are level (worth 1.5-2 accuracy points in the paper)
    min_region: float = 4.0  # smallest crop side, in reference pixels, that is still a crop

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CropGeometry:
    """Where to cut: an affine rotation of the whole image and a rectangle in the rotated image."""

    rotation: np.ndarray  # 2x3 affine matrix
    angle_degrees: float
    left: float
    top: float
    right: float
    bottom: float


def eye_angle(landmarks: np.ndarray) -> float:
    """Angle in degrees of the line from landmark 36 to landmark 45 (positive: right eye lower in the image)."""
    (x1, y1), (x2, y2) = landmarks[LEFT_EYE_OUTER], landmarks[RIGHT_EYE_OUTER]
    return math.degrees(math.atan2(y2 - y1, x2 - x1))


def _transform(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return points @ matrix[:, :2].T + matrix[:, 2]


def plan_crop(image_shape: tuple[int, ...], landmarks: np.ndarray, box: Box, settings: CropSettings) -> CropGeometry:
    """Compute the rotation and crop rectangle for one face."""
    height, width = image_shape[:2]
    angle = eye_angle(landmarks) if settings.align else 0.0
    rotation = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, 1.0)
    points = _transform(landmarks.astype(np.float64), rotation)
    # The detector's box is axis-aligned on the tilted face; carry its centre through the rotation, keep its size.
    cx, cy = _transform(np.array([box.center]), rotation)[0]
    box_left, box_top = cx - box.width / 2.0, cy - box.height / 2.0
    box_right = cx + box.width / 2.0

    scale = box.width / settings.reference_face_width
    eye_y = max(points[LEFT_EYE_OUTER, 1], points[RIGHT_EYE_OUTER, 1])
    top = box_top
    bottom = max(eye_y + settings.margin_below_eyes * scale, points[NOSE_TIP, 1])
    left = max(box_left, points[LEFT_EYE_OUTER, 0] - settings.margin_left * scale)
    right = min(box_right, points[RIGHT_EYE_OUTER, 0] + settings.margin_right * scale)
    # Boxes of faces that fill a 48x48 frame often start above it; keep the crop inside the image (as the
    # paper's array slicing did) rather than inventing rows by repeating the border.
    top, left = max(top, 0.0), max(left, 0.0)
    bottom, right = min(bottom, float(height)), min(right, float(width))
    smallest = settings.min_region * scale
    if bottom - top < smallest or right - left < smallest:
        raise CropRejected(
            f"crop region {right - left:.1f}x{bottom - top:.1f} px is degenerate for a {box.width:.0f} px face"
        )
    return CropGeometry(rotation, angle, left, top, right, bottom)


def apply_crop(image: np.ndarray, geometry: CropGeometry, settings: CropSettings) -> np.ndarray:
    """Cut `geometry`'s rectangle out of `image` (gray or BGR) as a (height, width) uint8 gray crop.

    Rotation, cut and resize are one affine warp (one interpolation). The rectangle lies inside the image;
    only the corners the rotation brings in from outside repeat the border.
    """
    gray = to_gray(image)
    region_w = geometry.right - geometry.left
    region_h = geometry.bottom - geometry.top
    sx, sy = settings.width / region_w, settings.height / region_h
    # Shrinking by more than 2x in one warp aliases; pre-shrink the image with area averaging instead.
    shrink = min(sx, sy)
    rotation = geometry.rotation.copy()
    if shrink < 0.5:
        factor = max(shrink * 1.5, 1e-3)
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        pre = np.array([[factor, 0, 0], [0, factor, 0], [0, 0, 1]], np.float64)
        post = np.array([[1 / factor, 0, 0], [0, 1 / factor, 0], [0, 0, 1]], np.float64)
        rotation = (pre @ np.vstack([rotation, [0, 0, 1]]) @ post)[:2]
        sx, sy = sx / factor, sy / factor
        left, top = geometry.left * factor, geometry.top * factor
    else:
        left, top = geometry.left, geometry.top
    crop_affine = np.array([[sx, 0, -left * sx], [0, sy, -top * sy], [0, 0, 1]], np.float64)
    matrix = (crop_affine @ np.vstack([rotation, [0, 0, 1]]))[:2]
    return cv2.warpAffine(
        gray, matrix, (settings.width, settings.height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )

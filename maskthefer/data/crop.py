"""Eye alignment and the two crops a dataset can hold: MaskTheFER's eye region (SPEC §1.3, Fig. 2) or the face.

Eye region (`mode="eyes"`, the paper's):
1. Rotate about the image centre by the angle of the line between the outer eye corners (36 -> 45), so the
   eyes are level.
2. Crop, in the rotated image: top = face box top; bottom = max(eye-corner y + 8, nose tip y);
   left = max(box left, x36 - 6); right = min(box right, x45 + 7).
3. Resize to 48 x 96 grayscale.

The pixel margins 8 / 6 / 7 are the paper's for 48x48 sources, where dlib's face box is about 44 px wide
(median measured on FER2013); they are scaled by box width / 44 so the same rule works on photos of any size.
Unlike the published script, the landmarks and box are carried through the rotation instead of re-detecting
on the unrotated image.

Whole face (`mode="face"`, for the model that judges unmasked faces): after the same rotation, the square of
side `face_scale` x box width centred on the box centre, shrunk to fit the image and slid inside it, resized
to 48 x 48. `face_scale` = 48 / 44 is a 48x48 FER2013 frame measured in its face box, so on FER2013 the face
crop is the (rotated) image itself.

`resample=(h, w)` resizes every crop to h x w and back to the crop size before it is stored: the published
code stored 24 x 48 crops and upsampled them 2x for the model, which this reproduces as an ablation.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from ..errors import MaskTheFERError
from .faces import LEFT_EYE_OUTER, NOSE_TIP, RIGHT_EYE_OUTER, Box, to_gray

REFERENCE_FACE_WIDTH = 44.0
FER_FRAME_IN_BOXES = 48.0 / REFERENCE_FACE_WIDTH  # a 48x48 FER2013 frame is ~1.09 face boxes wide
CROP_MODES = ("eyes", "face")
DEFAULT_CROP_SIZES = {"eyes": (48, 96), "face": (48, 48)}


class CropRejected(MaskTheFERError):
    """The crop rule yields no usable region (e.g. eyes outside the face box)."""

    reason = "crop_failed"


@dataclass(frozen=True)
class CropSettings:
    """Which crop, its output size, and the paper's margins in pixels of a face box `reference_face_width` wide."""

    height: int = 48
    width: int = 96
    margin_below_eyes: float = 8.0
    margin_left: float = 6.0
    margin_right: float = 7.0
    reference_face_width: float = REFERENCE_FACE_WIDTH
    align: bool = True  # rotate so the eyes are level (worth 1.5-2 accuracy points in the paper)
    min_region: float = 4.0  # smallest crop side, in reference pixels, that is still a crop
    mode: str = "eyes"  # "eyes": the paper's eye region; "face": the whole aligned face (square)
    face_scale: float = FER_FRAME_IN_BOXES  # face mode: side of the square in face-box widths
    resample: tuple[int, int] | None = None  # (h, w): store crops resized to h x w and back (published code: 24x48)

    def __post_init__(self):
        if self.mode not in CROP_MODES:
            raise MaskTheFERError(f"crop mode {self.mode!r} is unknown; choose one of {', '.join(CROP_MODES)}")
        if not (math.isfinite(self.face_scale) and 0.5 <= self.face_scale <= 3.0):
            raise MaskTheFERError(f"face_scale {self.face_scale!r} must be a finite number from 0.5 to 3")
        if self.resample is not None:
            # JSON (manifests, bundles) gives a list back; keep the frozen settings hashable.
            resample = tuple(int(v) for v in self.resample)
            if len(resample) != 2 or min(resample) < 2:
                raise MaskTheFERError(f"resample {self.resample!r} must be (height, width) of at least 2 px each")
            object.__setattr__(self, "resample", resample)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["resample"] = list(self.resample) if self.resample else None
        # Options added after the first datasets were built are left out at their defaults, so the manifests
        # of those builds (compared key by key when a build is reused) still describe the same settings.
        for name, default in _LATER_DEFAULTS.items():
            if data[name] == default:
                del data[name]
        return data


_LATER_DEFAULTS = {"mode": "eyes", "face_scale": FER_FRAME_IN_BOXES, "resample": None}


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
    """Compute the rotation and crop rectangle for one face (the eye region or the face, by `settings.mode`)."""
    height, width = image_shape[:2]
    angle = eye_angle(landmarks) if settings.align else 0.0
    rotation = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, 1.0)
    points = _transform(landmarks.astype(np.float64), rotation)
    # The detector's box is axis-aligned on the tilted face; carry its centre through the rotation, keep its size.
    cx, cy = _transform(np.array([box.center]), rotation)[0]
    box_left, box_top = cx - box.width / 2.0, cy - box.height / 2.0
    box_right = cx + box.width / 2.0
    if settings.mode == "face":
        return _face_square(height, width, rotation, angle, cx, cy, box, settings)

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


def _face_square(height, width, rotation, angle, cx, cy, box: Box, settings: CropSettings) -> CropGeometry:
    """The face crop: a square about the rotated box centre, as large as the image allows, kept inside it."""
    side = min(box.width * settings.face_scale, float(height), float(width))
    if side < settings.min_region * box.width / settings.reference_face_width or side < 2:
        raise CropRejected(f"face square of {side:.1f} px is degenerate for a {box.width:.0f} px face")
    # Sliding (not clipping) keeps the square square: the face is not stretched, only off-centre near an edge.
    left = min(max(cx - side / 2.0, 0.0), width - side)
    top = min(max(cy - side / 2.0, 0.0), height - side)
    return CropGeometry(rotation, angle, left, top, left + side, top + side)


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
    crop = cv2.warpAffine(
        gray, matrix, (settings.width, settings.height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    if settings.resample is not None:
        crop = resample_crop(crop, settings.resample)
    return crop


def resample_crop(crop: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Down to `size` (h, w) with area averaging, then bilinearly back: the detail a 24x48 store keeps."""
    small = cv2.resize(crop, (size[1], size[0]), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR)

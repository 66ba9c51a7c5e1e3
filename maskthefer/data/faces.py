"""Face detection and 68-point landmarks with dlib, tuned for the tiny faces of FER2013.

dlib's HOG detector was trained on faces of ~80 px; a 48x48 FER2013 image holds a ~44 px face, which it finds
only when the image is upsampled once and the detection threshold is relaxed (SPEC §1.2: upsample 1,
adjust_threshold -0.5 when masking, -0.7 when re-detecting the masked face). Large photos are detected on a
downscaled copy for speed and the boxes scaled back.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MaskTheFERError

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
PREDICTOR_ENV = "MASKTHEFER_PREDICTOR"
_DETECT_MAX_SIDE = 480  # photos larger than this are searched at this size (HOG finds 80 px faces there)
# Two boxes sharing this much of the smaller one's area are one face found twice (HOG's sliding window often
# fires at two scales on one masked face); two people's boxes overlap little even in a tight group photo.
SAME_FACE_OVERLAP = 0.3

# 68-point landmark groups (iBUG 300-W numbering).
JAW = slice(0, 17)
NOSE_BRIDGE = slice(27, 31)
NOSE_TIP = 30
LEFT_EYE_OUTER = 36  # the subject's right eye, on the image's left
RIGHT_EYE_OUTER = 45
CHIN = 8
BOTTOM_LIP = 57


class PredictorNotFoundError(MaskTheFERError):
    """The 68-point landmark model file could not be located."""


@dataclass(frozen=True)
class Box:
    """A face box in pixel coordinates of the analysed image (right/bottom exclusive) with dlib's score."""

    left: float
    top: float
    right: float
    bottom: float
    score: float = 0.0

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.right) / 2.0, (self.top + self.bottom) / 2.0

    def scaled(self, factor: float) -> Box:
        return Box(self.left * factor, self.top * factor, self.right * factor, self.bottom * factor, self.score)

    def overlap(self, other: Box) -> float:
        """Area shared with `other`, as a fraction of the smaller box's area."""
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        if width <= 0 or height <= 0:
            return 0.0
        smaller = min(self.width * self.height, other.width * other.height)
        return width * height / smaller if smaller > 0 else 0.0


def same_face(box: Box, face: Box, overlap: float = SAME_FACE_OVERLAP) -> bool:
    """`box` is `face` found again: over it (sharing `overlap` of the smaller box) and of about its size (a
    quarter of its area or more; a window on one eye or on a print of the mask is not the face)."""
    areas = sorted((box.width * box.height, face.width * face.height))
    return box.overlap(face) >= overlap and areas[0] >= 0.25 * areas[1]


def merge_same_face(boxes: list[Box], overlap: float = SAME_FACE_OVERLAP) -> list[Box]:
    """Boxes best score first, each face once: a box overlapping a better one by `overlap` is dropped."""
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: -b.score):
        if all(box.overlap(better) < overlap for better in kept):
            kept.append(box)
    return kept


@dataclass(frozen=True)
class DetectorSettings:
    """How hard to look for faces: dlib's `upsample_num_times` and `adjust_threshold`."""

    upsample: int = 1
    adjust_threshold: float = -0.5


def find_predictor() -> Path:
    """Locate `shape_predictor_68_face_landmarks.dat`.

    Order: the MASKTHEFER_PREDICTOR environment variable, then the `face_recognition_models` package. That
    package's `__init__` imports `pkg_resources` (gone from new setuptools), so it is located with
    `importlib.util.find_spec` and never imported.
    """
    return packaged_model_file(PREDICTOR_FILE, PREDICTOR_ENV, PredictorNotFoundError)


def packaged_model_file(filename: str, env_var: str, error: type[MaskTheFERError]) -> Path:
    """A dlib model file: the path in `env_var` when set, else `models/filename` of `face_recognition_models`.

    The package is located with `importlib.util.find_spec` and never imported: its `__init__` needs the
    `pkg_resources` that new setuptools no longer ship.
    """
    override = os.environ.get(env_var)
    if override:
        if not Path(override).is_file():
            raise error(f"{env_var}={override} does not name a file")
        return Path(override)
    spec = importlib.util.find_spec("face_recognition_models")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "models" / filename
        if candidate.is_file():
            return candidate
    raise error(
        f"cannot find {filename}: install it with `pip install face-recognition-models` or point {env_var} at the file"
    )


def to_gray(image: np.ndarray) -> np.ndarray:
    """uint8 grayscale view of a gray or BGR image."""
    if image.ndim == 2:
        return image
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


class FaceAnalyzer:
    """dlib's HOG face detector and 68-point shape predictor, loaded once per process."""

    def __init__(self, predictor_path: os.PathLike | str | None = None):
        import dlib  # deferred: importing dlib costs time that commands without faces should not pay

        self._dlib = dlib
        self.predictor_path = Path(predictor_path) if predictor_path else find_predictor()
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(str(self.predictor_path))

    def detect(
        self,
        image: np.ndarray,
        settings: DetectorSettings = DetectorSettings(),
        *,
        merged: bool = True,
        hog=None,
    ) -> list[Box]:
        """All faces in `image` (gray or BGR uint8), best score first, each face once (see merge_same_face);
        `merged=False`: every window the detector fired on, as dlib returns them. `hog`: a dlib HOG detector
        to search with instead of dlib's full face detector (e.g. `hog_parts.sub_detector()`)."""
        gray = np.ascontiguousarray(to_gray(image))
        scale = 1.0
        if max(gray.shape) > _DETECT_MAX_SIDE:
            import cv2

            scale = _DETECT_MAX_SIDE / max(gray.shape)
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        rects, scores, _ = (hog or self._detector).run(gray, settings.upsample, settings.adjust_threshold)
        boxes = [
            Box(r.left(), r.top(), r.right() + 1, r.bottom() + 1, float(s)).scaled(1.0 / scale)
            for r, s in zip(rects, scores)
        ]
        return merge_same_face(boxes) if merged else boxes

    def landmarks(self, image: np.ndarray, box: Box) -> np.ndarray:
        """The 68 landmarks of the face in `box` as a (68, 2) float32 array of (x, y)."""
        gray = np.ascontiguousarray(to_gray(image))
        rect = self._dlib.rectangle(
            int(round(box.left)), int(round(box.top)), int(round(box.right)) - 1, int(round(box.bottom)) - 1
        )
        shape = self._predictor(gray, rect)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)

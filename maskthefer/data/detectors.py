"""Face detectors for photos: dlib's HOG (fast), its frontal filter alone (faster) and dlib's CNN / MMOD
(finds more masked faces), one interface.

    detector = make_detector("hog")          # or "hog-frontal", "cnn"
    boxes = detector.detect(image)           # list[Box], best score first, each face once

HOG is what the dataset builder uses (`FaceAnalyzer.detect`, tuned for 48x48 crops). On photos a mask hides
the mouth and jaw that HOG's frontal template looks for; dlib's CNN detector (`mmod_human_face_detector.dat`,
shipped in the `face-recognition-models` package) is far less bothered. The scores are on different scales
(HOG: SVM margin around 0; CNN: MMOD confidence around 1), and are reported as each detector gives them.
`hog-frontal` searches with the first of HOG's five filters only (`hog_parts`): about 40 % less time per
frame, the same frontal faces, fewer turned ones.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MaskTheFERError
from .faces import Box, DetectorSettings, FaceAnalyzer, packaged_model_file, to_gray
from .hog_parts import sub_detector

DETECTORS = ("hog", "hog-frontal", "cnn")
HOG_DETECTORS = ("hog", "hog-frontal")
CNN_MODEL_FILE = "mmod_human_face_detector.dat"
CNN_MODEL_ENV = "MASKTHEFER_CNN_DETECTOR"
# Faces in a 640x480 frame are 80 px or more; both detectors find those at their native scale, and halving the
# work of larger frames keeps the CNN near real time on a CPU. Boxes are scaled back to the input image.
PHOTO_MAX_SIDE = 640
# Below this side a photo is searched once more upsampled per halving (at most twice), so a 48x48 FER2013
# image or a small thumbnail still has its face found without slowing down ordinary frames.
SMALL_IMAGE_SIDE = 320


class DetectorError(MaskTheFERError):
    """An unknown detector name or a detector model file that cannot be found."""


def find_cnn_model() -> Path:
    """`mmod_human_face_detector.dat`: $MASKTHEFER_CNN_DETECTOR, else the `face_recognition_models` package.

    Like `faces.find_predictor`, the package is located without importing it (its `__init__` needs the
    removed `pkg_resources`).
    """
    return packaged_model_file(CNN_MODEL_FILE, CNN_MODEL_ENV, DetectorError)


@dataclass(frozen=True)
class PhotoDetectorSettings:
    """Which detector, how hard it looks, and the largest side it searches (larger frames are downscaled)."""

    name: str = "hog"
    upsample: int = 1
    threshold: float = 0.0  # HOG: dlib's adjust_threshold; CNN: minimum MMOD confidence
    max_side: int = PHOTO_MAX_SIDE

    def __post_init__(self):
        if self.name not in DETECTORS:
            raise DetectorError(f"unknown detector {self.name!r}; choose one of {', '.join(DETECTORS)}")
        if self.upsample < 0 or self.max_side < 32:
            raise DetectorError(f"detector upsample must be >= 0 and max side >= 32, got {self.upsample}, {self.max_side}")

    def to_dict(self) -> dict:
        return {"name": self.name, "upsample": self.upsample, "threshold": self.threshold, "max_side": self.max_side}


def searched_image(gray: np.ndarray, settings: PhotoDetectorSettings) -> tuple[np.ndarray, float, int]:
    """The image a detector searches, the scale from the input to it, and the upsampling to search it with."""
    side = max(gray.shape)
    if side < SMALL_IMAGE_SIDE:
        extra = min(2, math.ceil(math.log2(SMALL_IMAGE_SIDE / side)))
        return gray, 1.0, settings.upsample + extra
    if side <= settings.max_side:
        return gray, 1.0, settings.upsample
    import cv2

    scale = settings.max_side / side
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale, settings.upsample


class HogDetector:
    """dlib's HOG face detector, all five filters ("hog") or the frontal one alone ("hog-frontal"); shares the
    builder's `FaceAnalyzer`."""

    def __init__(self, settings: PhotoDetectorSettings, analyzer: FaceAnalyzer):
        self.settings = settings
        self.analyzer = analyzer
        self._filters = sub_detector(("frontal",)) if settings.name == "hog-frontal" else None

    def detect(self, image: np.ndarray) -> list[Box]:
        gray, scale, upsample = searched_image(np.ascontiguousarray(to_gray(image)), self.settings)
        boxes = self.analyzer.detect(gray, DetectorSettings(upsample, self.settings.threshold), hog=self._filters)
        return [b.scaled(1.0 / scale) for b in boxes]


class CnnDetector:
    """dlib's MMOD CNN face detector (`cnn_face_detection_model_v1`), run on the gray image."""

    def __init__(self, settings: PhotoDetectorSettings, model_path: os.PathLike | str | None = None):
        import dlib

        self.settings = settings
        self.model_path = Path(model_path) if model_path else find_cnn_model()
        self._detector = dlib.cnn_face_detection_model_v1(str(self.model_path))

    def detect(self, image: np.ndarray) -> list[Box]:
        gray, scale, upsample = searched_image(np.ascontiguousarray(to_gray(image)), self.settings)
        found = self._detector(gray, upsample)
        boxes = [
            Box(d.rect.left(), d.rect.top(), d.rect.right() + 1, d.rect.bottom() + 1, float(d.confidence))
            for d in found
            if d.confidence >= self.settings.threshold
        ]
        # MMOD's own non-maximum suppression already reports each face once.
        return [b.scaled(1.0 / scale) for b in sorted(boxes, key=lambda b: -b.score)]


def make_detector(
    settings: PhotoDetectorSettings | str = "hog", analyzer: FaceAnalyzer | None = None
) -> HogDetector | CnnDetector:
    """A detector by name (or settings); HOG reuses `analyzer` when given."""
    if isinstance(settings, str):
        settings = default_settings(settings)
    if settings.name in HOG_DETECTORS:
        return HogDetector(settings, analyzer or FaceAnalyzer())
    return CnnDetector(settings)


def default_settings(name: str) -> PhotoDetectorSettings:
    """Each detector's settings for 640x480 photos, chosen by bench/detectors.py (see the README)."""
    if name in HOG_DETECTORS:
        return PhotoDetectorSettings(name, upsample=0, threshold=0.0)
    if name == "cnn":
        return PhotoDetectorSettings("cnn", upsample=0, threshold=0.0)
    raise DetectorError(f"unknown detector {name!r}; choose one of {', '.join(DETECTORS)}")

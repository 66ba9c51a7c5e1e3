"""Expressions of every face in a photo, masked or not: detect -> landmarks -> eye-region crop -> route -> classify.

    from maskthefer import Recognizer
    recognizer = Recognizer.load("runs/vgg-lite-fer2013", mask_run="runs/masknet-fer2013")   # or a bundle
    for face in recognizer.predict("photo.jpg"):        # a path or a numpy image (BGR, RGB or gray)
        print(face.box, face.masked_probability, face.route, face.label, face.probabilities)

The crop is the one the model was trained on (the paper's eye-region rule after eye alignment, read from the
run's dataset manifest or the bundle). A mask classifier, when given, decides per face whether a mask is
worn; masked faces go to the eye-region expression model, the only one trained for them. Unmasked faces go
there too: the route is reported so that a full-face model can take them once a bundle carries one.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..data.crop import CropRejected, CropSettings, apply_crop, plan_crop
from ..data.detectors import PhotoDetectorSettings, default_settings, make_detector
from ..data.faces import Box, FaceAnalyzer
from ..errors import MaskTheFERError
from .bundle import EXPRESSION, MASK, BundleError, ModelEntry, is_bundle, read_bundle, run_crop_settings, run_entry
from .runners import load_runner

ROUTE_EYE_REGION = "eye-region"
STAGES = ("decode", "detect", "landmarks", "crop", "mask", "expression")
DEFAULT_DETECTOR = "hog"  # bench/detectors.py, README: all unmasked faces, 60 % of masked, 100x faster than CNN
DEFAULT_MASK_THRESHOLD = 0.5


class ImageReadError(MaskTheFERError):
    """A file that is not a readable image."""


@dataclass
class FacePrediction:
    """One face: where it is, whether it wears a mask, the model that judged it and what it said."""

    box: tuple[float, float, float, float]  # left, top, right, bottom in pixels of the image given
    detector_score: float
    masked_probability: float | None  # None without a mask classifier
    masked: bool | None
    route: str
    label: str
    probabilities: dict[str, float]
    crop_rejected: str = ""  # why no crop could be cut (then label is "" and probabilities empty)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class StageTimes:
    """Seconds spent per pipeline stage, and how many images and faces went through (for bench/)."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    images: int = 0
    faces: int = 0

    def add(self, stage: str, start: float) -> float:
        now = time.perf_counter()
        self.seconds[stage] += now - start
        return now


def read_image(path: os.PathLike | str) -> np.ndarray:
    """A BGR (or gray) uint8 image from a file, or an error naming the file."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise ImageReadError(f"{path}: no such file")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageReadError(f"{path}: not a readable image")
    return image


def to_bgr(image: np.ndarray, color: str = "bgr") -> np.ndarray:
    """uint8 (H, W) gray, (H, W, 3) BGR/RGB or (H, W, 4) with alpha -> (H, W, 3) BGR."""
    import cv2

    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise MaskTheFERError(f"expected a uint8 numpy image, got {getattr(image, 'dtype', type(image).__name__)}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise MaskTheFERError(f"expected an image of shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")
    if color not in ("bgr", "rgb"):
        raise MaskTheFERError(f"color must be 'bgr' or 'rgb', not {color!r}")
    image = image[..., :3]
    return np.ascontiguousarray(image[..., ::-1] if color == "rgb" else image)


class Recognizer:
    """A face detector, dlib landmarks, the training crop rule and the models of a run or bundle."""

    def __init__(
        self,
        expression: ModelEntry,
        *,
        crop: CropSettings,
        mask: ModelEntry | None = None,
        detector: PhotoDetectorSettings | None = None,
        mask_threshold: float = DEFAULT_MASK_THRESHOLD,
        analyzer: FaceAnalyzer | None = None,
    ):
        self.expression = expression
        self.mask = mask
        self.crop = crop
        self.mask_threshold = mask_threshold
        self.class_names = expression.class_names
        self._expression = load_runner(expression.path, expression.fmt, expression.input_shape)
        self._mask = load_runner(mask.path, mask.fmt, mask.input_shape) if mask else None
        if mask is not None and tuple(mask.input_shape[:2]) != tuple(expression.input_shape[:2]):
            raise BundleError(
                f"the mask classifier takes {mask.input_shape[0]}x{mask.input_shape[1]} crops but the expression "
                f"model {expression.input_shape[0]}x{expression.input_shape[1]}; both must see the same crop"
            )
        self._masked_index = mask.class_names.index("masked") if mask is not None else None
        self.analyzer = analyzer or FaceAnalyzer()
        self.detector_settings = detector or default_settings(DEFAULT_DETECTOR)
        self.detector = make_detector(self.detector_settings, self.analyzer)
        self.times = StageTimes()

    @classmethod
    def load(
        cls,
        path: os.PathLike | str,
        *,
        mask_run: os.PathLike | str | None = None,
        detector: str | PhotoDetectorSettings | None = None,
        which: str = "best",
        mask_threshold: float | None = None,
    ) -> Recognizer:
        """From a bundle (`maskthefer export`) or a run directory (plus, optionally, a mask classifier run)."""
        if isinstance(detector, str):
            detector = default_settings(detector)
        if is_bundle(path):
            document, entries = read_bundle(path)
            mask = run_entry(mask_run, MASK, which) if mask_run else entries.get(MASK)
            return cls(
                entries[EXPRESSION],
                crop=CropSettings(**document["crop"]),
                mask=mask,
                detector=detector or PhotoDetectorSettings(**document["detector"]),
                mask_threshold=document.get("mask_threshold", DEFAULT_MASK_THRESHOLD)
                if mask_threshold is None
                else mask_threshold,
            )
        expression = run_entry(path, EXPRESSION, which)
        return cls(
            expression,
            crop=run_crop_settings(path),
            mask=run_entry(mask_run, MASK, which) if mask_run else None,
            detector=detector,
            mask_threshold=DEFAULT_MASK_THRESHOLD if mask_threshold is None else mask_threshold,
        )

    def predict(self, image: np.ndarray | os.PathLike | str, color: str = "bgr") -> list[FacePrediction]:
        """Every face found in `image` (a path, or a numpy image in `color` order), best detector score first."""
        start = time.perf_counter()
        bgr = read_image(image) if isinstance(image, (str, os.PathLike)) else to_bgr(image, color)
        gray = _gray(bgr)
        start = self.times.add("decode", start)
        boxes = self.detector.detect(gray)
        start = self.times.add("detect", start)
        return self._classify(gray, boxes, start)

    def _classify(self, gray: np.ndarray, boxes: list[Box], start: float) -> list[FacePrediction]:
        self.times.images += 1
        crops, kept, rejected = [], [], {}
        for i, box in enumerate(boxes):
            landmarks = self.analyzer.landmarks(gray, box)
            start = self.times.add("landmarks", start)
            try:
                crops.append(apply_crop(gray, plan_crop(gray.shape, landmarks, box, self.crop), self.crop))
                kept.append(i)
            except CropRejected as exc:
                rejected[i] = str(exc)
            start = self.times.add("crop", start)
        batch = np.stack(crops) if crops else np.zeros((0, self.crop.height, self.crop.width), np.uint8)
        masked_p, probabilities = None, None
        if crops:  # exported runners cannot tell their class count from an empty batch; nothing to ask anyway
            masked_p = self._mask.predict(batch)[:, self._masked_index] if self._mask is not None else None
            start = self.times.add("mask", start)
            probabilities = self._expression.predict(batch)
            self.times.add("expression", start)
        self.times.faces += len(kept)

        faces = []
        for i, box in enumerate(boxes):
            coords = (float(box.left), float(box.top), float(box.right), float(box.bottom))
            if i in rejected:
                faces.append(FacePrediction(coords, box.score, None, None, ROUTE_EYE_REGION, "", {}, rejected[i]))
                continue
            row = kept.index(i)
            p_mask = None if masked_p is None else float(masked_p[row])
            probs = {name: float(p) for name, p in zip(self.class_names, probabilities[row])}
            faces.append(
                FacePrediction(
                    box=coords,
                    detector_score=float(box.score),
                    masked_probability=p_mask,
                    masked=None if p_mask is None else p_mask >= self.mask_threshold,
                    route=ROUTE_EYE_REGION,
                    label=max(probs, key=probs.get),
                    probabilities=probs,
                )
            )
        return faces


def _gray(bgr: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)

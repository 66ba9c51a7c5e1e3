"""Expressions of every face in a photo, masked or not: detect -> landmarks -> crops -> route -> classify.

    from maskthefer import Recognizer
    recognizer = Recognizer.load("runs/vgg-lite-fer2013", mask_run="runs/masknet-fer2013",
                                 face_run="runs/fullface_fer2013")          # or a bundle holding all three
    for face in recognizer.predict("photo.jpg"):        # a path or a numpy image (BGR, RGB or gray)
        print(face.box, face.masked_probability, face.route, face.label, face.probabilities)

Each model sees the crop it was trained on (read from its run's dataset manifest or from the bundle): the
paper's eye region after eye alignment for the expression model and the mask classifier, the aligned whole
face for a full-face model. The landmarks are found once per face and serve every crop.

Routing: the mask classifier, when given, decides per face whether a mask is worn. Masked faces go to the
eye-region model, the only one trained for them. Unmasked faces go to the full-face model when there is one
(route "full-face"), else to the eye-region model too; without a mask classifier every face takes the
eye-region route. `FacePrediction.route` says which model answered.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ..data.crop import CropRejected, CropSettings, apply_crop, plan_crop
from ..data.detectors import PhotoDetectorSettings, default_settings, make_detector
from ..data.faces import Box, FaceAnalyzer
from ..errors import MaskTheFERError
from .bundle import EXPRESSION, FACE, MASK, BundleError, ModelEntry, is_bundle, read_bundle, run_entry
from .runners import load_runner

ROUTE_EYE_REGION = "eye-region"  # masked faces, and every face when there is no full-face model
ROUTE_FULL_FACE = "full-face"  # faces the mask classifier judges unmasked, when a full-face model is loaded
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
    """A face detector, dlib landmarks, the training crop rules and the models of a run or bundle."""

    def __init__(
        self,
        expression: ModelEntry,
        *,
        crop: CropSettings | None = None,
        mask: ModelEntry | None = None,
        face: ModelEntry | None = None,
        detector: PhotoDetectorSettings | None = None,
        mask_threshold: float = DEFAULT_MASK_THRESHOLD,
        analyzer: FaceAnalyzer | None = None,
    ):
        self.expression = expression
        self.mask = mask
        self.face = face
        self.crop = crop or expression.crop or CropSettings()
        self.mask_threshold = mask_threshold
        self.class_names = expression.class_names
        if face is not None and tuple(face.class_names) != tuple(expression.class_names):
            raise BundleError(
                f"the full-face model names the classes {list(face.class_names)} but the eye-region model "
                f"{list(expression.class_names)}; both must be trained on the same classes"
            )
        self._expression = load_runner(expression.path, expression.fmt, expression.input_shape)
        self._mask = load_runner(mask.path, mask.fmt, mask.input_shape) if mask else None
        self._face = load_runner(face.path, face.fmt, face.input_shape) if face else None
        # Each model sees the crop it was trained on, at its input size.
        self._mask_crop = _sized(mask.crop or self.crop, mask.input_shape) if mask else None
        self._face_crop = _sized(face.crop, face.input_shape) if face else None
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
        face_run: os.PathLike | str | None = None,
        detector: str | PhotoDetectorSettings | None = None,
        which: str = "best",
        mask_threshold: float | None = None,
        detect_max_side: int | None = None,
    ) -> Recognizer:
        """From a bundle (`maskthefer export`) or a run directory, plus optionally a mask classifier run and a
        full-face run (`build-dataset --crop face`) that then takes the faces judged unmasked.

        `detect_max_side` downscales larger frames to that side for the detector only (landmarks and crops
        use the full image): HOG finds faces from about 80 px of the searched image, so 320 on a 640x480
        frame finds faces from about 160 px in a quarter of the time.
        """
        if isinstance(detector, str):
            detector = default_settings(detector)
        if is_bundle(path):
            document, entries = read_bundle(path)
            detector = detector or PhotoDetectorSettings(**document["detector"])
            if detect_max_side is not None:
                detector = replace(detector, max_side=int(detect_max_side))
            return cls(
                entries[EXPRESSION],
                mask=run_entry(mask_run, MASK, which) if mask_run else entries.get(MASK),
                face=run_entry(face_run, FACE, which) if face_run else entries.get(FACE),
                detector=detector,
                mask_threshold=document.get("mask_threshold", DEFAULT_MASK_THRESHOLD)
                if mask_threshold is None
                else mask_threshold,
            )
        if detect_max_side is not None:
            detector = replace(detector or default_settings(DEFAULT_DETECTOR), max_side=int(detect_max_side))
        return cls(
            run_entry(path, EXPRESSION, which),
            mask=run_entry(mask_run, MASK, which) if mask_run else None,
            face=run_entry(face_run, FACE, which) if face_run else None,
            detector=detector,
            mask_threshold=DEFAULT_MASK_THRESHOLD if mask_threshold is None else mask_threshold,
        )

    def predict(self, image: np.ndarray | os.PathLike | str, color: str = "bgr") -> list[FacePrediction]:
        """Every face found in `image` (a path, or a numpy image in `color` order), best detector score first."""
        start = time.perf_counter()
        if isinstance(image, (str, os.PathLike)):
            gray = _gray(read_image(image))
        elif isinstance(image, np.ndarray) and image.ndim == 2 and image.dtype == np.uint8:
            gray = np.ascontiguousarray(image)  # already gray: no round trip through BGR
        else:
            gray = _gray(to_bgr(image, color))
        start = self.times.add("decode", start)
        boxes = self.detector.detect(gray)
        start = self.times.add("detect", start)
        return self._classify(gray, boxes, start)

    def _classify(self, gray: np.ndarray, boxes: list[Box], start: float) -> list[FacePrediction]:
        """Landmarks once per face; crops per model; one batched call per model for all faces of the frame."""
        self.times.images += 1
        landmarks, eye_crops, kept, rejected = {}, [], [], {}
        for i, box in enumerate(boxes):
            landmarks[i] = self.analyzer.landmarks(gray, box)
            start = self.times.add("landmarks", start)
            try:
                eye_crops.append(_cut(gray, landmarks[i], box, self.crop))
                kept.append(i)
            except CropRejected as exc:
                rejected[i] = str(exc)
            start = self.times.add("crop", start)
        self.times.faces += len(kept)

        masked_p = None
        if kept and self._mask is not None:
            if self._mask_crop == self.crop:
                mask_batch = np.stack(eye_crops)
            else:
                mask_batch = np.stack([_cut(gray, landmarks[i], boxes[i], self._mask_crop) for i in kept])
            start = self.times.add("crop", start)
            masked_p = self._mask.predict(mask_batch)[:, self._masked_index]
            start = self.times.add("mask", start)

        # Unmasked faces go to the full-face model when there is one; a face crop that cannot be cut, or no
        # mask classifier to say the face is unmasked, leaves the face on the eye-region model.
        routes, face_crops = {}, {}
        for row, i in enumerate(kept):
            routes[i] = ROUTE_EYE_REGION
            if self._face is not None and masked_p is not None and masked_p[row] < self.mask_threshold:
                try:
                    face_crops[i] = _cut(gray, landmarks[i], boxes[i], self._face_crop)
                    routes[i] = ROUTE_FULL_FACE
                except CropRejected:
                    pass
        start = self.times.add("crop", start)
        probabilities = {}
        eye_rows = [row for row, i in enumerate(kept) if routes[i] == ROUTE_EYE_REGION]
        if eye_rows:  # exported runners cannot tell their class count from an empty batch; nothing to ask anyway
            for row, p in zip(eye_rows, self._expression.predict(np.stack([eye_crops[r] for r in eye_rows]))):
                probabilities[kept[row]] = p
        if face_crops:
            for i, p in zip(face_crops, self._face.predict(np.stack(list(face_crops.values())))):
                probabilities[i] = p
        self.times.add("expression", start)

        faces = []
        for row_i, box in enumerate(boxes):
            coords = (float(box.left), float(box.top), float(box.right), float(box.bottom))
            if row_i in rejected:
                faces.append(FacePrediction(coords, box.score, None, None, ROUTE_EYE_REGION, "", {}, rejected[row_i]))
                continue
            row = kept.index(row_i)
            p_mask = None if masked_p is None else float(masked_p[row])
            probs = {name: float(p) for name, p in zip(self.class_names, probabilities[row_i])}
            faces.append(
                FacePrediction(
                    box=coords,
                    detector_score=float(box.score),
                    masked_probability=p_mask,
                    masked=None if p_mask is None else p_mask >= self.mask_threshold,
                    route=routes[row_i],
                    label=max(probs, key=probs.get),
                    probabilities=probs,
                )
            )
        return faces


def _sized(crop: CropSettings, input_shape) -> CropSettings:
    return replace(crop, height=int(input_shape[0]), width=int(input_shape[1]))


def _cut(gray: np.ndarray, landmarks: np.ndarray, box: Box, crop: CropSettings) -> np.ndarray:
    return apply_crop(gray, plan_crop(gray.shape, landmarks, box, crop), crop)


def _gray(bgr: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)

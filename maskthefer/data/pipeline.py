"""One face through the MaskTheFER pipeline: detect -> landmarks -> mask -> re-detect -> align -> crop.

    pipe = FacePipeline(PipelineSettings())
    face = pipe.process(image, add_mask=True, rng=np.random.default_rng(seed))
    face.crop, face.unmasked_crop, face.mask_style

A face the pipeline cannot use raises `FaceRejected` with a `reason` from `REJECTION_REASONS`; the builder
counts these and writes them to rejected.csv.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ..errors import MaskTheFERError
from .crop import CropRejected, CropSettings, apply_crop, plan_crop
from .faces import SAME_FACE_OVERLAP, Box, DetectorSettings, FaceAnalyzer, merge_same_face, same_face

REJECTION_REASONS: dict[str, str] = {
    "no_face": "no face found in the source image",
    "no_face_after_mask": "the face was not found again once masked (the paper's confidence filter)",
    "multiple_faces_after_mask": "more than one face found in the masked image",
    "multiple_faces": "more than one face found (unmasked photos must hold exactly one)",
    "mask_fit_failed": "the landmarks were too degenerate to fit a mask",
    "crop_failed": "the eye-region crop rule gave no usable region",
    # Problems of the stored item itself, raised by the sources:
    "corrupt_image": "the image bytes could not be decoded",
    "bad_pixels": "a FER2013 pixel string of the wrong length or with invalid values",
    "bad_row": "a CSV row with the wrong number of fields",
    "unknown_label": "a label code that maps to no emotion",
    "excluded_label": "a label excluded by an option (e.g. --contempt drop)",
    "missing_image": "a labelled sequence without image files",
    "unreadable_file": "the file could not be read",
    "unsupported_file": "a file of a type the source does not read (e.g. .gif)",
    "outside_label_folder": "an image outside every <label>/ folder of a folder source",
    "image_too_large": "a file or image too large to decode with bounded memory",
}


class FaceRejected(MaskTheFERError):
    """The pipeline could not produce a crop for this image."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail or REJECTION_REASONS.get(reason, '')}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class PipelineSettings:
    """Everything that decides what the pipeline outputs, stored in each dataset's manifest."""

    detect: DetectorSettings = DetectorSettings(upsample=1, adjust_threshold=-0.5)  # finding faces to mask
    # Re-detecting the masked face is the paper's confidence filter. Its -0.7 was tuned on MaskTheFace's
    # mostly-surgical masks; our varied masks (cloth, KN95, gas...) hide more of what HOG looks for: on the
    # first 2,000 FER2013 rows -0.7 keeps 52 % (surgical masks alone 65 %), -1.0 keeps 72 % (the paper kept
    # 65 %); --redetect-threshold -0.7 gives the paper's setting.
    redetect: DetectorSettings = DetectorSettings(upsample=1, adjust_threshold=-1.0)
    crop: CropSettings = field(default_factory=CropSettings)
    mask_types: tuple[str, ...] | None = None  # None: every mask type
    masks: bool = True  # False: faces stay as they are, both crops of a record are the unmasked face

    def to_dict(self) -> dict:
        data = asdict(self)
        data["crop"] = self.crop.to_dict()
        data["mask_types"] = list(self.mask_types) if self.mask_types else None
        if self.masks:  # the default is left out, so manifests written before the option still match
            del data["masks"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> PipelineSettings:
        return cls(
            detect=DetectorSettings(**data["detect"]),
            redetect=DetectorSettings(**data["redetect"]),
            crop=CropSettings(**data["crop"]),
            mask_types=tuple(data["mask_types"]) if data.get("mask_types") else None,
            masks=bool(data.get("masks", True)),
        )

    @classmethod
    def from_manifest(cls, manifest: dict) -> PipelineSettings:
        """The settings a dataset was built with (so new photos are cropped the same way)."""
        return cls.from_dict(manifest["parameters"]["pipeline"])

    def with_crop_size(self, height: int, width: int) -> PipelineSettings:
        return replace(self, crop=replace(self.crop, height=height, width=width))


@dataclass
class ProcessedFace:
    """The pipeline's output for one image."""

    crop: np.ndarray  # (H, W) uint8: masked crop when a mask was added, else the crop of the image as given
    unmasked_crop: np.ndarray  # (H, W) uint8: same geometry on the image without the synthetic mask
    mask_type: str = ""
    mask_style: str = ""
    masked_image: np.ndarray | None = None  # full image with the synthetic mask (for previews)
    box: Box | None = None
    landmarks: np.ndarray | None = None


class FacePipeline:
    """Runs the pipeline on images; holds the dlib models (load once per process)."""

    def __init__(self, settings: PipelineSettings | None = None, analyzer: FaceAnalyzer | None = None):
        self.settings = settings or PipelineSettings()
        self.analyzer = analyzer or FaceAnalyzer()

    def _single_face(self, image: np.ndarray, detector: DetectorSettings, none: str, many: str | None) -> Box:
        boxes = self.analyzer.detect(image, detector)
        if not boxes:
            raise FaceRejected(none)
        if many and len(boxes) > 1:
            raise FaceRejected(many, f"{len(boxes)} faces")
        return boxes[0]

    def _masked_face_found(self, masked: np.ndarray, face: Box) -> None:
        """The paper's confidence filter: FaceRejected unless the masked face is found again, alone.

        The re-detection's lenient threshold is for the masked face, whose mask hides much of what HOG looks
        for; below the first pass's threshold it also fires on small windows that are no face at all (a
        mask's polka dots, one eye, an image corner: on CK+ faces enlarged to 256 px, 24 of 981 were
        rejected as two to eleven faces). Anybody else in the photo wears no synthetic mask and is found
        at the first pass's threshold, so only such a window clear of the masked face counts as a person.
        """
        found = self.analyzer.detect(masked, self.settings.redetect, merged=False)
        if not any(same_face(box, face) for box in found):
            raise FaceRejected("no_face_after_mask")
        threshold = self.settings.detect.adjust_threshold
        others = merge_same_face(
            [box for box in found if box.overlap(face) < SAME_FACE_OVERLAP and box.score >= threshold]
        )
        if others:
            raise FaceRejected("multiple_faces_after_mask", f"{1 + len(others)} faces")

    def process(
        self,
        image: np.ndarray,
        *,
        add_mask: bool = True,
        rng: np.random.Generator | None = None,
        style=None,
    ) -> ProcessedFace:
        """Crop one face; with `add_mask`, draw a synthetic mask first (style drawn from `rng` unless given)."""
        (outcome,) = self.process_batch([image], add_mask=add_mask, rngs=[rng], styles=[style])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def process_batch(
        self,
        images: Sequence[np.ndarray],
        *,
        add_mask: bool = True,
        rngs: Sequence[np.random.Generator | None] | None = None,
        styles: Sequence | None = None,
    ) -> list[ProcessedFace | Exception]:
        """`process` on several images, stage by stage: per image, its ProcessedFace or the exception `process`
        would raise for it (FaceRejected for a rejected face), the same outputs as one call per image.

        Every stage is a pure function of its own image, so only the order of the work changes, and that
        saves CPU: dlib's landmark model reads megabytes of its 65 MB of regression trees per face, which
        evicts the mask drawer's code and templates from the CPU caches (and the drawer evicts dlib's) when
        the two alternate image by image; run over a group, each stage finds the caches warm (on FER2013,
        groups of 32 cost some 20 % less CPU per image than one image at a time; bench/build_throughput.py).
        """
        from . import (
            masks,  # imported here: masks pulls in drawing code the reader side never needs
        )

        count = len(images)
        rngs = list(rngs) if rngs is not None else [None] * count
        styles = list(styles) if styles is not None else [None] * count
        if len(rngs) != count or len(styles) != count:
            raise ValueError(f"process_batch: {count} images but {len(rngs)} rngs and {len(styles)} styles")
        outcomes: list = [None] * count
        settings = self.settings

        def stage(work, alive: list[int]) -> list[int]:
            """`work(i)` for every image still in play; an image whose stage raises leaves with that exception."""
            kept = []
            for i in alive:
                try:
                    work(i)
                    kept.append(i)
                except Exception as exc:  # noqa: BLE001 - handed back per image, as process() would raise it
                    outcomes[i] = exc
            return kept

        boxes: dict[int, Box] = {}
        points: dict[int, np.ndarray] = {}
        alive = list(range(count))
        if not add_mask:

            def detect(i: int) -> None:
                boxes[i] = self._single_face(images[i], settings.detect, "no_face", "multiple_faces")

            def crop_only(i: int) -> None:
                crop = self._crop(images[i], images[i], points[i], boxes[i])
                outcomes[i] = ProcessedFace(crop=crop, unmasked_crop=crop, box=boxes[i], landmarks=points[i])

            alive = stage(detect, alive)
            alive = stage(lambda i: points.__setitem__(i, self.analyzer.landmarks(images[i], boxes[i])), alive)
            stage(crop_only, alive)
            return outcomes

        masked: dict[int, np.ndarray] = {}

        def first_detect(i: int) -> None:
            # Mask the most confident face, as MaskTheFace masks every face it is sure of.
            boxes[i] = self._single_face(images[i], settings.detect, "no_face", None)

        def pick_style(i: int) -> None:
            if styles[i] is None:
                rng = rngs[i] if rngs[i] is not None else np.random.default_rng()
                styles[i] = masks.sample_style(rng, settings.mask_types)

        def draw(alive: list[int]) -> list[int]:
            """Every mask of the group in one call: the point arithmetic of a mask (anchors, homography, jaw
            correction) is hundreds of numpy calls on a dozen numbers each, made once per group instead."""
            kept = []
            group = [images[i] for i in alive], [points[i] for i in alive], [styles[i] for i in alive]
            try:
                drawn = masks.apply_masks(*group)
            except Exception:  # noqa: BLE001 - an unforeseen failure of one image must not sink its group
                drawn = [_mask_or_error(masks, images[i], points[i], styles[i]) for i in alive]
            for i, result in zip(alive, drawn):
                if isinstance(result, masks.MaskFitError):
                    outcomes[i] = FaceRejected("mask_fit_failed", str(result))
                    outcomes[i].__cause__ = result
                elif isinstance(result, Exception):
                    outcomes[i] = result
                else:
                    masked[i] = result
                    kept.append(i)
            return kept

        def redetect(i: int) -> None:
            # The paper keeps only images whose masked face is found again, and no other face.
            self._masked_face_found(masked[i], boxes[i])

        def crops(i: int) -> None:
            # The crop is planned on the first pass's landmarks and box, not on new ones of the masked face:
            # the mask hides the nose, whose tip bounds the crop, and landmarks re-fitted on it miss that tip
            # by a median 4 px on FER2013 (eye corners by 1 px; bench/build_throughput.py --landmarks), while
            # a second landmark pass would cost as much CPU as the first.
            outcomes[i] = ProcessedFace(
                crop=self._crop(masked[i], masked[i], points[i], boxes[i]),
                unmasked_crop=self._crop(images[i], masked[i], points[i], boxes[i]),
                mask_type=styles[i].mask_type,
                mask_style=styles[i].describe(),
                masked_image=masked[i],
                box=boxes[i],
                landmarks=points[i],
            )

        alive = stage(first_detect, alive)
        alive = stage(lambda i: points.__setitem__(i, self.analyzer.landmarks(images[i], boxes[i])), alive)
        alive = draw(stage(pick_style, alive))
        alive = stage(redetect, alive)
        stage(crops, alive)
        return outcomes

    def _crop(self, image: np.ndarray, reference: np.ndarray, landmarks: np.ndarray, box: Box) -> np.ndarray:
        try:
            geometry = plan_crop(reference.shape, landmarks, box, self.settings.crop)
        except CropRejected as exc:
            raise FaceRejected("crop_failed", str(exc)) from exc
        return apply_crop(image, geometry, self.settings.crop)


def _mask_or_error(masks, image: np.ndarray, points: np.ndarray, style) -> np.ndarray | Exception:
    """One image's mask, or the exception drawing it raised (handed back per image, as process() would)."""
    try:
        return masks.apply_mask(image, points, style)
    except Exception as exc:  # noqa: BLE001
        return exc

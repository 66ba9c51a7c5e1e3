"""`maskthefer export`: a run (with its mask classifier and full-face model) as a bundle that travels alone.

The exported models are checked against the run's `.keras` model on crops of the run's own test split
(random crops when the dataset is gone): the largest absolute difference in any class probability is stored
in bundle.json as `max_abs_difference`, and an export that differs by more than `TOLERANCE` is an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..data.detectors import PhotoDetectorSettings, default_settings
from .bundle import BUNDLE_JSON, EXPRESSION, FACE, MASK, BundleError, read_bundle, run_entry, write_bundle
from .recognizer import DEFAULT_DETECTOR, DEFAULT_MASK_THRESHOLD
from .runners import FORMATS, QUANTIZATIONS, KerasRunner, load_runner

TOLERANCE = 1e-4
# int8 dense weights move the probabilities: by how much is recorded with the top label's agreement, and an
# export that moves any of them by more than this is refused as it is for the exact formats.
QUANTIZED_TOLERANCE = 0.05
CHECK_CROPS = 32


def check_crops(entry, count: int = CHECK_CROPS) -> np.ndarray:
    """Up to `count` test crops of the run's dataset, or seeded random crops of the model's size."""
    from ..data.records import DatasetError, load_split

    try:
        crops = load_split(entry.info["data"], entry.info.get("test_split") or "test").images[:count]
        if len(crops):
            return crops
    except (DatasetError, KeyError, TypeError, OSError):
        pass
    height, width = entry.input_shape[:2]
    return np.random.default_rng(0).integers(0, 256, (count, height, width), dtype=np.uint8)


def export_bundle(
    run_dir: os.PathLike | str,
    out_dir: os.PathLike | str,
    *,
    mask_run: os.PathLike | str | None = None,
    face_run: os.PathLike | str | None = None,
    fmt: str = "keras",
    which: str = "best",
    detector: str | PhotoDetectorSettings = DEFAULT_DETECTOR,
    mask_threshold: float = DEFAULT_MASK_THRESHOLD,
    quantize: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the bundle and verify every exported model against its `.keras` original.

    `face_run` is a full-face expression run (trained on `build-dataset --crop face` crops); `predict` then
    sends the faces the mask classifier judges unmasked to it, so it is of use only with a mask classifier.
    """
    if fmt not in FORMATS:
        raise BundleError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if quantize is not None and (fmt != "onnx" or quantize not in QUANTIZATIONS):
        raise BundleError(f"quantization {quantize!r} is offered for --format onnx only, as one of {QUANTIZATIONS}")
    entries = {EXPRESSION: run_entry(run_dir, EXPRESSION, which)}
    if mask_run is not None:
        entries[MASK] = run_entry(mask_run, MASK, which)
    if face_run is not None:
        entries[FACE] = run_entry(face_run, FACE, which)
        if tuple(entries[FACE].class_names) != tuple(entries[EXPRESSION].class_names):
            raise BundleError(
                f"{face_run} classifies {list(entries[FACE].class_names)} but {run_dir} "
                f"{list(entries[EXPRESSION].class_names)}; the two expression models must share their classes"
            )
    detector = default_settings(detector) if isinstance(detector, str) else detector
    out = write_bundle(
        out_dir,
        entries,
        fmt=fmt,
        detector=detector,
        mask_threshold=mask_threshold,
        quantize=quantize,
        overwrite=overwrite,
    )
    document, exported = read_bundle(out)
    for role, entry in entries.items():
        crops = check_crops(entry)
        original = KerasRunner.load(entry.path).predict(crops)
        copy = load_runner(exported[role].path, fmt, entry.input_shape).predict(crops)
        difference = float(np.max(np.abs(original - copy)))
        tolerance = QUANTIZED_TOLERANCE if quantize else TOLERANCE
        if difference > tolerance:
            raise BundleError(
                f"the {fmt}{' ' + quantize if quantize else ''} export of {entry.path} differs from it by "
                f"{difference:.2e} (> {tolerance:g}) on {len(crops)} crops; keep --format keras"
            )
        document["models"][role]["max_abs_difference"] = difference
        document["models"][role]["top_label_agreement"] = float(np.mean(original.argmax(1) == copy.argmax(1)))
        document["models"][role]["checked_on_crops"] = len(crops)
    (out / BUNDLE_JSON).write_text(json.dumps(document, indent=2) + "\n")
    return out

"""`maskthefer export`: a run (and its mask classifier) as a bundle folder that travels without the run.

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
from .bundle import BUNDLE_JSON, EXPRESSION, MASK, BundleError, read_bundle, run_crop_settings, run_entry, write_bundle
from .recognizer import DEFAULT_DETECTOR, DEFAULT_MASK_THRESHOLD
from .runners import FORMATS, KerasRunner, load_runner

TOLERANCE = 1e-4
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
    fmt: str = "keras",
    which: str = "best",
    detector: str | PhotoDetectorSettings = DEFAULT_DETECTOR,
    mask_threshold: float = DEFAULT_MASK_THRESHOLD,
    overwrite: bool = False,
) -> Path:
    """Write the bundle and verify every exported model against its `.keras` original."""
    if fmt not in FORMATS:
        raise BundleError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    entries = {EXPRESSION: run_entry(run_dir, EXPRESSION, which)}
    if mask_run is not None:
        entries[MASK] = run_entry(mask_run, MASK, which)
    detector = default_settings(detector) if isinstance(detector, str) else detector
    out = write_bundle(
        out_dir,
        entries,
        fmt=fmt,
        crop=run_crop_settings(run_dir),
        detector=detector,
        mask_threshold=mask_threshold,
        overwrite=overwrite,
    )
    document, exported = read_bundle(out)
    for role, entry in entries.items():
        crops = check_crops(entry)
        original = KerasRunner.load(entry.path).predict(crops)
        copy = load_runner(exported[role].path, fmt, entry.input_shape).predict(crops)
        difference = float(np.max(np.abs(original - copy)))
        if difference > TOLERANCE:
            raise BundleError(
                f"the {fmt} export of {entry.path} differs from it by {difference:.2e} (> {TOLERANCE:g}) on "
                f"{len(crops)} crops; keep --format keras"
            )
        document["models"][role]["max_abs_difference"] = difference
        document["models"][role]["checked_on_crops"] = len(crops)
    (out / BUNDLE_JSON).write_text(json.dumps(document, indent=2) + "\n")
    return out

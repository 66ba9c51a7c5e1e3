"""The folder `maskthefer export` writes and `Recognizer.load` / `maskthefer predict` read.

    BUNDLE/
      bundle.json            what is inside (below), enough to use the models without the run or the dataset
      expression.keras       the eye-region expression model (or expression_saved_model/, .tflite, .onnx)
      mask.keras             the masked-or-not classifier, when the bundle has one
      face.keras             the full-face expression model for unmasked faces, when the bundle has one

bundle.json:
    format_version, format ("keras" | "saved_model" | "tflite" | "onnx"), quantization (null | "int8"),
    models: {role: {file, class_names, input_shape, crop, model, run, test_accuracy, test_split}},
    crop (the expression model's CropSettings, also under models.expression.crop), detector
    (PhotoDetectorSettings), mask_threshold, versions, exported_at.

Each model carries the crop rule of the dataset it was trained on: the eye region for the expression model
and the mask classifier, the whole face for the full-face model.

A run directory can be used directly as well (`load_parts` reads it the same way), so a bundle is only
needed to move the models away from the run and its dataset.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.crop import CropSettings
from ..data.detectors import PhotoDetectorSettings
from ..errors import MaskTheFERError
from ..evaluation.loading import EvaluationError
from ..runs import RunDir, write_json

BUNDLE_JSON = "bundle.json"
FORMAT_VERSION = 1
EXPRESSION, MASK, FACE = "expression", "mask", "face"


class BundleError(EvaluationError):
    """A bundle or run that cannot be loaded for prediction."""


@dataclass
class ModelEntry:
    """One model of a bundle (or run) and what it was trained for."""

    role: str
    path: Path
    fmt: str
    class_names: tuple[str, ...]
    input_shape: tuple[int, int, int]
    info: dict[str, Any]
    crop: CropSettings | None = None  # the crop the model was trained on (None: the bundle's shared crop)


def is_bundle(path: os.PathLike | str) -> bool:
    return (Path(path) / BUNDLE_JSON).is_file()


def run_entry(run_dir: os.PathLike | str, role: str, which: str = "best") -> ModelEntry:
    """A run's model as a bundle entry, with the run's test accuracy from its state.json."""
    run = RunDir(run_dir)
    config = run.read_config()
    missing = [key for key in ("class_names", "input_shape", "model") if key not in config]
    if missing:
        raise BundleError(f"{run.config_path} lacks {missing}; was it written by `maskthefer train`?")
    task = config.get("task", "expression")
    if role == MASK and task != "mask":
        raise BundleError(f"{run.path} is an {task!r} run; --mask-run needs a mask classifier (`train --model masknet` or `mcn`)")
    if role in (EXPRESSION, FACE) and task == "mask":
        option = "--run" if role == EXPRESSION else "--face-run"
        raise BundleError(f"{run.path} is a mask classifier; {option} needs an expression run (pass it as --mask-run)")
    crop = run_crop_settings(run_dir)
    if role == FACE and crop.mode != "face":
        raise BundleError(
            f"{run.path} was trained on {crop.mode!r} crops; --face-run needs a run trained on a "
            "`build-dataset --crop face` dataset (experiment fullface_fer2013)"
        )
    state = run.read_state()
    info = {
        "model": config["model"],
        "run": str(run.path.resolve()),
        "which": which,
        "test_accuracy": state.get("test_accuracy"),
        "test_split": state.get("test_split", config.get("test_split")),
        "data": config.get("data"),
    }
    return ModelEntry(
        role, run.model_path(which), "keras", tuple(config["class_names"]), tuple(config["input_shape"]), info, crop
    )


def run_crop_settings(run_dir: os.PathLike | str) -> CropSettings:
    """The crop rule the run's dataset was cut with (its manifest), sized to the model's input."""
    from ..data.pipeline import PipelineSettings
    from ..data.records import DatasetError, read_manifest

    config = RunDir(run_dir).read_config()
    height, width = int(config["input_shape"][0]), int(config["input_shape"][1])
    try:
        settings = PipelineSettings.from_manifest(read_manifest(config["data"]))
    except (DatasetError, KeyError, TypeError, OSError):
        # The dataset moved or was deleted: the builder's defaults are the only crop rule there is, and of its
        # two crops the one of the model's shape (square: the face, else the eye region).
        from dataclasses import replace

        settings = PipelineSettings()
        settings = replace(settings, crop=replace(settings.crop, mode="face" if height == width else "eyes"))
    return settings.with_crop_size(height, width).crop


def read_bundle(path: os.PathLike | str) -> tuple[dict[str, Any], dict[str, ModelEntry]]:
    """bundle.json and its model entries, with errors that name the bundle."""
    path = Path(path)
    try:
        document = json.loads((path / BUNDLE_JSON).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BundleError(f"cannot read {path / BUNDLE_JSON}: {exc}") from exc
    if document.get("format_version") != FORMAT_VERSION:
        raise BundleError(f"{path} is bundle format {document.get('format_version')!r}; this maskthefer reads {FORMAT_VERSION}")
    entries = {}
    for role, model in document.get("models", {}).items():
        file = path / model["file"]
        if not file.exists():
            raise BundleError(f"{path} lists {model['file']} for the {role} model but the file is missing")
        try:
            crop = CropSettings(**(model.get("crop") or document["crop"]))
        except (KeyError, TypeError, MaskTheFERError) as exc:
            raise BundleError(f"{path / BUNDLE_JSON}: the {role} model's crop settings are unreadable: {exc}") from exc
        entries[role] = ModelEntry(
            role, file, document["format"], tuple(model["class_names"]), tuple(model["input_shape"]), model, crop
        )
    if EXPRESSION not in entries:
        raise BundleError(f"{path / BUNDLE_JSON} has no expression model")
    return document, entries


def write_bundle(
    out_dir: os.PathLike | str,
    entries: dict[str, ModelEntry],
    *,
    fmt: str,
    detector: PhotoDetectorSettings,
    mask_threshold: float,
    quantize: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Export each entry's model as `fmt` into `out_dir` and describe them (and their crops) in bundle.json."""
    from ..training.backend import versions
    from .runners import KerasRunner, export_model

    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise BundleError(f"{out} exists and is not empty; choose another --out or pass --overwrite")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    models = {}
    for role, entry in entries.items():
        runner = KerasRunner.load(entry.path)
        name = export_model(runner.model, role, fmt, out, quantize)
        models[role] = {
            "file": name,
            "class_names": list(entry.class_names),
            "input_shape": list(entry.input_shape),
            "crop": entry.crop.to_dict(),
            **entry.info,
        }
    write_json(
        out / BUNDLE_JSON,
        {
            "format_version": FORMAT_VERSION,
            "format": fmt,
            "quantization": quantize,
            "models": models,
            "crop": entries[EXPRESSION].crop.to_dict(),  # where bundle format 1 readers look for it
            "detector": detector.to_dict(),
            "mask_threshold": mask_threshold,
            "versions": versions(),
            "exported_at": _dt.datetime.now().isoformat(timespec="seconds"),
        },
    )
    return out

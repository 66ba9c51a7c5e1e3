"""What a training run is asked to do (`TrainConfig`) and the paper's defaults that fill in the rest.

`TrainConfig` holds the user's request; every field left at `None` takes the MaskTheFER default for the
dataset's kind (the manifest's "dataset_kind"), SPEC §1.1 and §1.4:

    =====================  ===============  ===============
    setting                FER2013/folder   CK+
    =====================  ===============  ===============
    batch size             64               16
    plateau patience       5                10
    validation hold-out    8 %, seed 0      25 %, seed 15
    shift / zoom / shear   0.08 / 0.1 / 0.1 0.15 / 0.15 / 0.15
    =====================  ===============  ===============

Both: SGD with Nesterov momentum 0.9, lr 0.01, the legacy Keras time decay 1e-4, ReduceLROnPlateau on
validation accuracy (factor 0.75, min lr 1e-4), categorical cross-entropy, 150 epochs, horizontal flip and
±15° rotation.

The legacy decay is ON by default: the published numbers come from the paper's code, which passed `decay=1e-4`
to Keras' SGD (lr / (1 + 1e-4 · step) on top of the plateau-controlled lr); Table III does not mention it.
Turn it off with `legacy_decay=0` (`--no-legacy-decay`).

This module imports no deep-learning framework.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import MaskTheFERError
from ..workspace import RUNS_DIR

AUGMENT_MODES = ("layers", "idg", "none")
MIXED_PRECISION = ("bf16",)
DEFAULT_MODEL = "vgg-lite"
DEFAULT_RUNS_DIR = RUNS_DIR


class TrainingError(MaskTheFERError):
    """A training request that cannot be carried out as asked."""


@dataclass(frozen=True)
class Augmentation:
    """Table II in ImageDataGenerator's own units (see `maskthefer.training.augment` for the layer units)."""

    horizontal_flip: bool = True
    rotation_degrees: float = 15.0  # rotation_range: uniform in ±degrees
    zoom: float = 0.1  # zoom_range: x and y scale factors drawn independently from [1 - zoom, 1 + zoom]
    width_shift: float = 0.08  # width_shift_range: fraction of the image width
    height_shift: float = 0.08  # height_shift_range: fraction of the image height
    shear_degrees: float = 0.1  # shear_range: ImageDataGenerator's unit is degrees (the paper's 0.1 is 0.1°)
    fill_mode: str = "nearest"


@dataclass(frozen=True)
class DatasetDefaults:
    batch_size: int
    plateau_patience: int
    validation_fraction: float
    validation_seed: int
    augmentation: Augmentation


FER_DEFAULTS = DatasetDefaults(64, 5, 0.08, 0, Augmentation())
CKPLUS_DEFAULTS = DatasetDefaults(
    16, 10, 0.25, 15, Augmentation(zoom=0.15, width_shift=0.15, height_shift=0.15, shear_degrees=0.15)
)
PAPER_DEFAULTS: dict[str, DatasetDefaults] = {
    "fer2013": FER_DEFAULTS,
    "ckplus": CKPLUS_DEFAULTS,
    "folder": FER_DEFAULTS,  # photo folders are FER-like (many images, 7 emotions)
}

# Settings shared by both datasets (Table III).
PAPER_COMMON: dict[str, Any] = {
    "epochs": 150,
    "lr": 0.01,
    "momentum": 0.9,
    "nesterov": True,
    "legacy_decay": 1e-4,
    "plateau_factor": 0.75,
    "min_lr": 1e-4,
    "plateau_min_delta": 1e-4,  # Keras' ReduceLROnPlateau default, which the paper's code kept
    "seed": 0,
    "augment": "layers",
}


@dataclass
class TrainConfig:
    """A training request. `None` means "the paper's default for this dataset" (see the module docstring).

    `train(TrainConfig(data="datasets/fer", epochs=5, run_dir="runs/demo"))` trains VGG-lite with the paper's
    recipe. `resume=True` continues `run_dir` from its last finished epoch with its saved configuration; only
    `epochs` (to extend a run), `data` (the same dataset moved), `workers`, `steps_per_epoch`, `devices` and
    `verbose` may be given again, any other setting that differs from the saved one is an error.
    `pause_after=N` stops after epoch N of the schedule, checkpointed as after an interruption, so that a
    schedule longer than a working session runs in pieces; learning rates follow the whole schedule.
    """

    data: str | os.PathLike | None = None
    model: str | None = None
    run_dir: str | os.PathLike | None = None
    model_args: dict[str, Any] = field(default_factory=dict)
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    momentum: float | None = None
    legacy_decay: float | None = None  # 0 switches the legacy time decay off
    optimizer: str | None = None  # "sgd" (the paper's), "adamw" or "adamax"
    weight_decay: float | None = None  # decoupled weight decay [0 SGD, 0.01 AdamW]
    schedule: str | None = None  # "plateau" (the paper's), "cosine" or "onecycle"
    warmup_epochs: float | None = None  # cosine: linear warm-up epochs [0]
    label_smoothing: float | None = None  # [0]
    plateau_factor: float | None = None
    plateau_patience: int | None = None
    min_lr: float | None = None
    validation_fraction: float | None = None
    validation_seed: int | None = None
    seed: int | None = None
    augment: str | None = None  # "layers" (default), "idg" or "none"
    augmentation: Augmentation | None = None  # override Table II (ImageDataGenerator units)
    input_shape: tuple[int, int, int] | None = None
    mixed_precision: str | None = None  # "bf16", "none" (float32) or None/"auto": bf16 where it is faster (backend)
    attention_from: str | os.PathLike | None = None  # an MCN run for FECN
    init_from: str | os.PathLike | None = None  # a run folder or .keras file whose matching layers start the model
    trainable: str | None = None  # "all" (default), "last-conv" or "head": which layers train
    pairs: bool | None = None  # also train on the unmasked crops (expression task)
    crops: str | None = None  # "masked" (default) or "unmasked": the crops trained, validated and tested on
    paradigm: str | None = None  # "standard" (default), "cl" or "kd" (MSD-E; see `training.paradigms`)
    cl_lambda: float | None = None  # cl: weight of the feature MSE [0.2]
    cl_alpha: float | None = None  # cl: weight of each cross-entropy [1.0]
    kd_lambda: float | None = None  # kd: weight of the teacher-student feature MSE [100]
    kd_p: float | None = None  # kd: probability that the student sees the masked crop [0.5]
    teacher: str | os.PathLike | None = None  # kd: a run trained on unmasked crops
    feature_layer: str | None = None  # cl/kd: the layer whose output is compared [the model's penultimate]
    distill_from: str | os.PathLike | None = None  # a run whose soft targets blend with the labels (`soft_targets`)
    distill_weight: float | None = None  # the teacher's share of each training target [0.5]
    distill_temperature: float | None = None  # softening of the teacher's probabilities [2]
    steps_per_epoch: int | None = None  # cap on batches per epoch, for quick runs and benchmarks
    workers: int | None = None  # threads preparing batches (mainly for --augment idg)
    devices: int | str | None = None  # data parallelism: a count or "all" (see `distribute`); None: one device
    test_split: str = "test"
    pause_after: int | None = None  # stop after this epoch of the schedule (resumable); the schedule is unchanged
    resume: bool = False
    overwrite: bool = False
    verbose: int = 1  # 0: silent, 1: one line per epoch, 2: also Keras' progress bar

    def explicit(self) -> dict[str, Any]:
        """The settings the user actually gave (not None, not empty)."""
        skip = {"resume", "overwrite", "verbose", "test_split", "pause_after"}
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in skip or value is None or (f.name == "model_args" and not value):
                continue
            out[f.name] = value
        return out


# Fields a resumed run may change; everything else must match the saved configuration.
RESUME_MUTABLE = {"epochs", "data", "workers", "steps_per_epoch", "run_dir", "devices"}


def paper_defaults(dataset_kind: str) -> DatasetDefaults:
    if dataset_kind not in PAPER_DEFAULTS:
        raise TrainingError(
            f"manifest dataset_kind {dataset_kind!r} is unknown; expected one of {sorted(PAPER_DEFAULTS)}"
        )
    return PAPER_DEFAULTS[dataset_kind]


def parse_input_shape(value: Any) -> tuple[int, int, int]:
    """(H, W, C) from a tuple/list or a string like "48,96,1" or "48x96x1"."""
    if isinstance(value, str):
        parts = value.replace("x", ",").replace(" ", "").split(",")
    else:
        parts = list(value)
    try:
        shape = tuple(int(p) for p in parts)
    except (TypeError, ValueError):
        raise TrainingError(f"input shape {value!r} must be three integers H,W,C (e.g. 48,96,1)") from None
    if len(shape) != 3 or min(shape) < 1:
        raise TrainingError(f"input shape {value!r} must be three positive integers H,W,C (e.g. 48,96,1)")
    if shape[2] not in (1, 3):
        raise TrainingError(f"input shape {value!r}: crops are grayscale, so C must be 1 (or 3: gray repeated)")
    return shape  # type: ignore[return-value]


# TrainConfig fields that are recipe settings (`maskthefer.training.recipe.Recipe`), with the type each takes.
RECIPE_FIELDS: dict[str, type] = {
    "epochs": int, "batch_size": int, "optimizer": str, "lr": float, "momentum": float, "weight_decay": float,
    "legacy_decay": float, "schedule": str, "warmup_epochs": float, "label_smoothing": float,
    "plateau_factor": float, "plateau_patience": int, "min_lr": float, "validation_fraction": float,
    "validation_seed": int, "seed": int, "augment": str, "augmentation": object, "mixed_precision": object,
}
TRAINABLE_SCHEMES = ("all", "last-conv", "head")


def resolve(config: TrainConfig, manifest: Mapping[str, Any], *, task: str) -> dict[str, Any]:
    """The full set of training settings for `config` on a dataset described by `manifest`.

    Returns a JSON-ready dict (the core of config.json): every value concrete, nothing left to defaults.
    The recipe part is `paper_recipe(kind).replace(<the settings config gives>)`.
    """
    from .recipe import paper_recipe  # recipe.py builds on this module

    kind = str(manifest.get("dataset_kind", ""))
    given = {}
    for name, kind_of in RECIPE_FIELDS.items():
        value = getattr(config, name)
        if value is None or kind_of is object:
            given[name] = value
            continue
        try:
            given[name] = kind_of(value)
        except (TypeError, ValueError):
            raise TrainingError(f"{name.replace('_', ' ')} must be a {kind_of.__name__}, not {value!r}") from None
    given["mixed_precision"] = "auto" if config.mixed_precision is None else config.mixed_precision
    recipe = paper_recipe(kind).replace(**given)
    return resolved_settings(recipe, config, manifest, task=task)


def resolved_settings(recipe, config: TrainConfig, manifest: Mapping[str, Any], *, task: str) -> dict[str, Any]:
    """config.json's training settings: the recipe's, then the run's own (input shape, pairs, workers, ...)."""
    crop_h, crop_w = int(manifest["crop"]["height"]), int(manifest["crop"]["width"])
    if config.input_shape is not None:
        input_shape = parse_input_shape(config.input_shape)
        if input_shape[:2] != (crop_h, crop_w):
            raise TrainingError(
                f"input shape {input_shape[0]}x{input_shape[1]} does not match the {crop_h}x{crop_w} crops of "
                f"{config.data}; rebuild the dataset with --crop-size {input_shape[0]}x{input_shape[1]} or drop "
                "--input-shape"
            )
    else:
        input_shape = (crop_h, crop_w, 1)
    trainable = config.trainable or "all"
    if trainable not in TRAINABLE_SCHEMES:
        raise TrainingError(f"trainable must be one of {', '.join(TRAINABLE_SCHEMES)}, not {trainable!r}")

    r = recipe.to_dict()
    # The keys (and their order) of config.json before the recipe options existed, then the newer ones.
    resolved = {key: r[key] for key in (
        "epochs", "batch_size", "lr", "momentum", "nesterov", "legacy_decay", "plateau_factor", "plateau_patience",
        "plateau_min_delta", "min_lr", "validation_fraction", "validation_seed", "seed", "augment", "augmentation",
    )}
    resolved.update({
        "input_shape": list(input_shape),
        "mixed_precision": r["mixed_precision"],
        "pairs": bool(False if config.pairs is None else config.pairs),
        "steps_per_epoch": config.steps_per_epoch,
        "workers": int(1 if config.workers is None else config.workers),
        "loss": "categorical_crossentropy",
        "optimizer": r["optimizer"],
        "dataset_kind": str(manifest.get("dataset_kind", "")),
        "test_split": config.test_split,
        "weight_decay": r["weight_decay"],
        "schedule": r["schedule"],
        "warmup_epochs": r["warmup_epochs"],
        "label_smoothing": r["label_smoothing"],
        "trainable": trainable,
        "init_from": str(Path(config.init_from).resolve()) if config.init_from else None,
    })
    _check_ranges(resolved)
    if resolved["pairs"] and task == "mask":
        raise TrainingError("--pairs is for expression models; mask models (task 'mask') always use both crops")
    return resolved


# Settings that runs written before the recipe options existed lack: they trained with these values.
NEWER_KEYS_DEFAULTS: dict[str, Any] = {
    "weight_decay": 0.0, "schedule": "plateau", "warmup_epochs": 0.0, "label_smoothing": 0.0, "trainable": "all",
    "init_from": None,
}


def _check_ranges(r: Mapping[str, Any]) -> None:
    checks = [
        (r["workers"] >= 1, f"workers must be at least 1, not {r['workers']}"),
        (r["steps_per_epoch"] is None or r["steps_per_epoch"] >= 1, "steps per epoch must be at least 1"),
    ]
    for ok, message in checks:
        if not ok:
            raise TrainingError(message)


def number_setting(option: str, value, default: float, *, low: float, high: float | None = None,
            low_open: bool = False) -> float:
    """`value` (`default` when None) as a finite float within [low, high] (low excluded with `low_open`)."""
    number = default if value is None else value
    try:
        number = float(number)
    except (TypeError, ValueError):
        raise TrainingError(f"{option} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise TrainingError(f"{option} must be a finite number, not {value!r}")
    too_low = number <= low if low_open else number < low
    if too_low or (high is not None and number > high):
        bounds = f"{'(' if low_open else '['}{low:g}, {'inf)' if high is None else f'{high:g}]'}"
        raise TrainingError(f"{option} must be in {bounds}, not {value!r}")
    return number


def parse_model_args(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`["filters=[4,8,8,8]", "dropout=0.5", "trunk=vgg11"]` -> kwargs; values are JSON when they parse."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise TrainingError(f"model argument {item!r} must look like key=value (e.g. dropout=0.5)")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw  # a bare string such as trunk=vgg11
    return out


def default_run_dir(model: str, data: str | os.PathLike) -> Path:
    """runs/<model>-<dataset folder name>: deterministic, so `--resume` finds it without --run-dir.

    The name is the one the user gave (made absolute so "." has one), not a symlink's target.
    """
    return DEFAULT_RUNS_DIR / f"{model}-{Path(os.path.abspath(data)).name}"

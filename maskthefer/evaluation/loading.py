"""Loading a trained run's classifier and feeding it crops, on any Keras backend.

A run directory (see `maskthefer.runs`) holds the model as `best.keras` / `last.keras`. Zoo models put their
class probabilities in the output named `predictions` (the only output or the first); models with auxiliary
outputs (attention branches, regression heads) are reduced to that output here, so everything downstream
sees one probability matrix.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MaskTheFERError
from ..runs import RunDir

PREDICTIONS = "predictions"  # same name as maskthefer.models.PREDICTIONS, kept here to stay import-light


class EvaluationError(MaskTheFERError):
    """A run, dataset or image folder that cannot be evaluated as asked."""


@dataclass
class LoadedRun:
    """A run's configuration together with its classifier."""

    run: RunDir
    config: dict[str, Any]
    model: Any  # keras.Model with a single softmax output
    full_model: Any  # the model as saved (may have several outputs)
    which: str
    model_path: Path

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.config["class_names"])

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) the model expects."""
        return tuple(int(d) for d in self.model.inputs[0].shape[1:])  # type: ignore[return-value]

    @property
    def model_name(self) -> str:
        return str(self.config.get("model", self.full_model.name))


def load_run(run_dir: RunDir | os.PathLike | str, which: str = "best") -> LoadedRun:
    """Read a run's config.json and load its `best` or `last` model (errors name what is missing).

    `run_dir` is a path or the `RunDir` that `maskthefer.training.train` returns.
    """
    import keras

    import maskthefer.models  # noqa: F401  (registers the zoo's classes for deserialisation)

    run = run_dir if isinstance(run_dir, RunDir) else RunDir(run_dir)
    config = run.read_config()
    missing = [key for key in ("class_names", "model") if key not in config]
    if missing:
        raise EvaluationError(f"{run.config_path} lacks {missing}; was it written by `maskthefer train`?")
    path = run.model_path(which)
    try:
        full_model = keras.models.load_model(path, compile=False)
    except Exception as exc:  # Keras raises many types for unreadable archives; all mean "bad file"
        raise EvaluationError(f"cannot load {path}: {type(exc).__name__}: {exc}") from exc
    model = classifier_model(full_model)
    num_outputs = int(model.outputs[0].shape[-1])
    if num_outputs != len(config["class_names"]):
        raise EvaluationError(
            f"{path} outputs {num_outputs} classes but {run.config_path} lists {len(config['class_names'])} "
            f"({', '.join(config['class_names'])})"
        )
    return LoadedRun(run=run, config=config, model=model, full_model=full_model, which=which, model_path=path)


def as_functional(model):
    """A functional view of `model`; a Sequential is rebuilt as a functional model with fresh layers.

    The rebuilt layers are copies (same config, same weights) called exactly once, on a new Input. Calling the
    Sequential's own layers again would give them a second graph node, and `layer.output` (which Grad-CAM
    and feature extraction read) would then still point into the old graph, disconnected from the new input.
    """
    import keras

    if not isinstance(model, keras.Sequential):
        return model
    try:
        shape = tuple(model.inputs[0].shape[1:])
    except (AttributeError, ValueError, IndexError) as exc:
        raise EvaluationError(f"Sequential model {model.name} has no defined input; build it with keras.Input") from exc
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for layer in model.layers:
        fresh = layer.__class__.from_config(layer.get_config())
        x = fresh(x)
        fresh.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name=model.name)


def classifier_model(model):
    """`model` reduced to its `predictions` output (the model itself when that is its only output)."""
    import keras

    model = as_functional(model)
    if len(model.outputs) == 1:
        return model
    names = list(getattr(model, "output_names", None) or [])
    if PREDICTIONS not in names:
        raise EvaluationError(
            f"model {model.name} has {len(model.outputs)} outputs ({names}) and none is named {PREDICTIONS!r}; "
            "zoo models must name their class-probability output 'predictions'"
        )
    return keras.Model(_inputs(model), model.outputs[names.index(PREDICTIONS)], name=model.name)


def feature_model(loaded: LoadedRun):
    """A model from the input to the penultimate features (`feature_layer_name`, default 'features')."""
    import keras

    name = getattr(loaded.full_model, "feature_layer_name", None) or "features"
    model = as_functional(loaded.full_model)
    try:
        layer = model.get_layer(name)
    except ValueError as exc:
        raise EvaluationError(f"model {loaded.model_name} has no layer {name!r} for penultimate features") from exc
    return keras.Model(_inputs(model), layer.output, name=f"{model.name}_features")


def _inputs(model):
    """The model's input tensor (not a one-element list), so calls with a plain array match its structure."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def to_model_input(images: np.ndarray, input_shape: Sequence[int]) -> np.ndarray:
    """uint8 crops (N, H, W) -> float32 (N, H, W, C) in [0, 1], the zoo's input convention.

    Gray crops are repeated over the channels for models built for 3-channel input.
    """
    height, width, channels = (int(d) for d in input_shape)
    if images.ndim != 3:
        raise EvaluationError(f"expected gray crops of shape (N, H, W), got {images.shape}")
    if images.shape[1:] != (height, width):
        raise EvaluationError(
            f"crops are {images.shape[1]}x{images.shape[2]} but the model expects {height}x{width} input"
        )
    x = images.astype(np.float32)[..., None] / 255.0
    if channels != 1:
        x = np.repeat(x, channels, axis=-1)
    return x


# Test-time augmentation: "flip" averages the probabilities of each crop and its mirror image. Training flips
# crops at random (Table II), so the mirror image is a face the model has learned to read. "flip-shift" also
# averages in each of the two moved by TTA_SHIFT_PIXELS up, down, left and right (10 views): training shifts
# crops by up to 8 % of a side with the edge pixels repeated, so these views are ones it has seen too.
TTA_MODES = ("none", "flip", "flip-shift")
TTA_SHIFT_PIXELS = 2
TTA_VIEW_COUNTS = {"none": 1, "flip": 2, "flip-shift": 10}


def shifted(crops: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """uint8 crops (N, H, W) moved by `rows` down and `cols` right, the uncovered edge filled by its nearest pixels."""
    height, width = crops.shape[1:3]
    padded = np.pad(crops, ((0, 0), (abs(rows),) * 2, (abs(cols),) * 2), mode="edge")
    top, left = abs(rows) - rows, abs(cols) - cols
    return np.ascontiguousarray(padded[:, top : top + height, left : left + width])


def tta_views(crops: np.ndarray, tta: str) -> list[np.ndarray]:
    """The versions of a batch of crops whose predicted probabilities test-time augmentation `tta` averages.

    Each mode's views are the first views of the next mode's (the crop, then its mirror, then the shifts), so
    one prediction of flip-shift's views also gives every other mode (`tta_view_count`).
    """
    if tta == "none":
        return [crops]
    mirrored = np.ascontiguousarray(crops[:, :, ::-1])
    if tta == "flip":
        return [crops, mirrored]
    d = TTA_SHIFT_PIXELS
    moves = [(-d, 0), (d, 0), (0, -d), (0, d)]
    return [crops, mirrored] + [shifted(view, r, c) for view in (crops, mirrored) for r, c in moves]


def tta_view_count(tta: str) -> int:
    """How many views test-time augmentation `tta` averages: the first that many of flip-shift's."""
    if tta not in TTA_MODES:
        raise EvaluationError(f"test-time augmentation must be one of {', '.join(TTA_MODES)}, not {tta!r}")
    return TTA_VIEW_COUNTS[tta]


def predict_views(model, images: np.ndarray, batch_size: int = 256, tta: str = "none") -> np.ndarray:
    """Class probabilities of each view of `tta` for uint8 crops (N, H, W): an array (views, N, K)."""
    count = tta_view_count(tta)
    shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    num_classes = int(model.outputs[0].shape[-1])
    out = np.zeros((count, len(images), num_classes), np.float32)
    for start in range(0, len(images), batch_size):
        for index, view in enumerate(tta_views(images[start : start + batch_size], tta)):
            probabilities = model(to_model_input(view, shape), training=False)
            out[index, start : start + len(view)] = np.asarray(probabilities, dtype=np.float32)
    return out


def predict_proba(model, images: np.ndarray, batch_size: int = 256, tta: str = "none") -> np.ndarray:
    """Class probabilities (N, K) for uint8 crops (N, H, W), in batches, averaged over the views of `tta`."""
    return predict_views(model, images, batch_size, tta).mean(axis=0)


def predict_features(model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Outputs of a feature model for uint8 crops, flattened to (N, D)."""
    shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    out = [
        np.asarray(model(to_model_input(images[s : s + batch_size], shape), training=False), np.float32)
        for s in range(0, len(images), batch_size)
    ]
    features = np.concatenate(out) if out else np.zeros((0, 1), np.float32)
    return features.reshape(len(features), -1)

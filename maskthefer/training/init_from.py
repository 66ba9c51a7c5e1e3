"""`--init-from`: start a model from another run's weights, layer by layer, by name and shape.

A source is a run folder (its best.keras, else last.keras) or a .keras file (a classifier, or a run's
checkpoint.keras, whose nested classifier is used). Every layer of the new model with weights takes the
source layer of the same name when all its weights have the same shapes; the others (a 7-class head on a
6-class dataset, the first dense layer after a different input size) keep their fresh initialisation. The
report (what was loaded, what was re-initialised and why, what the source had that was not used) goes into
config.json as "init_report", and the re-initialised layers are named on stderr.

Both models must be of one family (the same model class): a ResNet's "conv1" is not a VGG's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import keras

from .config import TrainingError
from .model import PREPROCESSING_LAYER
from .trainable import ordered_layers
from .zoo import is_zoo_model


def resolve_source(source: str | os.PathLike) -> Path:
    """The .keras file `source` names: the file itself, or a run folder's best.keras (else last.keras)."""
    path = Path(source)
    if path.is_dir():
        for name in ("best.keras", "last.keras"):
            if (path / name).is_file():
                return path / name
        raise TrainingError(f"--init-from {path}: the folder holds no best.keras or last.keras (no trained model)")
    if not path.exists():
        raise TrainingError(f"--init-from {path} does not exist (expected a run folder or a .keras file)")
    if path.suffix != ".keras":
        raise TrainingError(f"--init-from {path} is not a .keras file or a run folder")
    return path


def load_source(source: str | os.PathLike):
    """The classifier stored at `source` (loaded in float32, without its optimizer)."""
    import maskthefer.models  # noqa: F401  (registers the zoo's classes for deserialisation)

    path = resolve_source(source)
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as exc:  # Keras raises many types for unreadable archives; all mean "bad file"
        raise TrainingError(f"--init-from {path}: cannot load it ({type(exc).__name__}: {exc})") from exc
    if _has_layer(model, PREPROCESSING_LAYER):  # a run's checkpoint.keras: the training model around it
        nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
        if len(nested) == 1:
            model = nested[0]
    return model


def _has_layer(model, name: str) -> bool:
    return any(layer.name == name for layer in model.layers)


def family(model) -> str:
    """The model's family: its class (zoo models are one class per architecture family, e.g. VGGLite)."""
    return type(model).__name__


def transfer_weights(target, source, *, skip: dict[str, str] | None = None) -> dict[str, Any]:
    """Copy every `source` layer whose name and weight shapes match into `target`; returns the report.

    `skip` names layers to leave freshly initialised even when they match, with the reason.
    """
    skip = skip or {}
    if (is_zoo_model(target) or is_zoo_model(source)) and family(target) != family(source):
        raise TrainingError(
            f"--init-from holds a {family(source)!r} model and this run trains {family(target)!r}; weights transfer "
            "only within one model family"
        )
    source_layers = {layer.name: layer for layer in ordered_layers(source) if layer.weights}
    loaded, reinitialised = [], {}
    for layer in ordered_layers(target):
        if not layer.weights:
            continue
        match = source_layers.get(layer.name)
        if layer.name in skip:
            reinitialised[layer.name] = skip[layer.name]
            continue
        if match is None:
            reinitialised[layer.name] = "not in the source model"
            continue
        ours = [tuple(w.shape) for w in layer.weights]
        theirs = [tuple(w.shape) for w in match.weights]
        if ours != theirs:
            reinitialised[layer.name] = f"shapes {_shapes(theirs)} in the source, {_shapes(ours)} here"
            continue
        layer.set_weights(match.get_weights())
        loaded.append(layer.name)
    if not loaded:
        raise TrainingError("--init-from: no layer of the source model matches this model by name and shape")
    target_names = {layer.name for layer in ordered_layers(target)}
    return {
        "source_model": family(source),
        "loaded": loaded,
        "reinitialised": reinitialised,
        "unused": [name for name in source_layers if name not in target_names],
    }


def initialise_from(target, source: str | os.PathLike, *, class_names=None, say=print) -> dict[str, Any]:
    """Load `source`'s matching layers into `target`; names the re-initialised ones on stderr.

    With `class_names` (this run's classes, in output order), the output layer is only taken over when the
    source run was trained on the same classes in the same order: a 7-way head of CK+ with contempt means
    something else than one of FER2013's 7 emotions even though the shapes match.
    """
    path = resolve_source(source)
    skip = {}
    theirs = source_class_names(path)
    if class_names is not None and theirs is not None and list(theirs) != list(class_names):
        skip[output_layer(target).name] = (
            f"the source was trained on classes {', '.join(theirs)}; this run has {', '.join(class_names)}"
        )
    report = {"source": str(path.resolve()), **source_progress(path),
              **transfer_weights(target, load_source(path), skip=skip)}
    for name, why in report["reinitialised"].items():
        print(f"warning: --init-from: layer {name!r} re-initialised ({why})", file=sys.stderr, flush=True)
    say(f"init-from {path}: {len(report['loaded'])} layers loaded, {len(report['reinitialised'])} re-initialised")
    return report


def source_class_names(path: Path) -> list[str] | None:
    """The classes of the run a .keras file belongs to (its folder's config.json), if it is in a run folder."""
    import json

    config = path.parent / "config.json"
    try:
        names = json.loads(config.read_text()).get("class_names") if config.is_file() else None
    except (OSError, ValueError):
        return None
    return list(names) if names else None


def source_progress(path: Path) -> dict[str, Any]:
    """How far the source run had trained when its weights were taken (its state.json), if it is a run folder;
    a schedule still in progress keeps changing best.keras, so the report pins the epoch that was used."""
    import json

    state_path = path.parent / "state.json"
    try:
        state = json.loads(state_path.read_text()) if state_path.is_file() else {}
    except (OSError, ValueError):
        return {}
    keys = {"epochs_done": "source_epochs_done", "epochs": "source_schedule_epochs", "best_epoch": "source_best_epoch"}
    return {mine: state[theirs] for theirs, mine in keys.items() if theirs in state}


def output_layer(model):
    """The last layer with weights: the classifier's read-out."""
    return [layer for layer in ordered_layers(model) if layer.weights][-1]


def _shapes(shapes: list[tuple]) -> str:
    return " ".join("x".join(str(d) for d in shape) or "scalar" for shape in shapes)

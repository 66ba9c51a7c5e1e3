"""Classifiers from the model registry, as `train(TrainConfig)` builds them (`fit` takes a model ready-made).

Checks `--model-arg` names against the constructor, builds the model for the dataset's classes and input
shape, and for FECN-style models copies a trained MCN's attention generator in (`--attention-from`).
"""

from __future__ import annotations

import inspect
from typing import Any

import keras

from ..models import create_model, list_models, model_spec
from ..runs import RunDir
from .config import TrainingError


def build_classifier(model_name, model_args, num_classes, input_shape, attention_from, say):
    """The zoo model; for FECN-style models, with a trained MCN's attention generator copied in."""
    has_generator = hasattr(model_spec(model_name).constructor, "load_attention_from")
    mcn = None
    if attention_from:
        if not has_generator:
            raise TrainingError(
                f"--attention-from applies to models with an attention generator (fecn), not {model_name!r}"
            )
        mcn = _load_attention_source(attention_from, say)
        graph_args = ("num_classes", "trunk", "width")  # what shapes the generator FECN rebuilds
        model_args.setdefault("mcn_config", {k: v for k, v in mcn.get_config().items() if k in graph_args})
    check_model_args(model_name, model_args)
    try:
        classifier = create_model(model_name, num_classes=num_classes, input_shape=input_shape, **model_args)
    except TypeError as exc:  # a constructor argument of the wrong kind from --model-arg
        raise TrainingError(f"model {model_name!r} rejects its arguments {model_args}: {exc}") from exc
    if mcn is not None:
        copied = classifier.load_attention_from(mcn)
        say(f"attention generator: {copied} layers copied from {attention_from}")
    elif has_generator:
        say(f"warning: {model_name} trains with an untrained attention generator; {model_spec(model_name).input_note}")
    return classifier, model_args


def check_model_args(model_name: str, model_args: dict[str, Any]) -> None:
    """Reject --model-arg names the constructor does not declare (zoo models pass **kwargs on to Keras,
    which would otherwise swallow a misspelt name silently)."""
    parameters = inspect.signature(model_spec(model_name).constructor).parameters
    accepted = [name for name, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    reserved = {"num_classes", "input_shape"}
    for name in model_args:
        if name in reserved:
            raise TrainingError(f"--model-arg {name} is set by the trainer (from the dataset or --input-shape)")
        if name not in accepted:
            choices = ", ".join(n for n in accepted if n not in reserved and n != "self")
            raise TrainingError(f"model {model_name!r} has no argument {name!r}; it accepts: {choices}")


def _load_attention_source(path: str, say):
    source = RunDir(path)
    source_config = source.read_config()
    if source_config.get("task") != "mask":
        say(f"warning: --attention-from {path} is a {source_config.get('model')!r} run for task "
            f"{source_config.get('task')!r}, not an MCN (task 'mask')")
    return keras.saving.load_model(source.model_path("best"), compile=False)


def is_zoo_model(model) -> bool:
    """Whether `model` is an instance of a registered zoo class (rebuilt from its constructor arguments)."""
    return any(type(model) is model_spec(name).constructor for name in list_models())

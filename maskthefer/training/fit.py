"""`fit(model, data, recipe, run_dir)`: train any Keras classifier on a built dataset with a recipe.

    import keras
    from maskthefer.training import fit, paper_recipe

    model = keras.Sequential([keras.Input((48, 96, 1)), ..., keras.layers.Dense(7, activation="softmax")])
    run = fit(model, "datasets/fer2013", paper_recipe("fer2013").replace(epochs=20), "runs/mine")

The model is the user's own (not registered): it takes crops as float32 in [0, 1], shape (H, W, 1) or
(H, W, 3) with H, W the dataset's crop size, and outputs class probabilities in the dataset's class order
(a multi-output model names that output "predictions"). It trains in the precision it was built with
(build it under `keras.config.set_dtype_policy("mixed_bfloat16")` for bf16). The run folder is the one
`train` writes (config.json, history.csv, best/last/checkpoint.keras, state.json), so `maskthefer evaluate
--run` reads it and `train(TrainConfig(run_dir=..., resume=True))` continues it, provided the model's layers
can be saved and loaded by Keras (built-in layers can; custom ones need `register_keras_serializable`).

MSD-E's paradigms train any such model too (see `maskthefer.training.paradigms`): name its penultimate layer
"features" (or pass `feature_layer`), then

    fit(model, data, recipe, "runs/cl", paradigm="cl")                          # contrastive learning
    fit(teacher_model, data, recipe, "runs/teacher", crops="unmasked")           # a teacher for distillation
    fit(model, data, recipe, "runs/kd", paradigm="kd", teacher="runs/teacher")   # distillation
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import keras

from ..data.records import read_manifest
from ..runs import RunDir
from .config import DEFAULT_RUNS_DIR, TrainConfig, TrainingError, resolved_settings
from .data import load_training_data
from .distribute import check_batch_size
from .loop import run_fit
from .paradigms import resolve_paradigm
from .recipe import Recipe, paper_recipe
from .run_folder import printer, refuse_existing_run
from .session import start_session
from .soft_targets import resolve_distillation

TASK = "expression"


def fit(
    model: keras.Model,
    data: str | os.PathLike,
    recipe: Recipe | None = None,
    run_dir: str | os.PathLike | None = None,
    *,
    init_from: str | os.PathLike | None = None,
    trainable: str = "all",
    pairs: bool = False,
    crops: str = "masked",
    paradigm: str = "standard",
    teacher: str | os.PathLike | None = None,
    cl_lambda: float | None = None,
    cl_alpha: float | None = None,
    kd_lambda: float | None = None,
    kd_p: float | None = None,
    feature_layer: str | None = None,
    distill_from: str | os.PathLike | None = None,
    distill_weight: float | None = None,
    distill_temperature: float | None = None,
    steps_per_epoch: int | None = None,
    workers: int = 1,
    test_split: str = "test",
    overwrite: bool = False,
    verbose: int = 1,
) -> RunDir:
    """Train `model` on the dataset folder `data` with `recipe` (the paper's for the dataset when None).

    `init_from` and `trainable` are `--init-from` and `--trainable` of `maskthefer train`; `pairs` also
    trains on each face's unmasked crop; `crops="unmasked"` trains on the unmasked crops alone; `paradigm`
    ("cl", "kd") and its settings (`teacher`, `cl_lambda`, `cl_alpha`, `kd_lambda`, `kd_p`, `feature_layer`;
    None takes MSD-E's value) are those of `--paradigm`; `distill_from` (with `distill_weight`,
    `distill_temperature`) blends another run's soft targets into the labels, as `--distill-from`;
    `steps_per_epoch` caps the batches of an epoch.
    Returns the run.
    """
    say = printer(verbose)
    if not isinstance(model, keras.Model):
        raise TrainingError(f"fit() trains a keras.Model, not a {type(model).__name__}")
    manifest = read_manifest(data)
    recipe = paper_recipe(str(manifest.get("dataset_kind", ""))) if recipe is None else recipe
    if not isinstance(recipe, Recipe):
        raise TrainingError(f"recipe must be a Recipe (see paper_recipe), not a {type(recipe).__name__}")
    recipe = recipe.replace(mixed_precision=_model_precision(model, recipe.mixed_precision))
    request = TrainConfig(
        data=data, input_shape=_input_shape(model), pairs=pairs, steps_per_epoch=steps_per_epoch, workers=workers,
        test_split=test_split, init_from=init_from, trainable=trainable, crops=crops, paradigm=paradigm,
        teacher=teacher, cl_lambda=cl_lambda, cl_alpha=cl_alpha, kd_lambda=kd_lambda, kd_p=kd_p,
        feature_layer=feature_layer, distill_from=distill_from, distill_weight=distill_weight,
        distill_temperature=distill_temperature,
    )
    resolved = resolved_settings(recipe, request, manifest, task=TASK)
    resolved.update(resolve_paradigm(request, task=TASK, pairs=resolved["pairs"]))
    resolved.update(resolve_distillation(request, task=TASK))
    check_batch_size(resolved["batch_size"])
    run = RunDir(run_dir or DEFAULT_RUNS_DIR / f"{model.name}-{Path(os.path.abspath(data)).name}")
    refuse_existing_run(run, overwrite=overwrite)
    training_data = load_training_data(data, TASK, resolved, say=say)
    _check_outputs(model, len(training_data.class_names))
    record = {"model": model.name, "model_args": {}, "task": TASK, "model_source": "fit"}
    session = start_session(run, model_record=record, build=lambda: model, resolved=resolved, data=training_data,
                            data_dir=data, overwrite=overwrite, say=say)
    return run_fit(session, verbose=verbose, say=say)


def _input_shape(model) -> tuple[int, int, int]:
    try:
        shape = tuple(model.inputs[0].shape[1:])
    except (AttributeError, IndexError, ValueError):
        raise TrainingError(f"model {model.name!r} has no defined input; start it with keras.Input((H, W, 1))") from None
    if len(shape) != 3 or any(d is None for d in shape):
        raise TrainingError(f"model {model.name!r} takes input {shape}; fit() feeds crops of shape (H, W, 1 or 3)")
    return tuple(int(d) for d in shape)  # type: ignore[return-value]


def _model_precision(model, requested: str | None) -> str | None:
    """The run's precision is the model's own: "auto" takes it, an explicit request must match it."""
    policies = {layer.dtype_policy.name for layer in model.layers if hasattr(layer, "dtype_policy")}
    built = "bf16" if "mixed_bfloat16" in policies else None
    if requested not in ("auto", built):
        raise TrainingError(
            f"the recipe asks for mixed precision {requested or 'none'} but model {model.name!r} was built in "
            f"{built or 'float32'}; build it under keras.config.set_dtype_policy('mixed_bfloat16') for bf16, or "
            "leave the recipe's mixed_precision at 'auto'"
        )
    return built


def _check_outputs(model, num_classes: int) -> None:
    names = list(getattr(model, "output_names", None) or [])
    if len(model.outputs) > 1 and "predictions" not in names:
        raise TrainingError(f"model {model.name!r} has {len(model.outputs)} outputs ({names}); name the class "
                            "probabilities 'predictions'")
    output = model.outputs[names.index("predictions") if len(model.outputs) > 1 else 0]
    if int(output.shape[-1]) != num_classes:
        raise TrainingError(
            f"model {model.name!r} outputs {int(output.shape[-1])} classes but the dataset has {num_classes}"
        )
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if len(model.outputs) == 1 and activation == "linear":
        print(f"warning: model {model.name!r} ends in a linear layer; fit() reads its output as probabilities "
              "(end with activation='softmax')", file=sys.stderr, flush=True)

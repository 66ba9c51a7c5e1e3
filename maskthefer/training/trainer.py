"""`train(config) -> RunDir`: a registered model with the MaskTheFER recipe on a built dataset, resumable.

    from maskthefer.training import TrainConfig, train
    run = train(TrainConfig(data="datasets/fer", model="vgg-lite", epochs=5, run_dir="runs/demo"))

A new run resolves the request against the paper's recipe (`config.resolve`), loads the data
(`data.prepare_data`), builds the classifier from the registry (`zoo`) and hands it to the same session
and loop as `fit` (`session.start_session`, `loop.run_fit`). `resume=True` continues a run from its
checkpoint (`resume`), whichever of `train` or `fit` started it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data.records import read_manifest
from ..models import model_spec
from ..runs import RunDir
from .backend import concrete_precision
from .config import DEFAULT_MODEL, TrainConfig, TrainingError, default_run_dir, resolve
from .data import load_training_data
from .distribute import check_batch_size, data_parallel
from .loop import run_fit
from .paradigms import resolve_paradigm
from .resume import resume_session
from .run_folder import printer, refuse_existing_run
from .session import Session, start_session
from .soft_targets import resolve_distillation
from .zoo import build_classifier


def train(config: TrainConfig) -> RunDir:
    """Train (or with `config.resume`, continue) a run; returns its run directory."""
    say = printer(config.verbose)
    pause_after = config.pause_after
    if pause_after is not None and (isinstance(pause_after, bool) or not isinstance(pause_after, int) or pause_after < 1):
        raise TrainingError(f"pause after must be a positive epoch number, not {pause_after!r}")
    with data_parallel(config.devices):  # --devices: models are built, loaded and fitted on all of them
        if config.resume:
            session = resume_session(config, say, restart=lambda *args: _restart(*args, say=say))
            if isinstance(session, RunDir):  # a resumed run that had already finished
                return session
        else:
            session = _new_session(config, say)
        return run_fit(session, verbose=config.verbose, say=say, pause_after=pause_after)


def _new_session(config: TrainConfig, say) -> Session:
    if config.data is None:
        raise TrainingError("no --data given: pass the folder written by `maskthefer build-dataset`")
    model_name = config.model or DEFAULT_MODEL
    spec = model_spec(model_name)  # unknown names fail here, before any data is read
    manifest = read_manifest(config.data)
    resolved = resolve(config, manifest, task=spec.task)
    resolved.update(resolve_paradigm(config, task=spec.task, pairs=resolved["pairs"]))
    resolved.update(resolve_distillation(config, task=spec.task))
    resolved["mixed_precision"] = concrete_precision(resolved["mixed_precision"])
    check_batch_size(resolved["batch_size"])
    run = RunDir(config.run_dir or default_run_dir(model_name, config.data))
    refuse_existing_run(run, overwrite=config.overwrite)
    attention_from = str(Path(config.attention_from).resolve()) if config.attention_from else None
    return _zoo_session(run, model_name, dict(config.model_args), resolved, config.data, attention_from,
                        overwrite=config.overwrite, say=say)


def _restart(run: RunDir, saved: dict[str, Any], resolved: dict[str, Any], data_dir, *, say) -> Session:
    """A run with no finished epoch, started again from its saved configuration."""
    if saved.get("model_source") == "fit":
        raise TrainingError(
            f"{run.path} was started by fit() with a model of its caller and has no finished epoch to resume "
            "from; call fit() again (with overwrite=True)"
        )
    return _zoo_session(run, saved["model"], dict(saved["model_args"]), resolved, data_dir,
                        saved.get("attention_from"), overwrite=True, say=say)


def _zoo_session(run, model_name, model_args, resolved, data_dir, attention_from, *, overwrite, say) -> Session:
    spec = model_spec(model_name)
    data = load_training_data(data_dir, spec.task, resolved, say=say)
    input_shape = tuple(resolved["input_shape"])

    def build():  # fills in model_args (FECN's mcn_config) before config.json records them
        return build_classifier(model_name, model_args, len(data.class_names), input_shape, attention_from, say)[0]

    record = {"model": model_name, "model_args": model_args, "task": spec.task, "attention_from": attention_from}
    return start_session(run, model_record=record, build=build, resolved=resolved, data=data, data_dir=data_dir,
                         overwrite=overwrite, say=say)

"""`train(config) -> RunDir`: the MaskTheFER recipe on a built dataset, any Keras backend, resumable.

    from maskthefer.training import TrainConfig, train
    run = train(TrainConfig(data="datasets/fer", model="vgg-lite", epochs=5, run_dir="runs/demo"))

A new run resolves the request against the paper's defaults (`config.resolve`), loads the data
(`data.prepare_data`), builds the classifier from the model registry and wraps it in the training model
(`model.build_training_model`), writes config.json, then fits; the callbacks keep the run directory current
after every epoch (`callbacks.RunRecorder`). `resume=True` reloads checkpoint.keras and state.json and
continues at the next epoch with the same batches, learning-rate state and best score.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ..data.records import read_manifest
from ..models import PREDICTIONS, create_model, model_spec
from ..provenance import code_version
from ..runs import RunDir, write_json
from .augment import describe, image_data_generator
from .backend import backend_name, concrete_precision, dtype_policy, seed_everything, versions
from .callbacks import (
    PlateauCallback,
    RunRecorder,
    restore_seed_states,
    save_model_atomically,
)
from .config import (
    DEFAULT_MODEL,
    RESUME_MUTABLE,
    Augmentation,
    TrainConfig,
    TrainingError,
    default_run_dir,
    parse_input_shape,
    resolve,
)
from .curves import read_history
from .data import BatchSequence, IDGTransform, TrainingData, prepare_data
from .distribute import check_batch_size, current_plan, data_parallel, even_batch_notes
from .distribute import record as distribution_record
from .model import (
    build_training_model,
    classifier_of,
    compile_training_model,
    fit_targets,
    output_names,
)
from .schedule import PlateauState

log = logging.getLogger(__name__)

RUN_FILES = ("config.json", "state.json", "best.keras", "last.keras", "checkpoint.keras", "history.csv", "curves.png")
RUN_DIRS = ("tensorboard", "evaluation", "explain")
VALIDATION_BATCH = 256  # inference only; larger batches are faster and give the same accuracy


@dataclass
class Session:
    """A run ready to fit: its configuration, data, models and where it stands."""

    run: RunDir
    config: dict[str, Any]
    data: TrainingData
    training_model: Any
    classifier: Any
    save_classifier: Callable[[Path], None]
    initial_epoch: int
    plateau: PlateauState
    history: list[dict[str, Any]]
    best: dict[str, Any]
    transform: IDGTransform | None = None  # host-side ImageDataGenerator for --augment idg


def train(config: TrainConfig) -> RunDir:
    """Train (or with `config.resume`, continue) a run; returns its run directory."""
    say = _printer(config.verbose)
    with data_parallel(config.devices):  # --devices: models are built, loaded and fitted on all of them
        session = _resume_session(config, say) if config.resume else _new_session(config, say)
        if isinstance(session, RunDir):  # a resumed run that had already finished
            return session
        return _fit(session, config, say)


# ---------------------------------------------------------------------------------------------- new runs


def _new_session(config: TrainConfig, say) -> Session:
    if config.data is None:
        raise TrainingError("no --data given: pass the folder written by `maskthefer build-dataset`")
    model_name = config.model or DEFAULT_MODEL
    spec = model_spec(model_name)  # unknown names fail here, before any data is read
    manifest = read_manifest(config.data)
    resolved = resolve(config, manifest, task=spec.task)
    resolved["mixed_precision"] = concrete_precision(resolved["mixed_precision"])
    check_batch_size(resolved["batch_size"])
    run = RunDir(config.run_dir or default_run_dir(model_name, config.data))
    _refuse_existing_run(run, overwrite=config.overwrite)
    attention_from = str(Path(config.attention_from).resolve()) if config.attention_from else None
    return _start_session(
        run, model_name, dict(config.model_args), resolved, config.data, attention_from,
        overwrite=config.overwrite, say=say,
    )


def _start_session(run, model_name, model_args, resolved, data_dir, attention_from, *, overwrite, say) -> Session:
    """Load data, build the models from scratch, write config.json: epoch 0 of a run."""
    spec = model_spec(model_name)
    transform = _host_transform(resolved)  # fails early when --augment idg has no TensorFlow
    data = prepare_data(
        data_dir,
        read_manifest(data_dir),
        task=spec.task,
        validation_fraction=resolved["validation_fraction"],
        validation_seed=resolved["validation_seed"],
        pairs=resolved["pairs"],
        test_split=resolved["test_split"],
    )
    seed_everything(resolved["seed"])
    input_shape = tuple(resolved["input_shape"])
    with dtype_policy(resolved["mixed_precision"]):
        classifier, model_args = _build_classifier(
            model_name, model_args, len(data.class_names), input_shape, attention_from, say
        )
        training_model = build_training_model(
            classifier,
            input_dtype="float32" if resolved["augment"] == "idg" else "uint8",
            augmentation=resolved["augmentation"] if resolved["augment"] == "layers" else None,
            seed=resolved["seed"],
        )
        compile_training_model(training_model, classifier, resolved, jit_compile="auto")

    if overwrite:
        _clear_run(run)  # only now: a request that fails above leaves the old run untouched
    run.path.mkdir(parents=True, exist_ok=True)
    full = _run_config(model_name, model_args, spec.task, data, data_dir, resolved, attention_from, classifier)
    write_json(run.config_path, full)
    plateau = PlateauState(
        lr=resolved["lr"],
        factor=resolved["plateau_factor"],
        patience=resolved["plateau_patience"],
        min_lr=resolved["min_lr"],
        min_delta=resolved["plateau_min_delta"],
    )
    return Session(
        run, full, data, training_model, classifier, _classifier_saver(classifier, resolved["mixed_precision"]),
        0, plateau, [], {"val_accuracy": None, "epoch": None}, transform,
    )


def _host_transform(resolved: dict[str, Any]) -> IDGTransform | None:
    if resolved["augment"] != "idg":
        return None
    return IDGTransform(image_data_generator(Augmentation(**resolved["augmentation"])), resolved["seed"])


def _build_classifier(model_name, model_args, num_classes, input_shape, attention_from, say):
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
    _check_model_args(model_name, model_args)
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


def _check_model_args(model_name: str, model_args: dict[str, Any]) -> None:
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


def _run_config(model_name, model_args, task, data, data_dir, resolved, attention_from, classifier) -> dict[str, Any]:
    """config.json: the runs.py keys first, then every resolved training setting."""
    height, width, _ = resolved["input_shape"]
    config = {
        "model": model_name,
        "model_args": json.loads(json.dumps(model_args)),
        "task": task,
        "class_names": list(data.class_names),
        "num_classes": len(data.class_names),
        "input_shape": list(resolved["input_shape"]),
        "data": str(Path(data_dir).resolve()),
        "seed": resolved["seed"],
        "batch_size": resolved["batch_size"],
        "epochs": resolved["epochs"],
        "backend": backend_name(),
        "versions": versions(),
    }
    config.update({k: v for k, v in resolved.items() if k not in config})
    augmentation = describe(Augmentation(**resolved["augmentation"]), resolved["augment"], height, width)
    config["augmentation_layers"] = augmentation.get("layer_arguments")
    config["attention_from"] = attention_from
    config["distribution"] = distribution_record()
    config["counts"] = data.counts()
    config["classifier_layer"] = classifier.name
    config["parameters"] = int(classifier.count_params())
    config["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    config["code"] = code_version()  # the commit that trained it (results files quote it)
    return config


def _classifier_saver(classifier, mixed_precision: str | None) -> Callable[[Path], None]:
    """How best/last.keras are written: the bare classifier, always as a float32 model.

    Under mixed precision the live classifier computes in bf16; a float32 twin receives its weights before
    each save, so evaluation loads a plain float32 model on any device.
    """
    if not mixed_precision:
        return lambda path: save_model_atomically(classifier, path)
    with dtype_policy(None):
        twin = type(classifier).from_config(classifier.get_config())

    def save(path: Path) -> None:
        twin.set_weights(classifier.get_weights())
        save_model_atomically(twin, path)

    return save


def _refuse_existing_run(run: RunDir, *, overwrite: bool) -> None:
    if run.path.exists() and not run.path.is_dir():
        raise TrainingError(f"run directory {run.path} is a file")
    present = [name for name in RUN_FILES + RUN_DIRS if (run.path / name).exists()]
    if present and not overwrite:
        raise TrainingError(
            f"{run.path} already holds a run ({', '.join(present)}); pass --overwrite to replace it, --resume to "
            "continue it, or choose another --run-dir"
        )


def _clear_run(run: RunDir) -> None:
    """Delete a previous run's files - only the run contract's names, never anything else in the folder."""
    for name in RUN_FILES:
        (run.path / name).unlink(missing_ok=True)
    for name in RUN_DIRS:
        if (run.path / name).is_dir():
            shutil.rmtree(run.path / name)


# ------------------------------------------------------------------------------------------------ resume


def _resume_session(config: TrainConfig, say) -> Session | RunDir:
    model_name = config.model or DEFAULT_MODEL
    if config.run_dir is None and config.data is None:
        raise TrainingError("--resume needs --run-dir (or the --model and --data that named the run)")
    run = RunDir(config.run_dir or default_run_dir(model_name, config.data))
    if not run.path.is_dir():
        raise TrainingError(f"cannot resume: run directory {run.path} does not exist")
    saved = run.read_config()
    state = run.read_state()
    _check_resume_request(config, saved)
    for leftover in [*run.path.glob(".tmp-*"), *run.path.glob("*.tmp")]:  # half-written files of a killed run
        leftover.unlink()
    data_dir = config.data or saved["data"]
    manifest = read_manifest(data_dir)
    _check_resumed_data(run, saved, manifest, data_dir)

    done = int(state.get("epochs_done", 0))
    resolved = {key: saved[key] for key in _resolved_keys(saved)}
    resolved["epochs"] = int(config.epochs or saved["epochs"])
    if resolved["epochs"] < done:
        raise TrainingError(f"{run.path} has already finished {done} epochs; --epochs {resolved['epochs']} is fewer")
    if config.steps_per_epoch is not None:
        resolved["steps_per_epoch"] = config.steps_per_epoch
    if config.workers is not None:
        resolved["workers"] = config.workers
    if done >= resolved["epochs"]:
        say(f"{run.path} has finished all {done} epochs; nothing to resume (pass a larger --epochs to extend it)")
        return run
    if done == 0 or not run.checkpoint_path.is_file():
        say(f"{run.path} has no finished epoch; starting it again with its saved configuration")
        return _start_session(
            run, saved["model"], dict(saved["model_args"]), resolved, data_dir, saved.get("attention_from"),
            overwrite=True, say=say,
        )

    spec = model_spec(saved["model"])
    transform = _host_transform(resolved)
    data = prepare_data(
        data_dir,
        manifest,
        task=spec.task,
        validation_fraction=resolved["validation_fraction"],
        validation_seed=resolved["validation_seed"],
        pairs=resolved["pairs"],
        test_split=resolved["test_split"],
    )
    # Zoo models rebuild from their constructor arguments, which carry no dtype policy: load under the run's
    # policy, or a bf16 run would continue in float32.
    with dtype_policy(resolved["mixed_precision"]):
        training_model = keras.saving.load_model(run.checkpoint_path)
    classifier = classifier_of(training_model, saved["classifier_layer"])
    optimizer = training_model.optimizer
    iterations = int(keras.ops.convert_to_numpy(optimizer.iterations))
    if iterations != state.get("optimizer_iterations", iterations):
        log.warning("checkpoint is at step %d but state.json says %s", iterations, state.get("optimizer_iterations"))
    compile_training_model(training_model, classifier, resolved, jit_compile="auto", optimizer=optimizer)
    if not restore_seed_states(training_model, state.get("seed_states")):
        log.warning("random seed states not restored: dropout and augmentation draws differ from an uninterrupted run")

    resumed = int(saved.get("resumed", 0)) + 1
    saved.update(epochs=resolved["epochs"], data=str(Path(data_dir).resolve()), resumed=resumed,
                 distribution=distribution_record())
    write_json(run.config_path, saved)
    history = [row for row in read_history(run.history_path) if row["epoch"] <= done]
    say(f"resuming {run.path} at epoch {done + 1}/{resolved['epochs']} (optimizer step {iterations})")
    return Session(
        run, {**saved, **resolved}, data, training_model, classifier,
        _classifier_saver(classifier, resolved["mixed_precision"]), done,
        PlateauState.from_dict(state["plateau"]), history,
        {"val_accuracy": state.get("best_val_accuracy"), "epoch": state.get("best_epoch")}, transform,
    )


def _resolved_keys(saved: dict[str, Any]) -> list[str]:
    keys = [
        "epochs", "batch_size", "lr", "momentum", "nesterov", "legacy_decay", "plateau_factor", "plateau_patience",
        "plateau_min_delta", "min_lr", "validation_fraction", "validation_seed", "seed", "augment", "augmentation",
        "input_shape", "mixed_precision", "pairs", "steps_per_epoch", "workers", "loss", "optimizer", "dataset_kind",
        "test_split",
    ]
    missing = [key for key in keys if key not in saved]
    if missing:
        raise TrainingError(
            f"config.json lacks {missing}; the run was not written by this version of `maskthefer train`"
        )
    return keys


def _check_resume_request(config: TrainConfig, saved: dict[str, Any]) -> None:
    """A resumed run keeps its configuration: any other explicit setting must equal the saved one."""

    def same(a, b) -> bool:
        return json.loads(json.dumps(a)) == json.loads(json.dumps(b))

    for name, value in config.explicit().items():
        if name in RESUME_MUTABLE:
            continue
        if name == "model_args":
            saved_args = saved.get("model_args", {})
            changed = {k: v for k, v in value.items() if not same(v, saved_args.get(k))}
            if changed:
                raise TrainingError(
                    f"--model-arg {changed} differs from the run's model_args {saved_args}; a resumed run keeps "
                    "its configuration"
                )
            continue
        saved_value = saved.get(name)
        if name == "augmentation":
            value = asdict(value)
        elif name == "input_shape":
            value = list(parse_input_shape(value))
        elif name == "attention_from":
            value = str(Path(value).resolve())
        elif name == "mixed_precision":
            value = concrete_precision(None if value in ("", "none", "off", "float32") else value)
        if not same(value, saved_value):
            raise TrainingError(
                f"{name} {value!r} differs from the run's saved {saved_value!r}; a resumed run keeps its configuration "
                "(leave the option out, or start a new run)"
            )


def _check_resumed_data(run: RunDir, saved: dict[str, Any], manifest: dict[str, Any], data_dir) -> None:
    crop = (int(manifest["crop"]["height"]), int(manifest["crop"]["width"]))
    trained = tuple(saved["input_shape"][:2])
    if crop != trained:
        raise TrainingError(
            f"{data_dir} holds {crop[0]}x{crop[1]} crops but run {run.path} was trained on {trained[0]}x{trained[1]} "
            "input; resume with the dataset it was trained on"
        )
    if saved.get("task") == "expression" and list(manifest["class_names"]) != list(saved["class_names"]):
        raise TrainingError(
            f"{data_dir} has classes {manifest['class_names']} but run {run.path} was trained on {saved['class_names']}"
        )


# ------------------------------------------------------------------------------------------------- fitting


def _fit(session: Session, config: TrainConfig, say) -> RunDir:
    cfg, data, run = session.config, session.data, session.run
    classifier = session.classifier
    targets = fit_targets(classifier)
    num_classes = len(data.class_names)
    check_batch_size(cfg["batch_size"])
    plan = current_plan()
    train_batches = BatchSequence(
        data.train, num_classes=num_classes, batch_size=cfg["batch_size"], repeat=True, seed=cfg["seed"],
        first_epoch=session.initial_epoch, targets=targets, max_batches=cfg["steps_per_epoch"],
        transform=session.transform, workers=cfg["workers"], batch_multiple=plan.batch_multiple,
    )
    val_batches = BatchSequence(
        data.validation, num_classes=num_classes, batch_size=max(cfg["batch_size"], VALIDATION_BATCH), repeat=False,
        targets=targets, batch_multiple=plan.batch_multiple,
    )
    plateau = PlateauCallback(session.plateau)
    recorder = RunRecorder(
        run, classifier=classifier, plateau=plateau, epochs=cfg["epochs"], decay=cfg["legacy_decay"],
        history=session.history, best=session.best, save_classifier=session.save_classifier,
        title=f"{cfg['model']} on {Path(cfg['data']).name}", say=say,
    )
    callbacks: list = [plateau, recorder, *_tensorboard(run, say)]
    counts = ", ".join(f"{k} {v}" for k, v in data.counts().items())
    say(
        f"training {cfg['model']} ({cfg['parameters']:,} parameters) on {backend_name()}{plan.describe()}: "
        f"{counts}; batch "
        f"{cfg['batch_size']}, {train_batches.batches_per_epoch} steps/epoch, augment {cfg['augment']}, lr {cfg['lr']} "
        f"(legacy decay {cfg['legacy_decay']:g}), run dir {run.path}"
    )
    for note in even_batch_notes(train_batches, val_batches):
        say(note)
    try:
        session.training_model.fit(
            train_batches,
            validation_data=val_batches,
            epochs=cfg["epochs"],
            initial_epoch=session.initial_epoch,
            steps_per_epoch=train_batches.batches_per_epoch,
            shuffle=False,  # BatchSequence shuffles per epoch itself, reproducibly
            callbacks=callbacks,
            verbose=1 if config.verbose >= 2 else 0,
        )
    except KeyboardInterrupt:
        say(f"interrupted; continue with: maskthefer train --resume --run-dir {run.path}")
        raise
    return _finish(session, recorder, say)


def _tensorboard(run: RunDir, say) -> list:
    """Keras' TensorBoard callback where it can work: the TensorFlow backend with `tensorboard` installed."""
    if backend_name() != "tensorflow":
        say(f"TensorBoard logs skipped: Keras writes them through TensorFlow, and this run uses {backend_name()}")
        return []
    if importlib.util.find_spec("tensorboard") is None:
        say("TensorBoard logs skipped: the tensorboard package is not installed (pip install tensorboard)")
        return []
    return [keras.callbacks.TensorBoard(log_dir=str(run.tensorboard_dir), write_graph=False, profile_batch=0)]


def _finish(session: Session, recorder: RunRecorder, say) -> RunDir:
    """Test accuracy of the best model, final state.json and the closing summary line."""
    run, data, cfg = session.run, session.data, session.config
    epochs_done = session.history[-1]["epoch"] if session.history else session.initial_epoch
    test_accuracy = None
    if data.test is not None and len(data.test) and run.best_model_path.is_file():
        test_accuracy = _test_accuracy(run.best_model_path, data)
    all_seconds = [row["seconds"] for row in session.history]
    seconds = float(np.mean(all_seconds)) if all_seconds else None
    iterations = int(keras.ops.convert_to_numpy(session.training_model.optimizer.iterations))
    write_json(
        run.state_path,
        recorder.state(
            epochs_done, iterations, test_accuracy=test_accuracy, test_split=cfg["test_split"],
            seconds_per_epoch=seconds,
        ),
    )
    best = recorder.best
    parts = [f"best val_acc {best['val_accuracy']:.4f} (epoch {best['epoch']})"] if best["epoch"] else ["no epoch"]
    if test_accuracy is not None:
        parts.append(f"test acc {test_accuracy:.4f} on {len(data.test)} '{cfg['test_split']}' images")
    else:
        parts.append(f"no '{cfg['test_split']}' split to test on")
    if seconds is not None:
        parts.append(f"{seconds:.1f} s/epoch")
    say("done: " + ", ".join(parts) + f"; run in {run.path}")
    return run


def _test_accuracy(model_path: Path, data: TrainingData) -> float:
    model = keras.saving.load_model(model_path, compile=False)
    channels = int(model.inputs[0].shape[-1])
    names = output_names(model)
    correct = 0
    for start in range(0, len(data.test), VALIDATION_BATCH):
        x = data.test.images[start : start + VALIDATION_BATCH, ..., None].astype(np.float32) / 255.0
        if channels == 3:
            x = np.repeat(x, 3, axis=-1)
        out = model(x, training=False)
        if isinstance(out, dict):
            out = out[PREDICTIONS]
        elif isinstance(out, (list, tuple)):
            out = out[names.index(PREDICTIONS)]
        probs = out
        predicted = np.argmax(keras.ops.convert_to_numpy(probs), axis=-1)
        correct += int((predicted == data.test.labels[start : start + VALIDATION_BATCH]).sum())
    return correct / len(data.test)


def _printer(verbose: int) -> Callable[[str], None]:
    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    return say

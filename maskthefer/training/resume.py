"""`--resume`: a run continued from checkpoint.keras and state.json, with the configuration it was started with.

The classifier's weights, the optimizer's step count and momenta, the plateau state, the best score and the
random seed states all come back, so the resumed epochs see the batches, augmentations and learning rates of
an uninterrupted run. `--init-from` is not applied again (the checkpoint holds the weights), `--trainable` is
(Keras does not save which layers were frozen inside a zoo model), for `--paradigm cl|kd` runs too. A run
that never finished an epoch is started again from its saved configuration. Settings added after a run was
written (the recipe options) take the values such a run trained with (`NEWER_KEYS_DEFAULTS`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import keras

from ..data.records import read_manifest
from ..runs import RunDir, write_json
from .backend import concrete_precision, dtype_policy
from .callbacks import restore_seed_states
from .config import (
    DEFAULT_MODEL,
    NEWER_KEYS_DEFAULTS,
    RESUME_MUTABLE,
    TrainConfig,
    TrainingError,
    default_run_dir,
    parse_input_shape,
)
from .curves import read_history
from .data import load_training_data
from .distribute import record as distribution_record
from .model import classifier_of, compile_training_model
from .paradigms import PARADIGM_DEFAULTS
from .paradigms.session import paradigm_of
from .schedule import PlateauState
from .session import Session, classifier_saver, host_transform, make_train_batches
from .soft_targets import DISTILL_DEFAULTS
from .trainable import set_trainable

log = logging.getLogger(__name__)

# The settings config.json has held since resume existed; a file without them was not written by `train`.
RESOLVED_KEYS = (
    "epochs", "batch_size", "lr", "momentum", "nesterov", "legacy_decay", "plateau_factor", "plateau_patience",
    "plateau_min_delta", "min_lr", "validation_fraction", "validation_seed", "seed", "augment", "augmentation",
    "input_shape", "mixed_precision", "pairs", "steps_per_epoch", "workers", "loss", "optimizer", "dataset_kind",
    "test_split",
)


def resume_session(config: TrainConfig, say, restart: Callable[..., Session]) -> Session | RunDir:
    """The session of the run in `config.run_dir` at its next epoch (or the run itself when it has finished).

    `restart(run, saved, resolved, data_dir)` starts a run that has no finished epoch again.
    """
    model_name = config.model or DEFAULT_MODEL
    if config.run_dir is None and config.data is None:
        raise TrainingError("--resume needs --run-dir (or the --model and --data that named the run)")
    run = RunDir(config.run_dir or default_run_dir(model_name, config.data))
    if not run.path.is_dir():
        raise TrainingError(f"cannot resume: run directory {run.path} does not exist")
    # Older runs: standard paradigm, masked crops, no --distill-from.
    saved = {**NEWER_KEYS_DEFAULTS, **PARADIGM_DEFAULTS, **DISTILL_DEFAULTS, **run.read_config()}
    state = run.read_state()
    check_resume_request(config, saved)
    for leftover in [*run.path.glob(".tmp-*"), *run.path.glob("*.tmp")]:  # half-written files of a killed run
        leftover.unlink()
    data_dir = config.data or saved["data"]
    manifest = read_manifest(data_dir)
    check_resumed_data(run, saved, manifest, data_dir)

    done = int(state.get("epochs_done", 0))
    resolved = {key: saved[key] for key in resolved_keys(saved)}
    resolved.update({key: saved[key] for key in (*NEWER_KEYS_DEFAULTS, *PARADIGM_DEFAULTS, *DISTILL_DEFAULTS)})
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
    if config.pause_after is not None and done >= config.pause_after:
        say(f"{run.path} has finished {done} of {resolved['epochs']} epochs, --pause-after {config.pause_after} "
            "included; nothing to train now")
        return run
    if done == 0 or not run.checkpoint_path.is_file():
        say(f"{run.path} has no finished epoch; starting it again with its saved configuration")
        return restart(run, saved, resolved, data_dir)

    transform = host_transform(resolved)
    data = load_training_data(data_dir, saved["task"], resolved, say=say)
    paradigm = paradigm_of(resolved)
    # Zoo models rebuild from their constructor arguments, which carry no dtype policy: load under the run's
    # policy, or a bf16 run would continue in float32.
    with dtype_policy(resolved["mixed_precision"]):
        training_model = keras.saving.load_model(run.checkpoint_path, compile=False)
        if paradigm is not None:  # the wrapper holds a view of the classifier: rebuild it, synced before saves
            classifier, sync = paradigm.restore(training_model, saved, saved_classifier=run.last_model_path)
            batches = make_train_batches(data, resolved, classifier, done, transform)
            paradigm.compile(training_model, resolved, steps_per_epoch=batches.batches_per_epoch)
            save_classifier = synced_saver(sync, classifier_saver(classifier, resolved["mixed_precision"]))
        else:
            classifier = classifier_of(training_model, saved["classifier_layer"])
            set_trainable(classifier, resolved["trainable"])
            batches = make_train_batches(data, resolved, classifier, done, transform)
            compile_training_model(
                training_model, classifier, resolved, steps_per_epoch=batches.batches_per_epoch, jit_compile="auto"
            )
            save_classifier = classifier_saver(classifier, resolved["mixed_precision"])
    iterations = restore_optimizer(training_model, run.checkpoint_path, state)
    if not restore_seed_states(training_model, state.get("seed_states")):
        log.warning("random seed states not restored: dropout and augmentation draws differ from an uninterrupted run")

    resumed = int(saved.get("resumed", 0)) + 1
    on_disk = run.read_config()  # rewritten with only what changed: keys it lacked stay absent
    on_disk.update(epochs=resolved["epochs"], data=str(Path(data_dir).resolve()), resumed=resumed,
                   distribution=distribution_record())
    write_json(run.config_path, on_disk)
    history = [row for row in read_history(run.history_path) if row["epoch"] <= done]
    say(f"resuming {run.path} at epoch {done + 1}/{resolved['epochs']} (optimizer step {iterations})")
    return Session(
        run, {**saved, **on_disk, **resolved}, data, training_model, classifier, save_classifier, done,
        PlateauState.from_dict(state["plateau"]), history,
        {"val_accuracy": state.get("best_val_accuracy"), "epoch": state.get("best_epoch")}, batches, transform,
    )


def synced_saver(sync: Callable[[], None], save: Callable[[Path], None]) -> Callable[[Path], None]:
    """`save`, after `sync` has copied the training wrapper's weights into the classifier it saves."""

    def synced(path: Path) -> None:
        sync()
        save(path)

    return synced


def restore_optimizer(training_model, checkpoint: Path, state: dict[str, Any]) -> int:
    """Load the checkpoint's optimizer state (and weights) into the freshly compiled `training_model`.

    The optimizer is built on the trainable variables first, as it was when the checkpoint was saved, so its
    slots line up; Keras would otherwise skip them with a warning and the run would restart at step 0.
    """
    training_model.optimizer.build(training_model.trainable_variables)
    training_model.load_weights(checkpoint)
    iterations = int(keras.ops.convert_to_numpy(training_model.optimizer.iterations))
    expected = state.get("optimizer_iterations")
    if expected is not None and iterations != int(expected):
        raise TrainingError(
            f"{checkpoint} restored the optimizer at step {iterations}, but state.json says {expected}: the "
            "checkpoint does not match the run's state"
        )
    return iterations


def resolved_keys(saved: dict[str, Any]) -> tuple[str, ...]:
    missing = [key for key in RESOLVED_KEYS if key not in saved]
    if missing:
        raise TrainingError(
            f"config.json lacks {missing}; the run was not written by this version of `maskthefer train`"
        )
    return RESOLVED_KEYS


def check_resume_request(config: TrainConfig, saved: dict[str, Any]) -> None:
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
        elif name in ("attention_from", "init_from", "teacher", "distill_from"):
            value = str(Path(value).resolve())
        elif name == "mixed_precision":
            value = concrete_precision(None if value in ("", "none", "off", "float32") else value)
        elif isinstance(saved_value, float) and isinstance(value, (int, float)):
            value = float(value)
        if not same(value, saved_value):
            raise TrainingError(
                f"{name} {value!r} differs from the run's saved {saved_value!r}; a resumed run keeps its configuration "
                "(leave the option out, or start a new run)"
            )


def check_resumed_data(run: RunDir, saved: dict[str, Any], manifest: dict[str, Any], data_dir) -> None:
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

"""Fitting a `Session`: Keras' fit with the run's callbacks, then the closing test score and state.json."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import keras
import numpy as np

from ..runs import RunDir, write_json
from .backend import backend_name
from .callbacks import PlateauCallback, RunRecorder
from .data import BatchSequence
from .distribute import check_batch_size, current_plan, even_batch_notes
from .model import fit_targets
from .paradigms.session import paradigm_of
from .schedule import effective_lr, schedule_steps, step_lr
from .scoring import INFERENCE_BATCH, test_accuracy
from .session import Session


def run_fit(session: Session, *, verbose: int, say, pause_after: int | None = None) -> RunDir:
    """Train `session` from its initial epoch to its configured epochs, or only up to epoch `pause_after` of
    that schedule (checkpointed, resumable); returns its run directory."""
    cfg, data, run = session.config, session.data, session.run
    classifier = session.classifier
    check_batch_size(cfg["batch_size"])
    plan = current_plan()
    train_batches = session.train_batches
    paradigm = paradigm_of(cfg)
    make = BatchSequence if paradigm is None else paradigm.validation_batches  # cl/kd: stacked crop pairs
    val_batches = make(
        data.validation, num_classes=len(data.class_names), batch_size=max(cfg["batch_size"], INFERENCE_BATCH),
        repeat=False, targets=fit_targets(classifier) if paradigm is None else paradigm.targets,
        batch_multiple=plan.batch_multiple,
    )
    schedule = cfg.get("schedule", "plateau")
    plateau = PlateauCallback(session.plateau, active=schedule == "plateau")
    recorder = RunRecorder(
        run, classifier=classifier, plateau=plateau, epochs=cfg["epochs"], decay=cfg["legacy_decay"],
        history=session.history, best=session.best, save_classifier=session.save_classifier,
        title=f"{cfg['model']} on {Path(cfg['data']).name}", say=say,
        rate_at=None if schedule == "plateau" else _scheduled_rate(cfg, train_batches.batches_per_epoch),
    )
    callbacks: list = [plateau, recorder, *_tensorboard(run, say)]
    counts = ", ".join(f"{k} {v}" for k, v in data.counts().items())
    say(
        f"training {cfg['model']} ({cfg['parameters']:,} parameters) on {backend_name()}{plan.describe()}: "
        f"{counts}; batch {cfg['batch_size']}, {train_batches.batches_per_epoch} steps/epoch, augment "
        f"{cfg['augment']}, {_describe_recipe(cfg)}, run dir {run.path}"
    )
    for note in even_batch_notes(train_batches, val_batches):
        say(note)
    stop = cfg["epochs"] if pause_after is None else min(cfg["epochs"], pause_after)
    try:
        session.training_model.fit(
            train_batches,
            validation_data=val_batches,
            epochs=stop,  # the schedule itself (learning rates, state.json's "finished") stays cfg["epochs"]
            initial_epoch=session.initial_epoch,
            steps_per_epoch=train_batches.batches_per_epoch,
            shuffle=False,  # BatchSequence shuffles per epoch itself, reproducibly
            callbacks=callbacks,
            verbose=1 if verbose >= 2 else 0,
        )
    except KeyboardInterrupt:
        say(f"interrupted; continue with: maskthefer train --resume --run-dir {run.path}")
        raise
    if stop < cfg["epochs"]:
        say(f"paused after epoch {stop} of {cfg['epochs']}; continue with: maskthefer train --resume --run-dir {run.path}")
    return finish(session, recorder, say)


def _describe_recipe(cfg) -> str:
    schedule = cfg.get("schedule", "plateau")
    parts = [f"{cfg.get('optimizer', 'sgd')} lr {cfg['lr']}", f"{schedule} schedule"]
    if cfg["legacy_decay"]:
        parts.append(f"legacy decay {cfg['legacy_decay']:g}")
    if cfg.get("weight_decay"):
        parts.append(f"weight decay {cfg['weight_decay']:g}")
    if cfg.get("label_smoothing"):
        parts.append(f"label smoothing {cfg['label_smoothing']:g}")
    if cfg.get("trainable", "all") != "all":
        parts.append(f"trainable {cfg['trainable']}")
    return ", ".join(parts)


def _scheduled_rate(cfg, steps_per_epoch: int):
    """rate(step) of the run's per-step schedule, legacy decay included (what history.csv records); the
    optimizer's `StepSchedule` computes the same inside the train step (tested against `step_lr`)."""
    total, warmup = schedule_steps(cfg, steps_per_epoch)

    def rate(step: int) -> float:
        return effective_lr(step_lr(cfg["schedule"], cfg["lr"], step, total, warmup), step, cfg["legacy_decay"])

    return rate


def _tensorboard(run: RunDir, say) -> list:
    """Keras' TensorBoard callback where it can work: the TensorFlow backend with `tensorboard` installed."""
    if backend_name() != "tensorflow":
        say(f"TensorBoard logs skipped: Keras writes them through TensorFlow, and this run uses {backend_name()}")
        return []
    if importlib.util.find_spec("tensorboard") is None:
        say("TensorBoard logs skipped: the tensorboard package is not installed (pip install tensorboard)")
        return []
    return [keras.callbacks.TensorBoard(log_dir=str(run.tensorboard_dir), write_graph=False, profile_batch=0)]


def finish(session: Session, recorder: RunRecorder, say) -> RunDir:
    """Test accuracy of the best model, final state.json and the closing summary line."""
    run, data, cfg = session.run, session.data, session.config
    epochs_done = session.history[-1]["epoch"] if session.history else session.initial_epoch
    score = None
    if data.test is not None and len(data.test) and run.best_model_path.is_file():
        score = test_accuracy(run.best_model_path, data)
    all_seconds = [row["seconds"] for row in session.history]
    seconds = float(np.mean(all_seconds)) if all_seconds else None
    iterations = int(keras.ops.convert_to_numpy(session.training_model.optimizer.iterations))
    write_json(
        run.state_path,
        recorder.state(
            epochs_done, iterations, test_accuracy=score, test_split=cfg["test_split"], seconds_per_epoch=seconds,
        ),
    )
    best = recorder.best
    parts = [f"best val_acc {best['val_accuracy']:.4f} (epoch {best['epoch']})"] if best["epoch"] else ["no epoch"]
    if score is not None:
        parts.append(f"test acc {score:.4f} on {len(data.test)} '{cfg['test_split']}' images")
    else:
        parts.append(f"no '{cfg['test_split']}' split to test on")
    if seconds is not None:
        parts.append(f"{seconds:.1f} s/epoch")
    say("done: " + ", ".join(parts) + f"; run in {run.path}")
    return run

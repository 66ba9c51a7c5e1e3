"""Keras callbacks of a run: the plateau schedule and the recorder that keeps the run directory current.

After every finished epoch the recorder writes, in this order: history.csv, last.keras, best.keras (when the
validation accuracy improved), checkpoint.keras (the compiled training model with optimizer state) and
finally state.json. Each file is replaced atomically, and state.json - written last - is what --resume
trusts, so a run killed at any moment resumes from its last finished epoch.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ..runs import RunDir, write_json
from .config import TrainingError
from .curves import plot_curves, write_history
from .model import accuracy_key
from .schedule import PlateauState, effective_lr

STANDARD_LOG_KEYS = {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"}


def save_model_atomically(model, path: Path) -> None:
    """`model.save` to a temporary `.keras` name, then rename (Keras insists on the suffix)."""
    tmp = path.with_name(".tmp-" + path.name)
    model.save(tmp)
    os.replace(tmp, path)


def seed_states(model) -> list[list[int]]:
    """The state of every random seed generator in `model` (dropout, augmentation), in model order.

    Keras does not save these in .keras files; state.json keeps them so that a resumed run draws the same
    dropout masks and augmentations as an uninterrupted one.
    """
    return [
        [int(x) for x in keras.ops.convert_to_numpy(v)] for v in model.variables if v.name == "seed_generator_state"
    ]


def restore_seed_states(model, states: list[list[int]] | None) -> bool:
    variables = [v for v in model.variables if v.name == "seed_generator_state"]
    if not states or len(states) != len(variables):
        return False
    for variable, value in zip(variables, states):
        variable.assign(np.asarray(value, dtype=variable.dtype))
    return True


class PlateauCallback(keras.callbacks.Callback):
    """ReduceLROnPlateau on validation accuracy driven by a saveable `PlateauState`.

    The state's `lr` is the base rate the optimizer holds; `LegacyDecaySGD` applies the time decay on top.
    `reduced` tells whether the epoch just ended lowered it (RunRecorder reports it under the epoch's line).
    With `active=False` (per-step schedules own the rate) it leaves the optimizer alone.
    """

    def __init__(self, state: PlateauState, active: bool = True):
        super().__init__()
        self.state = state
        self.active = active
        self.reduced = False

    def on_train_begin(self, logs=None):
        if self.active:
            self.model.optimizer.learning_rate = self.state.lr

    def on_epoch_end(self, epoch, logs=None):
        if not self.active:
            return
        logs = logs or {}
        key = accuracy_key(logs, "val_")
        if key is None:
            raise TrainingError(f"no validation accuracy in the epoch logs ({sorted(logs)})")
        self.reduced = self.state.update(float(logs[key]))
        if self.reduced:
            self.model.optimizer.learning_rate = self.state.lr


# A loss beyond this is divergence, whatever the model: a clipped cross-entropy is at most ln(1e7) ≈ 16 per face.
DIVERGED_LOSS = 1e6


class RunRecorder(keras.callbacks.Callback):
    """Writes history, models, checkpoint, state and curves of every finished epoch; prints one line."""

    def __init__(
        self,
        run: RunDir,
        *,
        classifier,
        plateau: PlateauCallback,
        epochs: int,
        decay: float,
        history: list[dict[str, Any]],
        best: dict[str, Any],
        save_classifier: Callable[[Path], None],
        title: str = "",
        say: Callable[[str], None] = print,
        rate_at: Callable[[int], float] | None = None,
    ):
        super().__init__()
        self.run = run
        self.classifier = classifier
        self.plateau = plateau
        self.epochs = epochs
        self.decay = decay
        self.history = history
        self.best = dict(best)  # {"val_accuracy": float | None, "epoch": int | None}
        self.save_classifier = save_classifier
        self.title = title
        self.say = say
        self.rate_at = rate_at  # per-step schedules: the rate of update `step`, legacy decay included
        self.session_seconds: list[float] = []
        self._started = 0.0
        self._lr = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()
        if self.rate_at is None:
            self._lr = self.plateau.state.lr  # the base rate used throughout this epoch
        else:
            self._lr = self.rate_at(int(keras.ops.convert_to_numpy(self.model.optimizer.iterations)))

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        self._refuse_divergence(epoch + 1, logs)
        seconds = time.perf_counter() - self._started
        self.session_seconds.append(seconds)
        iterations = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        row = self._row(epoch + 1, logs, seconds, iterations)
        self.history.append(row)
        write_history(self.run.history_path, self.history)

        self.save_classifier(self.run.last_model_path)
        val_accuracy = row["val_accuracy"]
        improved = self.best["val_accuracy"] is None or val_accuracy > self.best["val_accuracy"]
        if improved:
            self.best = {"val_accuracy": val_accuracy, "epoch": epoch + 1}
            self.save_classifier(self.run.best_model_path)
        save_model_atomically(self.model, self.run.checkpoint_path)
        write_json(self.run.state_path, self.state(epoch + 1, iterations))
        plot_curves(self.run.curves_path, self.history, self.title)
        self.say(self._line(row, improved))
        if self.plateau.reduced:  # row["lr"] is the rate this epoch ran with
            self.say(f"  plateau: learning rate {row['lr']:.4g} -> {self.plateau.state.lr:.4g} from the next epoch")

    def _refuse_divergence(self, epoch: int, logs: dict[str, Any]) -> None:
        """Stop a run whose loss is no longer a number (or has blown up) before the epoch is saved: its weights
        are garbage, and a run that "finished" on them would only look like a bad result."""
        loss = float(logs.get("loss", 0.0))
        if math.isfinite(loss) and abs(loss) <= DIVERGED_LOSS:
            return
        kept = f"kept at epoch {epoch - 1}" if epoch > 1 else "left without a finished epoch"
        raise TrainingError(
            f"training diverged in epoch {epoch}: loss {loss:.4g} at learning rate {self._lr:.4g}; the run in "
            f"{self.run.path} is {kept}. Start it again with a lower --lr (and --overwrite)"
        )

    def state(self, epochs_done: int, iterations: int, **extra) -> dict[str, Any]:
        return {
            "epochs_done": epochs_done,
            "epochs": self.epochs,
            "optimizer_iterations": iterations,
            "plateau": self.plateau.state.to_dict(),
            "best_val_accuracy": self.best["val_accuracy"],
            "best_epoch": self.best["epoch"],
            "finished": epochs_done >= self.epochs,
            "seed_states": seed_states(self.model),
            **extra,
        }

    def _row(self, epoch: int, logs: dict[str, Any], seconds: float, iterations: int) -> dict[str, Any]:
        train_key, val_key = accuracy_key(logs), accuracy_key(logs, "val_")
        row = {
            "epoch": epoch,
            "loss": float(logs["loss"]),
            "accuracy": float(logs[train_key]) if train_key else math.nan,
            "val_loss": float(logs.get("val_loss", math.nan)),
            "val_accuracy": float(logs[val_key]) if val_key else math.nan,
            "lr": self._lr,
            "lr_end": self._last_rate(max(iterations - 1, 0)),  # rate of the epoch's last update
            "seconds": seconds,
        }
        for key, value in logs.items():  # per-output losses of multi-output models
            if key not in STANDARD_LOG_KEYS and key not in (train_key, val_key) and np.isscalar(value):
                row[key] = float(value)
        return row

    def _last_rate(self, step: int) -> float:
        if self.rate_at is None:
            return effective_lr(self._lr, step, self.decay)
        return self.rate_at(step)

    def _line(self, row: dict[str, Any], improved: bool) -> str:
        width = len(str(self.epochs))
        return (
            f"epoch {row['epoch']:>{width}}/{self.epochs}  loss {row['loss']:.4f}  acc {row['accuracy']:.4f}  "
            f"val_loss {row['val_loss']:.4f}  val_acc {row['val_accuracy']:.4f}  lr {row['lr']:.3g}  "
            f"{row['seconds']:.1f}s" + ("  *best" if improved else "")
        )

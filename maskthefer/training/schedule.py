"""The paper's learning-rate schedule: ReduceLROnPlateau on validation accuracy, times the legacy time decay.

Two mechanisms act together, exactly as in the TensorFlow 2.x code the paper ran:

- *Plateau* (`PlateauState`, epoch level): after `patience` epochs without a validation-accuracy gain of more
  than `min_delta`, the base learning rate is multiplied by `factor` (not below `min_lr`). This is Keras'
  ReduceLROnPlateau (mode "max", no cooldown), kept in plain Python so its state can be saved for --resume.
- *Legacy decay* (`LegacyDecaySGD`, step level): the old Keras optimizers' `decay` argument made every update
  use ``base_lr / (1 + decay * iterations)``, where `iterations` counts all updates so far (never reset per
  epoch) and `base_lr` is the value the plateau callback reads and writes. Keras 3 dropped the argument;
  `LegacyDecaySGD` restores it inside the update so it works under `jit` on every backend.

`effective_lr` gives the rate an update at a given step uses.

Faster-than-paper recipes replace the plateau with a per-step schedule over the whole run (`step_lr`, run
inside the optimizer by `maskthefer.training.optimizer.StepSchedule`; the legacy decay is off unless asked):

- *cosine*: an optional linear warm-up to the peak rate, then half a cosine down to 0 at the last step;
- *onecycle* (Smith & Topin 2018, on the rate only): linear from peak/25 up to the peak over the first 45 %
  of the steps, back down to peak/25 by 90 %, then down to peak/2500 for the remaining steps.
Both depend only on the optimizer's step count, which checkpoint.keras saves, so a resumed run continues
on the same curve.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


STEP_SCHEDULES = ("cosine", "onecycle")
ONECYCLE_START_DIVISOR = 25.0  # the ramp starts (and the cycle ends) at peak / 25
ONECYCLE_FINAL_DIVISOR = 2500.0  # the last steps anneal to peak / 2500
ONECYCLE_PEAK_AT, ONECYCLE_CYCLE_END = 0.45, 0.9  # fractions of the run


def effective_lr(base_lr: float, step: int, decay: float) -> float:
    """The learning rate the update at `step` (0-based count of earlier updates) actually uses."""
    return base_lr / (1.0 + decay * step)


def schedule_steps(settings: dict, steps_per_epoch: int) -> tuple[int, int]:
    """(total steps, warm-up steps) of a per-step schedule over a run's `epochs` (fractional warm-ups round)."""
    return settings["epochs"] * steps_per_epoch, round(settings.get("warmup_epochs", 0.0) * steps_per_epoch)


def step_lr(kind: str, peak_lr: float, step: int, total_steps: int, warmup_steps: int = 0) -> float:
    """The rate of update `step` (0-based) of a `total_steps` run under the per-step schedule `kind`.

    The reference for `StepSchedule`, which computes the same with Keras ops inside the train step.
    """
    total = max(int(total_steps), 1)
    if kind == "cosine":
        if step < warmup_steps:
            return peak_lr * (step + 1) / warmup_steps
        progress = min(max((step - warmup_steps) / max(total - warmup_steps, 1), 0.0), 1.0)
        return peak_lr * 0.5 * (1.0 + math.cos(math.pi * progress))
    if kind == "onecycle":
        start, final = peak_lr / ONECYCLE_START_DIVISOR, peak_lr / ONECYCLE_FINAL_DIVISOR
        position = min(step / total, 1.0)
        if position <= ONECYCLE_PEAK_AT:
            return start + (peak_lr - start) * position / ONECYCLE_PEAK_AT
        if position <= ONECYCLE_CYCLE_END:
            return peak_lr - (peak_lr - start) * (position - ONECYCLE_PEAK_AT) / (ONECYCLE_CYCLE_END - ONECYCLE_PEAK_AT)
        return start - (start - final) * (position - ONECYCLE_CYCLE_END) / (1.0 - ONECYCLE_CYCLE_END)
    raise ValueError(f"unknown per-step schedule {kind!r}; expected one of {STEP_SCHEDULES}")


@dataclass
class PlateauState:
    """ReduceLROnPlateau in mode "max" (validation accuracy), as a small serialisable state machine."""

    lr: float
    factor: float = 0.75
    patience: int = 5
    min_lr: float = 1e-4
    min_delta: float = 1e-4
    cooldown: int = 0
    best: float = -math.inf
    wait: int = 0
    cooldown_counter: int = 0

    def update(self, value: float) -> bool:
        """Feed one epoch's monitored value; returns True when the learning rate was reduced."""
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if value > self.best + self.min_delta:
            self.best = float(value)
            self.wait = 0
            return False
        if self.cooldown_counter > 0:
            return False
        self.wait += 1
        if self.wait < self.patience or self.lr <= self.min_lr:
            return False
        self.lr = max(self.lr * self.factor, self.min_lr)
        self.cooldown_counter = self.cooldown
        self.wait = 0
        return True

    def to_dict(self) -> dict[str, Any]:
        state = asdict(self)
        state["best"] = None if math.isinf(self.best) else self.best  # JSON has no -inf
        return state

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> PlateauState:
        state = dict(state)
        if state.get("best") is None:
            state["best"] = -math.inf
        return cls(**state)

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
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


def effective_lr(base_lr: float, step: int, decay: float) -> float:
    """The learning rate the update at `step` (0-based count of earlier updates) actually uses."""
    return base_lr / (1.0 + decay * step)


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

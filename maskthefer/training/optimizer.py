"""The optimizers of a run: SGD (AdamW, Adamax) with the legacy Keras `decay` argument, and per-step schedules.

`LegacyDecaySGD` restores Keras 2's `decay` (lr / (1 + decay * iterations)) on every Keras 3 backend;
`LegacyDecayAdamW` and `LegacyDecayAdamax` (FaceChannel's optimizer) are AdamW and Adamax with the same; `StepSchedule` is the cosine / one-cycle rate of
`maskthefer.training.schedule.step_lr` as a Keras schedule; `make_optimizer` builds the one a run asks for.

On TensorFlow the momentum update runs as one fused kernel per variable (`ResourceApplyKerasMomentum`,
which computes exactly Keras' formula, Nesterov included) instead of six separate element-wise ops: VGG-lite
has 36.9 M parameters, and each separate op is a full pass over them in memory.
"""

from __future__ import annotations

import keras
from keras import ops

from .schedule import (
    ONECYCLE_CYCLE_END,
    ONECYCLE_FINAL_DIVISOR,
    ONECYCLE_PEAK_AT,
    ONECYCLE_START_DIVISOR,
    schedule_steps,
)

# Benchmarks switch this off to measure Keras' own update against the fused kernel.
FUSED_UPDATE = True


def _decayed(optimizer, learning_rate):
    if not optimizer.decay:
        return learning_rate
    step = ops.cast(optimizer.iterations, "float32")
    return ops.cast(learning_rate, "float32") / (1.0 + optimizer.decay * step)


class _LegacyDecay:
    """Keras 2's `decay` for a Keras 3 optimizer (a mixin before the optimizer class): updates use
    ``learning_rate / (1 + decay * iterations)``.

    `learning_rate` stays the undecayed base rate, so ReduceLROnPlateau-style callbacks read and write it as
    they did with TensorFlow's legacy optimizers; the decay is applied inside the update step, where
    `iterations` (the number of earlier updates) is part of the optimizer state on every backend. Subclasses
    set `self.decay` in their constructor.
    """

    decay: float

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        super()._backend_update_step(grads, trainable_variables, _decayed(self, learning_rate))

    def decayed_learning_rate(self) -> float:
        """The rate the next update will use."""
        base = float(ops.convert_to_numpy(self.learning_rate))
        return base / (1.0 + self.decay * int(ops.convert_to_numpy(self.iterations)))

    def get_config(self):
        config = super().get_config()
        config["decay"] = self.decay
        return config


@keras.saving.register_keras_serializable(package="maskthefer")
class LegacyDecaySGD(_LegacyDecay, keras.optimizers.SGD):
    """`keras.optimizers.SGD` with the legacy time decay (`_LegacyDecay`) and, on TensorFlow, a fused update."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, decay: float = 0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, momentum=momentum, nesterov=nesterov, **kwargs)
        self.decay = float(decay)

    def update_step(self, gradient, variable, learning_rate):
        if keras.backend.backend() != "tensorflow" or self.momentum == 0 or not FUSED_UPDATE:
            return super().update_step(gradient, variable, learning_rate)
        import tensorflow as tf

        if isinstance(gradient, tf.IndexedSlices):  # sparse gradients (embeddings) keep Keras' own path
            return super().update_step(gradient, variable, learning_rate)
        momentum = self.momentums[self._get_variable_index(variable)]
        # accum = accum * momentum - lr * grad; var += accum * momentum - lr * grad (Nesterov) or accum.
        tf.raw_ops.ResourceApplyKerasMomentum(
            var=variable.handle,
            accum=momentum.value.handle,
            lr=tf.cast(learning_rate, variable.dtype),
            grad=tf.cast(gradient, variable.dtype),
            momentum=tf.cast(self.momentum, variable.dtype),
            use_locking=False,
            use_nesterov=self.nesterov,
        )


@keras.saving.register_keras_serializable(package="maskthefer")
class LegacyDecayAdamW(_LegacyDecay, keras.optimizers.AdamW):
    """`keras.optimizers.AdamW` with the legacy time decay of `LegacyDecaySGD` (0: plain AdamW)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.01, decay: float = 0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.decay = float(decay)


@keras.saving.register_keras_serializable(package="maskthefer")
class LegacyDecayAdamax(_LegacyDecay, keras.optimizers.Adamax):
    """`keras.optimizers.Adamax` (the FaceChannel authors' optimizer) with the legacy time decay (0: plain)."""

    def __init__(self, learning_rate=0.002, decay: float = 0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.decay = float(decay)


@keras.saving.register_keras_serializable(package="maskthefer")
class StepSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """The per-step rate of `schedule.step_lr` ("cosine" or "onecycle") in Keras ops, jit-compatible."""

    def __init__(self, kind: str, peak_lr: float, total_steps: int, warmup_steps: int = 0):
        if kind not in ("cosine", "onecycle"):
            raise ValueError(f"unknown per-step schedule {kind!r}")
        self.kind = kind
        self.peak_lr = float(peak_lr)
        self.total_steps = max(int(total_steps), 1)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        peak, total = self.peak_lr, float(self.total_steps)
        if self.kind == "cosine":
            warm = float(self.warmup_steps)
            progress = ops.clip((step - warm) / max(total - warm, 1.0), 0.0, 1.0)
            rate = peak * 0.5 * (1.0 + ops.cos(3.141592653589793 * progress))
            if self.warmup_steps:
                rate = ops.where(step < warm, peak * (step + 1.0) / warm, rate)
            return rate
        start, final = peak / ONECYCLE_START_DIVISOR, peak / ONECYCLE_FINAL_DIVISOR
        position = ops.minimum(step / total, 1.0)
        rising = start + (peak - start) * position / ONECYCLE_PEAK_AT
        falling = peak - (peak - start) * (position - ONECYCLE_PEAK_AT) / (ONECYCLE_CYCLE_END - ONECYCLE_PEAK_AT)
        annealing = start - (start - final) * (position - ONECYCLE_CYCLE_END) / (1.0 - ONECYCLE_CYCLE_END)
        return ops.where(
            position <= ONECYCLE_PEAK_AT, rising, ops.where(position <= ONECYCLE_CYCLE_END, falling, annealing)
        )

    def get_config(self):
        return {"kind": self.kind, "peak_lr": self.peak_lr, "total_steps": self.total_steps,
                "warmup_steps": self.warmup_steps}


def make_optimizer(resolved: dict, steps_per_epoch: int | None = None):
    """The optimizer config.json's settings describe; per-step schedules span `epochs * steps_per_epoch`."""
    schedule = resolved.get("schedule", "plateau")
    learning_rate = resolved["lr"]
    if schedule != "plateau":
        if not steps_per_epoch:
            raise ValueError(f"the {schedule} schedule needs the number of steps per epoch")
        total, warmup = schedule_steps(resolved, steps_per_epoch)
        learning_rate = StepSchedule(schedule, resolved["lr"], total, warmup_steps=warmup)
    weight_decay = resolved.get("weight_decay", 0.0) or None  # Keras skips the decay term for None
    if resolved.get("optimizer", "sgd") == "adamw":
        return LegacyDecayAdamW(learning_rate=learning_rate, weight_decay=weight_decay,
                                decay=resolved["legacy_decay"])
    if resolved.get("optimizer") == "adamax":
        return LegacyDecayAdamax(learning_rate=learning_rate, weight_decay=weight_decay,
                                 decay=resolved["legacy_decay"])
    return LegacyDecaySGD(
        learning_rate=learning_rate, momentum=resolved["momentum"], nesterov=resolved["nesterov"],
        decay=resolved["legacy_decay"], weight_decay=weight_decay,
    )

"""Shunting inhibition (Fregnac et al.; Tivive & Bouzerdoum's SICNN), FaceChannel's last convolution.

An excitatory feature map is divided by a passive decay term plus an inhibitory feature map computed from the
same input, `out = excitatory / (a + inhibitory)`, which sharpens strong, specific responses and damps broad
ones. The passive decay `a` is 0.5. The authors' released code keeps it fixed (a constant inside a Lambda),
which is the default here (`learn_decay=False`); with `learn_decay=True` it is a weight, one per channel,
initialised at `initial_decay` and kept above `min_decay`, as the FaceChannel paper's text describes it.
"""

from __future__ import annotations

import keras
from keras import ops


class _AtLeast(keras.constraints.Constraint):
    """Keeps the decay above a floor after every optimiser step, so `a + inhibitory` (inhibitory >= 0 after
    ReLU) can never reach zero and divide by it. Rebuilt from `min_decay`, so it needs no serialisation."""

    def __init__(self, floor: float):
        self.floor = float(floor)

    def __call__(self, w):
        return ops.maximum(w, self.floor)


@keras.saving.register_keras_serializable(package="maskthefer")
class ShuntingInhibition(keras.layers.Layer):
    """Called on `[excitatory, inhibitory]` (same shape, channels last); returns `excitatory / (a + inhibitory)`.

    `a` is the constant `initial_decay` unless `learn_decay`, when it is a per-channel weight starting there.
    """

    def __init__(self, initial_decay: float = 0.5, min_decay: float = 1e-3, learn_decay: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.initial_decay = float(initial_decay)
        self.min_decay = float(min_decay)
        self.learn_decay = bool(learn_decay)
        if not self.initial_decay > self.min_decay > 0:
            raise ValueError(
                f"{self.name}: the decay must start above min_decay > 0 (the denominator a + inhibitory must stay "
                f"positive), got initial_decay={initial_decay!r}, min_decay={min_decay!r}"
            )

    def build(self, input_shape):
        excitatory_shape, inhibitory_shape = input_shape
        if tuple(excitatory_shape[1:]) != tuple(inhibitory_shape[1:]):
            raise ValueError(
                f"{self.name}: excitatory {tuple(excitatory_shape)} and inhibitory {tuple(inhibitory_shape)} "
                "maps must have the same shape"
            )
        if not self.learn_decay:
            self.decay = None
            return
        self.decay = self.add_weight(
            name="decay",
            shape=(int(excitatory_shape[-1]),),
            initializer=keras.initializers.Constant(self.initial_decay),
            constraint=_AtLeast(self.min_decay),
            trainable=True,
        )

    def call(self, inputs):
        excitatory, inhibitory = inputs
        decay = self.initial_decay if self.decay is None else ops.cast(self.decay, excitatory.dtype)
        return excitatory / (decay + inhibitory)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(initial_decay=self.initial_decay, min_decay=self.min_decay, learn_decay=self.learn_decay)
        return config

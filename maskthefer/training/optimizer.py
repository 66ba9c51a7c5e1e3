"""SGD with the legacy Keras `decay` argument (lr / (1 + decay * iterations)), for every Keras 3 backend.

On TensorFlow the momentum update runs as one fused kernel per variable (`ResourceApplyKerasMomentum`,
which computes exactly Keras' formula, Nesterov included) instead of six separate element-wise ops: VGG-lite
has 36.9 M parameters, and each separate op is a full pass over them in memory.
"""

from __future__ import annotations

import keras
from keras import ops

# Benchmarks switch this off to measure Keras' own update against the fused kernel.
FUSED_UPDATE = True


@keras.saving.register_keras_serializable(package="maskthefer")
class LegacyDecaySGD(keras.optimizers.SGD):
    """`keras.optimizers.SGD` whose updates use ``learning_rate / (1 + decay * iterations)``.

    `learning_rate` stays the undecayed base rate, so ReduceLROnPlateau-style callbacks read and write it as
    they did with TensorFlow's legacy optimizers; the decay is applied inside the update step, where
    `iterations` (the number of earlier updates) is part of the optimizer state on every backend.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, decay: float = 0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, momentum=momentum, nesterov=nesterov, **kwargs)
        self.decay = float(decay)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        if self.decay:
            step = ops.cast(self.iterations, "float32")
            learning_rate = ops.cast(learning_rate, "float32") / (1.0 + self.decay * step)
        super()._backend_update_step(grads, trainable_variables, learning_rate)

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

    def decayed_learning_rate(self) -> float:
        """The rate the next update will use."""
        base = float(ops.convert_to_numpy(self.learning_rate))
        return base / (1.0 + self.decay * int(ops.convert_to_numpy(self.iterations)))

    def get_config(self):
        config = super().get_config()
        config["decay"] = self.decay
        return config

"""`BatchNormalization`: Keras' layer, computed by TensorFlow's fused kernel where that is possible.

Keras 3 writes batch normalisation as separate ops on every backend (moments, then scale and shift, each
over the whole activation, in float32 even under bf16 mixed precision, with casts around them). On a CPU
that is memory traffic, not arithmetic: in VGG-lite at batch 64 the eight normalisations cost more than the
convolutions they follow. TensorFlow's `FusedBatchNormV3` (oneDNN on x86) normalises in one pass, takes bf16
activations with float32 statistics directly, and has a fused gradient; measured on this project's 2-core
CPU it makes a bf16 VGG-lite training step about twice as fast (bench/train_throughput.py).

The layer is a drop-in subclass: same weights, same config, same maths (batch mean and biased batch variance
when training, moving averages with `momentum` otherwise). It takes the fused path only on the TensorFlow
backend for the plain case (channels last, no mask, no renorm, not synchronized); everything else, and every
other backend, runs Keras' own code. `.keras` files with the Keras layer and with this one hold the same
variables, so either loads the other's weights.
"""

from __future__ import annotations

import keras
from keras import ops

# Benchmarks switch this off to measure Keras' own ops against the fused kernel.
FUSED = True


@keras.saving.register_keras_serializable(package="maskthefer")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` with TensorFlow's fused kernel on the TensorFlow backend."""

    def _fused_applies(self, inputs, mask) -> bool:
        return (
            FUSED
            and keras.backend.backend() == "tensorflow"
            and mask is None
            and not self.renorm
            and not self.synchronized
            and len(inputs.shape) == 4
            and self.axis in (-1, 3)
            and keras.backend.standardize_dtype(inputs.dtype) in ("float32", "bfloat16")
        )

    def call(self, inputs, training=None, mask=None):
        if not self._fused_applies(inputs, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        # Keras creates these variables with autocast off, so they read as float32 - the fused kernel's
        # statistics dtype - even under bf16 mixed precision.
        channels = inputs.shape[-1]
        gamma = self.gamma.value if self.scale else tf.ones((channels,), "float32")
        beta = self.beta.value if self.center else tf.zeros((channels,), "float32")
        inputs = tf.cast(inputs, self.compute_dtype)
        if training and self.trainable:
            outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
                inputs, gamma, beta, epsilon=self.epsilon, is_training=True
            )
            # The kernel returns the unbiased (n - 1) batch variance for the moving average; Keras averages
            # the biased one, which is also what normalised the batch.
            count = tf.cast(tf.reduce_prod(tf.shape(inputs)[:-1]), "float32")
            variance = variance * (count - 1.0) / count
            self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(
                self.moving_variance * self.momentum + variance * (1.0 - self.momentum)
            )
            return outputs
        outputs, _, _ = tf.compat.v1.nn.fused_batch_norm(
            inputs,
            gamma,
            beta,
            mean=self.moving_mean.value,
            variance=self.moving_variance.value,
            epsilon=self.epsilon,
            is_training=False,
        )
        return ops.cast(outputs, self.compute_dtype)

"""The two gates of CBAM (Woo et al., ECCV 2018) as serialisable Keras layers, backend-neutral (keras.ops only).

ChannelGate:  x * sigmoid(MLP(avgpool(x)) + MLP(maxpool(x)))     pooled over height and width; one MLP
              (C -> C/reduction, ReLU -> C, with biases) shared by both descriptors.
SpatialGate:  x * sigmoid(BN(conv7x7([max_c(x), mean_c(x)])))      pooled over channels; one-filter conv
              without bias (BN's beta takes its place), "same" padding.
"""

from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="maskthefer")
class ChannelGate(layers.Layer):
    """Reweights channels from average- and max-pooled descriptors passed through a shared bottleneck MLP."""

    def __init__(self, reduction: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.reduction = int(reduction)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        hidden = max(1, channels // self.reduction)
        self.mlp_hidden = layers.Dense(hidden, activation="relu", name="mlp_hidden")
        self.mlp_output = layers.Dense(channels, name="mlp_output")
        self.mlp_hidden.build((None, channels))
        self.mlp_output.build((None, hidden))

    def attention(self, x):
        """The (batch, channels) gate values in (0, 1)."""
        average = ops.mean(x, axis=(1, 2))
        maximum = ops.max(x, axis=(1, 2))
        scores = self.mlp_output(self.mlp_hidden(average)) + self.mlp_output(self.mlp_hidden(maximum))
        return ops.sigmoid(scores)

    def call(self, x):
        return x * self.attention(x)[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "reduction": self.reduction}


@keras.saving.register_keras_serializable(package="maskthefer")
class SpatialGate(layers.Layer):
    """Reweights positions from a conv over the channel-max and channel-mean maps."""

    def __init__(self, kernel_size: int = 7, **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = int(kernel_size)

    def build(self, input_shape):
        self.conv = layers.Conv2D(1, self.kernel_size, padding="same", use_bias=False, name="conv")
        self.bn = layers.BatchNormalization(name="bn")
        self.conv.build((None, None, None, 2))
        self.bn.build((None, None, None, 1))

    def attention(self, x, training=None):
        """The (batch, height, width, 1) gate values in (0, 1)."""
        pooled = ops.concatenate([ops.max(x, axis=-1, keepdims=True), ops.mean(x, axis=-1, keepdims=True)], axis=-1)
        return ops.sigmoid(self.bn(self.conv(pooled), training=training))

    def call(self, x, training=None):
        return x * self.attention(x, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size}

"""The gates of SCAN (Gera & Balasubramanian, Pattern Recognition Letters 2021), backend-neutral (keras.ops).

SpatioChannelGate:           x * sigmoid(BN(PReLU(conv3x3(x))))   a C -> C convolution, so the gate has one value
                             per position *and* channel (spatio-channel attention), unlike CBAM's separate
                             channel and spatial gates. Bias-free conv; PReLU slopes per channel, initialised
                             at 0.25 (PyTorch's default, which the authors used).
EfficientChannelAttention:   x * sigmoid(conv1d_k(avgpool(x)))    ECA (Wang et al., CVPR 2020): a k-tap filter
                             across the pooled channel descriptor, no dimensionality reduction, no bias.

`grid_bounds` splits a side into the patch grid of the local branch.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from ...errors import MaskTheFERError

CONV_INIT = "he_normal"  # as the ResNet trunk; the gates are deep ReLU-like (PReLU) stacks too


def grid_bounds(side: int, parts: int, what: str = "feature map") -> list[tuple[int, int]]:
    """`(start, stop)` of `parts` contiguous, non-overlapping pieces covering `side` (the first ones one pixel
    longer when it does not divide evenly). The authors cut their 28-pixel maps 6-6-6-6-4; any split that
    tiles the map keeps the method, and this one works for every size of at least `parts`.
    """
    if parts < 1 or side < parts:
        raise MaskTheFERError(f"cannot cut a {what} side of {side} into {parts} patches (need at least {parts})")
    base, extra = divmod(side, parts)
    bounds, start = [], 0
    for index in range(parts):
        stop = start + base + (1 if index < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds


@keras.saving.register_keras_serializable(package="maskthefer")
class SpatioChannelGate(layers.Layer):
    """Multiplies a feature map by a same-shaped attention mask computed from it (one per patch, or global)."""

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.conv = layers.Conv2D(
            channels, 3, padding="same", use_bias=False, kernel_initializer=CONV_INIT, name="conv"
        )
        self.prelu = layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2], name="prelu")
        self.bn = layers.BatchNormalization(name="bn")
        self.conv.build((None, None, None, channels))
        self.prelu.build((None, None, None, channels))
        self.bn.build((None, None, None, channels))

    def attention(self, x, training=None):
        """The mask, in (0, 1), of the same shape as `x`."""
        return ops.sigmoid(self.bn(self.prelu(self.conv(x)), training=training))

    def call(self, x, training=None):
        return x * self.attention(x, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="maskthefer")
class EfficientChannelAttention(layers.Layer):
    """Reweights channels by a k-tap 1-D convolution over their average-pooled descriptor."""

    def __init__(self, kernel_size: int = 5, **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = int(kernel_size)

    def build(self, input_shape):
        # The channels become the 1-D "length" axis of a one-channel signal: (B, C, 1).
        self.conv = layers.Conv1D(1, self.kernel_size, padding="same", use_bias=False, name="conv")
        self.conv.build((None, int(input_shape[-1]), 1))

    def attention(self, x):
        """The (batch, channels) gate values in (0, 1)."""
        descriptor = ops.mean(x, axis=(1, 2))[:, :, None]
        return ops.sigmoid(self.conv(descriptor)[:, :, 0])

    def call(self, x):
        return x * self.attention(x)[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "kernel_size": self.kernel_size}

"""The custom layer of the attention models: feature maps gated by a one-channel attention map."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="maskthefer")
class AttentionGate(keras.layers.Layer):
    """`features x (1 + attention)` (ABN, `residual=True`) or `features x attention` (FECN's Hadamard product).

    Called on `[features, attention]`: features (B, H, W, C), attention (B, H, W, 1) in [0, 1]; the single
    attention channel broadcasts over the C feature channels. ABN adds 1 so that a near-zero attention value
    cannot erase a feature entirely (Fukui et al.'s residual attention mechanism); FECN multiplies plainly
    because its map comes from a frozen network that already learned where to look.
    """

    def __init__(self, residual: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.residual = bool(residual)

    def call(self, inputs):
        features, attention = inputs
        if self.residual:
            attention = 1.0 + attention
        return features * ops.cast(attention, features.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self) -> dict:
        config = super().get_config()
        config["residual"] = self.residual
        return config


@keras.saving.register_keras_serializable(package="maskthefer")
class ResizeLike(keras.layers.Layer):
    """Bilinearly resizes a map to the spatial size of a reference, called on `[map, reference]`.

    Written on `keras.ops.image.resize` because `keras.layers.Resizing` needs TensorFlow on other backends.
    """

    def call(self, inputs):
        image, reference = inputs
        size = (reference.shape[1], reference.shape[2])
        return ops.image.resize(image, size, interpolation="bilinear")

    def compute_output_shape(self, input_shape):
        image_shape, reference_shape = input_shape
        return (image_shape[0], reference_shape[1], reference_shape[2], image_shape[3])

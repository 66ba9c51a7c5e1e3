"""The residual masking operation of ResMaskingNet as a serialisable, backend-neutral Keras layer."""

from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="maskthefer")
class ResidualMasking(layers.Layer):
    """`features * (1 + softmax_over_channels(mask_logits))`, called as `ResidualMasking()([features, logits])`.

    The softmax turns the masking U-Net's last feature map into a mask in (0, 1) that sums to 1 over channels at
    every position; adding 1 makes the mask a boost, never a suppression, so the trunk's features pass unchanged
    where the mask is near zero (Pham et al. 2021, Eq. 1).
    """

    def call(self, inputs):
        features, mask_logits = inputs
        return features * (1.0 + ops.softmax(mask_logits, axis=-1))

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="maskthefer")
class ImageResize(layers.Layer):
    """Bilinear resize of (batch, H, W, C) maps to a fixed `size`, inside the model.

    `keras.layers.Resizing` is a tf.data preprocessing layer that imports TensorFlow even on the JAX backend;
    this one only calls `keras.ops.image.resize`.
    """

    def __init__(self, size, interpolation: str = "bilinear", **kwargs):
        super().__init__(**kwargs)
        self.size = tuple(int(side) for side in size)
        self.interpolation = interpolation

    def call(self, images):
        return ops.image.resize(images, self.size, interpolation=self.interpolation)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self.size, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "interpolation": self.interpolation}

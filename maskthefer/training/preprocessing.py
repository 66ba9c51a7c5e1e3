"""`PixelPreprocessing`: the first layer of the training model - scale pixels, then (training only) augment.

Keras' own `Rescaling` and `Random*` layers route every call through a check for "are we inside a tf.data
pipeline?" that looks for "tensorflow" in `sys.modules` and then asks TensorFlow. A process that keeps
TensorFlow out with `sys.modules["tensorflow"] = None` (the project's way of testing TensorFlow-free
machines) makes that check fail with an import error on JAX and torch. This layer owns the Random* layers
and runs their `call` directly, which needs no such check, so training behaves the same with TensorFlow
installed, absent, or blocked. Its config is the Table II arguments (ImageDataGenerator units), so a saved
checkpoint records them.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from .augment import augmentation_layers
from .config import Augmentation


@keras.saving.register_keras_serializable(package="maskthefer")
class PixelPreprocessing(keras.layers.Layer):
    """Pixels (uint8, or float 0..255) -> float32 in [0, 1] -> Table II augmentation when training."""

    def __init__(
        self,
        augmentation: dict[str, Any] | None = None,
        height: int = 48,
        width: int = 96,
        seed: int | None = None,
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")  # geometry in bf16 could not address 96 pixel positions finely
        super().__init__(**kwargs)
        self.augmentation = dict(augmentation) if augmentation else None
        self.height, self.width, self.seed = int(height), int(width), seed
        self.transforms = (
            augmentation_layers(Augmentation(**self.augmentation), self.height, self.width, seed=seed)
            if self.augmentation
            else []
        )

    def build(self, input_shape):
        for transform in self.transforms:
            transform.build(input_shape)
        self.built = True

    def call(self, pixels, training=None):
        images = ops.cast(pixels, "float32") / 255.0
        if training and self.transforms:
            for transform in self.transforms:
                images = transform.call(images, training=True)
        return images

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(augmentation=self.augmentation, height=self.height, width=self.width, seed=self.seed)
        return config

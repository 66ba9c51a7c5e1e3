"""VGG-lite, the MaskTheFER classifier (Jiang et al., DICTA 2023, Fig. 3).

Four blocks of (conv 3x3 + ReLU -> BN) x 2 -> max-pool 2x2 with 32/64/128/256 filters, flatten, two dense
layers of 4096 with dropout 0.3 and a softmax. On 48x96x1 crops the flatten is 3x6x256 = 4,608 and the
model has 36.86 M parameters, 97 % of them in the dense head.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ..base import ZooModel, constructor_args, softmax_output
from ..normalization import BatchNormalization
from ..registry import register_model


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "vgg-lite",
    description="MaskTheFER VGG-style CNN: 4 conv blocks (32-256) + 4096-4096 dense head",
    paper="Jiang et al., MaskTheFER, DICTA 2023",
    published_params=36_900_000,
    tiny_config={"filters": (4, 8, 8, 8), "dense_units": (16, 16)},
)
class VGGLite(ZooModel):
    last_conv_layer_name = "block4_conv2"

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        filters: Sequence[int] = (32, 64, 128, 256),
        dense_units: Sequence[int] = (4096, 4096),
        dropout: float = 0.3,
        name: str = "vgg_lite",
        **kwargs,
    ):
        args = constructor_args(locals())
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = inputs
        for block, width in enumerate(filters, start=1):
            for conv in (1, 2):
                # The paper's order is conv -> ReLU -> BN (BN after the activation), kept as published.
                x = layers.Conv2D(width, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}")(x)
                x = BatchNormalization(name=f"block{block}_bn{conv}")(x)
            x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
        x = layers.Flatten(name="flatten")(x)
        for i, units in enumerate(dense_units, start=1):
            x = layers.Dense(units, activation="relu", name="features" if i == len(dense_units) else f"fc{i}")(x)
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
        outputs = softmax_output(x, num_classes)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)

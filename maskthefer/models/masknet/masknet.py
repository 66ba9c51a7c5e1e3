"""MaskNet: a small masked-or-not classifier for `maskthefer predict` to route each face by.

Three blocks of conv 3x3 -> BN -> ReLU -> max-pool 2x2 (16/32/64 filters), flattened, and a 2-way softmax:
33 k parameters, well under a millisecond per crop on one CPU core. It sees the same 48x96 eye-region crop as
the expression model, where a mask shows only in the bottom rows (the crop ends at the nose tip), so the
head keeps the spatial layout (flatten) instead of averaging it away: a global-average-pooled version of
the same trunk stayed at chance after three epochs, this one reached 0.84 on held-out pairs. BN's momentum is
0.9 rather than 0.99 so that its moving averages settle within the few hundred steps such a model trains for.
Trained, like the MCN, on each record's masked (1) and unmasked (0) crops.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ..base import ZooModel, constructor_args, softmax_output
from ..registry import register_model


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "masknet",
    description="Small masked-vs-unmasked CNN (3 conv-BN blocks, flatten) that routes faces in `predict`",
    paper="maskthefer (this package)",
    tiny_config={"filters": (4, 8, 8)},
    task="mask",
)
class MaskNet(ZooModel):
    last_conv_layer_name = "block3_conv"

    def __init__(
        self,
        num_classes: int = 2,
        input_shape: Sequence[int] = (48, 96, 1),
        filters: Sequence[int] = (16, 32, 64),
        bn_momentum: float = 0.9,
        name: str = "masknet",
        **kwargs,
    ):
        args = constructor_args(locals())
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = inputs
        for block, width in enumerate(filters, start=1):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{block}_conv")(x)
            x = layers.BatchNormalization(momentum=bn_momentum, name=f"block{block}_bn")(x)
            x = layers.ReLU(name=f"block{block}_relu")(x)
            x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
        x = layers.Flatten(name="features")(x)
        outputs = softmax_output(x, num_classes)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)

"""VGG-lite, the MaskTheFER classifier (Jiang et al., DICTA 2023, Fig. 3).

Four blocks of (conv 3x3 + ReLU -> BN) x 2 -> max-pool 2x2 with 32/64/128/256 filters, flatten, two dense
layers of 4096 with dropout 0.3 and a softmax. On 48x96x1 crops the flatten is 3x6x256 = 4,608 and the
model has 36.86 M parameters, 97 % of them in the dense head.

`vgg-lite-small` is the same four-block layout for short runs (the demo, quick checks): 16/32/64/128 filters,
the usual conv -> BN -> ReLU order, global average pooling and one 256-unit dense layer, 0.33 M parameters
and a quarter of the convolution work. The order and the pooled head were chosen on the validation split of
a 10-epoch run on 10,000 FER2013 rows: BN after the activation and a flattened head learn more slowly in a
short schedule (see experiments/demo_fer2013.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ...errors import MaskTheFERError
from ..base import ZooModel, constructor_args, softmax_output
from ..normalization import BatchNormalization
from ..registry import register_model

NORM_ORDERS = ("after_relu", "before_relu")
POOLINGS = ("flatten", "global")


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
        norm_order: str = "after_relu",
        pooling: str = "flatten",
        name: str = "vgg_lite",
        **kwargs,
    ):
        args = constructor_args(locals())
        if norm_order not in NORM_ORDERS:
            raise MaskTheFERError(f"norm_order must be one of {', '.join(NORM_ORDERS)}, not {norm_order!r}")
        if pooling not in POOLINGS:
            raise MaskTheFERError(f"pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}")
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = inputs
        for block, width in enumerate(filters, start=1):
            for conv in (1, 2):
                conv_name = f"block{block}_conv{conv}"
                if norm_order == "after_relu":
                    # The paper's order is conv -> ReLU -> BN (BN after the activation), kept as published.
                    x = layers.Conv2D(width, 3, padding="same", activation="relu", name=conv_name)(x)
                    x = BatchNormalization(name=f"block{block}_bn{conv}")(x)
                else:
                    x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=conv_name)(x)
                    x = BatchNormalization(name=f"block{block}_bn{conv}")(x)
                    x = layers.Activation("relu", name=f"block{block}_relu{conv}")(x)
            x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
        if pooling == "flatten":
            x = layers.Flatten(name="flatten")(x)
        else:
            x = layers.GlobalAveragePooling2D(name="global_pool")(x)
        for i, units in enumerate(dense_units, start=1):
            x = layers.Dense(units, activation="relu", name="features" if i == len(dense_units) else f"fc{i}")(x)
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
        outputs = softmax_output(x, num_classes)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)
        # Grad-CAM reads the last activation of block 4: the conv itself (ReLU fused) or its ReLU layer.
        last = len(filters)
        self.last_conv_layer_name = f"block{last}_conv2" if norm_order == "after_relu" else f"block{last}_relu2"


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "vgg-lite-small",
    description="VGG-lite for short runs: 4 conv blocks (16-128), conv-BN-ReLU, global pool, 256 dense (the demo)",
    paper="this package (VGG-lite of Jiang et al., DICTA 2023, narrowed)",
    tiny_config={"filters": (4, 8, 8, 8), "dense_units": (16,)},
)
class VGGLiteSmall(VGGLite):
    """`VGGLite` with the short-run defaults described in the module docstring."""

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        filters: Sequence[int] = (16, 32, 64, 128),
        dense_units: Sequence[int] = (256,),
        dropout: float = 0.3,
        norm_order: str = "before_relu",
        pooling: str = "global",
        name: str = "vgg_lite_small",
        **kwargs,
    ):
        super().__init__(
            num_classes=num_classes, input_shape=input_shape, filters=filters, dense_units=dense_units,
            dropout=dropout, norm_order=norm_order, pooling=pooling, name=name, **kwargs,
        )

"""MobileNet v1 (Howard et al. 2017), the network of Yang et al.'s masked-face study.

A 3x3 stride-2 stem with 32 filters, then 13 depthwise-separable blocks (depthwise 3x3 -> BN -> ReLU6 ->
pointwise 1x1 -> BN -> ReLU6) with 64, 128/2, 128, 256/2, 256, 512/2, 512 x5, 1024/2, 1024 filters (/2 marks
stride 2), global average pooling (the `features` layer), dropout and a softmax. `alpha` is the paper's width
multiplier; at alpha 1 with 224x224x3 inputs and 1,000 classes the count is the paper's 4.2 M.

The network strides 32 times, so a 48x96 crop ends as a 2x3 map ("same" padding rounds odd sides up).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ...errors import MaskTheFERError
from ..base import ZooModel, constructor_args, pooled_classifier
from ..registry import register_model

STEM_FILTERS = 32
# (pointwise filters, depthwise stride) of the 13 separable blocks, Howard et al. Table 1.
SEPARABLE_BLOCKS: tuple[tuple[int, int], ...] = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


def _scaled(filters: int, alpha: float) -> int:
    return max(1, int(filters * alpha))


def separable_block(x, filters: int, stride: int, name: str):
    """Depthwise 3x3 (strided) and pointwise 1x1, each followed by BN and ReLU6."""
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw")(x)
    x = layers.BatchNormalization(name=f"{name}_dw_bn")(x)
    x = layers.ReLU(6.0, name=f"{name}_dw_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_pw")(x)
    x = layers.BatchNormalization(name=f"{name}_pw_bn")(x)
    return layers.ReLU(6.0, name=f"{name}_pw_relu")(x)


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "mobilenet",
    description="MobileNet v1: 3x3/2 stem + 13 depthwise-separable blocks, ReLU6, width multiplier alpha",
    paper="Howard et al. 2017; Yang et al. (masked LFW)",
    input_note="any size; strides 32 in total (48x96 ends as 2x3)",
    tiny_config={"alpha": 0.125},
)
class MobileNet(ZooModel):
    last_conv_layer_name = f"block{len(SEPARABLE_BLOCKS)}_pw_relu"

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        alpha: float = 1.0,
        dropout: float = 0.5,
        name: str = "mobilenet",
        **kwargs,
    ):
        args = constructor_args(locals())
        if not alpha > 0:
            raise MaskTheFERError(f"width multiplier alpha must be positive, got {alpha!r}")
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = layers.Conv2D(_scaled(STEM_FILTERS, alpha), 3, strides=2, padding="same", use_bias=False, name="stem_conv")(
            inputs
        )
        x = layers.BatchNormalization(name="stem_bn")(x)
        x = layers.ReLU(6.0, name="stem_relu")(x)
        for index, (filters, stride) in enumerate(SEPARABLE_BLOCKS, start=1):
            x = separable_block(x, _scaled(filters, alpha), stride, name=f"block{index}")
        outputs = pooled_classifier(x, num_classes, dropout)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)

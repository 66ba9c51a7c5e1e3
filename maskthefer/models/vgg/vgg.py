"""VGG11 / VGG16 / VGG19 (Simonyan & Zisserman 2015) in the small-input FER form used by the research.

The default (`head="global"`) is the usual recipe for 48-pixel faces (SPEC §2): batch norm after every conv,
five stages of 3x3 convolutions, global average pooling (the `features` layer), dropout 0.5 and a softmax.
`head="classic"` restores the paper's flatten -> 4096 -> 4096 head (with dropout 0.5 after each dense layer);
with `batch_norm=False`, 224x224x3 inputs and 1,000 classes it is the ImageNet network of the paper
(133 M / 138 M / 144 M parameters for configurations A / D / E). `width` scales every filter count, for tiny
test models.

CroppedFace used VGG16 on eye crops and the attention paper used VGG11 as its baseline; on the 48x96 crops the
five pools leave a 1x3 map (the last pool is skipped once a side is under 2 pixels, see `vgg_features`).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ...errors import MaskTheFERError
from ..base import ZooModel, constructor_args, pooled_classifier, softmax_output
from ..registry import register_model
from .blocks import VGG_CONFIGS, scale_config, vgg_features

HEADS = ("global", "classic")


class VGG(ZooModel):
    """A VGG configuration from `VGG_CONFIGS`; the registered subclasses fix `depth`."""

    depth: str = "vgg16"

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        head: str = "global",
        width: float = 1.0,
        batch_norm: bool = True,
        dropout: float = 0.5,
        dense_units: int = 4096,
        name: str | None = None,
        **kwargs,
    ):
        args = constructor_args(locals())
        if head not in HEADS:
            raise MaskTheFERError(f"unknown VGG head {head!r}; choose one of {', '.join(HEADS)}")
        if not width > 0:
            raise MaskTheFERError(f"width multiplier must be positive, got {width!r}")
        config = scale_config(VGG_CONFIGS[self.depth], width)
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = vgg_features(inputs, config, batch_norm=batch_norm)
        if head == "global":
            outputs = pooled_classifier(x, num_classes, dropout)
        else:
            x = layers.Flatten(name="flatten")(x)
            units = max(1, int(round(dense_units * width)))
            for i in (1, 2):
                x = layers.Dense(units, activation="relu", name="features" if i == 2 else f"fc{i}")(x)
                x = layers.Dropout(dropout, name=f"dropout{i}")(x)
            outputs = softmax_output(x, num_classes)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name or self.depth, **kwargs)
        # Grad-CAM reads the last ReLU of stage 5: before its pool, at the finest resolution the trunk ends with.
        self.last_conv_layer_name = f"stage{len(config)}_relu{len(config[-1])}"


_TINY = {"width": 1 / 16}
_NOTE = "any size >= 1 pixel; pools stop once a side is under 2 pixels"


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "vgg11",
    description="VGG11 (config A), BN after every conv, global pooling -> dropout 0.5 -> softmax",
    paper="Simonyan & Zisserman, ICLR 2015 (baseline of Hayashi et al. 2023)",
    input_note=_NOTE,
    tiny_config=_TINY,
)
class VGG11(VGG):
    depth = "vgg11"


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "vgg16",
    description="VGG16 (config D), BN after every conv, global pooling -> dropout 0.5 -> softmax",
    paper="Simonyan & Zisserman, ICLR 2015 (CroppedFace backbone)",
    input_note=_NOTE,
    tiny_config=_TINY,
)
class VGG16(VGG):
    depth = "vgg16"


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "vgg19",
    description="VGG19 (config E), BN after every conv, global pooling -> dropout 0.5 -> softmax",
    paper="Simonyan & Zisserman, ICLR 2015 (VGG19 row of MaskTheFER Tables IV/VI)",
    input_note=_NOTE,
    tiny_config=_TINY,
)
class VGG19(VGG):
    depth = "vgg19"

"""ResMaskingNet (Pham, Vu & Tran, ICPR 2021): ResNet-34 whose stages are reweighted by residual masks.

After each of the four stages of a basic-block ResNet-34 ([3, 4, 6, 3], 64-512 filters) the features are
multiplied by (1 + mask), the mask coming from a masking U-Net of depth 4, 3, 2, 1 (`masking.py`) ending in a
softmax over channels (`ResidualMasking`). Global pooling (`features`), dropout 0.4 and a softmax follow:
138 M parameters with 7 classes.

Input sizes: the ImageNet stem divides by 4 and stages 2-4 by 2 each, and the depth-(5 - i) U-Net after stage i
pools 4 - i times, so every side must be a multiple of 32. Other inputs are resized inside the model (bilinear,
an `ImageResize` layer named `fit_resize`) to `resize_to`, by default each side rounded up to the next multiple of
32: the 48x96 crops become 64x96. Pass `resize_to=(224, 224)` for the paper's input size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras

from ...errors import MaskTheFERError
from ..base import ZooModel, constructor_args, pooled_classifier
from ..registry import register_model
from ..resnet.blocks import (
    STEM_STRIDE,
    STEMS,
    basic_block,
    check_layout,
    resnet_stage,
    resnet_stem,
)
from .layers import ImageResize, ResidualMasking
from .masking import masking_unet

MASK_DEPTHS = (4, 3, 2, 1)


def side_multiple(stem: str, num_stages: int = len(MASK_DEPTHS)) -> int:
    """What every input side must divide by: the stride to stage 1 times the deepest U-Net's pooling there."""
    return STEM_STRIDE[stem] * 2 ** (num_stages - 1)


def fitted_size(input_shape: Sequence[int], stem: str = "imagenet") -> tuple[int, int]:
    """Height and width rounded up to the next multiple the architecture accepts."""
    multiple = side_multiple(stem)
    return tuple(int(math.ceil(side / multiple) * multiple) for side in input_shape[:2])


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "resmaskingnet",
    description="ResNet-34 with residual masking (U-Net masks of depth 4/3/2/1) after each stage",
    paper="Pham et al., ICPR 2021",
    published_params=138_000_000,
    input_note="sides must be multiples of 32: resized in-model (48x96 -> 64x96); resize_to=(224, 224) as published",
    tiny_config={"base_filters": 4, "blocks": (1, 1, 1, 1)},
)
class ResMaskingNet(ZooModel):
    last_conv_layer_name = "stage4_masked"

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        blocks: Sequence[int] = (3, 4, 6, 3),
        base_filters: int = 64,
        resize_to: Sequence[int] | None = None,
        stem: str = "imagenet",
        dropout: float = 0.4,
        name: str = "resmaskingnet",
        **kwargs,
    ):
        args = constructor_args(locals())
        if len(blocks) != len(MASK_DEPTHS):
            raise MaskTheFERError(f"ResMaskingNet has {len(MASK_DEPTHS)} stages, got blocks={tuple(blocks)}")
        check_layout(blocks, base_filters)
        if stem not in STEMS:
            raise MaskTheFERError(f"unknown ResNet stem {stem!r}; choose one of {', '.join(STEMS)}")
        target = tuple(int(side) for side in resize_to) if resize_to is not None else fitted_size(input_shape, stem)
        multiple = side_multiple(stem)
        if len(target) != 2 or any(side < 1 or side % multiple for side in target):
            raise MaskTheFERError(
                f"resize_to={target}: ResMaskingNet needs (height, width) with sides that are multiples of {multiple}"
            )

        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = inputs
        if target != tuple(input_shape[:2]):
            x = ImageResize(target, name="fit_resize")(x)
        x = resnet_stem(x, stem=stem, filters=base_filters)
        for index, (count, depth) in enumerate(zip(blocks, MASK_DEPTHS), start=1):
            stride = 1 if index == 1 else 2
            x = resnet_stage(x, basic_block, base_filters * 2 ** (index - 1), count, stride, f"stage{index}")
            mask_logits = masking_unet(x, depth, name=f"mask{index}")
            x = ResidualMasking(name=f"stage{index}_masked")([x, mask_logits])
        outputs = pooled_classifier(x, num_classes, dropout)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)

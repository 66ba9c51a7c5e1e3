"""ResNet-18 (He et al. 2016), the baseline of the MSD-E paper (contrastive learning / distillation on masks).

Basic blocks [2, 2, 2, 2] with 64-128-256-512 filters, global average pooling (the `features` layer), dropout
and a softmax classifier: 11.2 M parameters without the head.

Stem: the ImageNet stem (7x7/2 conv + 3x3/2 max-pool) divides the input by 4 before stage 1, so a 48x96 crop
would reach stage 4 as a 2x3 map, too coarse for Grad-CAM and for the eye region it has to read. The default is
therefore `stem="small"`, a 3x3/1 conv without pooling (the CIFAR recipe): stage 4 sees 6x12. The stem holds
under 0.1 % of the parameters, so the count does not depend on this choice; `stem="imagenet"` restores the
paper's stem for large inputs (e.g. 224x224). The price of the small stem is compute: every stage sees 16 times
the pixels, so on CPU it is an order of magnitude slower (bench/model_zoo.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from ..base import ZooModel, constructor_args, pooled_classifier
from ..registry import register_model
from .blocks import last_block_output, resnet_features


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "resnet18",
    description="ResNet-18: basic blocks [2,2,2,2], 64-512 filters, global pooling head (11.2 M without head)",
    paper="He et al., CVPR 2016; MSD-E baseline",
    published_params=11_200_000,
    input_note="any size; default 3x3/1 stem for small crops (stem='imagenet' for 7x7/2 + max-pool)",
    tiny_config={"base_filters": 4, "blocks": (1, 1, 1, 1)},
)
class ResNet18(ZooModel):
    """ResNet with basic blocks; `blocks` and `base_filters` shrink it for tests.

    `published_params` (11.2 M) is the figure without the classifier, the way the MSD-E paper reports it.
    """

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        blocks: Sequence[int] = (2, 2, 2, 2),
        base_filters: int = 64,
        stem: str = "small",
        dropout: float = 0.0,
        name: str = "resnet18",
        **kwargs,
    ):
        args = constructor_args(locals())
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = resnet_features(inputs, block="basic", blocks=blocks, base_filters=base_filters, stem=stem)
        outputs = pooled_classifier(x, num_classes, dropout)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)
        self.last_conv_layer_name = last_block_output(blocks)

"""CBAM-ResNet-50 (Woo et al. 2018), one of the FER2013 / M-LFW benchmarks of Pham et al. 2021.

A bottleneck ResNet-50 ([3, 4, 6, 3], 64-512 bottleneck widths, 256-2048 outputs) in which every unit passes its
residual branch through a channel gate and then a spatial gate (`cbam.layers`) before the residual add. With a
7-class head it has 26 M parameters (ResNet-50's 23.5 M plus 2.5 M in the gates' MLPs).

Stem: as for ResNet-18, the default `stem="small"` (3x3/1, no pooling) keeps a 48x96 crop at 6x12 in stage 4,
where the 7x7 spatial gate still sees a map rather than its own padding, at 16 times the compute of
`stem="imagenet"` (the paper's stem).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from ..base import ZooModel, constructor_args, pooled_classifier
from ..registry import register_model
from ..resnet.blocks import last_block_output, resnet_features
from .layers import ChannelGate, SpatialGate


def cbam_gate(reduction: int = 16, kernel_size: int = 7):
    """A `gate` for the ResNet blocks: channel gate then spatial gate, named `{name}_channel` / `{name}_spatial`."""

    def gate(x, name: str):
        x = ChannelGate(reduction, name=f"{name}_channel")(x)
        return SpatialGate(kernel_size, name=f"{name}_spatial")(x)

    return gate


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "cbam-resnet50",
    description="ResNet-50 with CBAM channel + spatial gates in every bottleneck unit",
    paper="Woo et al., ECCV 2018; benchmark in Pham et al., ICPR 2021",
    published_params=26_000_000,
    input_note="any size; default 3x3/1 stem for small crops (stem='imagenet' for 7x7/2 + max-pool)",
    tiny_config={"base_filters": 4, "blocks": (1, 1, 1, 1), "reduction": 4},
)
class CBAMResNet50(ZooModel):
    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        blocks: Sequence[int] = (3, 4, 6, 3),
        base_filters: int = 64,
        reduction: int = 16,
        spatial_kernel: int = 7,
        stem: str = "small",
        dropout: float = 0.0,
        name: str = "cbam_resnet50",
        **kwargs,
    ):
        args = constructor_args(locals())
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        gate = cbam_gate(reduction, spatial_kernel)
        x = resnet_features(inputs, block="bottleneck", blocks=blocks, base_filters=base_filters, stem=stem, gate=gate)
        outputs = pooled_classifier(x, num_classes, dropout)
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)
        self.last_conv_layer_name = last_block_output(blocks)

"""Attention Branch Network (Fukui et al., CVPR 2019) on a VGG trunk, the attention baseline of SPEC §2.

    image -> VGG stages 1-4 (shared trunk) -+-> attention branch: stride-1 copy of stage 5 -> 1x1 conv (K maps)
                                            |   -> BN -> ReLU -> [1x1 conv -> GAP -> softmax: attention_predictions]
                                            |                 -> [1x1 conv -> BN -> sigmoid: attention_map (1 ch)]
                                            +-> trunk x (1 + attention_map) -> stage 5 -> GAP (features)
                                                -> dropout -> softmax: predictions

Both softmax outputs are trained with categorical cross-entropy against the same labels and the trainer
sums the two losses (`output_losses()`). The attention map is not a training output; `attention_model()`
returns a Keras model from the image to it, for visualisation and for checking where the network looks.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from ..base import PREDICTIONS, ZooModel, constructor_args
from ..registry import register_model
from .branch import (
    attention_branch,
    attention_logits,
    last_conv_name,
    perception_head,
    shared_trunk,
    trunk_config,
)
from .layers import AttentionGate

ATTENTION_PREDICTIONS = "attention_predictions"
ATTENTION_MAP = "attention_map"


def build_abn_graph(inputs, num_classes: int, trunk: str, width: float, dropout: float):
    """The ABN graph on `inputs`; returns `(predictions, attention_predictions, last_stage)`."""
    config = trunk_config(trunk, width)
    features = shared_trunk(inputs, config)
    class_maps, attention_map = attention_branch(features, config[-1], num_classes)
    attention_predictions = attention_logits(class_maps, num_classes, ATTENTION_PREDICTIONS)
    gated = AttentionGate(residual=True, name="attention_gate")([features, attention_map])
    predictions = perception_head(gated, config[-1], num_classes, dropout)
    return predictions, attention_predictions, config[-1]


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "abn",
    description="Attention Branch Network on a VGG11 trunk: attention branch + perception branch, summed CE",
    paper="Fukui et al., CVPR 2019 (VGG11 trunk as in Hayashi et al. 2023)",
    tiny_config={"width": 0.0625},
)
class ABN(ZooModel):
    """Attention Branch Network with outputs `[predictions, attention_predictions]`."""

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        trunk: str = "vgg11",
        width: float = 1.0,
        dropout: float = 0.5,
        name: str = "abn",
        **kwargs,
    ):
        args = constructor_args(locals())
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        predictions, attention_predictions, last_stage = build_abn_graph(inputs, num_classes, trunk, width, dropout)
        super().__init__(
            inputs=inputs, outputs=[predictions, attention_predictions], constructor_args=args, name=name, **kwargs
        )
        self.last_conv_layer_name = last_conv_name(last_stage)

    def output_losses(self) -> dict[str, str]:
        """Cross-entropy on both branches; the trainer sums them (Fukui et al.'s loss)."""
        return {PREDICTIONS: "categorical_crossentropy", ATTENTION_PREDICTIONS: "categorical_crossentropy"}

    def attention_model(self) -> keras.Model:
        """Image -> attention map (B, h, w, 1) in [0, 1], at the trunk's resolution (3x6 for 48x96 crops)."""
        return keras.Model(self.inputs, self.get_layer(ATTENTION_MAP).output, name=f"{self.name}_attention")

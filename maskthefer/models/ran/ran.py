"""RAN, the Region Attention Network (Wang, Peng, Yang, Meng, Qiao; IEEE TIP 2020), an occlusion-robust
benchmark of MSD-E (SPEC §2: 39.41 % on masked faces).

    image -> RegionCrops: the whole face + 5 crops, each resized to the input size     (6 regions per face)
          -> one shared ResNet-18 trunk over all regions -> global pooling: f_0 .. f_5  (RegionPooling)
          -> self-attention      mu_i = sigmoid(FC(f_i));            F_m = sum mu_i f_i / sum mu_i
          -> relation-attention  nu_i = sigmoid(FC([f_i : F_m]));    P = sum mu_i nu_i [f_i : F_m] / sum mu_i nu_i
          -> P (`features`, 2 x 512) -> softmax `predictions`

Outputs `[predictions, region_attention]`; `region_attention` is mu (B, 6), region 0 the whole face, and is
trained with the region-biased loss (`RegionBiasedLoss`: some crop must outrank the whole face by a margin)
beside the cross-entropy on `predictions`.

Crops: the default five are the paper's three fixed-position crops (top-left, top-right, center-down) and the
two bottom corners, which make the six regions per face of the authors' released code; each is `crop_scale`
(0.75, our choice) of the face's height and width. The regions travel through the trunk as one stacked batch,
so the trunk's layers are shared by construction. Grad-CAM reads `face_map`, the trunk's last maps of the
whole face.

Differences from the released code, kept as the paper writes it: plain sigmoid weights (the code adds a
softmax over the regions), and a 1-channel 3x3/1 stem by default (`stem`, as for ResNet-18 in this zoo).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import layers

from ..base import PREDICTIONS, ZooModel, constructor_args, softmax_output
from ..registry import register_model
from ..resnet.blocks import resnet_features
from .layers import AttentionPooling, FaceRegion, RegionCrops, RegionPooling
from .loss import DEFAULT_MARGIN, RegionBiasedLoss, RegionBiasedLossMetric

REGION_ATTENTION = "region_attention"
FACE_MAP = "face_map"
DEFAULT_CROPS = ("top-left", "top-right", "center-down", "bottom-left", "bottom-right")


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "ran",
    description="Region Attention Network: face + 5 crops through a shared ResNet-18, self + relation attention",
    paper="Wang et al., IEEE TIP 2020 (published count: the authors' released code, 8 classes)",
    published_params=11_186_250,
    input_note="any size; crops are resized to the input size, so the trunk runs 6 times per face",
    tiny_config={"base_filters": 4, "blocks": (1, 1, 1, 1)},
)
class RAN(ZooModel):
    """RAN with outputs `[predictions, region_attention]`; `blocks` and `base_filters` shrink it for tests."""

    last_conv_layer_name = FACE_MAP

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        crops: Sequence[str] = DEFAULT_CROPS,
        crop_scale: float = 0.75,
        blocks: Sequence[int] = (2, 2, 2, 2),
        base_filters: int = 64,
        stem: str = "small",
        dropout: float = 0.0,
        rb_margin: float = DEFAULT_MARGIN,
        rb_weight: float = 1.0,
        name: str = "ran",
        **kwargs,
    ):
        args = constructor_args(locals())
        args["crops"] = list(crops)  # JSON-friendly, constructors accept either
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        region_layer = RegionCrops(crops, crop_scale, name="regions")
        regions = region_layer(inputs)
        count = region_layer.num_regions
        maps = resnet_features(regions, block="basic", blocks=blocks, base_filters=base_filters, stem=stem)
        face_map = FaceRegion(count, name=FACE_MAP)(maps)
        region_features = RegionPooling(count, name="region_features")([face_map, maps])  # (B, R, C)

        self_weights = layers.Dense(1, activation="sigmoid", name="self_attention")(region_features)  # mu
        global_feature = AttentionPooling(name="global_feature")([region_features, self_weights])  # F_m
        paired = layers.Concatenate(axis=-1, name="region_and_global")(
            [region_features, layers.RepeatVector(count, name="global_per_region")(global_feature)]
        )
        relation_weights = layers.Dense(1, activation="sigmoid", name="relation_attention")(paired)  # nu
        weights = layers.Multiply(name="attention_weights")([self_weights, relation_weights])
        features = AttentionPooling(name="features")([paired, weights])  # P_RAN
        if dropout:
            features = layers.Dropout(dropout, name="dropout")(features)
        predictions = softmax_output(features, num_classes)
        region_attention = layers.Reshape((count,), name=REGION_ATTENTION, dtype="float32")(self_weights)
        super().__init__(
            inputs=inputs, outputs=[predictions, region_attention], constructor_args=args, name=name, **kwargs
        )

    def output_losses(self) -> dict[str, Any]:
        """Cross-entropy on the classes plus the region-biased loss on the self-attention weights."""
        margin, weight = self._constructor_args["rb_margin"], self._constructor_args["rb_weight"]
        return {PREDICTIONS: "categorical_crossentropy", REGION_ATTENTION: RegionBiasedLoss(margin, weight)}

    def output_metrics(self) -> dict[str, list]:
        return {
            PREDICTIONS: ["accuracy"],
            REGION_ATTENTION: [RegionBiasedLossMetric(self._constructor_args["rb_margin"])],
        }

    def attention_model(self) -> keras.Model:
        """Image -> self-attention weight of each region (B, R), region 0 the whole face."""
        return keras.Model(self.inputs, self.get_layer(REGION_ATTENTION).output, name=f"{self.name}_attention")

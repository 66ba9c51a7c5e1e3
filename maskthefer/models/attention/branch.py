"""Graph pieces shared by ABN, MCN and FECN: the VGG trunk and the attention branch.

Layer names are fixed by these builders (`{prefix}stage1_conv1` ... for the trunk, `{prefix}attention_*` for
the branch), because FECN finds the MCN layers it copies by name: a layer called `mcn_X` inside FECN receives
the weights of layer `X` of the trained MCN.
"""

from __future__ import annotations

from collections.abc import Sequence

from keras import layers

from ...errors import MaskTheFERError
from ..base import pooled_classifier
from ..vgg.blocks import VGG_CONFIGS, scale_config, vgg_features, vgg_stage

TRUNK_STAGES = 4  # stages 1-4 are shared; stage 5 is duplicated into the attention and perception branches


def trunk_config(trunk: str, width: float) -> tuple[tuple[int, ...], ...]:
    """The VGG stage filters of `trunk` ("vgg11", "vgg16", "vgg19") scaled by `width`."""
    if trunk not in VGG_CONFIGS:
        raise MaskTheFERError(f"unknown attention trunk {trunk!r}; choose one of {', '.join(sorted(VGG_CONFIGS))}")
    if not width > 0:
        raise MaskTheFERError(f"width multiplier must be positive, got {width!r}")
    return scale_config(VGG_CONFIGS[trunk], width)


def shared_trunk(x, config: Sequence[Sequence[int]], prefix: str = ""):
    """Stages 1-4 with their pools: the feature extractor both branches read."""
    return vgg_features(x, config[:TRUNK_STAGES], batch_norm=True, prefix=f"{prefix}stage")


def can_pool(x) -> bool:
    """Whether a 2x2 pool still leaves at least one pixel (small inputs skip late pools, as in vgg_features)."""
    height, width = x.shape[1], x.shape[2]
    return height is None or (height >= 2 and width >= 2)


def attention_branch(features, last_stage: Sequence[int], num_classes: int, prefix: str = ""):
    """ABN's attention branch on the trunk features; returns `(class_maps, attention_map)`.

    A stride-1 copy of the last VGG stage (no pool, so the map keeps the trunk's resolution) -> 1x1 conv to
    one map per class -> BN -> ReLU. The class maps give the branch's logits (see `attention_logits`), and a
    1x1 conv -> BN -> sigmoid squeezes them to the single-channel attention map in [0, 1].
    """
    x = vgg_stage(features, last_stage, f"{prefix}attention_stage", batch_norm=True, pool=False)
    x = layers.Conv2D(num_classes, 1, use_bias=False, name=f"{prefix}attention_class_conv")(x)
    x = layers.BatchNormalization(name=f"{prefix}attention_class_bn")(x)
    class_maps = layers.Activation("relu", name=f"{prefix}attention_class_maps")(x)
    a = layers.Conv2D(1, 1, use_bias=False, name=f"{prefix}attention_map_conv")(class_maps)
    a = layers.BatchNormalization(name=f"{prefix}attention_map_bn")(a)
    attention_map = layers.Activation("sigmoid", name=f"{prefix}attention_map")(a)
    return class_maps, attention_map


def attention_logits(class_maps, num_classes: int, output_name: str):
    """The attention branch's class probabilities: 1x1 conv (K -> K, as in Fukui et al.) -> GAP -> softmax."""
    x = layers.Conv2D(num_classes, 1, use_bias=False, name="attention_logit_conv")(class_maps)
    x = layers.GlobalAveragePooling2D(name="attention_gap")(x)
    return layers.Activation("softmax", name=output_name, dtype="float32")(x)


def perception_head(x, last_stage: Sequence[int], num_classes: int, dropout: float):
    """Last VGG stage (pooled when the map allows) -> GAP (`features`) -> dropout -> softmax (`predictions`)."""
    x = vgg_stage(x, last_stage, f"stage{TRUNK_STAGES + 1}", batch_norm=True, pool=can_pool(x))
    return pooled_classifier(x, num_classes, dropout)


def last_conv_name(last_stage: Sequence[int]) -> str:
    """The post-BN ReLU of the perception branch's last convolution: what Grad-CAM reads."""
    return f"stage{TRUNK_STAGES + 1}_relu{len(last_stage)}"

"""SCAN with complementary context information (Gera & Balasubramanian, Pattern Recognition Letters 2021),
an occlusion-robust benchmark of MSD-E (SPEC §2: 49.29 % on masked faces).

    image -> ResNet-50 stages 1-3 (bottleneck [3, 4, 6])
      stage 2 maps (512 ch) --+-> 5x5 grid of patches -> a spatio-channel gate per patch -> GAP -> max over patches
                              +-> a global spatio-channel gate on the whole map -> GAP
                              -> concat (1024) -> L2 normalisation (`features`) -> FC: attention logits
      stage 3 maps (1024 ch) -> ECA -> 2x2 regions -> GAP -> shared MLP (1024 -> 256 -> K): 4 region logits
    predictions = softmax(mean of the 5 logits)       (the authors average the branch scores at test time)

Training follows the authors' code: `0.2 * CE(attention_predictions) + 0.8 * sum_j CE(region{j}_predictions)`
(`output_losses()`, the weights inside `WeightedCrossEntropy`); the fused `predictions` are reported and
evaluated but carry no loss of their own (`None`).

Sizes: the authors feed 224x224 faces, so stage 2 is 28x28 and stage 3 14x14. With this zoo's default
3x3/1 stem a 48x96 crop gives 24x48 and 12x24 (the ImageNet stem would leave 6x12, about one pixel per patch).
The 25 local gates are separate layers as in the authors' main model (61 M of the 70 M parameters);
`share_local_gates=True` gives their shared-gate variant (one gate for all patches, 13.6 M in all).

Initialisation: the authors start from a face-pretrained ResNet-50 (VGGFace2 / MS-Celeb weights, trunk at lr
1e-4, branches at 1e-2), so their trunk's initial state never mattered. Trained from scratch, the 13 bottleneck
blocks' residual sums grow block after block: the first region logits are large, the first updates overshoot,
and the region MLP's ReLUs die (91 % of its hidden units fire for some face at the start, 27 % after 100 AdamW
steps) until every head predicts the class prior. `zero_init_residual=True` (the default here; torchvision's
option of that name, timm's default) starts each residual branch's last batch norm at gamma = 0, so each block
begins as the identity, and the model then trains (experiments/scan_fer2013_short.py has the measurements).
It changes the initial values only, not the architecture or the parameter count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import layers

from ...errors import MaskTheFERError
from ..base import PREDICTIONS, ZooModel, constructor_args
from ..registry import register_model
from ..resnet.blocks import BLOCKS, check_layout, last_block_output, resnet_stage, resnet_stem
from .layers import EfficientChannelAttention, SpatioChannelGate, grid_bounds
from .losses import WeightedCrossEntropy

ATTENTION_PREDICTIONS = "attention_predictions"
REGION_PREDICTIONS = "region{}_predictions"  # region1 .. regionN, row-major over the region grid


def grid_crops(x, grid: int, prefix: str, what: str) -> list:
    """`grid` x `grid` non-overlapping patches of a (B, H, W, C) map, row-major, as Cropping2D layers."""
    height, width = int(x.shape[1]), int(x.shape[2])
    rows = grid_bounds(height, grid, f"{what} ({height}x{width})")
    cols = grid_bounds(width, grid, f"{what} ({height}x{width})")
    patches = []
    for top, bottom in rows:
        for left, right in cols:
            crop = ((top, height - bottom), (left, width - right))
            patches.append(layers.Cropping2D(crop, name=f"{prefix}{len(patches) + 1}_crop")(x))
    return patches


def softmax(logits, name: str):
    """Class probabilities in float32 (bf16 mixed precision still computes a float32 loss)."""
    return layers.Activation("softmax", name=name, dtype="float32")(logits)


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "scan",
    description="SCAN + CCI: ResNet-50 stages 1-3, 25 local spatio-channel gates + a global gate, 4-region branch",
    paper="Gera & Balasubramanian, Pattern Recognit. Lett. 2021 (published count: authors' released code, 8 classes)",
    published_params=70_197_589,
    input_note="any size whose stage-2 map is at least 5x5 (default 3x3/1 stem: 48x96 gives 24x48)",
    tiny_config={"base_filters": 4, "blocks": (1, 1, 1)},
)
class SCAN(ZooModel):
    """SCAN with outputs `[predictions, attention_predictions, region1_predictions, ...]`."""

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        blocks: Sequence[int] = (3, 4, 6),
        base_filters: int = 64,
        stem: str = "small",
        grid: int = 5,
        share_local_gates: bool = False,
        region_grid: int = 2,
        eca_kernel: int = 5,
        region_reduction: int = 4,
        attention_weight: float = 0.2,
        region_weight: float = 0.8,
        zero_init_residual: bool = True,
        name: str = "scan",
        **kwargs,
    ):
        args = constructor_args(locals())
        args["blocks"] = list(blocks)
        check_layout(blocks, base_filters)
        if len(blocks) != 3:
            raise MaskTheFERError(f"SCAN uses ResNet stages 1-3: blocks needs 3 counts, got {tuple(blocks)!r}")

        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = resnet_stem(inputs, stem=stem, filters=base_filters)
        stage_outputs = []
        for index, count in enumerate(blocks, start=1):
            stride = 1 if index == 1 else 2
            filters = base_filters * 2 ** (index - 1)
            x = resnet_stage(
                x, BLOCKS["bottleneck"], filters, count, stride, f"stage{index}", zero_init_residual=zero_init_residual
            )
            stage_outputs.append(x)
        local_map, context_map = stage_outputs[1], stage_outputs[2]

        attention_logits = self._attention_branch(local_map, num_classes, grid, share_local_gates)
        region_logits = self._region_branch(context_map, num_classes, region_grid, eca_kernel, region_reduction)
        fused = layers.Average(name="fused_logits")([attention_logits, *region_logits])
        outputs = [softmax(fused, PREDICTIONS), softmax(attention_logits, ATTENTION_PREDICTIONS)]
        outputs += [softmax(logits, REGION_PREDICTIONS.format(j)) for j, logits in enumerate(region_logits, start=1)]
        super().__init__(inputs=inputs, outputs=outputs, constructor_args=args, name=name, **kwargs)
        self.last_conv_layer_name = last_block_output(blocks[:2])  # the maps both gates read

    @staticmethod
    def _attention_branch(local_map, num_classes: int, grid: int, share: bool):
        """Local patch gates (max over patches) + global gate -> L2-normalised `features` -> logits."""
        shared_gate = SpatioChannelGate(name="local_gate") if share else None
        pooled = []
        for k, patch in enumerate(grid_crops(local_map, grid, "local_patch", "stage-2 map"), start=1):
            gate = shared_gate or SpatioChannelGate(name=f"local_gate{k}")
            pooled.append(layers.GlobalAveragePooling2D(name=f"local_patch{k}_pool")(gate(patch)))
        local = layers.Maximum(name="local_max")(pooled)
        global_ = layers.GlobalAveragePooling2D(name="global_pool")(SpatioChannelGate(name="global_gate")(local_map))
        combined = layers.Concatenate(name="local_and_global")([local, global_])
        features = layers.UnitNormalization(axis=-1, name="features")(combined)
        return layers.Dense(num_classes, name="attention_logits")(features)

    @staticmethod
    def _region_branch(context_map, num_classes: int, region_grid: int, eca_kernel: int, reduction: int):
        """ECA over the stage-3 maps, then one logit vector per region from a shared two-layer MLP."""
        x = EfficientChannelAttention(eca_kernel, name="context_eca")(context_map)
        channels = int(context_map.shape[-1])
        hidden = layers.Dense(max(1, channels // reduction), activation="relu", name="region_hidden")
        classifier = layers.Dense(num_classes, name="region_logits")
        logits = []
        for j, region in enumerate(grid_crops(x, region_grid, "region", "stage-3 map"), start=1):
            logits.append(classifier(hidden(layers.GlobalAveragePooling2D(name=f"region{j}_pool")(region))))
        return logits

    def region_output_names(self) -> list[str]:
        grid = self._constructor_args["region_grid"]
        return [REGION_PREDICTIONS.format(j) for j in range(1, grid * grid + 1)]

    def output_losses(self) -> dict[str, Any]:
        """The authors' weighted sum; `None` on the fused `predictions`, which are reported, not trained."""
        attention = WeightedCrossEntropy(self._constructor_args["attention_weight"], name="attention_crossentropy")
        region = WeightedCrossEntropy(self._constructor_args["region_weight"], name="region_crossentropy")
        losses: dict[str, Any] = {PREDICTIONS: None, ATTENTION_PREDICTIONS: attention}
        losses.update({output: region for output in self.region_output_names()})
        return losses

    def output_metrics(self) -> dict[str, list]:
        return {PREDICTIONS: ["accuracy"]}

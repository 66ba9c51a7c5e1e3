"""Facial Expression Classification Network, stage 2 of Hayashi et al. (2023).

FECN has its own VGG trunk; after stage `attention_stage` its feature maps are multiplied (Hadamard product)
by the attention map of a frozen MCN, which points at the eyes, and the rest of the network classifies the
expression:

    image -+-> own stages 1..k -> x attention map -> own stages k+1..5 -> GAP (features) -> softmax (predictions)
           +-> [frozen MCN trunk + attention branch] -> attention map (resized to the stage-k map if needed)

The MCN part is rebuilt inside FECN from `mcn_config` (MCN constructor arguments; `mcn.get_config()` works as
is), its layers are named `mcn_<MCN layer name>` and are non-trainable, so a saved `.keras` file is
self-contained and reloads without the MCN run. `load_attention_from(mcn)` copies a trained MCN's weights in
(the trainer calls it for `maskthefer train --model fecn --attention-from RUN`). Non-trainable BatchNorm layers
run in inference mode, so the MCN's moving statistics stay as trained too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras

from ...errors import MaskTheFERError
from ..base import ZooModel, constructor_args
from ..registry import register_model
from ..vgg.blocks import vgg_stage
from .branch import (
    TRUNK_STAGES,
    attention_branch,
    can_pool,
    last_conv_name,
    perception_head,
    shared_trunk,
    trunk_config,
)
from .layers import AttentionGate, ResizeLike
from .mcn import MASK_CLASSES

MCN_PREFIX = "mcn_"
MCN_ATTENTION_MAP = f"{MCN_PREFIX}attention_map"
# MCN constructor arguments FECN accepts; input_shape, dropout and name only concern the MCN's own perception
# branch and input, which FECN does not rebuild (its generator reads FECN's input), so they are ignored.
_MCN_GRAPH_KEYS = {"num_classes", "trunk", "width"}
_MCN_IGNORED_KEYS = {"input_shape", "dropout", "name"}


class AttentionTransferError(MaskTheFERError):
    """The MCN given to FECN does not match the attention generator FECN was built with."""


def _mcn_graph_args(mcn_config: Mapping[str, Any] | None) -> dict[str, Any]:
    config = dict(mcn_config or {})
    unknown = set(config) - _MCN_GRAPH_KEYS - _MCN_IGNORED_KEYS
    if unknown:
        raise MaskTheFERError(
            f"mcn_config has unknown keys {sorted(unknown)}; expected MCN constructor arguments "
            f"({', '.join(sorted(_MCN_GRAPH_KEYS | _MCN_IGNORED_KEYS))})"
        )
    return {
        "num_classes": int(config.get("num_classes", len(MASK_CLASSES))),
        "trunk": config.get("trunk", "vgg11"),
        "width": float(config.get("width", 1.0)),
    }


def mcn_attention_generator(inputs, mcn_config: Mapping[str, Any] | None):
    """The MCN trunk and attention branch on `inputs`, layers prefixed `mcn_`; returns the attention map."""
    args = _mcn_graph_args(mcn_config)
    config = trunk_config(args["trunk"], args["width"])
    features = shared_trunk(inputs, config, prefix=MCN_PREFIX)
    _, attention_map = attention_branch(features, config[-1], args["num_classes"], prefix=MCN_PREFIX)
    return attention_map


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "fecn",
    description="FECN: own VGG11 trunk x frozen MCN attention map (Hadamard), expression classifier",
    paper="Hayashi et al. 2023 (two-stage attention, stage 2)",
    tiny_config={"width": 0.0625, "mcn_config": {"width": 0.0625}},
    input_note="train an `mcn` run first and pass it with --attention-from; untrained the map is uninformative",
)
class FECN(ZooModel):
    """Expression classifier whose stage-`attention_stage` features are gated by a frozen MCN's attention map."""

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (48, 96, 1),
        trunk: str = "vgg11",
        width: float = 1.0,
        dropout: float = 0.5,
        attention_stage: int = TRUNK_STAGES,
        mcn_config: Mapping[str, Any] | None = None,
        name: str = "fecn",
        **kwargs,
    ):
        args = constructor_args(locals())
        args["mcn_config"] = dict(mcn_config or {})
        if not 1 <= int(attention_stage) <= TRUNK_STAGES:
            raise MaskTheFERError(f"attention_stage must be 1..{TRUNK_STAGES} (a trunk stage), got {attention_stage!r}")
        inputs = keras.Input(shape=tuple(input_shape), name="image")
        attention_map = mcn_attention_generator(inputs, mcn_config)

        config = trunk_config(trunk, width)
        x = inputs
        for index, filters in enumerate(config[:TRUNK_STAGES], start=1):
            x = vgg_stage(x, filters, f"stage{index}", batch_norm=True, pool=can_pool(x))
            if index == attention_stage:
                attention = attention_map
                if tuple(attention.shape[1:3]) != tuple(x.shape[1:3]):
                    # The MCN map has the resolution of its stage-4 output; earlier stages are larger.
                    attention = ResizeLike(name="attention_resize")([attention, x])
                x = AttentionGate(residual=False, name="attention_gate")([x, attention])
        predictions = perception_head(x, config[-1], num_classes, dropout)
        super().__init__(inputs=inputs, outputs=predictions, constructor_args=args, name=name, **kwargs)
        self.last_conv_layer_name = last_conv_name(config[-1])
        for layer in self.attention_layers():
            layer.trainable = False  # the MCN is a fixed attention generator, never trained in stage 2

    def attention_layers(self) -> list[keras.layers.Layer]:
        """The layers of the embedded MCN attention generator (all non-trainable)."""
        return [layer for layer in self.layers if layer.name.startswith(MCN_PREFIX)]

    def attention_model(self) -> keras.Model:
        """Image -> the frozen MCN attention map (B, h, w, 1) in [0, 1], before any resizing."""
        return keras.Model(self.inputs, self.get_layer(MCN_ATTENTION_MAP).output, name=f"{self.name}_attention")

    def load_attention_from(self, mcn: keras.Model) -> int:
        """Copy a trained MCN's (or any ABN's) weights into the attention generator; returns layers copied.

        Every weighted `mcn_X` layer takes the weights of layer `X` of `mcn`. Raises AttentionTransferError
        naming the layer when `mcn` lacks it or its weights have other shapes (FECN built with another
        `mcn_config`: build it with `mcn_config=mcn.get_config()`).
        """
        copied = 0
        for layer in self.attention_layers():
            if not layer.weights:
                continue
            source_name = layer.name[len(MCN_PREFIX):]
            try:
                source = mcn.get_layer(source_name)
            except ValueError:
                raise AttentionTransferError(
                    f"model {mcn.name!r} has no layer {source_name!r}; FECN's attention generator needs an "
                    "MCN/ABN with the same trunk"
                ) from None
            weights = source.get_weights()
            expected = [w.shape for w in layer.get_weights()]
            if [w.shape for w in weights] != expected:
                raise AttentionTransferError(
                    f"layer {source_name!r} of {mcn.name!r} has weight shapes {[w.shape for w in weights]}, FECN "
                    f"expects {expected}; build FECN with mcn_config=mcn.get_config()"
                )
            layer.set_weights(weights)
            copied += 1
        return copied

    @classmethod
    def from_mcn(cls, mcn: keras.Model, num_classes: int = 7, **kwargs) -> FECN:
        """A FECN whose generator matches `mcn` (same config, same input shape) with `mcn`'s weights loaded."""
        mcn_config = {k: v for k, v in mcn.get_config().items() if k in _MCN_GRAPH_KEYS}
        kwargs.setdefault("input_shape", tuple(mcn.input_shape[1:]))
        model = cls(num_classes=num_classes, mcn_config=mcn_config, **kwargs)
        model.load_attention_from(mcn)
        return model

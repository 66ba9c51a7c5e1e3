"""Mask Classification Network, stage 1 of Hayashi et al. (2023): an ABN that tells masked from unmasked.

The architecture is ABN's; only the task differs. Trained on paired masked/unmasked crops with the labels
(0 = unmasked, 1 = masked), the only cue is the lower face, yet the attention map learns to settle on the eyes
whatever the expression; FECN (stage 2) then reuses that map, frozen, as its attention generator.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from ...labels import MASK_CLASSES
from ..registry import register_model
from .abn import ABN


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "mcn",
    description="Mask Classification Network: ABN trained masked-vs-unmasked, attention generator for FECN",
    paper="Hayashi et al. 2023 (two-stage attention, stage 1)",
    tiny_config={"width": 0.0625},
    task="mask",
)
class MCN(ABN):
    """ABN with two classes by default (`MASK_CLASSES`); registered with `task="mask"`."""

    def __init__(
        self,
        num_classes: int = len(MASK_CLASSES),
        input_shape: Sequence[int] = (48, 96, 1),
        trunk: str = "vgg11",
        width: float = 1.0,
        dropout: float = 0.5,
        name: str = "mcn",
        **kwargs,
    ):
        super().__init__(
            num_classes=num_classes,
            input_shape=input_shape,
            trunk=trunk,
            width=width,
            dropout=dropout,
            name=name,
            **kwargs,
        )

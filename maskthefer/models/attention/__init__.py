"""Attention models: ABN, and the two-stage MCN -> FECN of Hayashi et al. (2023)."""

from .abn import ABN, ATTENTION_MAP, ATTENTION_PREDICTIONS
from .fecn import FECN, AttentionTransferError
from .layers import AttentionGate, ResizeLike
from .mcn import MASK_CLASSES, MCN

__all__ = [
    "ABN",
    "ATTENTION_MAP",
    "ATTENTION_PREDICTIONS",
    "FECN",
    "MASK_CLASSES",
    "MCN",
    "AttentionGate",
    "AttentionTransferError",
    "ResizeLike",
]

"""SCAN + CCI (Gera & Balasubramanian 2021): local patch and global spatio-channel gates, a 4-region branch."""

from .layers import EfficientChannelAttention, SpatioChannelGate, grid_bounds
from .losses import WeightedCrossEntropy
from .scan import ATTENTION_PREDICTIONS, REGION_PREDICTIONS, SCAN

__all__ = [
    "ATTENTION_PREDICTIONS",
    "REGION_PREDICTIONS",
    "SCAN",
    "EfficientChannelAttention",
    "SpatioChannelGate",
    "WeightedCrossEntropy",
    "grid_bounds",
]

from .layers import ImageResize, ResidualMasking
from .resmaskingnet import ResMaskingNet

__all__ = ["ImageResize", "ResMaskingNet", "ResidualMasking"]

from .masknet import MaskNet

__all__ = ["MaskNet"]

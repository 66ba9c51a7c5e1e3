from .cbam_resnet import CBAMResNet50, cbam_gate
from .layers import ChannelGate, SpatialGate

__all__ = ["CBAMResNet50", "ChannelGate", "SpatialGate", "cbam_gate"]

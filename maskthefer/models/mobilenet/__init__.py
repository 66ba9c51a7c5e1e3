from .mobilenet import MobileNet

__all__ = ["MobileNet"]

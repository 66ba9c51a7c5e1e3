from .vgg_lite import VGGLite

__all__ = ["VGGLite"]

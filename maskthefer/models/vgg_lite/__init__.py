from .vgg_lite import VGGLite, VGGLiteSmall

__all__ = ["VGGLite", "VGGLiteSmall"]

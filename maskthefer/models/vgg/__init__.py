from .vgg import VGG, VGG11, VGG16, VGG19

__all__ = ["VGG", "VGG11", "VGG16", "VGG19"]

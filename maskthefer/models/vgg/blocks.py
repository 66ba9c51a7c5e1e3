"""VGG convolution stacks shared by the VGG family and the attention models built on a VGG trunk.

A configuration lists, per stage, the filters of each 3x3 convolution; every stage ends in a 2x2 max-pool.
"""

from __future__ import annotations

from collections.abc import Sequence

from keras import layers

# Simonyan & Zisserman configurations A (11), D (16) and E (19).
VGG_CONFIGS: dict[str, tuple[tuple[int, ...], ...]] = {
    "vgg11": ((64,), (128,), (256, 256), (512, 512), (512, 512)),
    "vgg16": ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)),
    "vgg19": ((64, 64), (128, 128), (256, 256, 256, 256), (512, 512, 512, 512), (512, 512, 512, 512)),
}


def scale_config(config: Sequence[Sequence[int]], width: float) -> tuple[tuple[int, ...], ...]:
    """Multiply every filter count by `width` (at least 1 filter), for tiny test models."""
    return tuple(tuple(max(1, int(round(f * width))) for f in stage) for stage in config)


def vgg_stage(x, filters: Sequence[int], name: str, batch_norm: bool = True, pool: bool = True):
    """One VGG stage: (conv 3x3 -> [BN] -> ReLU) per entry of `filters`, then a 2x2 max-pool."""
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, padding="same", use_bias=not batch_norm, name=f"{name}_conv{i}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    if pool:
        x = layers.MaxPooling2D(2, name=f"{name}_pool")(x)
    return x


def vgg_features(x, config: Sequence[Sequence[int]], batch_norm: bool = True, prefix: str = "stage", pool_last: bool = True):
    """All stages of a VGG configuration; returns the last feature map.

    A stage skips its pool once the map is under 2 pixels high or wide, so inputs smaller than 32 pixels
    still pass through all five stages (48x96 crops pool five times and end at 1x3).
    """
    for index, filters in enumerate(config, start=1):
        height, width = x.shape[1], x.shape[2]
        can_pool = height is None or (height >= 2 and width >= 2)
        pool = can_pool and (pool_last or index < len(config))
        x = vgg_stage(x, filters, f"{prefix}{index}", batch_norm=batch_norm, pool=pool)
    return x

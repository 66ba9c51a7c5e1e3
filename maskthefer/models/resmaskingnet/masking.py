"""The masking U-Net of ResMaskingNet: residual blocks in an encoder-decoder that keeps the input's shape.

For a feature map with C channels and depth d, the encoder is d basic residual blocks widening to 2C, 4C, ...,
2^d C with a 2x2 max-pool between them; the decoder climbs back with a 2x2 stride-2 transposed conv (+ BN +
ReLU), concatenates the encoder map of the same size and applies a block halving the channels; a last block
returns to C channels. Depth 1 is simply C -> 2C -> C. The output is the mask's logits; the softmax over
channels is applied by `ResidualMasking`. Depths 4, 3, 2, 1 after stages 1-4 of ResNet-34 give 116 M of the
model's 138 M parameters (almost all in the 512 -> 1024 blocks at the bottom of each U).

A depth-d U pools d-1 times, so the map's sides must be multiples of 2^(d-1).
"""

from __future__ import annotations

from keras import layers

from ...errors import MaskTheFERError
from ..resnet.blocks import CONV_INIT, basic_block


def up_block(x, filters: int, name: str):
    """2x upsampling by a 2x2 stride-2 transposed conv, then BN and ReLU."""
    x = layers.Conv2DTranspose(filters, 2, strides=2, use_bias=False, kernel_initializer=CONV_INIT, name=name)(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def masking_unet(x, depth: int, name: str):
    """Mask logits with the shape of `x` (layers `{name}_enc{k}`, `{name}_up{k}`, `{name}_dec{k}`, `{name}_out`)."""
    if depth < 1:
        raise MaskTheFERError(f"masking depth must be at least 1, got {depth}")
    channels = int(x.shape[-1])
    skips = []
    for level in range(1, depth + 1):
        if level > 1:
            x = layers.MaxPooling2D(2, name=f"{name}_pool{level - 1}")(x)
        x = basic_block(x, channels * 2**level, name=f"{name}_enc{level}")
        skips.append(x)
    for level in range(depth - 1, 0, -1):
        x = up_block(x, channels * 2**level, name=f"{name}_up{level}")
        x = layers.Concatenate(name=f"{name}_concat{level}")([x, skips[level - 1]])
        x = basic_block(x, channels * 2**level, name=f"{name}_dec{level}")
    return basic_block(x, channels, name=f"{name}_out")

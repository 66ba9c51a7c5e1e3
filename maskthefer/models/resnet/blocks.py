"""ResNet building blocks shared by ResNet-18, CBAM-ResNet-50, ResMaskingNet and any trunk built on them.

Every function takes a Keras tensor and returns one, so families compose them functionally:

    x = resnet_stem(inputs, stem="small", filters=64)
    x = resnet_stage(x, basic_block, filters=64, num_blocks=2, stride=1, name="stage1")

Blocks follow He et al. 2016 as torchvision implements them: batch norm after every convolution, a projection
shortcut (1x1 conv + BN) only where the shape changes, and in bottlenecks the stride on the 3x3 convolution
("ResNet v1.5"). `gate` lets a family transform the residual branch just before the add (CBAM's attention).
`zero_init_residual` starts the last batch norm of each residual branch at gamma = 0 (Goyal et al. 2017;
torchvision's option of that name, timm's `zero_init_last`), so every block begins as the identity. Off by
default; deep bottleneck trunks trained from scratch on short schedules need it (see SCAN).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from keras import layers

from ...errors import MaskTheFERError

# A residual-branch transform: (tensor, name prefix) -> tensor of the same shape.
Gate = Callable[..., object]

# He initialisation suits deep ReLU stacks; Keras' Glorot default shrinks activations layer after layer.
CONV_INIT = "he_normal"

# Stems: "imagenet" is the 7x7/2 conv + 3x3/2 max-pool of the paper (a 48-pixel side is 12 at stage 1);
# "small" is a 3x3/1 conv with no pooling (CIFAR-style), which keeps the full resolution of small crops.
STEMS = ("imagenet", "small")
STEM_STRIDE = {"imagenet": 4, "small": 1}

# depth -> (block kind, blocks per stage), the configurations of He et al. 2016, Table 1.
RESNET_LAYOUTS: dict[int, tuple[str, tuple[int, ...]]] = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
}


def conv_bn(
    x,
    filters: int,
    kernel_size: int,
    stride: int = 1,
    name: str = "conv",
    activation: str | None = "relu",
    gamma_initializer: str = "ones",
):
    """Conv (no bias: BN's beta replaces it) -> BN -> optional activation.

    Layers are named `{name}`, `{name}_bn` and `{name}_{activation}`.
    """
    x = layers.Conv2D(
        filters, kernel_size, strides=stride, padding="same", use_bias=False, kernel_initializer=CONV_INIT, name=name
    )(x)
    x = layers.BatchNormalization(gamma_initializer=gamma_initializer, name=f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def resnet_stem(x, stem: str = "small", filters: int = 64, name: str = "stem"):
    """The layers before stage 1 (see `STEMS`); the output has `filters` channels."""
    if stem == "imagenet":
        x = conv_bn(x, filters, 7, stride=2, name=f"{name}_conv")
        return layers.MaxPooling2D(3, strides=2, padding="same", name=f"{name}_pool")(x)
    if stem == "small":
        return conv_bn(x, filters, 3, stride=1, name=f"{name}_conv")
    raise MaskTheFERError(f"unknown ResNet stem {stem!r}; choose one of {', '.join(STEMS)}")


def _shortcut(x, out_channels: int, stride: int, name: str):
    """Identity when the shape is unchanged, else a 1x1 projection with the block's stride."""
    if stride == 1 and x.shape[-1] == out_channels:
        return x
    if stride > 1:
        # A strided 1x1 conv reads every stride-th pixel, so subsampling first and convolving with stride 1 is
        # the same function. Written this way because TensorFlow 2.21's oneDNN filter gradient of a strided 1x1
        # conv corrupts the heap when the input has few channels (4 or 8 at 48x96 crashed the process).
        x = layers.MaxPooling2D(1, strides=stride, name=f"{name}_shortcut_subsample")(x)
    return conv_bn(x, out_channels, 1, name=f"{name}_shortcut", activation=None)


def _merge(y, shortcut, name: str, gate: Gate | None):
    """The end of every block: optional gate (CBAM) on the residual branch, add the shortcut, ReLU."""
    if gate is not None:
        y = gate(y, name=f"{name}_gate")
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation("relu", name=f"{name}_out")(y)


def _last_gamma(zero_init_residual: bool) -> str:
    return "zeros" if zero_init_residual else "ones"


def basic_block(
    x, filters: int, stride: int = 1, name: str = "block", gate: Gate | None = None, zero_init_residual: bool = False
):
    """Two 3x3 convs (the first strided) plus shortcut; output has `filters` channels (expansion 1)."""
    shortcut = _shortcut(x, filters, stride, name)
    y = conv_bn(x, filters, 3, stride=stride, name=f"{name}_conv1")
    y = conv_bn(y, filters, 3, name=f"{name}_conv2", activation=None, gamma_initializer=_last_gamma(zero_init_residual))
    return _merge(y, shortcut, name, gate)


def bottleneck_block(
    x,
    filters: int,
    stride: int = 1,
    name: str = "block",
    gate: Gate | None = None,
    expansion: int = 4,
    zero_init_residual: bool = False,
):
    """1x1 reduce -> 3x3 (strided) -> 1x1 expand to `filters * expansion` channels, plus shortcut."""
    out_channels = filters * expansion
    shortcut = _shortcut(x, out_channels, stride, name)
    y = conv_bn(x, filters, 1, name=f"{name}_conv1")
    y = conv_bn(y, filters, 3, stride=stride, name=f"{name}_conv2")
    y = conv_bn(
        y, out_channels, 1, name=f"{name}_conv3", activation=None, gamma_initializer=_last_gamma(zero_init_residual)
    )
    return _merge(y, shortcut, name, gate)


BLOCKS: dict[str, Callable] = {"basic": basic_block, "bottleneck": bottleneck_block}


def resnet_stage(
    x,
    block: Callable,
    filters: int,
    num_blocks: int,
    stride: int,
    name: str,
    gate: Gate | None = None,
    zero_init_residual: bool = False,
):
    """`num_blocks` blocks named `{name}_block{i}`; only the first one strides (and projects)."""
    # Passed only when asked for, so block callables without the option still fit.
    options = {"zero_init_residual": True} if zero_init_residual else {}
    for index in range(1, num_blocks + 1):
        x = block(x, filters, stride=stride if index == 1 else 1, name=f"{name}_block{index}", gate=gate, **options)
    return x


def resnet_features(
    x,
    block: str | Callable = "basic",
    blocks: Sequence[int] = (2, 2, 2, 2),
    base_filters: int = 64,
    stem: str = "small",
    prefix: str = "",
    gate: Gate | None = None,
):
    """Stem plus four (or len(blocks)) stages with filters base, 2x, 4x, 8x...; returns the last feature map.

    Stage `i` is named `{prefix}stage{i}`; its last layer is `{prefix}stage{i}_block{n}_out`.
    """
    check_layout(blocks, base_filters)
    if isinstance(block, str) and block not in BLOCKS:
        raise MaskTheFERError(f"unknown ResNet block {block!r}; choose one of {', '.join(BLOCKS)}")
    block_fn = BLOCKS[block] if isinstance(block, str) else block
    x = resnet_stem(x, stem=stem, filters=base_filters, name=f"{prefix}stem")
    for index, count in enumerate(blocks, start=1):
        stride = 1 if index == 1 else 2
        filters = base_filters * 2 ** (index - 1)
        x = resnet_stage(x, block_fn, filters, count, stride, f"{prefix}stage{index}", gate=gate)
    return x


def check_layout(blocks: Sequence[int], base_filters: int) -> None:
    """Reject layouts that cannot build, with a message naming the bad value."""
    if not blocks or any(int(count) < 1 for count in blocks):
        raise MaskTheFERError(f"blocks must list at least one positive block count per stage, got {tuple(blocks)!r}")
    if int(base_filters) < 1:
        raise MaskTheFERError(f"base_filters must be positive, got {base_filters!r}")


def last_block_output(blocks: Sequence[int], prefix: str = "") -> str:
    """Name of the layer `resnet_features` ends with (Grad-CAM's default target)."""
    return f"{prefix}stage{len(blocks)}_block{blocks[-1]}_out"

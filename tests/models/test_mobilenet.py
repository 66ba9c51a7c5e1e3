"""MobileNet v1: the 13 depthwise-separable blocks, ReLU6, width multiplier, and the paper's 4.2 M parameters.

Build/forward/round-trip/training/JAX checks for every model are in test_zoo_common.py.
"""

from __future__ import annotations

import pytest
from keras import layers

from maskthefer.errors import MaskTheFERError
from maskthefer.models import create_model
from maskthefer.models.mobilenet.mobilenet import SEPARABLE_BLOCKS


def test_imagenet_configuration_has_the_published_4_2_million_parameters():
    """Howard et al. 2017, Table 8: 1.0 MobileNet-224 has 4.2 M parameters (1,000 classes)."""
    model = create_model("mobilenet", num_classes=1000, input_shape=(224, 224, 3))
    assert abs(model.count_params() / 4_200_000 - 1) <= 0.02
    assert model.get_layer(model.last_conv_layer_name).output.shape == (None, 7, 7, 1024)


def test_layout_stem_and_13_separable_blocks_with_relu6():
    model = create_model("mobilenet")
    stem = model.get_layer("stem_conv")
    assert (stem.filters, stem.kernel_size, stem.strides) == (32, (3, 3), (2, 2))
    depthwise = [layer for layer in model.layers if isinstance(layer, layers.DepthwiseConv2D)]
    assert [layer.strides[0] for layer in depthwise] == [stride for _, stride in SEPARABLE_BLOCKS]
    assert [model.get_layer(f"block{i}_pw").filters for i in range(1, 14)] == [f for f, _ in SEPARABLE_BLOCKS]
    assert [f for f, _ in SEPARABLE_BLOCKS] == [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024]
    relus = [layer for layer in model.layers if isinstance(layer, layers.ReLU)]
    assert len(relus) == 1 + 2 * 13 and all(layer.max_value == 6.0 for layer in relus)
    # 48x96 crops: five stride-2 layers leave 2x3.
    assert model.get_layer(model.last_conv_layer_name).output.shape == (None, 2, 3, 1024)


def test_alpha_scales_every_layer():
    model = create_model("mobilenet", alpha=0.5)
    assert model.get_layer("stem_conv").filters == 16
    assert model.get_layer("block13_pw").filters == 512
    assert model.get_layer("features").output.shape == (None, 512)


def test_non_positive_alpha_is_a_clear_error():
    with pytest.raises(MaskTheFERError, match="alpha"):
        create_model("mobilenet", alpha=0)

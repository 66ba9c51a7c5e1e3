"""VGG11/16/19 in the small-input FER form (BN after every conv, global pooling head) and the classic head.

Build/forward/round-trip/training/JAX checks for every model are in test_zoo_common.py.
"""

from __future__ import annotations

import pytest
from keras import layers

from maskthefer.errors import MaskTheFERError
from maskthefer.models import create_model, model_spec
from maskthefer.models.vgg.blocks import VGG_CONFIGS

DEPTHS = ["vgg11", "vgg16", "vgg19"]


def fer_variant_params(config, in_channels: int = 1, classes: int = 7) -> int:
    """By the architecture's description: bias-free 3x3 convs, BN (4 numbers per channel), 512 -> classes."""
    total, channels = 0, in_channels
    for stage in config:
        for filters in stage:
            total += 9 * channels * filters + 4 * filters
            channels = filters
    return total + channels * classes + classes


@pytest.mark.parametrize("name", DEPTHS)
def test_full_size_fer_variant_has_bn_after_every_conv_and_a_global_pooling_head(name):
    model = create_model(name)
    convs = [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    norms = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
    assert len(convs) == len(norms) == sum(len(stage) for stage in VGG_CONFIGS[name]) == int(name[3:]) - 3
    assert model.count_params() == fer_variant_params(VGG_CONFIGS[name])
    assert isinstance(model.get_layer("features"), layers.GlobalAveragePooling2D)
    assert model.get_layer("dropout").rate == 0.5
    # Five pools take the 48x96 crop to 3x6 before the last one; Grad-CAM reads the last ReLU there.
    assert model.get_layer(model.last_conv_layer_name).output.shape == (None, 3, 6, 512)


def test_classic_vgg16_is_the_138_million_parameter_imagenet_network():
    """Simonyan & Zisserman, Table 2: configuration D has 138 M parameters (224x224x3, 1,000 classes, no BN)."""
    model = create_model("vgg16", num_classes=1000, input_shape=(224, 224, 3), head="classic", batch_norm=False)
    assert abs(model.count_params() / 138_000_000 - 1) <= 0.02
    assert model.get_layer("fc1").units == model.get_layer("features").units == 4096


def test_classic_head_builds_on_crops_with_scaled_dense_layers():
    model = create_model("vgg11", head="classic", **model_spec("vgg11").tiny_config)
    assert isinstance(model.get_layer("flatten"), layers.Flatten)
    assert model.get_layer("features").units == 4096 // 16
    assert model.output_shape == (None, 7)


def test_width_scales_every_stage():
    model = create_model("vgg19", width=0.25)
    assert [model.get_layer(f"stage{s}_conv1").filters for s in range(1, 6)] == [16, 32, 64, 128, 128]


@pytest.mark.parametrize("kwargs, message", [({"head": "dense"}, "head 'dense'"), ({"width": 0}, "width multiplier")])
def test_bad_options_are_clear_errors(kwargs, message):
    with pytest.raises(MaskTheFERError, match=message):
        create_model("vgg16", **kwargs)

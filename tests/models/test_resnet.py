"""ResNet-18 and the shared ResNet blocks: layout, stems, 11.2 M body, the exact shortcut rewrite.

Build/forward/round-trip/training/JAX checks for every model are in test_zoo_common.py.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from maskthefer.errors import MaskTheFERError
from maskthefer.models import create_model, model_spec
from maskthefer.models.resnet.blocks import basic_block, bottleneck_block

TINY = model_spec("resnet18").tiny_config


def body_params(model) -> int:
    """Parameters up to the pooled feature vector, i.e. without the classifier."""
    return keras.Model(model.input, model.get_layer(model.feature_layer_name).output).count_params()


def test_body_has_the_published_11_2_million_parameters():
    model = create_model("resnet18")
    assert abs(body_params(model) / 11_200_000 - 1) <= 0.02
    # The same trunk with the ImageNet stem on RGB: torchvision's resnet18 without fc has 11,176,512 trainable.
    imagenet = create_model("resnet18", input_shape=(224, 224, 3), stem="imagenet")
    trunk = keras.Model(imagenet.input, imagenet.get_layer("features").output)
    assert sum(int(np.prod(w.shape)) for w in trunk.trainable_weights) == 11_176_512


def test_layout_is_basic_blocks_2_2_2_2_with_64_to_512_filters():
    model = create_model("resnet18")
    convs = [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    assert len(convs) == 1 + 8 * 2 + 3  # stem, two per basic block, three projection shortcuts
    for stage, filters in zip(range(1, 5), (64, 128, 256, 512)):
        for block in (1, 2):
            assert model.get_layer(f"stage{stage}_block{block}_out").output.shape[-1] == filters
    assert model.get_layer("features").output.shape == (None, 512)


@pytest.mark.parametrize(
    "stem, stage1, stage4",
    [("small", (48, 96), (6, 12)), ("imagenet", (12, 24), (2, 3))],
)
def test_stem_sets_the_resolution_of_the_crops(stem, stage1, stage4):
    model = create_model("resnet18", stem=stem, **TINY)
    assert model.get_layer("stage1_block1_out").output.shape[1:3] == stage1
    assert model.get_layer(model.last_conv_layer_name).output.shape[1:3] == stage4


@pytest.mark.parametrize("size", [(48, 96), (7, 9)])
def test_subsampled_shortcut_equals_a_strided_1x1_conv(size):
    """The projection is written as subsample -> 1x1 conv; on even and odd sides it is the strided conv exactly."""
    x = np.random.default_rng(0).normal(size=(2, *size, 4)).astype(np.float32)
    inputs = keras.Input((None, None, 4))
    block = keras.Model(inputs, basic_block(inputs, 8, stride=2, name="b"))
    kernel = block.get_layer("b_shortcut").get_weights()[0]
    strided = layers.Conv2D(8, 1, strides=2, padding="same", use_bias=False)
    strided.build((None, None, None, 4))
    strided.set_weights([kernel])
    subsampled = keras.Model(inputs, block.get_layer("b_shortcut").output)
    np.testing.assert_allclose(np.asarray(subsampled(x)), np.asarray(strided(x)), rtol=1e-6, atol=1e-6)


def test_blocks_project_only_when_the_shape_changes():
    inputs = keras.Input((8, 8, 16))
    same = keras.Model(inputs, basic_block(inputs, 16, name="same"))
    assert "same_shortcut" not in [layer.name for layer in same.layers]
    wide = keras.Model(inputs, bottleneck_block(inputs, 8, stride=2, name="wide"))
    assert wide.output.shape == (None, 4, 4, 32)  # expansion 4, stride on the 3x3
    assert wide.get_layer("wide_conv2").strides == (2, 2) and wide.get_layer("wide_conv1").strides == (1, 1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stem": "big"}, "stem 'big'"),
        ({"blocks": (2, 0, 2, 2)}, "blocks must list"),
        ({"base_filters": 0}, "base_filters"),
    ],
)
def test_bad_options_are_clear_errors(kwargs, message):
    with pytest.raises(MaskTheFERError, match=message):
        create_model("resnet18", **{**TINY, **kwargs})

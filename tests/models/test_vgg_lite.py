"""VGG-lite, the MaskTheFER classifier (SPEC §1.4, Fig. 3), pinned layer by layer at 48x96x1 and 7 classes.

Build/forward/round-trip/training/JAX checks for every model are in test_zoo_common.py.
"""

from __future__ import annotations

from maskthefer.models import create_model


def conv_block(block: int, height: int, width: int, filters: int, in_channels: int) -> list[tuple]:
    """(conv 3x3 + ReLU -> BN) x 2 -> max-pool 2x2, as (type, name, output shape, parameters) rows."""
    conv1 = 9 * in_channels * filters + filters
    conv2 = 9 * filters * filters + filters
    bn = 4 * filters  # gamma, beta, moving mean, moving variance
    shape = (None, height, width, filters)
    return [
        ("Conv2D", f"block{block}_conv1", shape, conv1),
        ("BatchNormalization", f"block{block}_bn1", shape, bn),
        ("Conv2D", f"block{block}_conv2", shape, conv2),
        ("BatchNormalization", f"block{block}_bn2", shape, bn),
        ("MaxPooling2D", f"block{block}_pool", (None, height // 2, width // 2, filters), 0),
    ]


EXPECTED_LAYERS = [
    ("InputLayer", "image", (None, 48, 96, 1), 0),
    *conv_block(1, 48, 96, 32, 1),
    *conv_block(2, 24, 48, 64, 32),
    *conv_block(3, 12, 24, 128, 64),
    *conv_block(4, 6, 12, 256, 128),
    ("Flatten", "flatten", (None, 3 * 6 * 256), 0),
    ("Dense", "fc1", (None, 4096), 4608 * 4096 + 4096),
    ("Dropout", "dropout1", (None, 4096), 0),
    ("Dense", "features", (None, 4096), 4096 * 4096 + 4096),
    ("Dropout", "dropout2", (None, 4096), 0),
    ("Dense", "predictions", (None, 7), 4096 * 7 + 7),
]


def test_layer_sequence_and_the_36_863_975_parameters():
    model = create_model("vgg-lite")
    actual = [
        (type(layer).__name__, layer.name, tuple(layer.output.shape), layer.count_params()) for layer in model.layers
    ]
    assert actual == EXPECTED_LAYERS
    assert model.count_params() == sum(row[3] for row in EXPECTED_LAYERS) == 36_863_975
    # 1,920 of them are the batch norms' moving statistics; the rest train.
    assert sum(int(w.numpy().size) for w in model.trainable_weights) == 36_863_975 - 1_920
    dense = sum(row[3] for row in EXPECTED_LAYERS if row[0] == "Dense")
    assert round(dense / model.count_params(), 2) == 0.97  # SPEC: "97 % of them in the dense layers" (96.8 %)


def test_activations_order_and_dropout_follow_the_paper():
    model = create_model("vgg-lite")
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert all(conv.kernel_size == (3, 3) and conv.padding == "same" for conv in convs)
    assert {conv.activation.__name__ for conv in convs} == {"relu"}  # ReLU in the conv, BN after it
    assert [model.get_layer(name).activation.__name__ for name in ("fc1", "features")] == ["relu", "relu"]
    assert model.get_layer("predictions").activation.__name__ == "softmax"
    assert [model.get_layer(f"dropout{i}").rate for i in (1, 2)] == [0.3, 0.3]
    assert model.last_conv_layer_name == "block4_conv2"


def test_small_variant_normalises_before_the_activation_and_pools_globally():
    model = create_model("vgg-lite-small")
    kinds = [type(layer).__name__ for layer in model.layers]
    # conv (no bias: BN's beta replaces it) -> BN -> ReLU, twice per block, four blocks
    assert kinds[1:8] == ["Conv2D", "BatchNormalization", "Activation"] * 2 + ["MaxPooling2D"]
    assert kinds.count("Conv2D") == 8 and not any(model.get_layer(f"block{b}_conv1").use_bias for b in (1, 2, 3, 4))
    assert [model.get_layer(f"block{b}_conv2").filters for b in (1, 2, 3, 4)] == [16, 32, 64, 128]
    assert kinds[-4:] == ["GlobalAveragePooling2D", "Dense", "Dropout", "Dense"]
    assert model.get_layer("features").units == 256
    # 8 convs 292,752 + 8 BNs 1,920 + dense 128*256+256 + 256*7+7
    assert model.count_params() == 329_495
    assert model.last_conv_layer_name == "block4_relu2"


def test_variant_options_are_checked():
    import pytest

    from maskthefer.errors import MaskTheFERError

    with pytest.raises(MaskTheFERError, match="norm_order"):
        create_model("vgg-lite", norm_order="sideways")
    with pytest.raises(MaskTheFERError, match="pooling"):
        create_model("vgg-lite", pooling="max")

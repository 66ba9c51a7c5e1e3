"""ResMaskingNet: the residual masking formula, the depth-4/3/2/1 masking U-Nets, input fitting.

Build/forward/round-trip/training/JAX checks for every model, and the 138 M count, are in test_zoo_common.py.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from maskthefer.errors import MaskTheFERError
from maskthefer.models import create_model, model_spec
from maskthefer.models.resmaskingnet import ImageResize, ResidualMasking
from maskthefer.models.resmaskingnet.masking import masking_unet

TINY = model_spec("resmaskingnet").tiny_config


def test_residual_masking_hand_checked():
    # Two pixels, three channels. Softmax of [0, 0, ln 2] is [1/4, 1/4, 1/2]; of [ln 3, 0, 0] is [3/5, 1/5, 1/5].
    features = np.array([[[[4.0, -8.0, 2.0], [5.0, 5.0, 5.0]]]], np.float32)
    logits = np.array([[[[0.0, 0.0, np.log(2.0)], [np.log(3.0), 0.0, 0.0]]]], np.float32)
    masked = ResidualMasking()([features, logits])
    # features * (1 + mask): [4 * 5/4, -8 * 5/4, 2 * 3/2] and [5 * 8/5, 5 * 6/5, 5 * 6/5].
    np.testing.assert_allclose(np.asarray(masked), [[[[5.0, -10.0, 3.0], [8.0, 6.0, 6.0]]]], rtol=1e-6)


def test_mask_softmax_is_over_channels_so_masking_never_shrinks_a_feature():
    rng = np.random.default_rng(0)
    features = rng.uniform(0.5, 2.0, size=(2, 3, 4, 5)).astype(np.float32)
    logits = rng.normal(scale=3.0, size=(2, 3, 4, 5)).astype(np.float32)
    ratio = np.asarray(ResidualMasking()([features, logits])) / features - 1.0  # the mask itself
    np.testing.assert_allclose(ratio.sum(axis=-1), 1.0, rtol=1e-5)
    assert ratio.min() > 0


@pytest.mark.parametrize("depth, pools", [(1, 0), (2, 1), (3, 2), (4, 3)])
def test_masking_unet_keeps_the_shape_and_widens_by_powers_of_two(depth, pools):
    inputs = keras.Input((16, 24, 4))
    unet = keras.Model(inputs, masking_unet(inputs, depth, name="m"))
    assert unet.output.shape == (None, 16, 24, 4)
    widths = [unet.get_layer(f"m_enc{level}_out").output.shape[-1] for level in range(1, depth + 1)]
    assert widths == [4 * 2**level for level in range(1, depth + 1)]
    assert len([layer for layer in unet.layers if isinstance(layer, keras.layers.MaxPooling2D)]) == pools
    assert len([layer for layer in unet.layers if isinstance(layer, keras.layers.Conv2DTranspose)]) == pools


def test_every_stage_is_masked_by_a_unet_of_depth_4_3_2_1():
    model = create_model("resmaskingnet", **TINY)
    names = {layer.name for layer in model.layers}
    for stage, depth in zip(range(1, 5), (4, 3, 2, 1)):
        assert f"mask{stage}_enc{depth}_out" in names and f"mask{stage}_enc{depth + 1}_out" not in names
        masking = model.get_layer(f"stage{stage}_masked")
        trunk, logits = masking.input
        assert trunk is model.get_layer(f"stage{stage}_block1_out").output
        assert logits is model.get_layer(f"mask{stage}_out_out").output
    assert model.get_layer("dropout").rate == 0.4
    assert model.last_conv_layer_name == "stage4_masked"


def test_full_size_masks_hold_most_of_the_parameters():
    model = create_model("resmaskingnet", input_shape=(224, 224, 3))
    total = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    masks = sum(int(np.prod(w.shape)) for w in model.trainable_weights if w.path.startswith("mask"))
    assert 0.8 < masks / total < 0.9  # ~116 M of ~138 M; the ResNet-34 trunk is ~21 M
    assert model.get_layer("mask1_enc4_out").output.shape == (None, 7, 7, 1024)  # 56 -> 7 at the bottom


@pytest.mark.parametrize(
    "input_shape, kwargs, fitted",
    [
        ((48, 96, 1), {}, (64, 96)),  # the crops: each side up to the next multiple of 32
        ((64, 96, 1), {}, None),  # already fits: no resize layer
        ((48, 96, 1), {"resize_to": (224, 224)}, (224, 224)),  # the published input size
        ((48, 96, 1), {"stem": "small"}, None),  # stride 1 to stage 1: multiples of 8 suffice
    ],
)
def test_inputs_are_fitted_to_multiples_of_32(input_shape, kwargs, fitted):
    model = create_model("resmaskingnet", input_shape=input_shape, **{**TINY, **kwargs})
    names = [layer.name for layer in model.layers]
    if fitted is None:
        assert "fit_resize" not in names
    else:
        assert model.get_layer("fit_resize").output.shape[1:3] == fitted
    assert model.output_shape == (None, 7)


def test_image_resize_is_bilinear_and_keeps_constant_images_constant():
    image = np.full((1, 48, 96, 1), 0.25, np.float32)
    resized = np.asarray(ImageResize((64, 96))(image))
    assert resized.shape == (1, 64, 96, 1)
    np.testing.assert_allclose(resized, 0.25, rtol=1e-6)
    ramp = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)  # half-pixel centres, edges clamped
    stretched = np.asarray(ImageResize((1, 8))(ramp))[0, 0, :, 0]
    np.testing.assert_allclose(stretched, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"resize_to": (48, 96)}, "multiples of 32"),
        ({"blocks": (1, 1, 1)}, "4 stages"),
        ({"stem": "tiny"}, "stem 'tiny'"),
    ],
)
def test_bad_options_are_clear_errors(kwargs, message):
    with pytest.raises(MaskTheFERError, match=message):
        create_model("resmaskingnet", **{**TINY, **kwargs})

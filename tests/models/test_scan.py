"""SCAN + CCI (Gera & Balasubramanian 2021): the gates by hand, the patch grid, the fused prediction, the
authors' loss weighting, the full-size count beside the released code's, and the trunk's identity start that
lets it train from scratch.

Build/forward/round-trip/training/JAX checks for every model, and the count within 2 %, are in
test_zoo_common.py.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_zoo_common import eye_region_batch

from maskthefer.errors import MaskTheFERError
from maskthefer.models import PREDICTIONS, create_model, model_spec
from maskthefer.models.scan import (
    ATTENTION_PREDICTIONS,
    EfficientChannelAttention,
    SpatioChannelGate,
    WeightedCrossEntropy,
    grid_bounds,
)

TINY = model_spec("scan").tiny_config
REGIONS = [f"region{j}_predictions" for j in range(1, 5)]
# The trunk at its full depth (ResNet-50 stages 1-3, 13 bottlenecks) but 1/16 of the width, ImageNet stem.
DEEP_NARROW = {"base_filters": 4, "stem": "imagenet"}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def conv_same(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation with zero "same" padding, (H, W, Cin) x (k, k, Cin, Cout) -> (H, W, Cout)."""
    k = kernel.shape[0]
    padded = np.pad(image, ((k // 2, k // 2), (k // 2, k // 2), (0, 0)))
    out = np.zeros((*image.shape[:2], kernel.shape[-1]))
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = np.tensordot(padded[i : i + k, j : j + k, :], kernel, axes=3)
    return out


def test_grid_bounds_tile_the_side():
    assert grid_bounds(28, 5) == [(0, 6), (6, 12), (12, 18), (18, 23), (23, 28)]  # the authors' 28-pixel maps
    assert [stop - start for start, stop in grid_bounds(48, 5)] == [10, 10, 10, 9, 9]
    assert grid_bounds(12, 2) == [(0, 6), (6, 12)]
    with pytest.raises(MaskTheFERError, match="side of 3 into 5 patches"):
        grid_bounds(3, 5)


def test_spatio_channel_gate_hand_checked():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 3, 4, 2)).astype(np.float32)
    gate = SpatioChannelGate()
    gate.build(x.shape)
    kernel = rng.normal(size=(3, 3, 2, 2)).astype(np.float32)
    alpha = np.array([0.25, -0.5], np.float32)
    gamma, beta, mean, variance = (np.array(v, np.float32) for v in ([2.0, 0.5], [0.1, -0.2], [0.3, 0.0], [4.0, 1.0]))
    np.testing.assert_array_equal(gate.prelu.alpha.numpy().ravel(), [0.25, 0.25])  # PyTorch's PReLU default
    gate.conv.set_weights([kernel])
    gate.prelu.set_weights([alpha.reshape(1, 1, 2)])
    gate.bn.set_weights([gamma, beta, mean, variance])

    z = conv_same(x[0], kernel)  # C -> C: one mask value per position and channel
    z = np.where(z > 0, z, alpha * z)
    z = (z - mean) / np.sqrt(variance + gate.bn.epsilon) * gamma + beta
    np.testing.assert_allclose(np.asarray(gate(x, training=False)), x * sigmoid(z)[None], rtol=1e-5, atol=1e-6)
    assert gate.count_params() == 9 * 2 * 2 + 2 + 4 * 2  # bias-free conv, PReLU slopes, BN


def test_efficient_channel_attention_hand_checked():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 2, 3, 5)).astype(np.float32)
    eca = EfficientChannelAttention(kernel_size=3)
    eca.build(x.shape)
    taps = np.array([0.5, -1.0, 2.0], np.float32)
    eca.conv.set_weights([taps.reshape(3, 1, 1)])
    descriptor = x.mean(axis=(1, 2))  # (B, C)
    padded = np.pad(descriptor, ((0, 0), (1, 1)))
    scores = taps[0] * padded[:, :-2] + taps[1] * padded[:, 1:-1] + taps[2] * padded[:, 2:]  # across channels
    np.testing.assert_allclose(np.asarray(eca(x)), x * sigmoid(scores)[:, None, None, :], rtol=1e-5, atol=1e-6)
    assert eca.count_params() == 3  # no reduction, no bias


@pytest.mark.parametrize("share, gates", [(False, 25 + 1), (True, 1 + 1)])
def test_25_patches_tile_the_stage2_map_with_a_gate_each_or_one_shared(share, gates):
    model = create_model("scan", share_local_gates=share, **TINY)
    stage2 = model.get_layer(model.last_conv_layer_name).output.shape
    assert stage2[1:3] == (24, 48)  # 48x96 crop, 3x3/1 stem, one stride-2 stage
    patches = [model.get_layer(f"local_patch{k}_crop").output.shape for k in range(1, 26)]
    assert sum(shape[1] * shape[2] for shape in patches) == 24 * 48
    assert sum(isinstance(layer, SpatioChannelGate) for layer in model.layers) == gates
    regions = [model.get_layer(f"region{j}_crop").output.shape for j in range(1, 5)]
    assert regions == [(None, 6, 12, stage2[-1] * 2)] * 4  # 2x2 regions of the 12x24 stage-3 map


def test_predictions_are_the_softmax_of_the_mean_branch_logits(fer_faces):
    keras.utils.set_random_seed(0)
    model = create_model("scan", **TINY)
    images, _ = eye_region_batch(fer_faces, 7)
    outputs = dict(zip(model.output_names, (np.asarray(o, np.float64) for o in model(images, training=False))))
    # log p = logits - logsumexp(logits): the per-branch constants cancel in the softmax of the mean.
    mean_log = np.mean([np.log(outputs[name]) for name in [ATTENTION_PREDICTIONS, *REGIONS]], axis=0)
    expected = np.exp(mean_log) / np.exp(mean_log).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(outputs[PREDICTIONS], expected, rtol=1e-4, atol=1e-6)


def test_loss_is_the_authors_weighted_sum_of_branch_cross_entropies(fer_faces):
    keras.utils.set_random_seed(0)
    model = create_model("scan", **TINY)
    losses = model.output_losses()
    assert losses[PREDICTIONS] is None  # reported, not trained
    assert losses[ATTENTION_PREDICTIONS].weight == 0.2 and {losses[name].weight for name in REGIONS} == {0.8}
    model.compile(optimizer="sgd", loss=losses)
    images, labels = eye_region_batch(fer_faces, 7)
    onehot = keras.utils.to_categorical(labels, 7)
    reported = model.test_on_batch(images, {name: onehot for name in model.output_names}, return_dict=True)
    probabilities = dict(zip(model.output_names, (np.asarray(o, np.float64) for o in model(images, training=False))))
    cross_entropy = {name: -np.mean(np.log(p[np.arange(len(labels)), labels])) for name, p in probabilities.items()}
    expected = 0.2 * cross_entropy[ATTENTION_PREDICTIONS] + 0.8 * sum(cross_entropy[name] for name in REGIONS)
    assert reported["loss"] == pytest.approx(expected, rel=1e-4)
    assert WeightedCrossEntropy.from_config(WeightedCrossEntropy(0.3).get_config()).weight == 0.3


def test_full_size_count_by_the_architecture_and_beside_the_released_code():
    model = create_model("scan")
    trunk = keras.Model(model.input, model.get_layer("stage3_block6_out").output).count_params()
    gate = 9 * 512 * 512 + 512 + 4 * 512  # conv 512 -> 512, PReLU, BN
    attention_fc = 1024 * 7 + 7
    region_mlp = (1024 * 256 + 256) + (256 * 7 + 7)  # shared by the four regions
    eca = 5
    assert model.count_params() == trunk + 26 * gate + attention_fc + region_mlp + eca
    # The authors' released code (PyTorch, 3-channel 7x7 stem, 8 classes) has 70,197,589 trainable parameters.
    assert abs(model.count_params() / model_spec("scan").published_params - 1) < 1e-3
    assert model.get_layer("features").output.shape == (None, 1024)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"blocks": (1, 1, 1, 1)}, "blocks needs 3 counts"),
        ({"input_shape": (16, 16, 1), "stem": "imagenet"}, r"stage-2 map \(2x2\) side of 2 into 5 patches"),
    ],
)
def test_bad_options_are_clear_errors(kwargs, message):
    with pytest.raises(MaskTheFERError, match=message):
        create_model("scan", **{**TINY, **kwargs})


@pytest.mark.parametrize("zero_init_residual", [True, False])
def test_each_bottleneck_starts_as_the_identity_unless_asked_not_to(fer_faces, zero_init_residual):
    # Without it the 13 residual sums grow block after block, the first updates overshoot and the region MLP's
    # ReLUs die: scan_fer2013_short then predicted the class prior for all 12 epochs.
    keras.utils.set_random_seed(0)
    model = create_model("scan", zero_init_residual=zero_init_residual, **DEEP_NARROW)
    last_bns = [layer for layer in model.layers if layer.name.endswith("_conv3_bn")]
    assert len(last_bns) == 3 + 4 + 6
    assert all(np.all(np.asarray(bn.gamma) == 0) for bn in last_bns) == zero_init_residual
    images, _ = eye_region_batch(fer_faces, 7)
    names = ["stage3_block1_out", "stage3_block6_out"]  # blocks 2-6 have identity shortcuts
    first, last = keras.Model(model.input, [model.get_layer(n).output for n in names])(images, training=True)
    if zero_init_residual:
        np.testing.assert_array_equal(np.asarray(last), np.asarray(first))
    else:
        assert not np.allclose(np.asarray(last), np.asarray(first))


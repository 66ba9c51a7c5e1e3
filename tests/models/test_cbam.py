"""CBAM-ResNet-50: the two gates compute their formulas, every unit is gated in the right order.

Build/forward/round-trip/training/JAX checks for every model, and the 26 M count, are in test_zoo_common.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from maskthefer.errors import MaskTheFERError
from maskthefer.models import create_model, model_spec
from maskthefer.models.cbam import ChannelGate, SpatialGate


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_channel_gate_hand_checked():
    # One image, 2x2 pixels, 3 channels; reduction 3 gives a one-unit hidden layer.
    x = np.array([[[[1.0, 0.0, -1.0], [3.0, 2.0, 1.0]], [[-1.0, 4.0, 0.0], [1.0, 2.0, 4.0]]]], np.float32)
    gate = ChannelGate(reduction=3)
    gate.build(x.shape)
    w1, b1 = np.array([[1.0], [-1.0], [0.5]], np.float32), np.array([0.25], np.float32)
    w2, b2 = np.array([[1.0, -2.0, 0.5]], np.float32), np.array([0.0, 0.1, -0.1], np.float32)
    gate.mlp_hidden.set_weights([w1, b1])
    gate.mlp_output.set_weights([w2, b2])

    # By hand: avg = [1, 2, 1], max = [3, 4, 4]. Hidden: relu(1 - 2 + 0.5 + 0.25) = relu(-0.25) = 0 for avg and
    # relu(3 - 4 + 2 + 0.25) = 1.25 for max.
    # MLP(avg) = b2 = [0, 0.1, -0.1]; MLP(max) = 1.25 * [1, -2, 0.5] + b2 = [1.25, -2.4, 0.525].
    scores = np.array([1.25, -2.3, 0.425])
    expected = x * sigmoid(scores)[None, None, None, :]
    np.testing.assert_allclose(np.asarray(gate(x)), expected, rtol=1e-6)
    # Parameters: C*C/r + C/r + C/r*C + C.
    assert gate.count_params() == 3 * 1 + 1 + 1 * 3 + 3


def conv_same(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation with zero "same" padding, (H, W, Cin) x (k, k, Cin, 1) -> (H, W)."""
    k = kernel.shape[0]
    pad = k // 2
    padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)))
    out = np.zeros(image.shape[:2])
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = np.sum(padded[i : i + k, j : j + k, :] * kernel[..., 0])
    return out


def test_spatial_gate_hand_checked():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 3, 4, 5)).astype(np.float32)
    gate = SpatialGate(kernel_size=3)
    gate.build(x.shape)
    kernel = rng.normal(size=(3, 3, 2, 1)).astype(np.float32)
    gamma, beta, mean, variance = 2.0, 0.5, 0.1, 4.0
    gate.conv.set_weights([kernel])
    gate.bn.set_weights([np.array([v], np.float32) for v in (gamma, beta, mean, variance)])

    # The two maps in CBAM's order: channel max first, then channel mean.
    pooled = np.concatenate([x[0].max(axis=-1, keepdims=True), x[0].mean(axis=-1, keepdims=True)], axis=-1)
    z = conv_same(pooled, kernel)
    normalised = (z - mean) / np.sqrt(variance + gate.bn.epsilon) * gamma + beta
    expected = x * sigmoid(normalised)[None, :, :, None]
    np.testing.assert_allclose(np.asarray(gate(x, training=False)), expected, rtol=1e-5, atol=1e-6)


def test_spatial_gate_default_is_a_7x7_conv_without_bias_and_a_batch_norm():
    gate = SpatialGate()
    gate.build((None, 6, 12, 32))
    assert gate.conv.kernel.shape == (7, 7, 2, 1)
    assert not gate.conv.use_bias
    assert gate.count_params() == 7 * 7 * 2 + 4  # kernel + BN (gamma, beta, moving mean and variance)


def test_every_unit_gates_channels_then_space_before_the_residual_add():
    model = create_model("cbam-resnet50", **model_spec("cbam-resnet50").tiny_config)
    blocks = model_spec("cbam-resnet50").tiny_config["blocks"]
    units = [f"stage{s}_block{b}" for s, count in enumerate(blocks, start=1) for b in range(1, count + 1)]
    assert len([layer for layer in model.layers if isinstance(layer, ChannelGate)]) == len(units)
    for unit in units:
        channel, spatial, add = (model.get_layer(f"{unit}_{part}") for part in ("gate_channel", "gate_spatial", "add"))
        assert channel.input is model.get_layer(f"{unit}_conv3_bn").output  # the residual branch, after its last BN
        assert spatial.input is channel.output
        assert add.input[0] is spatial.output


def test_full_size_layout_is_resnet50_with_reduction_16():
    model = create_model("cbam-resnet50")
    gates = [layer for layer in model.layers if isinstance(layer, ChannelGate)]
    assert len(gates) == 3 + 4 + 6 + 3
    assert {gate.reduction for gate in gates} == {16}
    assert gates[-1].mlp_hidden.kernel.shape == (2048, 2048 // 16)
    assert model.get_layer("features").output.shape == (None, 2048)
    assert model.get_layer(model.last_conv_layer_name).output.shape == (None, 6, 12, 2048)  # 3x3/1 stem


def test_bad_stem_is_a_clear_error():
    with pytest.raises(MaskTheFERError, match="stem 'huge'"):
        create_model("cbam-resnet50", stem="huge", **model_spec("cbam-resnet50").tiny_config)

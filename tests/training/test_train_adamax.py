"""Adamax, the FaceChannel authors' optimizer (their trainModel.py: Adamax, lr 0.002): its recipe defaults,
its update rule, and its place in `maskthefer train --optimizer`."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.training.config import TrainConfig, resolve
from maskthefer.training.optimizer import LegacyDecayAdamax, make_optimizer

FER = {"dataset_kind": "fer2013", "crop": {"height": 48, "width": 96}, "class_names": ["a", "b"], "splits": {}}


def test_adamax_takes_the_authors_rate_and_no_weight_decay_unless_given():
    r = resolve(TrainConfig(data="d", optimizer="adamax"), FER, task="expression")
    assert (r["optimizer"], r["lr"], r["weight_decay"]) == ("adamax", 2e-3, 0.0)
    r = resolve(TrainConfig(data="d", optimizer="adamax", lr=1e-3, legacy_decay=0), FER, task="expression")
    optimizer = make_optimizer(r)
    assert isinstance(optimizer, LegacyDecayAdamax) and isinstance(optimizer, keras.optimizers.Adamax)
    assert float(optimizer.learning_rate) == pytest.approx(1e-3) and optimizer.decay == 0.0


def test_adamax_steps_follow_kingma_and_ba_with_the_legacy_decay():
    """Adamax (Kingma & Ba, Algorithm 2): m = b1 m + (1 - b1) g; u = max(b2 u, |g|); w -= lr/(1 - b1^t) m/u;
    with decay d, update t uses lr / (1 + d (t - 1))."""
    lr, decay, b1, b2 = 0.002, 0.5, 0.9, 0.999
    w = keras.Variable(np.array([1.0, -2.0, 0.5], "float32"))
    optimizer = LegacyDecayAdamax(learning_rate=lr, decay=decay, epsilon=1e-12)
    gradients = [np.array([0.3, -0.1, 0.0], "float32"), np.array([-0.2, 0.4, 0.05], "float32")]
    expected, m, u = w.numpy().astype(np.float64), np.zeros(3), np.zeros(3)
    for t, g in enumerate(gradients, start=1):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), w)])
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g))
        rate = lr / (1 + decay * (t - 1))
        expected -= rate / (1 - b1**t) * m / (u + 1e-12)
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-5, atol=1e-8)
    assert LegacyDecayAdamax.from_config(optimizer.get_config()).decay == decay


def test_the_cli_offers_adamax_and_says_whose_it_is():
    result = CliRunner().invoke(main, ["train", "--help"])
    assert result.exit_code == 0
    assert "adamax" in result.output and "FaceChannel" in result.output

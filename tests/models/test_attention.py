"""ABN, MCN and FECN (SPEC §2): shapes, save/load, summed-loss training, the frozen MCN attention transfer."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from maskthefer.errors import MaskTheFERError
from maskthefer.models import create_model, model_spec
from maskthefer.models.attention import (
    ATTENTION_PREDICTIONS,
    FECN,
    MCN,
    AttentionGate,
    AttentionTransferError,
)

SHAPE = (48, 96, 1)
TINY = {"width": 0.0625, "dropout": 0.0}  # no dropout: the loss of a fixed batch is then a fixed function


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)  # fixed initial weights: the one-step checks test the code, not the draw


def batch(num_classes: int, n: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, *SHAPE), dtype=np.float32)
    y = keras.utils.to_categorical(np.arange(n) % num_classes, num_classes).astype("float32")
    return x, y


def as_list(outputs) -> list[np.ndarray]:
    return [np.asarray(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def compiled(model, lr: float = 0.05):
    model.compile(optimizer=keras.optimizers.SGD(lr), loss=model.output_losses())
    return model


def targets(model, y):
    """The same labels for every output; a single-output model takes them plain (Keras rejects a dict there)."""
    names = list(model.output_losses())
    return {name: y for name in names} if len(names) > 1 else y


def test_attention_gate_hand_checked():
    features = np.array([[[[1.0, -2.0], [3.0, 4.0]]]], np.float32)  # (1, 1, 2, 2): two pixels, two channels
    attention = np.array([[[[0.5], [0.0]]]], np.float32)  # (1, 1, 2, 1)
    residual = AttentionGate(residual=True)([features, attention])
    np.testing.assert_allclose(np.asarray(residual), [[[[1.5, -3.0], [3.0, 4.0]]]])
    plain = AttentionGate(residual=False)([features, attention])
    np.testing.assert_allclose(np.asarray(plain), [[[[0.5, -1.0], [0.0, 0.0]]]])


def test_registry_entries():
    assert model_spec("mcn").task == "mask"
    assert model_spec("abn").task == model_spec("fecn").task == "expression"
    assert MCN().output_shape[0] == (None, 2)  # masked / unmasked by default


@pytest.mark.parametrize("name, num_classes", [("abn", 7), ("mcn", 2)])
def test_abn_outputs_and_attention_map(name, num_classes):
    model = create_model(name, num_classes=num_classes, input_shape=SHAPE, **model_spec(name).tiny_config)
    x, _ = batch(num_classes)
    predictions, attention_predictions = as_list(model.predict(x, verbose=0))
    for probabilities in (predictions, attention_predictions):
        assert probabilities.shape == (8, num_classes)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert model.output_names == ["predictions", ATTENTION_PREDICTIONS]
    assert model.get_layer("features").output.shape == (None, 32)  # 512 x 1/16
    model.get_layer(model.last_conv_layer_name)
    attention = np.asarray(model.attention_model().predict(x, verbose=0))
    assert attention.shape == (8, 3, 6, 1)  # 48x96 after four pools
    assert np.all((attention > 0) & (attention < 1))


def test_abn_trunk_features_are_gated_by_one_plus_attention():
    model = create_model("abn", input_shape=SHAPE, **TINY)
    probe = keras.Model(
        model.inputs,
        [model.get_layer("stage4_pool").output, model.get_layer("attention_map").output,
         model.get_layer("attention_gate").output],
    )
    features, attention, gated = as_list(probe.predict(batch(7)[0], verbose=0))
    np.testing.assert_allclose(gated, features * (1.0 + attention), rtol=1e-6)


@pytest.mark.parametrize("name", ["abn", "mcn", "fecn"])
def test_keras_round_trip(name, tmp_path):
    model = create_model(name, input_shape=SHAPE, **model_spec(name).tiny_config)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_config() == model.get_config()
    json.dumps(model.get_config())  # constructor arguments only, all JSON
    x, _ = batch(7)
    for before, after in zip(as_list(model.predict(x, verbose=0)), as_list(loaded.predict(x, verbose=0))):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("name, num_classes", [("abn", 7), ("mcn", 2), ("fecn", 7)])
def test_one_step_lowers_the_summed_loss(name, num_classes):
    config = dict(TINY, mcn_config={"width": 0.0625}) if name == "fecn" else TINY
    model = compiled(create_model(name, num_classes=num_classes, input_shape=SHAPE, **config))
    x, y = batch(num_classes)
    first = model.train_on_batch(x, targets(model, y), return_dict=True)
    second = model.train_on_batch(x, targets(model, y), return_dict=True)
    if name != "fecn":  # both branches are trained and the loss is their sum
        assert first["loss"] == pytest.approx(first["predictions_loss"] + first["attention_predictions_loss"], rel=1e-4)
    assert second["loss"] < first["loss"]


def test_fecn_takes_the_mcn_attention_and_keeps_it_frozen():
    mcn = compiled(create_model("mcn", num_classes=2, input_shape=SHAPE, **TINY))
    x, y = batch(2)
    mcn.fit(x, targets(mcn, y), epochs=2, verbose=0)  # moves weights and BN statistics away from their init
    fecn = compiled(FECN.from_mcn(mcn, **TINY))
    assert len(fecn.attention_layers()) > 0
    assert not any(w.path.startswith("mcn_") or "/mcn_" in w.path for w in fecn.trainable_weights)

    def attention_weights(model) -> dict[str, list[np.ndarray]]:
        return {layer.name: [np.array(w) for w in layer.get_weights()] for layer in model.attention_layers()}

    copied = attention_weights(fecn)
    assert sum(1 for ws in copied.values() if ws) > 0
    for name, weights in copied.items():
        for mine, theirs in zip(weights, mcn.get_layer(name[len("mcn_"):]).get_weights()):
            np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_allclose(
        np.asarray(fecn.attention_model().predict(x, verbose=0)),
        np.asarray(mcn.attention_model().predict(x, verbose=0)),
        rtol=1e-5, atol=1e-6,
    )

    own_before = [w.numpy() for w in fecn.trainable_weights]
    xe, ye = batch(7)
    fecn.train_on_batch(xe, ye)
    for name, weights in attention_weights(fecn).items():
        for before, after in zip(copied[name], weights):
            np.testing.assert_array_equal(before, after, err_msg=f"frozen MCN layer {name} changed")
    changed = [not np.array_equal(b, w.numpy()) for b, w in zip(own_before, fecn.trainable_weights)]
    assert sum(changed) >= len(changed) - 2  # every kernel moves (a bias may by chance not)


def test_fecn_resizes_the_map_for_an_earlier_stage():
    model = FECN(input_shape=SHAPE, attention_stage=2, **TINY, mcn_config={"width": 0.0625})
    assert model.get_layer("attention_resize").output.shape == (None, 12, 24, 1)
    assert model.predict(batch(7)[0], verbose=0).shape == (8, 7)


def test_fecn_rejects_a_mismatched_mcn_and_bad_config():
    fecn = FECN(input_shape=SHAPE, **TINY, mcn_config={"width": 0.0625})
    wider = MCN(input_shape=SHAPE, width=0.125)
    with pytest.raises(AttentionTransferError, match="mcn_config=mcn.get_config"):
        fecn.load_attention_from(wider)
    with pytest.raises(MaskTheFERError, match="unknown keys"):
        FECN(input_shape=SHAPE, **TINY, mcn_config={"widht": 0.0625})
    with pytest.raises(MaskTheFERError, match="attention_stage"):
        FECN(input_shape=SHAPE, attention_stage=5, **TINY)

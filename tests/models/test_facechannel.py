"""FaceChannel (SPEC §2): shapes at 48x96 and 64x64, heads, save/load, training, shunting inhibition, CCC,
fine-tuning schemes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from maskthefer.errors import MaskTheFERError
from maskthefer.models import create_model, model_spec
from maskthefer.models.facechannel import (
    AROUSAL_VALENCE,
    ConcordanceCorrelation,
    ConcordanceLoss,
    FaceChannel,
    ShuntingInhibition,
    concordance_correlation,
    set_trainable,
)

TINY = dict(model_spec("facechannel").tiny_config, dropout=0.0, dense_dropout=0.0)


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)  # fixed initial weights: the one-step checks test the code, not the draw


def numpy_ccc(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Lin's CCC per column, written out from the definition with population moments."""
    mean_t, mean_p = y_true.mean(axis=0), y_pred.mean(axis=0)
    covariance = ((y_true - mean_t) * (y_pred - mean_p)).mean(axis=0)
    return 2 * covariance / (y_true.var(axis=0) + y_pred.var(axis=0) + (mean_t - mean_p) ** 2)


def batch(shape, n: int = 16, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, *shape), dtype=np.float32)
    y = keras.utils.to_categorical(np.arange(n) % 7, 7).astype("float32")
    av = rng.uniform(-0.9, 0.9, (n, 2)).astype("float32")
    return x, y, av


def test_shunting_inhibition_hand_checked():
    excitatory = np.array([[[[2.0, 3.0], [1.0, 0.0]]]], np.float32)  # (1, 1, 2, 2)
    inhibitory = np.array([[[[0.5, 1.5], [0.0, 4.0]]]], np.float32)
    layer = ShuntingInhibition()
    out = np.asarray(layer([excitatory, inhibitory]))
    np.testing.assert_allclose(out, [[[[2 / 1.0, 3 / 2.0], [1 / 0.5, 0 / 4.5]]]], rtol=1e-6)
    assert [w.shape for w in layer.trainable_weights] == [(2,)]
    np.testing.assert_array_equal(layer.decay.numpy(), [0.5, 0.5])  # passive decay a, initialised at 0.5
    layer.decay.assign([1.0, 0.25])
    out = np.asarray(layer([excitatory, inhibitory]))
    np.testing.assert_allclose(out, [[[[2 / 1.5, 3 / 1.75], [1 / 1.0, 0.0]]]], rtol=1e-6)


def test_ccc_function_and_metric_match_numpy():
    rng = np.random.default_rng(3)
    y_true = rng.uniform(-1, 1, (50, 2)).astype("float32")
    y_pred = (0.6 * y_true + rng.normal(0.1, 0.3, (50, 2))).astype("float32")
    expected = numpy_ccc(y_true.astype(np.float64), y_pred.astype(np.float64))
    np.testing.assert_allclose(np.asarray(concordance_correlation(y_true, y_pred)), expected, rtol=1e-4)
    np.testing.assert_allclose(np.asarray(concordance_correlation(y_true, y_true)), [1.0, 1.0], rtol=1e-5)
    # Shifted predictions keep Pearson's r at 1 but lose concordance.
    assert np.all(np.asarray(concordance_correlation(y_true, y_true + 0.5)) < 0.9)

    loss = ConcordanceLoss()(y_true, y_pred)
    assert float(loss) == pytest.approx(1 - expected.mean(), rel=1e-4)

    # The metric accumulates moments over batches: its epoch score equals CCC on everything at once.
    for dimension, target in ((0, expected[0]), (1, expected[1]), (None, expected.mean())):
        metric = ConcordanceCorrelation(dimension=dimension)
        metric.update_state(y_true[:20], y_pred[:20])
        metric.update_state(y_true[20:], y_pred[20:])
        assert float(metric.result()) == pytest.approx(target, rel=1e-4)
        metric.reset_state()
        metric.update_state(y_true[:10], y_true[:10])
        assert float(metric.result()) == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("shape", [(48, 96, 1), (64, 64, 1)])
def test_builds_on_crops_and_on_its_native_input(shape):
    model = create_model("facechannel", num_classes=7, input_shape=shape, **TINY)
    x, _, _ = batch(shape)
    probabilities = np.asarray(model.predict(x, verbose=0))
    assert probabilities.shape == (16, 7)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 10 + 1  # ten convolutions plus the inhibitory one of the last
    assert model.get_layer(model.last_conv_layer_name).output.shape[-1] == 16
    assert model.get_layer("features").output.shape == (None, 16)
    assert model.output_losses() == {"predictions": "categorical_crossentropy"}


def test_full_size_model_layout():
    model = FaceChannel(input_shape=(64, 64, 1))
    filters = [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert filters == [64, 64, 128, 128, 128, 128, 128, 256, 256, 256, 256]
    assert model.get_layer("features").units == 200
    assert [model.get_layer(f"dropout{i}").rate for i in (1, 2, 3)] == [0.25] * 3


def test_arousal_valence_head_round_trip(tmp_path):
    model = FaceChannel(input_shape=(48, 96, 1), arousal_valence=True, **TINY)
    assert model.output_names == ["predictions", AROUSAL_VALENCE]
    assert isinstance(model.output_losses()[AROUSAL_VALENCE], ConcordanceLoss)
    assert FaceChannel(input_shape=(48, 96, 1), arousal_valence=True, av_loss="mse", **TINY).output_losses()[
        AROUSAL_VALENCE
    ] == "mean_squared_error"
    x, _, _ = batch((48, 96, 1))
    probabilities, av = (np.asarray(o) for o in model.predict(x, verbose=0))
    assert av.shape == (16, 2) and np.all(np.abs(av) < 1)
    path = tmp_path / "facechannel.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.get_config() == model.get_config()
    for before, after in zip((probabilities, av), loaded.predict(x, verbose=0)):
        np.testing.assert_array_equal(before, np.asarray(after))


@pytest.mark.parametrize("arousal_valence", [False, True])
def test_one_step_lowers_the_summed_loss(arousal_valence):
    model = FaceChannel(input_shape=(48, 96, 1), arousal_valence=arousal_valence, **TINY)
    model.compile(
        # 1 - CCC is steep while the tanh outputs are still nearly constant: a smaller step stays in descent.
        optimizer=keras.optimizers.SGD(0.01 if arousal_valence else 0.05),
        loss=model.output_losses(),
        metrics=model.output_metrics() if arousal_valence else None,
    )
    x, y, av = batch((48, 96, 1), n=32)
    targets = {"predictions": y, AROUSAL_VALENCE: av} if arousal_valence else y
    first = model.train_on_batch(x, targets, return_dict=True)
    second = model.train_on_batch(x, targets, return_dict=True)
    assert second["loss"] < first["loss"]
    if arousal_valence:
        assert first["loss"] == pytest.approx(first["predictions_loss"] + first["arousal_valence_loss"], rel=1e-4)
        assert -1 <= second["arousal_valence_ccc"] <= 1


@pytest.mark.parametrize(
    "scheme, trainable",
    [
        ("all", None),
        ("last_conv", {"conv10", "conv10_inhibition", "shunting_inhibition", "features", "predictions"}),
        ("none", {"features", "predictions"}),
    ],
)
def test_fine_tuning_schemes(scheme, trainable):
    model = FaceChannel(input_shape=(48, 96, 1), **TINY)
    everything = {layer.name for layer in model.layers if layer.weights}
    names = set(set_trainable(model, scheme))
    assert names == (everything if trainable is None else trainable)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=model.output_losses())
    before = {layer.name: [w.numpy() for w in layer.weights] for layer in model.layers if layer.weights}
    x, y, _ = batch((48, 96, 1))
    model.train_on_batch(x, y)
    for layer in model.layers:
        if not layer.weights:
            continue
        moved = any(not np.array_equal(b, w.numpy()) for b, w in zip(before[layer.name], layer.weights))
        assert moved == (layer.name in names), f"{scheme}: layer {layer.name} moved={moved}"


def test_bad_arguments_are_named():
    with pytest.raises(MaskTheFERError, match="scheme 'conv'"):
        set_trainable(FaceChannel(input_shape=(48, 96, 1), **TINY), "conv")
    with pytest.raises(MaskTheFERError, match="av_loss"):
        FaceChannel(input_shape=(48, 96, 1), av_loss="l1", **TINY)

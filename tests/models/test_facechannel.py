"""FaceChannel (SPEC §2, the authors' released layout): shapes at 48x96 and 64x64, the full-width layout and
its parameter count, heads, save/load, training, shunting inhibition (fixed and learned decay), CCC,
fine-tuning schemes and the inference-mode batch norms of frozen convolutions."""

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
    fixed = ShuntingInhibition()  # the authors' code: a = 0.5, a constant
    out = np.asarray(fixed([excitatory, inhibitory]))
    np.testing.assert_allclose(out, [[[[2 / 1.0, 3 / 2.0], [1 / 0.5, 0 / 4.5]]]], rtol=1e-6)
    assert fixed.weights == []

    learned = ShuntingInhibition(learn_decay=True)
    np.testing.assert_allclose(np.asarray(learned([excitatory, inhibitory])), out, rtol=1e-6)
    assert [w.shape for w in learned.trainable_weights] == [(2,)]
    np.testing.assert_array_equal(learned.decay.numpy(), [0.5, 0.5])  # passive decay a, initialised at 0.5
    learned.decay.assign([1.0, 0.25])
    out = np.asarray(learned([excitatory, inhibitory]))
    np.testing.assert_allclose(out, [[[[2 / 1.5, 3 / 1.75], [1 / 1.0, 0.0]]]], rtol=1e-6)
    assert ShuntingInhibition.from_config(learned.get_config()).learn_decay is True
    with pytest.raises(ValueError, match="min_decay"):
        ShuntingInhibition(initial_decay=0.0)


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
    """The authors' trainModel.py: four conv groups, BN after conv1..9, conv10 and its inhibition plain ReLU."""
    model = FaceChannel(input_shape=(64, 64, 1))
    filters = [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert filters == [64, 64, 128, 128, 128, 128, 128, 256, 256, 256, 256]
    batch_norms = [layer.name for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert batch_norms == [f"conv{i}_bn" for i in range(1, 10)]
    assert {model.get_layer(name).momentum for name in batch_norms} == {0.99}  # Keras' default, the authors'
    short = FaceChannel(input_shape=(64, 64, 1), batch_norm_momentum=0.9)  # moving statistics settle in ~10x fewer steps
    assert {layer.momentum for layer in short.layers if isinstance(layer, keras.layers.BatchNormalization)} == {0.9}
    for name in ("conv10", "conv10_inhibition"):
        assert model.get_layer(name).activation is keras.activations.relu
    assert [model.get_layer(f"pool{i}").output.shape[1:3] for i in (1, 2, 3, 4)] == [(32, 32), (16, 16), (8, 8), (4, 4)]
    assert [model.get_layer(f"dropout{i}").rate for i in (1, 2, 3, 4)] == [0.25] * 4
    assert model.get_layer("features").units == 200
    assert not any(layer.name == "dense_dropout" for layer in model.layers)  # none in the authors' code
    assert model.get_layer("shunting_inhibition").weights == []  # a fixed at 0.5 by default


def test_full_size_parameter_count_from_the_layer_shapes():
    def conv(c_in, c_out):
        return 3 * 3 * c_in * c_out + c_out

    def bn(channels):  # gamma, beta, moving mean, moving variance
        return 4 * channels

    convs = [(1, 64), (64, 64), (64, 128), (128, 128), (128, 128), (128, 128), (128, 128), (128, 256), (256, 256)]
    expected = sum(conv(i, o) + bn(o) for i, o in convs)
    expected += 2 * conv(256, 256)  # conv10 and its inhibitory twin, no batch norm
    expected += (4 * 4 * 256) * 200 + 200 + 200 * 7 + 7  # 64x64 pooled four times -> 4x4x256, dense 200, 7 classes
    assert expected == 3_593_095
    model = FaceChannel(input_shape=(64, 64, 1))
    assert model.count_params() == expected
    moving_statistics = 2 * sum(o for _, o in convs)
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == expected - moving_statistics
    # the crops: 48x96 pooled four times -> 3x6x256 into the dense layer
    assert FaceChannel(input_shape=(48, 96, 1)).count_params() == expected + (3 * 6 - 4 * 4) * 256 * 200


def test_get_config_is_the_constructor_arguments():
    args = dict(num_classes=5, input_shape=(48, 96, 1), groups=[[4, 4], [8, 8], [8, 8, 8], [16, 16, 16]],
                dense_units=12, dropout=0.1, dense_dropout=0.2, batch_norm=False, batch_norm_momentum=0.9,
                learn_decay=True,
                arousal_valence=True, av_loss="mse", name="fc")
    model = FaceChannel(**args)
    assert model.get_config() == {**args, "input_shape": [48, 96, 1]}
    assert FaceChannel.from_config(model.get_config()).count_params() == model.count_params()
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    assert [w.shape for w in model.get_layer("shunting_inhibition").weights] == [(16,)]
    assert model.get_layer("dense_dropout").rate == 0.2


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
    "scheme, learn_decay, trainable",
    [
        ("all", False, None),
        ("last_conv", False, {"conv10", "conv10_inhibition", "features", "predictions"}),
        ("last_conv", True, {"conv10", "conv10_inhibition", "shunting_inhibition", "features", "predictions"}),
        ("none", False, {"features", "predictions"}),
    ],
)
def test_fine_tuning_schemes(scheme, learn_decay, trainable):
    model = FaceChannel(input_shape=(48, 96, 1), learn_decay=learn_decay, **TINY)
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
        # every weight counts, the batch norms' moving statistics too: frozen ones must not be updated
        moved = any(not np.array_equal(b, w.numpy()) for b, w in zip(before[layer.name], layer.weights))
        assert moved == (layer.name in names), f"{scheme}: layer {layer.name} moved={moved}"


def test_frozen_batch_norms_run_in_inference_mode():
    """Keras 3 runs a non-trainable BatchNormalization with its moving statistics even when training=True."""
    x, _, _ = batch((48, 96, 1))
    model = FaceChannel(input_shape=(48, 96, 1), **TINY)  # no dropout, so only batch norm tells the modes apart
    model.get_layer("conv1_bn").moving_mean.assign(np.full(8, 0.3, "float32"))  # not the batch's statistics
    training, inference = (np.asarray(model(x, training=flag)) for flag in (True, False))
    assert not np.allclose(training, inference)  # trainable: batch statistics in training mode
    set_trainable(model, "last_conv")
    np.testing.assert_array_equal(np.asarray(model(x, training=True)), inference)


def test_bad_arguments_are_named():
    with pytest.raises(MaskTheFERError, match="scheme 'conv'"):
        set_trainable(FaceChannel(input_shape=(48, 96, 1), **TINY), "conv")
    with pytest.raises(MaskTheFERError, match="av_loss"):
        FaceChannel(input_shape=(48, 96, 1), av_loss="l1", **TINY)
    with pytest.raises(MaskTheFERError, match="batch_norm_momentum"):
        FaceChannel(input_shape=(48, 96, 1), **{**TINY, "batch_norm_momentum": 1.0})
    with pytest.raises(MaskTheFERError, match="dropout must be in"):
        FaceChannel(input_shape=(48, 96, 1), **{**TINY, "dropout": float("nan")})

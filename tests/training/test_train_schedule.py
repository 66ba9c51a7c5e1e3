"""The learning-rate schedule: ReduceLROnPlateau on validation accuracy times the legacy Keras time decay."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from maskthefer.training import LegacyDecaySGD, PlateauState, effective_lr
from maskthefer.training.callbacks import PlateauCallback


def test_plateau_reduces_after_patience_and_stops_at_min_lr():
    state = PlateauState(lr=0.01, factor=0.5, patience=2, min_lr=0.002)
    accuracies = [0.30, 0.40, 0.40, 0.40, 0.41, 0.41, 0.41, 0.41, 0.41, 0.41, 0.41, 0.41]
    lrs = []
    for value in accuracies:
        state.update(value)
        lrs.append(state.lr)
    # 0.40 ties after epoch 2 -> reduce at epoch 4; 0.41 > 0.40 + 1e-4 resets; then every 2 flat epochs
    # halves the rate until the floor.
    assert lrs == pytest.approx([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025, 0.002, 0.002, 0.002, 0.002])
    assert state.best == pytest.approx(0.41)


def test_plateau_ignores_gains_below_min_delta():
    state = PlateauState(lr=1.0, factor=0.75, patience=1, min_delta=0.01)
    state.update(0.5)
    assert state.update(0.505) is True  # +0.005 is not an improvement
    assert state.lr == pytest.approx(0.75)


def test_plateau_state_round_trips_through_json_dict():
    state = PlateauState(lr=0.01)
    assert state.to_dict()["best"] is None  # -inf has no JSON form
    assert PlateauState.from_dict(state.to_dict()).best == -math.inf
    state.update(0.3)
    state.update(0.2)
    assert PlateauState.from_dict(state.to_dict()) == state


def _sgd_trajectory(optimizer, steps: int, gradient: float, change_lr_at: int | None = None, new_lr: float = 0.0):
    """Apply a constant gradient to one variable and return its value after each step."""
    variable = keras.Variable(np.zeros((1,), np.float32))
    values = []
    for step in range(steps):
        if step == change_lr_at:
            optimizer.learning_rate = new_lr  # what the plateau callback does between epochs
        optimizer.apply([keras.ops.convert_to_tensor(np.full((1,), gradient, np.float32))], [variable])
        values.append(float(keras.ops.convert_to_numpy(variable)[0]))
    return values


def test_legacy_decay_divides_each_update_by_one_plus_decay_times_step():
    decay, steps, gradient = 0.1, 6, 2.0
    values = _sgd_trajectory(LegacyDecaySGD(learning_rate=0.5, decay=decay), steps, gradient)
    expected, w = [], 0.0
    for step in range(steps):
        w -= effective_lr(0.5, step, decay) * gradient
        expected.append(w)
    assert values == pytest.approx(expected, rel=1e-5)


def test_plateau_changes_the_base_rate_under_the_running_decay():
    """After a plateau cut the step counter keeps running: updates use new_lr / (1 + decay * global_step)."""
    decay, gradient = 0.05, 1.0
    values = _sgd_trajectory(LegacyDecaySGD(learning_rate=0.4, decay=decay), 8, gradient, change_lr_at=4, new_lr=0.1)
    w, expected = 0.0, []
    for step in range(8):
        w -= effective_lr(0.4 if step < 4 else 0.1, step, decay) * gradient
        expected.append(w)
    assert values == pytest.approx(expected, rel=1e-5)


def test_zero_decay_is_plain_keras_sgd_with_nesterov_momentum():
    ours = _sgd_trajectory(LegacyDecaySGD(learning_rate=0.1, momentum=0.9, nesterov=True, decay=0.0), 5, 1.5)
    plain = _sgd_trajectory(keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), 5, 1.5)
    assert ours == pytest.approx(plain, rel=1e-6)


def test_optimizer_config_round_trips_decay():
    optimizer = LegacyDecaySGD(learning_rate=0.01, momentum=0.9, nesterov=True, decay=1e-4)
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert isinstance(restored, LegacyDecaySGD) and restored.decay == pytest.approx(1e-4)


def test_plateau_callback_drives_the_optimizer_learning_rate():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer=LegacyDecaySGD(learning_rate=0.01, decay=1e-4), loss="mse")
    callback = PlateauCallback(PlateauState(lr=0.01, factor=0.75, patience=2, min_lr=0.004))
    callback.set_model(model)
    callback.on_train_begin()
    observed = []
    for epoch, accuracy in enumerate([0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]):
        callback.on_epoch_end(epoch, {"val_accuracy": accuracy})
        observed.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
    expected = [0.01, 0.01, 0.01, 0.0075, 0.0075, 0.005625, 0.005625, 0.00421875, 0.00421875, 0.004]
    assert observed == pytest.approx(expected, rel=1e-6)

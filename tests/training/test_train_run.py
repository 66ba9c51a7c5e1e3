"""Training runs on the TensorFlow backend: learning, the run directory, resume, overwrite protection."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from maskthefer.data.records import load_split
from maskthefer.runs import RunDir
from maskthefer.training import TrainConfig, TrainingError, train
from maskthefer.training.curves import HISTORY_COLUMNS, read_history

from .conftest import TINY_VGG

RUNS_PY_KEYS = {
    "model", "model_args", "task", "class_names", "num_classes", "input_shape", "data", "seed", "batch_size",
    "epochs", "backend", "versions",
}


def tiny(data, run_dir, **kw) -> TrainConfig:
    kw.setdefault("model_args", dict(TINY_VGG))
    return TrainConfig(data=data, run_dir=run_dir, verbose=0, **kw)


@pytest.fixture(scope="module")
def two_epoch_run(fer_dataset, tmp_path_factory) -> RunDir:
    """An uninterrupted 2-epoch run with the default (layers) augmentation."""
    return train(tiny(fer_dataset, tmp_path_factory.mktemp("runs") / "full", epochs=2))


def test_a_few_epochs_reduce_the_loss(fer_dataset, tmp_path):
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=4, augment="none"))
    losses = [row["loss"] for row in read_history(run.history_path)]
    assert len(losses) == 4
    assert losses[-1] < losses[0] - 0.1, losses


def test_run_directory_holds_the_contract(two_epoch_run, fer_dataset):
    run = two_epoch_run
    config = run.read_config()
    assert RUNS_PY_KEYS <= set(config)
    assert config["model"] == "vgg-lite" and config["task"] == "expression" and config["backend"] == "tensorflow"
    assert config["model_args"] == TINY_VGG and config["input_shape"] == [48, 96, 1] and config["epochs"] == 2
    assert config["class_names"] == list(load_split(fer_dataset, "test").class_names)
    assert "keras" in config["versions"] and "tensorflow" in config["versions"]

    rows = read_history(run.history_path)
    assert [row["epoch"] for row in rows] == [1, 2]
    assert set(HISTORY_COLUMNS) <= set(rows[0]) and all(row["seconds"] > 0 for row in rows)
    assert run.curves_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    state = run.read_state()
    assert state["epochs_done"] == 2 and state["finished"] and 0 <= state["test_accuracy"] <= 1
    assert state["best_val_accuracy"] == pytest.approx(max(row["val_accuracy"] for row in rows), rel=1e-5)

    best = keras.saving.load_model(run.best_model_path)
    assert best.name == "vgg_lite" and tuple(best.inputs[0].shape[1:]) == (48, 96, 1)  # the bare classifier
    crops = load_split(fer_dataset, "test").images[:5, ..., None].astype("float32") / 255.0
    probabilities = np.asarray(best.predict(crops, verbose=0))
    assert probabilities.shape == (5, 7) and np.allclose(probabilities.sum(1), 1, atol=1e-5)
    assert keras.saving.load_model(run.last_model_path).count_params() == best.count_params()
    checkpoint = keras.saving.load_model(run.checkpoint_path)
    assert checkpoint.get_layer("preprocessing") is not None and checkpoint.optimizer.decay == pytest.approx(1e-4)


def test_resume_continues_a_stopped_run_exactly(two_epoch_run, fer_dataset, tmp_path):
    """1 epoch, then --resume to 2: same epochs, step count, lr state and the very same numbers as 2 in a row."""
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=1))
    assert run.read_state()["epochs_done"] == 1
    train(TrainConfig(run_dir=run.path, epochs=2, resume=True, verbose=0))

    resumed, full = read_history(run.history_path), read_history(two_epoch_run.history_path)
    assert [row["epoch"] for row in resumed] == [1, 2]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert [row[key] for row in resumed] == pytest.approx([row[key] for row in full], rel=1e-4, abs=1e-6), key
    state, full_state = run.read_state(), two_epoch_run.read_state()
    assert state["epochs_done"] == 2 and state["optimizer_iterations"] == full_state["optimizer_iterations"]
    assert state["plateau"] == full_state["plateau"]
    assert run.read_config()["epochs"] == 2 and run.read_config()["resumed"] == 1


def test_resume_keeps_the_saved_configuration(two_epoch_run, tmp_path):
    with pytest.raises(TrainingError, match="lr 0.5 differs"):
        train(TrainConfig(run_dir=two_epoch_run.path, resume=True, lr=0.5, verbose=0))
    with pytest.raises(TrainingError, match="already finished 2 epochs"):
        train(TrainConfig(run_dir=two_epoch_run.path, resume=True, epochs=1, verbose=0))
    before = two_epoch_run.state_path.read_text()
    train(TrainConfig(run_dir=two_epoch_run.path, resume=True, verbose=0))  # finished: nothing to do
    assert two_epoch_run.state_path.read_text() == before


def test_pause_after_stops_a_schedule_midway_and_resume_finishes_it_exactly(two_epoch_run, fer_dataset, tmp_path):
    """A 2-epoch schedule paused after epoch 1 and resumed later is the uninterrupted run, number for number."""
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=2, pause_after=1))
    state = run.read_state()
    assert state["epochs_done"] == 1 and state["epochs"] == 2 and not state["finished"]
    assert run.read_config()["epochs"] == 2 and "pause_after" not in run.read_config()
    before = run.state_path.read_text()
    train(TrainConfig(run_dir=run.path, resume=True, pause_after=1, verbose=0))  # already there: nothing to train
    assert run.state_path.read_text() == before

    train(TrainConfig(run_dir=run.path, resume=True, verbose=0))
    resumed, full = read_history(run.history_path), read_history(two_epoch_run.history_path)
    for key in ("loss", "val_loss", "val_accuracy", "lr"):
        assert [row[key] for row in resumed] == pytest.approx([row[key] for row in full], rel=1e-4, abs=1e-6), key
    assert run.read_state()["finished"]


def test_a_paused_schedule_keeps_the_learning_rates_of_its_full_length(fer_dataset, tmp_path):
    from maskthefer.training.schedule import step_lr

    run = train(tiny(fer_dataset, tmp_path / "run", epochs=4, schedule="cosine", legacy_decay=0.0, pause_after=1))
    (row,) = read_history(run.history_path)
    steps = run.read_state()["optimizer_iterations"]  # one epoch's updates
    # The last update of epoch 1 is at 1/4 of the cosine, not at the end of a 1-epoch cosine.
    assert row["lr_end"] == pytest.approx(step_lr("cosine", 0.01, steps - 1, 4 * steps), rel=1e-5)
    assert row["lr_end"] > 2 * step_lr("cosine", 0.01, steps - 1, steps)
    with pytest.raises(TrainingError, match="pause after must be a positive epoch number, not 0"):
        train(tiny(fer_dataset, tmp_path / "bad", epochs=2, pause_after=0))


def test_a_diverging_run_stops_with_a_clear_error_and_saves_nothing_of_it(fer_dataset, tmp_path):
    with pytest.raises(TrainingError, match=r"training diverged in epoch 1: loss .* lower --lr"):
        train(tiny(fer_dataset, tmp_path / "run", epochs=2, lr=1e6, augment="none"))
    run = RunDir(tmp_path / "run")
    assert not run.best_model_path.exists() and not run.history_path.exists()


def test_an_existing_run_is_not_overwritten_by_accident(two_epoch_run, fer_dataset):
    with pytest.raises(TrainingError, match="--overwrite"):
        train(tiny(fer_dataset, two_epoch_run.path, epochs=1))
    assert json.loads(two_epoch_run.config_path.read_text())["epochs"] == 2


def test_bf16_mixed_precision_saves_float32_models(fer_dataset, tmp_path):
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=1, steps_per_epoch=2, mixed_precision="bf16"))
    assert run.read_config()["mixed_precision"] == "bf16"
    best = keras.saving.load_model(run.best_model_path)
    assert {layer.dtype_policy.name for layer in best.layers} == {"float32"}
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored


def test_unknown_model_arguments_are_refused(fer_dataset, tmp_path):
    with pytest.raises(TrainingError, match="no argument 'filterz'"):
        train(tiny(fer_dataset, tmp_path / "run", epochs=1, model_args={"filterz": [4, 8, 8, 8]}))
    assert not (tmp_path / "run").exists()

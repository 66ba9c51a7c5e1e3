"""Recipe options beyond the paper: AdamW, cosine and one-cycle schedules, label smoothing; their defaults,
their checks, and exact resume of per-step schedules."""

from __future__ import annotations

import json
import math

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.training import Recipe, StepSchedule, TrainConfig, TrainingError, paper_recipe, step_lr, train
from maskthefer.runs import RunDir
from maskthefer.training.callbacks import RunRecorder
from maskthefer.training.config import resolve
from maskthefer.training.curves import read_history

from .conftest import TINY_VGG

FER = {"dataset_kind": "fer2013", "crop": {"height": 48, "width": 96}, "class_names": ["a", "b"], "splits": {}}
NEW_KEYS = {"weight_decay": 0.0, "schedule": "plateau", "warmup_epochs": 0.0, "label_smoothing": 0.0,
            "trainable": "all", "init_from": None}


def tiny(data, run_dir, **kw) -> TrainConfig:
    kw.setdefault("model_args", dict(TINY_VGG))
    return TrainConfig(data=data, run_dir=run_dir, verbose=0, steps_per_epoch=3, **kw)


def test_the_paper_settings_only_gain_new_keys_at_their_defaults():
    r = resolve(TrainConfig(data="d"), FER, task="expression")
    assert {key: r[key] for key in NEW_KEYS} == NEW_KEYS
    assert (r["optimizer"], r["lr"], r["momentum"], r["legacy_decay"], r["loss"]) == (
        "sgd", 0.01, 0.9, 1e-4, "categorical_crossentropy"
    )
    assert paper_recipe("fer2013") == Recipe() and paper_recipe("ckplus").batch_size == 16
    assert Recipe.from_dict(r) == Recipe()  # a saved config.json reads back as the recipe it was trained with


def test_cosine_and_onecycle_turn_the_legacy_decay_off_unless_it_is_given():
    assert resolve(TrainConfig(data="d", schedule="cosine"), FER, task="expression")["legacy_decay"] == 0.0
    assert resolve(TrainConfig(data="d", schedule="onecycle", legacy_decay=1e-4), FER,
                   task="expression")["legacy_decay"] == 1e-4
    assert resolve(TrainConfig(data="d", schedule="plateau"), FER, task="expression")["legacy_decay"] == 1e-4
    recipe = paper_recipe("fer2013").replace(schedule="cosine")
    assert recipe.legacy_decay == 0.0 and recipe.replace(schedule="plateau").legacy_decay == 1e-4


def test_adamw_takes_its_own_rate_and_weight_decay_unless_given():
    r = resolve(TrainConfig(data="d", optimizer="adamw"), FER, task="expression")
    assert (r["lr"], r["weight_decay"]) == (1e-3, 0.01)
    r = resolve(TrainConfig(data="d", optimizer="adamw", lr=3e-4, weight_decay=0.05), FER, task="expression")
    assert (r["lr"], r["weight_decay"]) == (3e-4, 0.05)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"label_smoothing": 1.0}, "label smoothing must be in"),
        ({"label_smoothing": -0.1}, "label smoothing must be in"),
        ({"lr": math.nan}, "lr must be a finite number"),
        ({"weight_decay": math.inf}, "weight decay must be a finite number"),
        ({"schedule": "cosine", "warmup_epochs": 150}, "warm-up epochs must be in"),
        ({"schedule": "onecycle", "warmup_epochs": 2}, "warm-up applies to the cosine schedule"),
        ({"optimizer": "adam"}, "optimizer must be one of sgd, adamw"),
        ({"schedule": "step"}, "schedule must be one of"),
        ({"epochz": 3}, "no setting 'epochz'"),
    ],
)
def test_impossible_recipes_are_refused_by_name(changes, message):
    with pytest.raises(TrainingError, match=message):
        paper_recipe("fer2013").replace(**changes)
    if "epochz" not in changes:
        with pytest.raises(TrainingError, match=message):
            resolve(TrainConfig(data="d", **changes), FER, task="expression")


@pytest.mark.parametrize("option, value", [("--label-smoothing", "1"), ("--lr", "nan"), ("--warmup-epochs", "inf"),
                                           ("--weight-decay", "-1"), ("--schedule", "linear")])
def test_the_cli_refuses_bad_numbers_before_reading_data(option, value, tmp_path):
    result = CliRunner().invoke(main, ["train", "--data", str(tmp_path), option, value])
    assert result.exit_code == 2 and option in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("kind, warmup", [("cosine", 0), ("cosine", 7), ("onecycle", 0)])
def test_keras_schedule_equals_the_reference_rates(kind, warmup):
    total = 40
    schedule = StepSchedule(kind, 0.1, total, warmup_steps=warmup)
    ours = [float(keras.ops.convert_to_numpy(schedule(step))) for step in range(total + 5)]
    reference = [step_lr(kind, 0.1, step, total, warmup) for step in range(total + 5)]
    assert ours == pytest.approx(reference, rel=1e-5, abs=1e-8)  # float32 near the end of the cosine
    if kind == "cosine":
        assert max(reference) == pytest.approx(0.1) and reference[total - 1] < 1e-3 and reference[-1] == 0.0
        assert reference[:warmup] == pytest.approx([0.1 * (s + 1) / warmup for s in range(warmup)])
    else:
        assert reference[0] == pytest.approx(0.004) and reference[18] == pytest.approx(0.1)
        assert reference[36] == pytest.approx(0.004) and reference[-1] == pytest.approx(0.1 / 2500)


def test_a_per_step_schedule_follows_its_curve_and_resumes_exactly(fer_dataset, tmp_path, monkeypatch):
    """AdamW, cosine with a warm-up, label smoothing: 2 epochs in one go, and the same run killed after epoch 1
    and resumed, give the same rates, losses and step count."""
    options = dict(epochs=2, schedule="cosine", warmup_epochs=0.5, label_smoothing=0.1, optimizer="adamw")
    full = train(tiny(fer_dataset, tmp_path / "full", **options))
    config = full.read_config()
    assert (config["schedule"], config["warmup_epochs"], config["label_smoothing"]) == ("cosine", 0.5, 0.1)
    assert (config["optimizer"], config["lr"], config["weight_decay"], config["legacy_decay"]) == (
        "adamw", 1e-3, 0.01, 0.0
    )
    assert full.read_state()["optimizer_iterations"] == 6  # 2 epochs of 3 steps; warm-up round(0.5 * 3) = 2
    uninterrupted = read_history(full.history_path)
    assert [row["lr"] for row in uninterrupted] == pytest.approx(
        [step_lr("cosine", 1e-3, step, 6, 2) for step in (0, 3)], rel=1e-5
    )
    assert uninterrupted[1]["lr_end"] == pytest.approx(step_lr("cosine", 1e-3, 5, 6, 2), rel=1e-4)
    checkpoint = keras.saving.load_model(full.checkpoint_path)
    assert type(checkpoint.optimizer).__name__ == "LegacyDecayAdamW"
    assert checkpoint.optimizer.weight_decay == pytest.approx(0.01)
    assert checkpoint.loss.label_smoothing == pytest.approx(0.1)

    # The same 2-epoch run interrupted (Ctrl-C) once its first epoch is on disk, then resumed.
    record_epoch = RunRecorder.on_epoch_end

    def interrupt_after_first_epoch(self, epoch, logs=None):
        record_epoch(self, epoch, logs)
        raise KeyboardInterrupt

    monkeypatch.setattr(RunRecorder, "on_epoch_end", interrupt_after_first_epoch)
    with pytest.raises(KeyboardInterrupt):
        train(tiny(fer_dataset, tmp_path / "run", **options))
    monkeypatch.undo()
    run = RunDir(tmp_path / "run")
    assert run.read_state()["epochs_done"] == 1
    train(TrainConfig(run_dir=run.path, resume=True, verbose=0))
    assert run.read_state()["optimizer_iterations"] == 6
    resumed = read_history(run.history_path)
    for key in ("lr", "lr_end", "loss", "accuracy", "val_loss", "val_accuracy"):
        assert [row[key] for row in resumed] == pytest.approx([row[key] for row in uninterrupted], rel=1e-4), key


def test_a_run_written_before_the_recipe_options_resumes_with_the_paper_values(fer_dataset, tmp_path):
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=1))
    config = json.loads(run.config_path.read_text())
    for key in NEW_KEYS:
        config.pop(key)
    run.config_path.write_text(json.dumps(config))
    train(TrainConfig(run_dir=run.path, epochs=2, resume=True, verbose=0))
    assert run.read_state()["epochs_done"] == 2
    rows = read_history(run.history_path)
    assert rows[1]["lr"] == pytest.approx(0.01) and rows[1]["lr_end"] == pytest.approx(0.01 / (1 + 1e-4 * 5))
    assert not set(NEW_KEYS) & set(json.loads(run.config_path.read_text()))  # nothing added behind its back
    assert np.isfinite(rows[1]["loss"])

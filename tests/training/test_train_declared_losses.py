"""The trainer fits each model's declared per-output losses: loss objects (RAN's region-biased loss, SCAN's
weighted branch cross-entropies) and outputs that are scored but not trained (SCAN's fused predictions)."""

from __future__ import annotations

import math

import pytest

from maskthefer.models import model_spec
from maskthefer.training import TrainConfig, train
from maskthefer.training.curves import read_history


@pytest.mark.parametrize("name", ["ran", "scan"])
def test_models_with_declared_losses_train(name, fer_dataset, tmp_path):
    config = TrainConfig(
        data=fer_dataset, model=name, run_dir=tmp_path / name, model_args=dict(model_spec(name).tiny_config),
        epochs=1, steps_per_epoch=2, batch_size=16, verbose=0,
    )
    run = train(config)
    rows = read_history(run.history_path)
    assert [row["epoch"] for row in rows] == [1]
    for row in rows:
        assert math.isfinite(row["loss"]) and 0 <= row["val_accuracy"] <= 1
    assert run.best_model_path.is_file() and run.read_state()["epochs_done"] == 1


def test_a_loss_that_needs_other_targets_is_refused_by_name(fer_dataset, tmp_path):
    from maskthefer.training import TrainingError

    args = {**model_spec("facechannel").tiny_config, "arousal_valence": True}
    config = TrainConfig(data=fer_dataset, model="facechannel", run_dir=tmp_path / "fc", model_args=args, verbose=0)
    with pytest.raises(TrainingError, match="'arousal_valence' uses loss 'ConcordanceLoss'"):
        train(config)
    assert not (tmp_path / "fc").exists()

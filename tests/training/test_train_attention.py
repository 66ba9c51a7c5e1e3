"""Multi-output and two-stage models: ABN's summed losses, MCN's masked/unmasked task, FECN --attention-from."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from maskthefer.training import TrainConfig, TrainingError, train
from maskthefer.training.curves import read_history

TINY_ATTENTION = {"width": 0.0625}


def quick(data, run_dir, model, **kw) -> TrainConfig:
    return TrainConfig(data=data, run_dir=run_dir, model=model, model_args=dict(TINY_ATTENTION), epochs=1,
                       steps_per_epoch=2, verbose=0, **kw)


@pytest.mark.slow
def test_abn_trains_on_the_sum_of_both_cross_entropies(fer_dataset, tmp_path):
    run = train(quick(fer_dataset, tmp_path / "abn", "abn"))
    row = read_history(run.history_path)[0]
    assert row["loss"] == pytest.approx(row["predictions_loss"] + row["attention_predictions_loss"], rel=1e-3)
    assert 0 <= row["val_accuracy"] <= 1
    assert len(keras.saving.load_model(run.best_model_path).outputs) == 2  # evaluation picks 'predictions'


@pytest.mark.slow
def test_fecn_takes_its_attention_generator_from_an_mcn_run(fer_dataset, tmp_path):
    mcn_run = train(quick(fer_dataset, tmp_path / "mcn", "mcn"))
    config = mcn_run.read_config()
    assert config["task"] == "mask" and config["class_names"] == ["unmasked", "masked"]
    assert config["counts"]["train"] % 2 == 0  # a masked and an unmasked crop of every face

    fecn_run = train(quick(fer_dataset, tmp_path / "fecn", "fecn", attention_from=mcn_run.path))
    assert fecn_run.read_config()["model_args"]["mcn_config"]["num_classes"] == 2
    mcn = keras.saving.load_model(mcn_run.best_model_path)
    fecn = keras.saving.load_model(fecn_run.best_model_path)
    generator = [layer for layer in fecn.layers if layer.name.startswith("mcn_") and layer.weights]
    assert generator
    for layer in generator:  # copied, and still equal after an epoch of training: frozen
        for ours, theirs in zip(layer.get_weights(), mcn.get_layer(layer.name[4:]).get_weights()):
            np.testing.assert_array_equal(ours, theirs)

    with pytest.raises(TrainingError, match="attention generator"):
        train(TrainConfig(data=fer_dataset, run_dir=tmp_path / "vgg", model="vgg-lite", attention_from=mcn_run.path,
                          model_args={"filters": [4, 8, 8, 8], "dense_units": [16, 16]}, verbose=0))

"""Models that are not single-output functional zoo models: a Sequential, and one with an auxiliary output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest

from maskthefer.data.records import load_split
from maskthefer.errors import MaskTheFERError
from maskthefer.evaluation import classifier_model, evaluate_run, explain_run, load_run
from maskthefer.labels import EMOTIONS

from .test_eval_run import _check_against_sklearn, _predictions


def _fit_into_run(model, tiny_run: Path, eval_dataset: Path, out: Path, name: str) -> Path:
    """Train `model` for one epoch on the dataset and save it as a run (config copied from the tiny run)."""
    train = load_split(eval_dataset, "train")
    x = train.images[..., None].astype("float32") / 255.0
    y = keras.utils.to_categorical(train.labels, len(EMOTIONS))
    targets = {n: y if n == "predictions" else y[:, :2] for n in getattr(model, "output_names", None) or []}
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(x, targets if len(model.outputs) > 1 else y, batch_size=32, epochs=1, verbose=0)
    out.mkdir(parents=True)
    config = json.loads((tiny_run / "config.json").read_text())
    config["model"] = name
    (out / "config.json").write_text(json.dumps(config))
    model.save(out / "best.keras")
    shutil.copy(tiny_run / "history.csv", out / "history.csv")
    return out


def test_sequential_model_is_wrapped(tiny_run, eval_dataset, tmp_path):
    model = keras.Sequential(
        [
            keras.Input((48, 96, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.GlobalAveragePooling2D(name="features"),
            keras.layers.Dense(len(EMOTIONS), activation="softmax", name="predictions"),
        ]
    )
    run = _fit_into_run(model, tiny_run, eval_dataset, tmp_path / "seq", "custom-sequential")
    report = evaluate_run(run, confusion=False)
    _check_against_sklearn(report.out_dir, EMOTIONS)
    explained = explain_run(run, method="gradcam", count=4, tsne_samples=20, curves=False)
    assert (run / "explain" / "test" / "gradcam_masked.png").is_file()
    assert explained.document["tsne"]["feature_dim"] == 4


def test_predictions_output_is_chosen(tiny_run, eval_dataset, tmp_path):
    inputs = keras.Input((48, 96, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="features")(x)
    aux = keras.layers.Dense(2, activation="softmax", name="aux")(x)
    predictions = keras.layers.Dense(len(EMOTIONS), activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, [aux, predictions])  # the class probabilities are the second output
    run = _fit_into_run(model, tiny_run, eval_dataset, tmp_path / "two", "two-heads")

    loaded = load_run(run)
    assert loaded.model.output_names == ["predictions"]
    report = evaluate_run(run, confusion=False)
    test = load_split(eval_dataset, "test")
    expected = np.asarray(loaded.full_model.predict(test.images[..., None] / 255.0, verbose=0)[1])
    _, _, probs = _predictions(report.out_dir / "predictions.csv", EMOTIONS)
    assert np.allclose(probs, expected, atol=1e-6)

    unnamed = keras.Model(inputs, [aux, keras.layers.Dense(7, activation="softmax", name="emotion")(x)])
    with pytest.raises(MaskTheFERError, match="none is named 'predictions'"):
        classifier_model(unnamed)


def test_a_mask_classifier_is_scored_on_each_faces_masked_and_unmasked_crop(fer_dataset, tmp_path):
    """MaskNet's evaluation (what `maskthefer experiment masknet_fer2013` records) scores both crops of every
    test face, and agrees with the test accuracy its training run measured on the same crops."""
    from maskthefer.labels import MASK_CLASSES
    from maskthefer.models import model_spec
    from maskthefer.training import TrainConfig, train

    run = train(TrainConfig(data=fer_dataset, model="masknet", model_args=dict(model_spec("masknet").tiny_config),
                            epochs=1, steps_per_epoch=2, run_dir=tmp_path / "masknet", verbose=0))
    report = evaluate_run(run.path, split="test")
    faces = len(load_split(fer_dataset, "test"))
    metrics = report.main.metrics
    assert metrics.n == 2 * faces and tuple(metrics.class_names) == MASK_CLASSES
    assert [int(count) for count in np.asarray(metrics.confusion).sum(axis=1)] == [faces, faces]
    assert metrics.accuracy == pytest.approx(run.read_state()["test_accuracy"], abs=1e-6)
    assert json.loads((run.path / "evaluation" / "test" / "metrics.json").read_text())["accuracy"] == pytest.approx(
        metrics.accuracy)

"""The open training API: README's `fit` example, run as written on tiny real data, the MSD-E paradigms through
`fit`, and what `fit` refuses."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from click.testing import CliRunner
from support import REPO

from maskthefer.cli import main
from maskthefer.training import TrainConfig, TrainingError, fit, paper_recipe, train
from maskthefer.training.curves import read_history


def readme_example() -> str:
    text = (REPO / "README.md").read_text()
    match = re.search(r"<!-- fit-example -->\n```python\n(.*?)```", text, re.S)
    assert match, "README.md lost its fit example"
    return match.group(1)


def test_the_readme_example_trains_a_model_of_its_own_and_evaluate_reads_the_run(fer_dataset, tmp_path, capsys):
    code = readme_example()
    assert code.count("\n") <= 14 and "fit(model" in code
    run_dir = tmp_path / "my-cnn"
    namespace: dict = {}
    exec(code.replace('"datasets/fer2013"', repr(str(fer_dataset))).replace('"runs/my-cnn"', repr(str(run_dir))),
         namespace)
    run = namespace["run"]
    state, config = run.read_state(), run.read_config()
    assert state["epochs_done"] == 3 and state["finished"] and 0 <= state["test_accuracy"] <= 1
    assert str(state["test_accuracy"]) in capsys.readouterr().out
    assert (config["model"], config["model_source"], config["schedule"], config["label_smoothing"]) == (
        "my_cnn", "fit", "cosine", 0.1
    )
    assert config["num_classes"] == 7 and config["lr"] == 0.01 and config["legacy_decay"] == 0.0
    losses = [row["loss"] for row in read_history(run.history_path)]
    assert len(losses) == 3 and losses[-1] < losses[0], losses

    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (run_dir / "evaluation").is_dir()

    train(TrainConfig(run_dir=run_dir, epochs=4, resume=True, verbose=0))  # a fit() run resumes like any other
    assert run.read_state()["epochs_done"] == 4


def small_model(classes=7, shape=(48, 96, 1), activation="softmax"):
    return keras.Sequential([keras.Input(shape), keras.layers.Flatten(),
                             keras.layers.Dense(classes, activation=activation)], name="small")


@pytest.mark.parametrize(
    "model, message",
    [
        (small_model(classes=6), "outputs 6 classes but the dataset has 7"),
        (small_model(shape=(48, 48, 1)), "48x48 does not match the 48x96 crops"),
        ("vgg-lite", "fit() trains a keras.Model"),
    ],
)
def test_models_that_cannot_train_on_the_dataset_are_refused(model, message, fer_dataset, tmp_path):
    with pytest.raises(TrainingError, match=re.escape(message)):
        fit(model, fer_dataset, paper_recipe("fer2013").replace(epochs=1), tmp_path / "run", verbose=0)
    assert not (tmp_path / "run").exists()


def test_a_float32_model_with_a_bf16_recipe_is_refused(fer_dataset, tmp_path):
    with pytest.raises(TrainingError, match="was built in float32"):
        fit(small_model(), fer_dataset, paper_recipe("fer2013").replace(mixed_precision="bf16"), tmp_path / "r")


def cnn_with_features(name: str) -> keras.Model:
    """A model of the caller's own whose penultimate layer is named 'features', as the paradigms read it."""
    return keras.Sequential([
        keras.Input((48, 96, 1)), keras.layers.Conv2D(4, 3, strides=2, activation="relu"),
        keras.layers.Conv2D(8, 3, strides=2, activation="relu", name="last_conv"),
        keras.layers.GlobalAveragePooling2D(name="features"), keras.layers.Dense(7, activation="softmax"),
    ], name=name)


def test_fit_trains_the_msde_paradigms_and_a_paradigm_run_resumes(fer_dataset, tmp_path):
    recipe = paper_recipe("fer2013").replace(epochs=1, batch_size=16)
    short = dict(steps_per_epoch=2, verbose=0)
    teacher = fit(cnn_with_features("teacher_cnn"), fer_dataset, recipe, tmp_path / "teacher", crops="unmasked",
                  **short)
    assert teacher.read_config()["crops"] == "unmasked"
    kd = fit(cnn_with_features("student_cnn"), fer_dataset, recipe, tmp_path / "kd", paradigm="kd",
             teacher=teacher.path, kd_lambda=10.0, **short)
    config = kd.read_config()
    assert (config["paradigm"], config["kd_lambda"], config["kd_p"], config["model_source"]) == ("kd", 10.0, 0.5, "fit")
    assert "feature_distance_loss" in read_history(kd.history_path)[0]

    cl = fit(cnn_with_features("cl_cnn"), fer_dataset, recipe, tmp_path / "cl", paradigm="cl", trainable="head",
             **short)
    assert (cl.read_config()["paradigm"], cl.read_config()["cl_lambda"]) == ("cl", 0.2)
    first = keras.saving.load_model(cl.last_model_path).get_layer("last_conv").get_weights()
    train(TrainConfig(run_dir=cl.path, epochs=2, resume=True, verbose=0))  # the caller's model comes back
    state = cl.read_state()
    assert state["epochs_done"] == 2 and state["optimizer_iterations"] == 4
    last = keras.saving.load_model(cl.last_model_path)
    assert last.name == "cl_cnn" and len(last.inputs) == 1
    for a, b in zip(first, last.get_layer("last_conv").get_weights()):  # --trainable head, through the resume
        np.testing.assert_array_equal(a, b)


def test_fit_refuses_paradigm_settings_it_cannot_train(fer_dataset, tmp_path):
    recipe = paper_recipe("fer2013").replace(epochs=1)
    with pytest.raises(TrainingError, match="--paradigm kd needs --teacher RUN"):
        fit(cnn_with_features("a"), fer_dataset, recipe, tmp_path / "a", paradigm="kd", verbose=0)
    with pytest.raises(TrainingError, match="has no layer 'features'"):
        fit(small_model(), fer_dataset, recipe, tmp_path / "b", paradigm="cl", verbose=0)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()

"""The open training API: README's `fit` example, run as written on tiny real data, and what `fit` refuses."""

from __future__ import annotations

import re

import keras
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

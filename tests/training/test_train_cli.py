"""`maskthefer train` on the command line: clear one-line errors, and a run killed mid-way resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.runs import RunDir
from maskthefer.training.curves import read_history

from .conftest import REPO

TINY_ARGS = ["--model-arg", "filters=[4,8,8,8]", "--model-arg", "dense_units=[16,16]"]


def invoke(*args: str):
    return CliRunner().invoke(main, ["train", *args])


def assert_clear_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_missing_data_directory(tmp_path, monkeypatch):
    assert_clear_error(invoke("--data", str(tmp_path / "nowhere")), "nowhere does not exist", "build-dataset")
    monkeypatch.chdir(tmp_path)  # no datasets/ here for --data to default to
    assert_clear_error(invoke("--epochs", "1"), "--data not given and no built dataset", "build-dataset")


def test_unknown_model(fer_dataset, tmp_path):
    result = invoke("--data", str(fer_dataset), "--model", "vgg-heavy", "--run-dir", str(tmp_path / "run"))
    assert_clear_error(result, "unknown model 'vgg-heavy'", "vgg-lite")


def test_data_built_with_another_crop_size(crop24_dataset, tmp_path):
    result = invoke("--data", str(crop24_dataset), "--input-shape", "48,96,1", "--run-dir", str(tmp_path / "run"))
    assert_clear_error(result, "48x96 does not match the 24x48 crops")


def test_resume_on_data_with_another_crop_size(fer_dataset, crop24_dataset, tmp_path):
    run = tmp_path / "run"
    result = invoke("--data", str(fer_dataset), *TINY_ARGS, "--epochs", "1", "--steps-per-epoch", "1",
                    "--run-dir", str(run), "--quiet")
    assert result.exit_code == 0, result.output
    result = invoke("--resume", "--run-dir", str(run), "--data", str(crop24_dataset), "--epochs", "2")
    assert_clear_error(result, "holds 24x48 crops", "trained on 48x96")


def test_resume_of_a_run_that_does_not_exist(tmp_path):
    assert_clear_error(invoke("--resume", "--run-dir", str(tmp_path / "never")), "never does not exist")
    (tmp_path / "empty").mkdir()
    assert_clear_error(invoke("--resume", "--run-dir", str(tmp_path / "empty")), "not a maskthefer run")


def test_contradictory_and_malformed_options(fer_dataset, tmp_path):
    assert_clear_error(invoke("--resume", "--overwrite", "--run-dir", str(tmp_path)), "pass one of them")
    assert_clear_error(invoke("--data", str(fer_dataset), "--model-arg", "dropout"), "key=value")
    assert_clear_error(invoke("--data", str(fer_dataset), "--augment", "cutmix"), "'cutmix' is not one of")


def test_numbers_out_of_range_or_not_finite_are_refused_where_parsed(tmp_path):
    # Before: --lr inf trained on NaN and exited 0, --seed -1 failed deep inside the framework.
    for option, value, message in (
        ("--lr", "inf", "'inf' is not a finite number"),
        ("--lr", "nan", "'nan' is not a finite number"),
        ("--momentum", "nan", "'nan' is not a finite number"),
        ("--min-lr", "inf", "'inf' is not a finite number"),
        ("--seed", "-1", "-1 is not in the range 0<=x<=4294967295"),
        ("--val-seed", str(2**32), "is not in the range"),
    ):
        result = invoke(option, value, "--run-dir", str(tmp_path / "never"))
        assert result.exit_code == 2, (option, value, result.output)
        assert_clear_error(result, f"Invalid value for '{option}'", message)
    assert not (tmp_path / "never").exists()


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_last_finished_epoch(fer_dataset, tmp_path):
    """SIGKILL a real training process after its first epoch, then --resume it to the end."""
    run = RunDir(tmp_path / "run")
    epochs = 6  # the kill lands within 50 ms of epoch 1 being saved; five more epochs leave a wide margin
    command = [sys.executable, "-m", "maskthefer", "train", "--data", str(fer_dataset), *TINY_ARGS,
               "--epochs", str(epochs), "--run-dir", str(run.path), "--quiet"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    try:
        while run.read_state().get("epochs_done", 0) < 1:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the training process never finished an epoch"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    done = run.read_state()["epochs_done"]
    if done >= epochs:
        pytest.skip("the process finished before it could be killed")

    result = invoke("--resume", "--run-dir", str(run.path), "--quiet")
    assert result.exit_code == 0, result.output
    history = read_history(run.history_path)
    assert [row["epoch"] for row in history] == list(range(1, epochs + 1))  # no epoch lost or repeated
    state = run.read_state()
    assert state["epochs_done"] == epochs and state["finished"] and run.best_model_path.is_file()
    assert run.read_config()["resumed"] == 1

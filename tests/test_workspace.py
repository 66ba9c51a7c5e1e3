"""The default folders: `build-dataset`, `train` and `evaluate` chain with no paths given.

The chain test builds nothing new: it links the session's real FER2013 dataset in as `datasets/fer2013`,
trains the tiny VGG-lite for one step from the CLI with no --data, and evaluates with no --run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.errors import MaskTheFERError
from maskthefer.models import model_spec
from maskthefer.workspace import default_dataset, latest_run


def fake_build(root: Path, name: str, finished: bool = True) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    if finished:
        (folder / "manifest.json").write_text("{}")
    return folder


def fake_run(root: Path, name: str, mtime: float) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for file in ("config.json", "state.json"):
        (folder / file).write_text("{}")
        os.utime(folder / file, (mtime, mtime))
    return folder


def test_default_dataset_prefers_fer2013_and_ignores_unfinished_builds(tmp_path):
    fake_build(tmp_path, "ckplus")
    fake_build(tmp_path, "fer2013")
    assert default_dataset(tmp_path) == tmp_path / "fer2013"

    other = tmp_path / "other"
    fake_build(other, "ckplus")
    fake_build(other, "half-built", finished=False)  # interrupted: no manifest yet
    assert default_dataset(other) == other / "ckplus"


def test_default_dataset_errors_name_the_way_out(tmp_path):
    with pytest.raises(MaskTheFERError, match="build-dataset --source fer2013"):
        default_dataset(tmp_path / "datasets")
    fake_build(tmp_path, "a")
    fake_build(tmp_path, "b")
    with pytest.raises(MaskTheFERError, match=r"2 datasets are built .*a, .*b\); pass one with --data"):
        default_dataset(tmp_path)


def test_latest_run_is_the_one_that_changed_last(tmp_path):
    fake_run(tmp_path, "old", mtime=1_000_000)
    fake_run(tmp_path, "new", mtime=2_000_000)
    (tmp_path / "not-a-run").mkdir()
    assert latest_run(tmp_path) == tmp_path / "new"
    os.utime(tmp_path / "old" / "state.json", (3_000_000, 3_000_000))  # "old" trained another epoch
    assert latest_run(tmp_path) == tmp_path / "old"
    with pytest.raises(MaskTheFERError, match="no run in .*maskthefer train"):
        latest_run(tmp_path / "runs")


def test_train_and_evaluate_with_no_paths(fer_dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    result = runner.invoke(main, ["train", "--epochs", "1"])
    assert result.exit_code != 0
    assert "no built dataset in datasets/" in result.output + result.stderr

    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "fer2013").symlink_to(fer_dataset, target_is_directory=True)
    tiny = [f"--model-arg={k}={json.dumps(v)}" for k, v in model_spec("vgg-lite").tiny_config.items()]
    result = runner.invoke(main, ["train", "--epochs", "1", "--steps-per-epoch", "1", "--quiet", *tiny])
    assert result.exit_code == 0, result.output + result.stderr
    assert "--data not given: using datasets/fer2013" in result.stderr
    run = Path("runs") / "vgg-lite-fer2013"
    assert (run / "best.keras").is_file()

    result = runner.invoke(main, ["evaluate", "--confusion"])
    assert result.exit_code == 0, result.output + result.stderr
    assert f"--run not given: using the latest run, {run}" in result.stderr
    metrics = json.loads((run / "evaluation" / "test" / "metrics.json").read_text())
    assert metrics["n"] == json.loads((fer_dataset / "manifest.json").read_text())["splits"]["test"]["records"]

"""Experiment configs (experiments/*.py) and the runner behind `maskthefer experiment`.

Every shipped config must load and state its command and target; one small config (a real FER2013 slice,
the tiny VGG-lite, one epoch) runs end to end twice to show that builds and finished runs are reused.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import FER_CSV, REPO

from maskthefer.cli import main
from maskthefer.experiments import (
    ExperimentError,
    list_experiments,
    load_experiment,
    run_experiment,
)
from maskthefer.models import list_models, model_spec

SHIPPED = REPO / "experiments"


@pytest.mark.parametrize("name", list_experiments(SHIPPED))
def test_every_shipped_experiment_states_its_command_and_target(name):
    experiment = load_experiment(name, SHIPPED)
    assert f"maskthefer experiment {name}" in experiment.doc
    assert experiment.build["source"] in ("fer2013", "ckplus", "folder")
    model = experiment.train.get("model", "vgg-lite")
    assert model in list_models()
    for value in experiment.train.values():  # "@name" points at another experiment's run
        if isinstance(value, str) and value.startswith("@"):
            assert value[1:] in list_experiments(SHIPPED)
    if experiment.baseline:  # the experiment it ablates, set beside it in the README
        assert experiment.baseline in list_experiments(SHIPPED)
    expected = experiment.expected
    assert expected["source"]
    if "accuracy" in expected:
        assert 0 < expected["accuracy"] <= 1
    else:  # an extension with no published figure for this setting says what the papers did report
        assert expected["note"]


def test_the_papers_two_headline_results_are_shipped():
    assert load_experiment("maskthefer_fer2013", SHIPPED).expected["accuracy"] == 0.6189
    assert load_experiment("maskthefer_ckplus", SHIPPED).expected["accuracy"] == 0.6356


def test_bad_experiment_files_give_clear_errors(tmp_path):
    with pytest.raises(ExperimentError, match="no experiment 'nope'.*known: none"):
        load_experiment("nope", tmp_path)
    (tmp_path / "half.py").write_text("BUILD = {'source': 'fer2013'}\n")
    with pytest.raises(ExperimentError, match=r"does not define \['TRAIN', 'EXPECTED'\]"):
        load_experiment("half", tmp_path)
    (tmp_path / "typo.py").write_text("BUILD = {'source': 'fer2013', 'contemp': 'drop'}\nTRAIN = {}\nEXPECTED = {}\n")
    with pytest.raises(ExperimentError, match=r"unknown BUILD keys \['contemp'\]"):
        load_experiment("typo", tmp_path)
    scoring = "BUILD = {'source': 'fer2013'}\nTRAIN = {}\nEXPECTED = {}\nEVALUATE = %r\n"
    (tmp_path / "scoring.py").write_text(scoring % {"flip": True})
    with pytest.raises(ExperimentError, match=r"unknown EVALUATE keys \['flip'\]; known: \['tta'\]"):
        load_experiment("scoring", tmp_path)
    (tmp_path / "scoring.py").write_text(scoring % {"tta": "mirror"})
    with pytest.raises(ExperimentError, match=r"EVALUATE\['tta'\] must be one of none, flip, flip-shift, not 'mirror'"):
        load_experiment("scoring", tmp_path)
    ablation = "BUILD = {'source': 'fer2013'}\nTRAIN = {}\nEXPECTED = {}\nBASELINE = %r\n"
    for wrong in ("", 11, "itself"):
        (tmp_path / "itself.py").write_text(ablation % (wrong,))
        with pytest.raises(ExperimentError, match=f"BASELINE must name another experiment, not {wrong!r}"):
            load_experiment("itself", tmp_path)
    (tmp_path / "itself.py").write_text(ablation % ("paper_run",))
    assert load_experiment("itself", tmp_path).baseline == "paper_run"
    # A snapshot is a results file: a --limit run, which records none, is refused before it trains.
    with pytest.raises(ExperimentError, match="a snapshot is a results file, and this run records none"):
        run_experiment("itself", directory=tmp_path, limit=10, snapshot=True, datasets_dir=tmp_path / "d",
                       runs_dir=tmp_path / "r")
    assert not (tmp_path / "d").exists() and not (tmp_path / "r").exists()


def write_tiny_experiment(configs: Path, name: str, evaluate: dict | None = None, **train) -> None:
    """An experiment file training the registry's tiny VGG-lite on the shared FER2013 CSV."""
    configs.mkdir(exist_ok=True)
    settings = {"model": "vgg-lite", "model_args": dict(model_spec("vgg-lite").tiny_config), "batch_size": 32, **train}
    (configs / f"{name}.py").write_text(textwrap.dedent(f'''\
        """Tiny VGG-lite on a FER2013 slice.

            maskthefer experiment {name}
        """
        BUILD = {{"source": "fer2013", "input": {str(FER_CSV)!r}}}
        TRAIN = {settings!r}
        EXPECTED = {{"accuracy": 0.6189, "source": "SPEC Table IV"}}
        EVALUATE = {evaluate or {}!r}
    '''))


def test_a_small_experiment_runs_end_to_end_and_is_reused(shared_data, tmp_path):
    configs = tmp_path / "configs"
    write_tiny_experiment(configs, "tiny_fer")
    where = {"directory": configs, "datasets_dir": tmp_path / "datasets", "runs_dir": tmp_path / "runs"}

    result = run_experiment("tiny_fer", limit=200, epochs=1, progress=False, verbose=0, **where)
    run = Path(result["run_dir"])
    assert run == tmp_path / "runs" / "tiny_fer-limit200-epochs1"
    metrics = json.loads((run / "evaluation" / "test" / "metrics.json").read_text())
    assert result["measured"]["accuracy"] == pytest.approx(metrics["accuracy"])
    assert json.loads((run / "experiment.json").read_text())["expected"]["accuracy"] == 0.6189
    manifest = Path(result["dataset"]) / "manifest.json"
    built_at, trained_at = manifest.stat().st_mtime_ns, (run / "best.keras").stat().st_mtime_ns

    again = CliRunner().invoke(main, [
        "experiment", "tiny_fer", "--limit", "200", "--epochs", "1", "--quiet", "--dir", str(configs),
        "--datasets-dir", str(where["datasets_dir"]), "--runs-dir", str(where["runs_dir"]),
    ])
    assert again.exit_code == 0, again.output
    assert "shortened run" in again.output and "0.6189" in again.output
    assert manifest.stat().st_mtime_ns == built_at  # the identical build was reused
    assert (run / "best.keras").stat().st_mtime_ns == trained_at  # the finished run was only evaluated
    assert len((run / "history.csv").read_text().strip().splitlines()) == 2  # header + one epoch
    # --show names the folder that run lives in (scripts/demo.sh finds its run this way)
    shown = CliRunner().invoke(main, [
        "experiment", "tiny_fer", "--show", "--limit", "200", "--epochs", "1", "--dir", str(configs),
        "--runs-dir", str(where["runs_dir"]),
    ])
    assert shown.exit_code == 0 and f"run folder: {run}\n" in shown.output, shown.output


def test_results_are_data_over_seeds_and_partial_runs_say_so(shared_data, tmp_path):
    configs = tmp_path / "configs"
    write_tiny_experiment(configs, "tiny_seeds", evaluate={"tta": "flip"}, seeds=[3, 4], epochs=2)
    where = {"directory": configs, "datasets_dir": tmp_path / "datasets", "runs_dir": tmp_path / "runs"}
    results = tmp_path / "results"

    result = run_experiment("tiny_seeds", limit=200, epochs=1, progress=False, verbose=0, results=results,
                            command="maskthefer experiment tiny_seeds --epochs 1", **where)
    document = json.loads((results / "tiny_seeds.json").read_text())
    assert result["results_file"] == str(results / "tiny_seeds.json")
    assert document["status"] == "partial"  # 1 of the experiment's 2 epochs
    assert document["command"] == "maskthefer experiment tiny_seeds --epochs 1"
    assert document["seeds"] == [3, 4] and document["schedule_epochs"] == 2
    assert document["backend"] == "tensorflow" and document["precision"] in ("float32", "bf16")
    assert document["test_time_augmentation"] == "flip"  # EVALUATE = {"tta": "flip"}
    assert len(document["code"]["commit"]) == 40
    runs = document["runs"]
    assert [r["seed"] for r in runs] == [3, 4] and all(r["epochs_completed"] == 1 for r in runs)
    for run in runs:
        metrics = json.loads((Path(run["run_dir"]) / "evaluation" / "test" / "metrics.json").read_text())
        assert run["test"]["accuracy"] == pytest.approx(metrics["accuracy"], abs=1e-4)
        assert metrics["tta"] == "flip" and run["test"]["accuracy_without_tta"] == pytest.approx(
            metrics["accuracy_without_tta"], abs=1e-4)
        assert run["test"]["faces"] == document["dataset"]["faces"]["test"]
        assert run["unmasked_test"]["faces"] == run["test"]["faces"]  # the same faces, unmasked crops
        assert run["seconds_per_epoch"] > 0
        assert run["trained_with"]["commit"] == document["code"]["commit"]
    accuracies = [r["test"]["accuracy"] for r in runs]
    summary = document["summary"]
    assert summary["seeds"] == 2
    assert summary["accuracy"]["mean"] == pytest.approx(sum(accuracies) / 2, abs=1e-4)
    assert summary["accuracy"]["sd"] == pytest.approx(abs(accuracies[0] - accuracies[1]) / 2**0.5, abs=1e-4)

    # The README table made from the file states what was measured, and that the schedule is partial.
    from test_results_table import load_script

    table = load_script().render([document])
    assert "**partial**: 1 of 2 epochs" in table and "(2 seeds) with flip TTA," in table
    assert f"{summary['accuracy']['mean']:.4f} ± {summary['accuracy']['sd']:.4f}" in table

    # Recording a run as it stands trains nothing and keeps it marked partial.
    trained_at = (Path(runs[0]["run_dir"]) / "best.keras").stat().st_mtime_ns
    again = run_experiment("tiny_seeds", limit=200, epochs=1, progress=False, verbose=0, results=results,
                           record_partial=True, **where)
    assert again["status"] == "partial"
    assert (Path(runs[0]["run_dir"]) / "best.keras").stat().st_mtime_ns == trained_at


def test_an_experiment_defined_on_a_slice_builds_that_slice(tmp_path):
    from maskthefer.experiments import build_options

    (tmp_path / "slice.py").write_text(
        '"""maskthefer experiment slice"""\nBUILD = {"source": "fer2013", "limit": 500}\nTRAIN = {}\nEXPECTED = {}\n'
    )
    experiment = load_experiment("slice", tmp_path)
    options = build_options(experiment, tmp_path / "datasets", None, False)
    assert options.limit == 500 and options.out_dir.name == "fer2013-limit500"
    assert build_options(experiment, tmp_path / "datasets", 40, False).limit == 40  # --limit still shortens it
    (tmp_path / "bad.py").write_text('BUILD = {"source": "fer2013", "limit": 0}\nTRAIN = {}\nEXPECTED = {}\n')
    with pytest.raises(ExperimentError, match=r"BUILD\['limit'\] must be a positive number of images, not 0"):
        build_options(load_experiment("bad", tmp_path), tmp_path / "datasets", None, False)


def test_a_run_can_start_from_an_upstream_run_as_it_stands(shared_data, tmp_path):
    configs = tmp_path / "configs"
    write_tiny_experiment(configs, "tiny_up", epochs=2)
    write_tiny_experiment(configs, "tiny_down", epochs=1, init_from="@tiny_up")
    where = {"directory": configs, "datasets_dir": tmp_path / "datasets", "runs_dir": tmp_path / "runs"}
    # The upstream schedule (2 epochs) is paused after its first epoch, as a long schedule is between sessions.
    up_results = tmp_path / "up-results"
    paused = run_experiment("tiny_up", limit=200, progress=False, verbose=0, results=up_results, pause_after=1,
                            **where)
    upstream_dir = tmp_path / "runs" / "tiny_up-limit200"  # where the experiment keeps its run for --limit 200
    assert Path(paused["run_dir"]) == upstream_dir and paused["status"] == "partial"
    up_state = json.loads((upstream_dir / "state.json").read_text())
    assert up_state["epochs_done"] == 1 and up_state["epochs"] == 2 and not up_state["finished"]
    assert json.loads((up_results / "tiny_up.json").read_text())["runs"][0]["epochs_completed"] == 1
    # The same run recorded as a snapshot at its epoch: kept apart from the main record, for an ablation table.
    snapshot = run_experiment("tiny_up", limit=200, progress=False, verbose=0, results=up_results,
                              record_partial=True, snapshot=True, **where)
    assert snapshot["results_file"] == str(up_results / "at-epoch" / "1" / "tiny_up.json")
    assert json.loads(Path(snapshot["results_file"]).read_text())["status"] == "partial"

    results = tmp_path / "results"
    result = run_experiment("tiny_down", limit=200, progress=False, verbose=0, results=results, upstream_as_is=True,
                            **where)
    document = json.loads((results / "tiny_down.json").read_text())
    assert document["status"] == "complete"  # its own 1-epoch schedule
    (note,) = document["upstream"]
    assert note["experiment"] == "tiny_up" and note["setting"] == "init_from"
    assert note["epochs_completed"] == 1 and note["schedule_epochs"] == 2 and note["status"] == "partial"
    config = json.loads((Path(result["run_dir"]) / "config.json").read_text())
    assert Path(config["init_from"]) == upstream_dir.resolve()
    assert json.loads((upstream_dir / "state.json").read_text())["epochs_done"] == 1  # not trained any further
    from test_results_table import load_script

    assert "from tiny_up at 1 of 2 epochs" in load_script().render([document])

    with pytest.raises(ExperimentError, match="tiny_up has no finished epoch"):
        run_experiment("tiny_down", limit=100, progress=False, verbose=0, results=False, upstream_as_is=True, **where)


def test_an_experiment_recorded_before_all_its_seeds_ran_is_partial(tmp_path):
    from maskthefer.experiments import Experiment
    from maskthefer.results import result_document
    from test_results_table import load_script

    experiment = Experiment("five", tmp_path / "five.py", "Five seeds.", {"source": "ckplus"},
                            {"seeds": [0, 1, 2, 3, 4]}, {"note": "n", "source": "s"})

    def run(seed: int) -> dict:
        test = {"accuracy": 0.5, "macro_f1": 0.4, "per_class": {"happy": 0.7}, "faces": 10}
        return {"seed": seed, "epochs_completed": 150, "test": test, "unmasked_test": None}

    def document(seeds):
        return result_document(experiment, [run(s) for s in seeds], command="c", dataset=tmp_path, config={},
                               manifest={})

    three = document([0, 1, 2])
    assert three["status"] == "partial" and three["seeds_planned"] == [0, 1, 2, 3, 4]
    assert "**partial**: 3 of 5 seeds, 150 epochs each" in load_script().render([three])
    assert document([0, 1, 2, 3, 4])["status"] == "complete"

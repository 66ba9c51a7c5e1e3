"""Experiment configs: one file per reproduced (or extended) result, run end to end with one command.

An experiment is a Python file in `experiments/` (big_vision style) whose docstring states how to run it and
what it should reach, and which defines three dicts:

    BUILD = {"source": "fer2013"}                      # build_dataset options (see BUILD_KEYS)
    TRAIN = {"model": "vgg-lite"}                      # TrainConfig fields; "@other" names another experiment's run
    EXPECTED = {"accuracy": 0.6189, "per_class": {...}, "source": "SPEC §1.5 Table IV"}

and may define how the test split is scored (see EVALUATE_KEYS), and which experiment it is an ablation of:

    EVALUATE = {"tta": "flip"}                         # average each crop with its mirror image
    BASELINE = "maskthefer_fer2013"                    # set side by side with it at the same epoch

An ablation of a long schedule is compared with its baseline before either has finished: both are trained
to the same epoch (`--pause-after E`), and the baseline's record at that epoch is kept apart from its main
one (`--snapshot`: results/at-epoch/E/NAME.json), so that the README's ablation table can pair them.

`maskthefer experiment NAME` builds the dataset (or reuses an identical build), trains (or resumes, or reuses
a finished run), evaluates on the test split and prints measured numbers beside the expected ones.
`--limit` and `--epochs` shrink a run for a quick check; those runs get their own dataset and run folders.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import MaskTheFERError
from .runs import RunDir, write_json

log = logging.getLogger(__name__)

EXPERIMENTS_DIR_NAME = "experiments"
# BUILD keys: those passed to BuildOptions as they are, and those that set the face pipeline.
BUILD_KEYS = {
    "source", "input", "split", "test_fraction", "seed", "contempt", "frames", "neutral_first_frames", "mix_subjects",
    "classes",
}
# BUILD["limit"]: an experiment defined on a slice of its source (the demo); its results are recorded, unlike
# those of a run shortened with --limit on the command line.
SLICE_KEYS = {"limit"}
# EVALUATE keys: evaluate_run's scoring options (the split is always test).
EVALUATE_KEYS = {"tta"}
PIPELINE_KEYS = {
    "align", "redetect_threshold", "threshold", "upsample", "mask_types", "crop_size", "crop", "crop_resample", "masks",
}


class ExperimentError(MaskTheFERError):
    pass


@dataclass(frozen=True)
class Experiment:
    name: str
    path: Path
    doc: str
    build: dict[str, Any]
    train: dict[str, Any]
    expected: dict[str, Any]
    evaluate: dict[str, Any] = field(default_factory=dict)
    baseline: str | None = None  # the experiment this one is an ablation of

    @property
    def title(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


def experiments_dir(directory: os.PathLike | str | None = None) -> Path:
    """`directory`, else ./experiments, else the experiments/ folder of the checkout this package is in."""
    if directory is not None:
        return Path(directory)
    local = Path.cwd() / EXPERIMENTS_DIR_NAME
    if local.is_dir():
        return local
    return Path(__file__).resolve().parents[1] / EXPERIMENTS_DIR_NAME


def list_experiments(directory: os.PathLike | str | None = None) -> list[str]:
    folder = experiments_dir(directory)
    return sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_")) if folder.is_dir() else []


def load_experiment(name: str, directory: os.PathLike | str | None = None) -> Experiment:
    """Load `experiments/NAME.py` (or a path to such a file)."""
    path = Path(name) if name.endswith(".py") else experiments_dir(directory) / f"{name}.py"
    if not path.is_file():
        known = ", ".join(list_experiments(directory)) or "none"
        raise ExperimentError(f"no experiment {name!r} (looked for {path}); known: {known}")
    spec = importlib.util.spec_from_file_location(f"maskthefer_experiment_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    missing = [key for key in ("BUILD", "TRAIN", "EXPECTED") if not hasattr(module, key)]
    if missing:
        raise ExperimentError(f"{path} does not define {missing}")
    unknown = set(module.BUILD) - BUILD_KEYS - PIPELINE_KEYS - SLICE_KEYS
    if unknown:
        raise ExperimentError(f"{path}: unknown BUILD keys {sorted(unknown)}")
    evaluate = dict(getattr(module, "EVALUATE", {}))
    unknown = set(evaluate) - EVALUATE_KEYS
    if unknown:
        raise ExperimentError(f"{path}: unknown EVALUATE keys {sorted(unknown)}; known: {sorted(EVALUATE_KEYS)}")
    from .evaluation.loading import TTA_MODES

    if evaluate.get("tta", "none") not in TTA_MODES:  # checked now, not after the training it would follow
        raise ExperimentError(f"{path}: EVALUATE['tta'] must be one of {', '.join(TTA_MODES)}, not {evaluate['tta']!r}")
    baseline = getattr(module, "BASELINE", None)
    if baseline is not None and (not isinstance(baseline, str) or not baseline or baseline == path.stem):
        raise ExperimentError(f"{path}: BASELINE must name another experiment, not {baseline!r}")
    return Experiment(path.stem, path, module.__doc__ or "", dict(module.BUILD), dict(module.TRAIN),
                      dict(module.EXPECTED), evaluate, baseline)


def _slug(build: dict[str, Any], limit: int | None) -> str:
    def text(value: Any) -> str:  # lists as a+b+c: no brackets or quotes in folder names
        return "+".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)

    extras = [f"{k}-{text(build[k])}" for k in sorted(build) if k not in ("source", "input", "limit")]
    if limit:
        extras.append(f"limit{limit}")
    return "-".join([build["source"], *extras]).replace("/", "_").replace(" ", "").replace(",", "+")


def build_options(experiment: Experiment, datasets_dir: Path, limit: int | None, progress: bool):
    """The BuildOptions an experiment asks for, with its dataset folder named after its settings."""
    from .data.build import BuildOptions
    from .data.faces import DetectorSettings
    from .data.pipeline import PipelineSettings
    from .paths import default_input

    build = experiment.build
    from .data.crop import DEFAULT_CROP_SIZES

    if "limit" in build and (isinstance(build["limit"], bool) or not isinstance(build["limit"], int) or build["limit"] < 1):
        raise ExperimentError(f"{experiment.path}: BUILD['limit'] must be a positive number of images, not {build['limit']!r}")
    limit = limit or build.get("limit")

    pipeline = PipelineSettings()
    if "crop" in build:  # "eyes" or "face", at that crop's default size unless crop_size says otherwise
        mode = str(build["crop"])
        if mode not in DEFAULT_CROP_SIZES:
            raise ExperimentError(f"{experiment.path}: BUILD['crop'] is {mode!r}; choose one of {', '.join(DEFAULT_CROP_SIZES)}")
        pipeline = replace(pipeline, crop=replace(pipeline.crop, mode=mode)).with_crop_size(*DEFAULT_CROP_SIZES[mode])
    if "crop_resample" in build:
        height, width = (int(v) for v in str(build["crop_resample"]).lower().split("x"))
        pipeline = replace(pipeline, crop=replace(pipeline.crop, resample=(height, width)))
    if "masks" in build:
        pipeline = replace(pipeline, masks=bool(build["masks"]))
    if "crop_size" in build:
        height, width = (int(v) for v in str(build["crop_size"]).lower().split("x"))
        pipeline = pipeline.with_crop_size(height, width)
    if "align" in build:
        pipeline = replace(pipeline, crop=replace(pipeline.crop, align=bool(build["align"])))
    if "threshold" in build or "upsample" in build:
        detect = DetectorSettings(build.get("upsample", 1), build.get("threshold", pipeline.detect.adjust_threshold))
        pipeline = replace(pipeline, detect=detect)
    if "redetect_threshold" in build or "upsample" in build:
        redetect = DetectorSettings(build.get("upsample", 1), build.get("redetect_threshold", pipeline.redetect.adjust_threshold))
        pipeline = replace(pipeline, redetect=redetect)
    if "mask_types" in build:
        pipeline = replace(pipeline, mask_types=tuple(build["mask_types"]))
    source = build["source"]
    passthrough = {k: v for k, v in build.items() if k in BUILD_KEYS - {"source", "input"}}
    if "classes" in passthrough:
        passthrough["classes"] = tuple(passthrough["classes"])
    return BuildOptions(
        source=source,
        input_path=Path(build["input"]) if "input" in build else default_input(source),
        out_dir=datasets_dir / _slug(build, limit),
        limit=limit,
        pipeline=pipeline,
        progress=progress,
        **passthrough,
    )


def run_dir_for(experiment: Experiment, runs_dir: Path, limit: int | None, epochs: int | None) -> Path:
    suffix = "".join(f"-{k}{v}" for k, v in (("limit", limit), ("epochs", epochs)) if v)
    return runs_dir / f"{experiment.name}{suffix}"


def _finished(run: RunDir, epochs_wanted: int | None) -> bool:
    if not run.best_model_path.is_file():
        return False
    state, config = run.read_state(), run.read_config()
    return int(state.get("epochs_done", 0)) >= int(epochs_wanted or config.get("epochs", 0))


def seed_runs(base: Path, seeds: list[int] | None) -> list[RunDir]:
    """The run folders of an experiment: `base` itself, or one `base/seed<N>` per seed it repeats over."""
    return [RunDir(base / f"seed{seed}") for seed in seeds] if seeds else [RunDir(base)]


def experiment_seeds(experiment: Experiment) -> list[int] | None:
    """The seeds an experiment repeats its training over (`TRAIN["seeds"]`), or None for a single run."""
    seeds = experiment.train.get("seeds")
    if seeds is None:
        return None
    if not isinstance(seeds, (list, tuple)) or not seeds or not all(isinstance(v, int) and v >= 0 for v in seeds):
        raise ExperimentError(f"{experiment.path}: TRAIN['seeds'] must be a non-empty list of integers >= 0, not {seeds!r}")
    return list(seeds)


def run_experiment(
    name: str,
    *,
    directory: os.PathLike | str | None = None,
    datasets_dir: os.PathLike | str = "datasets",
    runs_dir: os.PathLike | str = "runs",
    limit: int | None = None,
    epochs: int | None = None,
    progress: bool = True,
    verbose: int = 1,
    results: os.PathLike | str | bool | None = None,
    command: str | None = None,
    record_partial: bool = False,
    upstream_as_is: bool = False,
    pause_after: int | None = None,
    snapshot: bool = False,
) -> dict[str, Any]:
    """Build, train and evaluate one experiment; returns the comparison written to RUN/experiment.json.

    The measured numbers also go to results/<name>.json (`results`: a folder, True for the checkout's
    results/, False for none; by default every run without `limit`, since a --limit run is a quick check
    of the chain, not a result). `record_partial` trains nothing: it evaluates the run as it stands (a
    schedule still running or interrupted) and records it as partial. `upstream_as_is` takes the runs that
    "@name" settings point at as they stand (at least one finished epoch) instead of training them to the end
    first, for example to fine-tune from a long schedule still in progress; the results file names the
    upstream run and how far it had got. `pause_after` trains each run only up to that epoch of its schedule
    (resumed by the next call), then evaluates and records it as partial. `snapshot` writes the results
    file to results/at-epoch/E/ (E: the epochs its runs have completed) instead of results/, so that a
    long schedule's record at the epoch its ablations stop at is kept beside its main record.
    """
    from .data.build import build_dataset
    from .data.records import read_manifest
    from .results import result_document, results_dir, run_measurement, snapshot_dir, write_result

    experiment = load_experiment(name, directory)
    if results is None:
        results = limit is None
    if snapshot and results is False:  # said before any training, not after it
        raise ExperimentError(f"{experiment.name}: a snapshot is a results file, and this run records none "
                              "(a --limit run is a quick check of the chain)")
    datasets_dir, runs_dir = Path(datasets_dir), Path(runs_dir)
    options = build_options(experiment, datasets_dir, limit, progress)

    train_args = {k: v for k, v in experiment.train.items() if k != "seeds"}
    upstreams = []
    for key, value in list(train_args.items()):
        if isinstance(value, str) and value.startswith("@") and upstream_as_is:
            upstream, upstream_run = _upstream_as_it_stands(value[1:], directory, runs_dir, limit, epochs)
            train_args[key] = str(upstream_run.path)
            upstreams.append(_upstream_note(upstream, key, upstream_run, epochs))
        elif isinstance(value, str) and value.startswith("@"):  # another experiment's run, e.g. MCN for FECN
            upstream = run_experiment(
                value[1:], directory=directory, datasets_dir=datasets_dir, runs_dir=runs_dir,
                limit=limit, epochs=epochs, progress=progress, verbose=verbose, results=False,
                record_partial=record_partial,
            )
            train_args[key] = upstream["run_dir"]
    if not record_partial:
        build_dataset(options)
    elif not (options.out_dir / "manifest.json").is_file():
        raise ExperimentError(f"{experiment.name}: no dataset at {options.out_dir} to evaluate a partial run on")
    if epochs:
        train_args["epochs"] = epochs
    base = run_dir_for(experiment, runs_dir, limit, epochs)
    seeds = experiment_seeds(experiment)
    runs = seed_runs(base, seeds)

    if record_partial:  # only the runs that have finished an epoch; seeds not started yet are left out
        started = [(index, run) for index, run in enumerate(runs) if run.best_model_path.is_file()]
        if not started:
            raise ExperimentError(f"{experiment.name}: {base} has no run with a finished epoch yet")
        seeds = [seeds[index] for index, _ in started] if seeds else None
        runs = [run for _, run in started]

    measurements, reports = [], []
    for index, run in enumerate(runs):
        args = dict(train_args, seed=seeds[index]) if seeds else train_args
        if not record_partial:
            _train_or_resume(experiment, run, options.out_dir, args, verbose, pause_after)
        report = _evaluate(run, experiment.evaluate)
        reports.append(report)
        measurements.append(run_measurement(run, report))

    result = _comparison(experiment, options.out_dir, base, limit, epochs, reports, measurements, seeds)
    write_json(base / "experiment.json", result)
    if results is not False:
        document = result_document(
            experiment,
            measurements,
            command=command or f"maskthefer experiment {experiment.name}",
            dataset=options.out_dir,
            config=runs[0].read_config(),
            manifest=read_manifest(options.out_dir),
        )
        if upstreams:
            document["upstream"] = upstreams
        folder = results_dir(None if results is True else results)
        if snapshot:
            folder = snapshot_dir(folder, min(m["epochs_completed"] for m in measurements))
        result["results_file"] = str(write_result(document, folder))
        result["status"] = document["status"]
    return result


def _upstream_as_it_stands(name: str, directory, runs_dir: Path, limit: int | None, epochs: int | None):
    """Experiment `name` and its run as it is now (its first seed's run when it has several)."""
    upstream = load_experiment(name, directory)
    run = seed_runs(run_dir_for(upstream, runs_dir, limit, epochs), experiment_seeds(upstream))[0]
    if not run.best_model_path.is_file():
        raise ExperimentError(f"--upstream-as-is: {name} has no finished epoch in {run.path} yet; run it first")
    return upstream, run


def _upstream_note(upstream: Experiment, setting: str, run: RunDir, epochs: int | None) -> dict[str, Any]:
    """What a results file says about an upstream run taken as it stood, against its experiment's schedule."""
    from .training.config import PAPER_COMMON

    state = run.read_state()
    done = int(state.get("epochs_done", 0))
    schedule = int(epochs or upstream.train.get("epochs") or PAPER_COMMON["epochs"])
    return {
        "experiment": upstream.name,
        "setting": setting,
        "run_dir": str(run.path),
        "epochs_completed": done,
        "schedule_epochs": schedule,
        "status": "complete" if done >= schedule else "partial",
        "best_val_accuracy": state.get("best_val_accuracy"),
        "best_epoch": state.get("best_epoch"),
    }


def _train_or_resume(experiment: Experiment, run: RunDir, data_dir: Path, train_args: dict[str, Any], verbose: int,
                     pause_after: int | None = None):
    from .training import TrainConfig, train

    if run.exists() and _finished(run, train_args.get("epochs")):
        log.info("%s: %s already trained", experiment.name, run.path)
        return
    common = {"data": str(data_dir), "run_dir": str(run.path), "verbose": verbose, "pause_after": pause_after}
    if run.exists() and run.state_path.is_file():  # an interrupted run: continue it with its own settings
        train(TrainConfig(resume=True, epochs=train_args.get("epochs"), **common))
    else:
        train(TrainConfig(overwrite=run.path.exists(), **common, **train_args))


def _evaluate(run: RunDir, options: dict[str, Any]):
    from .evaluation import evaluate_run

    return evaluate_run(run.path, split="test", confusion=True, **options)


def _comparison(experiment, dataset, base, limit, epochs, reports, measurements, seeds) -> dict[str, Any]:
    """Measured beside expected; over several seeds, the mean (and sd) that the results file records."""
    if len(reports) == 1:
        metrics = reports[0].main.metrics
        measured = {
            "accuracy": metrics.accuracy,
            "unmasked_accuracy": reports[0].unmasked.metrics.accuracy if reports[0].unmasked is not None else None,
            "macro_f1": metrics.macro_f1,
            "per_class": dict(zip(metrics.class_names, metrics.per_class_accuracy)),
        }
    else:
        from .results import summarize_seeds

        summary = summarize_seeds(measurements)
        measured = {
            "accuracy": summary["accuracy"]["mean"],
            "accuracy_sd": summary["accuracy"]["sd"],
            "unmasked_accuracy": summary.get("unmasked_accuracy", {}).get("mean"),
            "macro_f1": summary["macro_f1"]["mean"],
            "per_class": {name: stats["mean"] for name, stats in summary["per_class"].items()},
        }
    return {
        "experiment": experiment.name,
        "title": experiment.title,
        "dataset": str(dataset),
        "run_dir": str(seed_runs(base, seeds)[0].path),
        "run_dirs": [str(run.path) for run in seed_runs(base, seeds)],
        "limit": limit,
        "epochs": epochs,
        "seeds": seeds,
        "measured": measured,
        "expected": experiment.expected,
    }


def format_comparison(result: dict[str, Any]) -> str:
    """Measured vs expected, as a small text table."""
    expected, measured = result["expected"], result["measured"]
    lines = [f"{result['experiment']}: {result['title']}", f"  run: {result['run_dir']}"]
    if result.get("limit") or result.get("epochs"):
        lines.append("  (shortened run: --limit/--epochs given; expected numbers are for the full schedule)")

    def number(value):
        return "-" if value is None else f"{value:.4f}"

    if result.get("seeds"):
        lines.append(f"  mean over seeds {result['seeds']}: accuracy sd {number(measured.get('accuracy_sd'))}")
    if result.get("status") == "partial":
        lines.append("  PARTIAL: the schedule has not run to its end")
    lines.append(f"  {'':<10}{'measured':>10}{'expected':>10}")
    lines.append(f"  {'accuracy':<10}{number(measured['accuracy']):>10}{number(expected.get('accuracy')):>10}")
    if measured.get("unmasked_accuracy") is not None or "unmasked_accuracy" in expected:
        # The same faces' unmasked crops and the mean of both: MSD-E's Table 5 columns.
        unmasked = measured.get("unmasked_accuracy")
        average = None if unmasked is None or measured["accuracy"] is None else (measured["accuracy"] + unmasked) / 2
        paper = expected.get("unmasked_accuracy")
        paper_average = None if paper is None or expected.get("accuracy") is None else (expected["accuracy"] + paper) / 2
        lines.append(f"  {'unmasked':<10}{number(unmasked):>10}{number(paper):>10}")
        lines.append(f"  {'average':<10}{number(average):>10}{number(paper_average):>10}")
    for name, value in measured["per_class"].items():
        lines.append(f"  {name:<10}{number(value):>10}{number(expected.get('per_class', {}).get(name)):>10}")
    if expected.get("source"):
        lines.append(f"  expected from: {expected['source']}")
    if expected.get("note"):
        lines.append(f"  note: {expected['note']}")
    if result.get("results_file"):
        lines.append(f"  recorded in {result['results_file']}")
    return "\n".join(lines)


def describe(
    name: str,
    directory: os.PathLike | str | None = None,
    runs_dir: os.PathLike | str = "runs",
    limit: int | None = None,
    epochs: int | None = None,
) -> str:
    """The experiment's docstring and settings, and the run folder(s) it trains into under `runs_dir`."""
    experiment = load_experiment(name, directory)
    base = run_dir_for(experiment, Path(runs_dir), limit, epochs)
    folders = "\n".join(f"run folder: {run.path}" for run in seed_runs(base, experiment_seeds(experiment)))
    evaluate = f"\nEVALUATE = {json.dumps(experiment.evaluate)}" if experiment.evaluate else ""
    baseline = f"\nBASELINE = {json.dumps(experiment.baseline)}" if experiment.baseline else ""
    return (f"{experiment.doc.strip()}\n\nBUILD = {json.dumps(experiment.build)}\nTRAIN = {json.dumps(experiment.train)}"
            f"{evaluate}{baseline}\n{folders}")

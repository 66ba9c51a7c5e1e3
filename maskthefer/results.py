"""Measured results as data: one small JSON file per experiment under `results/`, written by the run itself.

    results/maskthefer_fer2013.json    {"status": "partial", "epochs_completed": 12, "test": {...}, ...}

A results file says what was measured and how: the git commit and the exact command, the backend and
precision, epochs completed of those planned, seconds per epoch, the test accuracy with its per-class
accuracies and macro F1, the same faces' unmasked-crop accuracy, the number of test faces, the seed(s), the
dataset it was measured on and the paper's figures it is compared with. A schedule that has not run to
its end is recorded with `"status": "partial"`. The README's results table is generated from these files
(`scripts/results_table.py`); no number in it is typed by hand.

Several seeds of one experiment (`TRAIN = {"seeds": [0, 1, 2, 3, 4], ...}`) are recorded together: each
seed's numbers, and their mean and standard deviation.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from .provenance import code_version, machine
from .runs import RunDir, write_json

RESULTS_DIR_NAME = "results"
SNAPSHOTS_DIR_NAME = "at-epoch"
SCHEMA_VERSION = 1


def results_dir(directory: os.PathLike | str | None = None) -> Path:
    """`directory`, else the results/ folder of the checkout this package is in (where results are committed)."""
    if directory is not None:
        return Path(directory)
    return Path(__file__).resolve().parents[1] / RESULTS_DIR_NAME


def snapshot_dir(directory: os.PathLike | str, epoch: int) -> Path:
    """Where a results file recorded at `epoch` of a longer schedule is kept beside the main record:
    results/at-epoch/<epoch>/. The README's ablation table looks there for a baseline at an ablation's epoch."""
    return Path(directory) / SNAPSHOTS_DIR_NAME / str(int(epoch))


def run_measurement(run: RunDir, report) -> dict[str, Any]:
    """One trained and evaluated run: how it trained (from its run directory) and what it scored."""
    from .training.curves import read_history

    config, state = run.read_config(), run.read_state()
    history = read_history(run.history_path)
    seconds = [row["seconds"] for row in history if "seconds" in row]
    measured: dict[str, Any] = {
        "run_dir": str(run.path),
        "trained_with": config.get("code"),  # None for runs made before config.json recorded it
        "seed": config.get("seed"),
        "epochs_completed": int(history[-1]["epoch"]) if history else int(state.get("epochs_done", 0)),
        "epochs_planned": int(config.get("epochs", 0)),
        "seconds_per_epoch": round(float(np.mean(seconds)), 1) if seconds else None,
        "best_epoch": state.get("best_epoch"),
        "best_val_accuracy": _round(state.get("best_val_accuracy")),
        "test": _scores(report.main),
        "unmasked_test": _scores(report.unmasked) if report.unmasked is not None else None,
    }
    return measured


def _scores(evaluated) -> dict[str, Any]:
    metrics = evaluated.metrics
    scores = {
        "faces": int(metrics.n),
        "accuracy": _round(metrics.accuracy),
        "macro_f1": _round(metrics.macro_f1),
        "per_class": {name: _round(v) for name, v in zip(metrics.class_names, metrics.per_class_accuracy)},
    }
    if evaluated.accuracy_without_tta is not None:  # scored with test-time augmentation: the plain figure too
        scores["accuracy_without_tta"] = _round(evaluated.accuracy_without_tta)
    return scores


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return round(float(value), digits)


def summarize_seeds(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and standard deviation (ddof 1) of test accuracy, macro F1 and per-class accuracy over seeds."""

    def stats(values: list[float | None]) -> dict[str, Any]:
        kept = [v for v in values if v is not None]
        if not kept:
            return {"mean": None, "sd": None}
        sd = float(np.std(kept, ddof=1)) if len(kept) > 1 else None
        return {"mean": _round(float(np.mean(kept))), "sd": _round(sd)}

    classes = list(runs[0]["test"]["per_class"])
    summary = {
        "seeds": len(runs),
        "accuracy": stats([r["test"]["accuracy"] for r in runs]),
        "macro_f1": stats([r["test"]["macro_f1"] for r in runs]),
        "per_class": {name: stats([r["test"]["per_class"].get(name) for r in runs]) for name in classes},
    }
    if all(r["unmasked_test"] for r in runs):
        summary["unmasked_accuracy"] = stats([r["unmasked_test"]["accuracy"] for r in runs])
    return summary


def result_document(
    experiment,
    runs: list[dict[str, Any]],
    *,
    command: str,
    dataset: os.PathLike | str,
    config: dict[str, Any],
    manifest: dict[str, Any],
) -> dict[str, Any]:
    """The results file of an experiment: provenance, each run's measurement and (several seeds) a summary.

    The status compares the epochs completed with the experiment's own schedule (its TRAIN["epochs"], else
    the paper's 150), so a run shortened with --epochs is recorded as partial too, and so is an experiment
    over seeds recorded before all of its seeds have run.
    """
    from .training.config import PAPER_COMMON

    schedule = int(experiment.train.get("epochs") or PAPER_COMMON["epochs"])
    planned = list(experiment.train.get("seeds") or [])
    # complete: every run through its schedule, and every seed the experiment names among the runs
    complete = all(r["epochs_completed"] >= schedule for r in runs) and set(planned) <= {r["seed"] for r in runs}
    document = {
        "schema": SCHEMA_VERSION,
        "experiment": experiment.name,
        "title": experiment.title,
        "status": "complete" if complete else "partial",
        "code": code_version(),
        "command": command,
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "backend": config.get("backend"),
        "precision": config.get("mixed_precision") or "float32",
        "augment": config.get("augment"),
        "model": config.get("model"),
        "batch_size": config.get("batch_size"),
        "test_time_augmentation": experiment.evaluate.get("tta", "none"),
        "seeds": [r["seed"] for r in runs],
        "seeds_planned": planned or None,
        "schedule_epochs": schedule,
        "dataset": {
            "path": str(dataset),
            "kind": manifest.get("dataset_kind"),
            "faces": {split: int(info.get("records", 0)) for split, info in manifest.get("splits", {}).items()},
            "class_names": list(manifest.get("class_names", [])),
            "built_with": manifest.get("parameters", {}).get("build"),
            "built_by": manifest.get("versions"),
        },
        "runs": runs,
        "expected": experiment.expected,
    }
    if experiment.baseline:
        document["baseline"] = experiment.baseline
    if len(runs) > 1:
        document["summary"] = summarize_seeds(runs)
    return document


def write_result(document: dict[str, Any], directory: os.PathLike | str | None = None) -> Path:
    path = results_dir(directory) / f"{document['experiment']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, document)
    return path

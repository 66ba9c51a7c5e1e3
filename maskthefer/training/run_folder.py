"""The run folder from the trainer's side: refusing to overwrite by accident, clearing, and config.json.

The layout itself (which file holds what) is `maskthefer.runs.RunDir`, shared with evaluation.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..provenance import code_version
from ..runs import RunDir
from .augment import describe
from .backend import backend_name, versions
from .config import Augmentation, TrainingError
from .distribute import record as distribution_record

RUN_FILES = ("config.json", "state.json", "best.keras", "last.keras", "checkpoint.keras", "history.csv", "curves.png")
RUN_DIRS = ("tensorboard", "evaluation", "explain")


def refuse_existing_run(run: RunDir, *, overwrite: bool) -> None:
    if run.path.exists() and not run.path.is_dir():
        raise TrainingError(f"run directory {run.path} is a file")
    present = [name for name in RUN_FILES + RUN_DIRS if (run.path / name).exists()]
    if present and not overwrite:
        raise TrainingError(
            f"{run.path} already holds a run ({', '.join(present)}); pass --overwrite to replace it, --resume to "
            "continue it, or choose another --run-dir"
        )


def clear_run(run: RunDir) -> None:
    """Delete a previous run's files - only the run contract's names, never anything else in the folder."""
    for name in RUN_FILES:
        (run.path / name).unlink(missing_ok=True)
    for name in RUN_DIRS:
        if (run.path / name).is_dir():
            shutil.rmtree(run.path / name)


def run_config(model: dict[str, Any], data, data_dir, resolved: dict[str, Any], classifier) -> dict[str, Any]:
    """config.json: the runs.py keys first, then every resolved training setting.

    `model` holds "model" (registry name, or the Keras name of a model given to `fit`), "model_args", "task"
    and any model-side records ("attention_from", "init_report", "model_source").
    """
    height, width, _ = resolved["input_shape"]
    config = {
        "model": model["model"],
        "model_args": json.loads(json.dumps(model.get("model_args", {}))),
        "task": model["task"],
        "class_names": list(data.class_names),
        "num_classes": len(data.class_names),
        "input_shape": list(resolved["input_shape"]),
        "data": str(Path(data_dir).resolve()),
        "seed": resolved["seed"],
        "batch_size": resolved["batch_size"],
        "epochs": resolved["epochs"],
        "backend": backend_name(),
        "versions": versions(),
    }
    config.update({k: v for k, v in resolved.items() if k not in config})
    augmentation = describe(Augmentation(**resolved["augmentation"]), resolved["augment"], height, width)
    config["augmentation_layers"] = augmentation.get("layer_arguments")
    config["attention_from"] = model.get("attention_from")
    config.update({k: v for k, v in model.items() if k not in config and k != "model_args"})
    config["distribution"] = distribution_record()
    config["counts"] = data.counts()
    config["classifier_layer"] = classifier.name
    config["parameters"] = int(classifier.count_params())
    config["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    config["code"] = code_version()  # the commit that trained it (results files quote it)
    return config


def printer(verbose: int) -> Callable[[str], None]:
    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    return say

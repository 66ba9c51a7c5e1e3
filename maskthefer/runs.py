"""The layout of a training run directory, shared by training (which writes it) and evaluation (which reads it).

    RUN/
      config.json        resolved training configuration (model, model_args, data, class_names, input_shape, ...)
      state.json         progress for --resume: last finished epoch, learning-rate state, best score
      best.keras         the classifier with the best validation accuracy
      last.keras         the classifier after the last finished epoch
      checkpoint.keras   the compiled training model with optimizer state (what --resume restores)
      history.csv        one row per epoch: losses, accuracies, learning rate, seconds
      curves.png         loss and accuracy curves
      tensorboard/       TensorBoard event files (TensorFlow backend)
      evaluation/        written by `maskthefer evaluate`
      explain/           written by `maskthefer explain`

config.json always holds at least these keys (training may add more):
    model (registry name), model_args (constructor kwargs beyond num_classes/input_shape), task
    ("expression" or "mask"), class_names, num_classes, input_shape [H, W, C], data (dataset directory the
    run trained on), seed, batch_size, epochs, backend, versions.

This module imports no deep-learning framework, so it can be used to inspect runs anywhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .errors import MaskTheFERError


class RunError(MaskTheFERError):
    """A run directory that is missing, incomplete or does not fit the request."""


class RunDir:
    """Paths and small readers for one run directory."""

    def __init__(self, path: os.PathLike | str):
        self.path = Path(path)

    config_path = property(lambda self: self.path / "config.json")
    state_path = property(lambda self: self.path / "state.json")
    best_model_path = property(lambda self: self.path / "best.keras")
    last_model_path = property(lambda self: self.path / "last.keras")
    checkpoint_path = property(lambda self: self.path / "checkpoint.keras")
    history_path = property(lambda self: self.path / "history.csv")
    curves_path = property(lambda self: self.path / "curves.png")
    tensorboard_dir = property(lambda self: self.path / "tensorboard")
    evaluation_dir = property(lambda self: self.path / "evaluation")
    explain_dir = property(lambda self: self.path / "explain")

    def exists(self) -> bool:
        return self.config_path.is_file()

    def require(self) -> RunDir:
        """Raise a readable error unless this is a run directory."""
        if not self.path.is_dir():
            raise RunError(f"run directory {self.path} does not exist")
        if not self.config_path.is_file():
            raise RunError(f"{self.path} is not a maskthefer run (no config.json); train one with `maskthefer train`")
        return self

    def read_config(self) -> dict[str, Any]:
        self.require()
        return json.loads(self.config_path.read_text())

    def read_state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text()) if self.state_path.is_file() else {}

    def model_path(self, which: str = "best") -> Path:
        """Path of the `best` or `last` model, with an error that says what is there instead."""
        self.require()
        paths = {"best": self.best_model_path, "last": self.last_model_path}
        if which not in paths:
            raise RunError(f"unknown model choice {which!r}; use 'best' or 'last'")
        path = paths[which]
        if not path.is_file():
            present = sorted(p.name for p in self.path.glob("*.keras"))
            raise RunError(
                f"{self.path} has no {path.name} (models present: {present or 'none'}); "
                "the run may not have finished an epoch yet"
            )
        return path


def write_json(path: os.PathLike | str, data: Any) -> None:
    """Write JSON through a temporary file so readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    os.replace(tmp, path)

"""A finished run used as a teacher (`--teacher`, `--distill-from`): its config and best classifier, checked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras

from ..runs import RunDir, RunError
from .config import TrainingError


def load_teacher_run(path: str | Path, option: str, class_names: Sequence[str]) -> tuple[keras.Model, dict[str, Any]]:
    """(best.keras of the run at `path`, its config.json); `option` names the request in error messages."""
    run = RunDir(path)
    try:
        config = run.read_config()
        model_path = run.model_path("best")
    except RunError as exc:
        raise TrainingError(f"{option} {path}: {exc}") from None
    if list(config.get("class_names", [])) != list(class_names):
        raise TrainingError(
            f"{option} {path} was trained on classes {config.get('class_names')}, the student's data has "
            f"{list(class_names)}"
        )
    import maskthefer.models  # noqa: F401  (registers the zoo's classes for deserialisation)

    try:
        model = keras.saving.load_model(model_path, compile=False)
    except Exception as exc:  # Keras raises many types for unreadable archives; all mean "bad file"
        raise TrainingError(f"{option} {path}: cannot load {model_path}: {type(exc).__name__}: {exc}") from exc
    return model, config

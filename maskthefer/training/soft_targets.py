"""Distillation from privileged information (`--distill-from RUN`): a teacher that saw more of each face.

    target = (1 - w) * one_hot(label) + w * softmax(log p_teacher(unmasked face) / T)     w = 0.5, T = 2

The teacher is another run, usually on another crop of the same faces: `fullface_masked_fer2013_fast` sees
the whole 48x48 face, the student only the eye region. Shown each training face's *unmasked* crop of its own
dataset, the teacher says how much of every expression the hidden mouth and cheeks carry; the student learns
that distribution from its masked (and, with --pairs, unmasked) eye crops. Unlike MSD-E's feature distance
(`--paradigm kd`) nothing ties the two networks' layers or input sizes together, so any expression run can
teach any student of the same classes.

The teacher's probabilities are computed once per run start (or resume), before the first epoch: its
best.keras on the unmasked crops of its dataset's train split, averaged with their mirror images, softened by
the temperature T (the same as dividing its logits by T), and matched to the student's rows by source id.
They are deterministic, so a resumed run trains on the same targets. A student face the teacher's dataset
lacks (a face its pipeline rejected) keeps its one-hot label; how many is printed. Validation and test still
score against the labels alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..data.records import load_split
from ..errors import MaskTheFERError
from .config import TrainingError, number_setting
from .teacher_run import load_teacher_run

DISTILL_WEIGHT = 0.5  # half label, half teacher: a common starting point, not tuned here
DISTILL_TEMPERATURE = 2.0
# What config.json holds for a run trained before these settings existed: no teacher.
DISTILL_DEFAULTS: dict[str, Any] = {"distill_from": None, "distill_weight": None, "distill_temperature": None}
PREDICT_BATCH = 256


def resolve_distillation(config, *, task: str) -> dict[str, Any]:
    """The concrete `--distill-*` settings of `config` (a TrainConfig); None everywhere without a teacher."""
    given = {name: getattr(config, name, None) for name in DISTILL_DEFAULTS}
    if given["distill_from"] is None:
        for name in ("distill_weight", "distill_temperature"):
            if given[name] is not None:
                raise TrainingError(f"--{name.replace('_', '-')} applies only with --distill-from RUN")
        return dict(DISTILL_DEFAULTS)
    if task != "expression":
        raise TrainingError(f"--distill-from trains expression models, not a model for task {task!r}")
    if (config.paradigm or "standard") != "standard":
        raise TrainingError(f"--distill-from replaces the labels of the standard paradigm; --paradigm "
                            f"{config.paradigm} has its own teacher (--teacher)")
    weight = number_setting("--distill-weight", given["distill_weight"], DISTILL_WEIGHT, low=0.0, low_open=True,
                            high=1.0)
    temperature = number_setting("--distill-temperature", given["distill_temperature"], DISTILL_TEMPERATURE,
                                 low=0.0, low_open=True)
    return {"distill_from": str(Path(given["distill_from"]).resolve()), "distill_weight": weight,
            "distill_temperature": temperature}


def soften(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T): the distribution a softmax would give with its logits divided by T."""
    logits = np.log(np.clip(probabilities.astype(np.float64), 1e-12, None)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return (out / out.sum(axis=1, keepdims=True)).astype(np.float32)


def blend(labels: np.ndarray, teacher: np.ndarray, known: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) * one-hot + weight * teacher on the rows the teacher knows; one-hot elsewhere."""
    onehot = np.eye(teacher.shape[1], dtype=np.float32)[labels]
    mixed = (1.0 - weight) * onehot + weight * teacher
    return np.where(known[:, None], mixed, onehot).astype(np.float32)


def teacher_probabilities(
    path: str | Path, class_names: Sequence[str], say: Callable[[str], None] = print
) -> dict[str, np.ndarray]:
    """source id -> the teacher run's class probabilities on that face's unmasked crop (mirror-averaged)."""
    teacher, config = load_teacher_run(path, "--distill-from", class_names)
    if config.get("task", "expression") != "expression":
        raise TrainingError(f"--distill-from {path} is a {config.get('task')!r} model, not an expression model")
    data_dir = config.get("data")
    try:
        split = load_split(data_dir, "train", unmasked=True)
    except MaskTheFERError as exc:
        raise TrainingError(f"--distill-from {path}: its dataset {data_dir} cannot be read ({exc})") from None
    if not split.source_ids:
        raise TrainingError(f"--distill-from {path}: its dataset {data_dir} records no source ids to match faces by")

    say(f"distilling from {path}: {teacher.name} on the {len(split):,} unmasked training crops of {data_dir}")
    crops = split.unmasked.astype(np.float32)[..., None] / 255.0
    channels = int(teacher.inputs[0].shape[-1])
    if channels != 1:
        crops = np.repeat(crops, channels, axis=-1)
    outputs = [_predict(teacher, view) for view in (crops, crops[:, :, ::-1])]
    probabilities = (outputs[0] + outputs[1]) / 2
    accuracy = float((probabilities.argmax(axis=1) == split.labels).mean())
    say(f"teacher accuracy on those crops: {accuracy:.4f} (faces it trained on)")
    return dict(zip(split.source_ids, probabilities))


def _predict(model, x: np.ndarray) -> np.ndarray:
    out = model.predict(x, batch_size=PREDICT_BATCH, verbose=0)
    if isinstance(out, dict):  # multi-output zoo models name their class probabilities
        out = out["predictions"]
    elif isinstance(out, (list, tuple)):
        out = out[-1]
    return np.asarray(out, np.float32)


def attach_teacher_targets(arrays, class_names: Sequence[str], resolved: Mapping[str, Any],
                           say: Callable[[str], None] = print):
    """`arrays` (the training rows) with their blended soft targets."""
    if not arrays.source_ids:
        raise TrainingError("--distill-from needs source ids on the training faces; rebuild the dataset")
    by_face = teacher_probabilities(resolved["distill_from"], class_names, say=say)
    known = np.array([face in by_face for face in arrays.source_ids])
    if not known.any():
        raise TrainingError(f"--distill-from {resolved['distill_from']}: none of the {len(arrays):,} training rows "
                            "is a face of the teacher's dataset (built from another source?)")
    teacher = np.zeros((len(arrays), len(class_names)), np.float32)
    teacher[known] = np.stack([by_face[face] for face, ok in zip(arrays.source_ids, known) if ok])
    teacher = soften(teacher, resolved["distill_temperature"])
    missing = int((~known).sum())
    if missing:
        say(f"warning: {missing:,} of {len(arrays):,} training rows have no face in the teacher's dataset; they "
            "train on their labels alone")
    targets = blend(arrays.labels, teacher, known, resolved["distill_weight"])
    return type(arrays)(arrays.images, arrays.labels, arrays.source_ids, targets)

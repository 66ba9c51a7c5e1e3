"""MSD-E knowledge distillation: a frozen teacher's features on the unmasked crop guide the student.

    loss = CE(student) + λ·MSE(teacher features(unmasked), student features(crop))      λ = 100

The student sees the masked crop with probability p (0.5), else the unmasked one; the choice is made per face
and per epoch on the host (`data.PairBatches`), reproducibly from the run's seed, so a resumed run draws
the same choices. Validation always shows the student the masked crop. The teacher is loaded once from its
run's best.keras, frozen and run in inference mode; the checkpoint carries it, so --resume needs no teacher
run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from ...models import PREDICTIONS
from ..config import TrainingError
from ..teacher_run import load_teacher_run
from .branches import BRANCH, TEACHER, check_single_cross_entropy, feature_layer_of, feature_view
from .contrastive import FEATURE_DISTANCE
from .layers import FeatureDistance, OutputMean
from .pairs import input_size, pair_inputs, to_channels



def load_teacher(path: str | Path, *, class_names, crop_shape: tuple[int, int], say=print) -> keras.Model:
    """The teacher run's best classifier, checked against the student's data."""
    teacher, config = load_teacher_run(path, "--teacher", class_names)
    if config.get("crops", "masked") != "unmasked" or config.get("paradigm", "standard") != "standard":
        say(f"warning: --teacher {path} was not trained on unmasked crops alone (MSD-E's teacher is; train one "
            "with --crops unmasked)")
    if input_size(teacher) != tuple(crop_shape):
        raise TrainingError(
            f"--teacher {path} takes {input_size(teacher)[0]}x{input_size(teacher)[1]} input, the student's crops "
            f"are {crop_shape[0]}x{crop_shape[1]}"
        )
    return teacher


def build_distillation_model(
    classifier,
    teacher,
    *,
    input_dtype: str,
    augmentation: dict[str, Any] | None = None,
    seed: int | None = None,
    feature_layer: str | None = None,
    teacher_name: str = "the teacher",
) -> keras.Model:
    """Student (`classifier`, whose layers it shares) beside a frozen `teacher`; features must match in shape."""
    check_single_cross_entropy(classifier)
    student_layer = feature_layer_of(classifier, feature_layer)
    teacher_layer = feature_layer_of(teacher, feature_layer)
    branch = feature_view(classifier, student_layer, name=BRANCH, with_predictions=True)
    teacher_view = feature_view(teacher, teacher_layer, name=TEACHER, with_predictions=False)
    student_shape = tuple(branch.outputs[0].shape[1:])
    teacher_shape = tuple(teacher_view.outputs[0].shape[1:])
    if student_shape != teacher_shape:
        raise TrainingError(
            f"{teacher_name}'s features ({teacher.name} layer {teacher_layer!r}) have shape {teacher_shape}, the "
            f"student's ({classifier.name} layer {student_layer!r}) {student_shape}; the MSE needs equal shapes "
            "(choose layers of one size with --feature-layer, or a teacher of the student's width)"
        )
    teacher_view.trainable = False

    pixels, student_crop, unmasked = pair_inputs(
        *input_size(classifier), input_dtype=input_dtype, augmentation=augmentation, seed=seed
    )
    student_features, student_probs = branch(to_channels(student_crop, classifier, "student_to_rgb"))
    teacher_features = teacher_view(to_channels(unmasked, teacher, "teacher_to_rgb"), training=False)
    distance = FeatureDistance(name=FEATURE_DISTANCE)([teacher_features, student_features])
    return keras.Model(pixels, {PREDICTIONS: student_probs, FEATURE_DISTANCE: distance}, name="distillation_training")


def distillation_losses(kd_lambda: float) -> tuple[dict[str, Any], dict[str, float], dict[str, list]]:
    """(losses, loss weights, metrics) for `compile`."""
    losses = {PREDICTIONS: "categorical_crossentropy", FEATURE_DISTANCE: OutputMean()}
    return losses, {PREDICTIONS: 1.0, FEATURE_DISTANCE: kd_lambda}, {PREDICTIONS: ["accuracy"]}

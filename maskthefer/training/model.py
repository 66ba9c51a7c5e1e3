"""The model that `fit` trains: pixels -> scale to [0, 1] -> [augmentation] -> the zoo classifier.

The classifier (what best.keras / last.keras hold) keeps the zoo's input convention (float32 in [0, 1]); the
training model around it takes the batches as they come from `BatchSequence` (uint8, or float32 0..255 from
ImageDataGenerator), so scaling and augmentation (`PixelPreprocessing`) run on the device inside the
compiled train step. Saved as
checkpoint.keras with its optimizer, it is what --resume reloads.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers

from ..models import PREDICTIONS
from .config import TrainingError
from .optimizer import make_optimizer
from .preprocessing import PixelPreprocessing

CROSS_ENTROPY = "categorical_crossentropy"
PREPROCESSING_LAYER = "preprocessing"


def output_names(classifier) -> list[str]:
    """The classifier's output names; a single output is the class probabilities whatever Keras named it."""
    if len(classifier.outputs) == 1:
        return [PREDICTIONS]
    names = list(getattr(classifier, "output_names", None) or [])
    if len(names) != len(classifier.outputs):
        raise TrainingError(f"model {classifier.name} does not name its {len(classifier.outputs)} outputs")
    if PREDICTIONS not in names:
        raise TrainingError(f"model {classifier.name} has no output named {PREDICTIONS!r} (outputs: {names})")
    return names


def trained_outputs(classifier) -> dict[str, Any]:
    """Output name -> loss for every output the training model exposes, as the model declares them.

    A loss is a Keras loss name or object; `None` marks an output that is reported (and scored) but not
    trained, such as SCAN's fused `predictions`. Every exposed output receives the class labels as its
    target; losses that need none (RAN's region-biased loss on its attention weights) ignore them.
    """
    names = output_names(classifier)
    losses = classifier.output_losses() if hasattr(classifier, "output_losses") else {PREDICTIONS: CROSS_ENTROPY}
    unknown = [name for name in losses if name not in names]
    if unknown:
        raise TrainingError(f"model {classifier.name}: output_losses() names outputs {unknown} it does not have")
    if PREDICTIONS not in losses:
        raise TrainingError(f"model {classifier.name}: output_losses() has no entry for {PREDICTIONS!r}")
    if all(loss is None for loss in losses.values()):
        raise TrainingError(f"model {classifier.name}: output_losses() trains no output (every loss is None)")
    for name, loss in losses.items():
        if not _fits_class_labels(loss):
            label = loss if isinstance(loss, str) else type(loss).__name__
            raise TrainingError(
                f"model {classifier.name}: output {name!r} uses loss {label!r}, which needs targets other than the "
                "class labels (e.g. arousal/valence); the built datasets carry class labels only"
            )
    return dict(losses)


def _fits_class_labels(loss) -> bool:
    """Whether `loss` trains on the one-hot class labels (or ignores its target), the only targets records hold.

    Loss objects say so with a `targets` attribute: "labels" (one-hot classes) or "none" (target ignored).
    """
    if loss is None or loss == CROSS_ENTROPY:
        return True
    if isinstance(loss, keras.losses.CategoricalCrossentropy):
        return True
    return getattr(loss, "targets", None) in ("labels", "none")


def output_metrics(classifier) -> dict[str, list]:
    """Metrics per output: the model's own (`output_metrics()`), else accuracy on `predictions`."""
    metrics = classifier.output_metrics() if hasattr(classifier, "output_metrics") else {PREDICTIONS: ["accuracy"]}
    metrics = {name: list(values) for name, values in metrics.items()}
    if "accuracy" not in metrics.get(PREDICTIONS, []):
        metrics.setdefault(PREDICTIONS, []).insert(0, "accuracy")  # the plateau schedule and best.keras read it
    return metrics


def build_training_model(
    classifier, *, input_dtype: str, augmentation: dict[str, Any] | None = None, seed: int | None = None
) -> keras.Model:
    """Wrap `classifier` so it takes raw pixel batches; single-output models keep a bare output.

    `augmentation` holds the Table II arguments (ImageDataGenerator units) for on-device augmentation, or
    None (no augmentation, or ImageDataGenerator on the host).
    """
    height, width, channels = (int(d) for d in classifier.inputs[0].shape[1:])
    inputs = keras.Input(shape=(height, width, 1), dtype=input_dtype, name="pixels")
    x = PixelPreprocessing(augmentation, height, width, seed=seed, name=PREPROCESSING_LAYER)(inputs)
    if channels == 3:
        x = layers.Concatenate(axis=-1, dtype="float32", name="gray_to_rgb")([x, x, x])
    elif channels != 1:
        raise TrainingError(f"model input has {channels} channels; gray crops feed 1 or 3")
    outputs = classifier(x)
    losses = trained_outputs(classifier)
    names = output_names(classifier)
    if len(names) == 1:
        return keras.Model(inputs, outputs, name="training")
    outputs = dict(zip(names, outputs if isinstance(outputs, (list, tuple)) else [outputs]))
    return keras.Model(inputs, {name: outputs[name] for name in losses}, name="training")


def fit_targets(classifier) -> list[str] | None:
    """Output names that receive the labels in `fit`; None for single-output models (a bare array)."""
    return list(trained_outputs(classifier)) if len(output_names(classifier)) > 1 else None


def compile_training_model(
    model: keras.Model, classifier, resolved: dict[str, Any], jit_compile="auto", *, steps_per_epoch: int | None = None
) -> None:
    """The run's optimizer (`make_optimizer`: the paper's SGD with the legacy decay by default), each trained
    output's loss (cross-entropy, label-smoothed when the recipe says so), accuracy on `predictions`.

    `steps_per_epoch` sizes the per-step schedules (cosine, onecycle) over the run's epochs (plateau runs
    need none).
    """
    losses = with_label_smoothing(trained_outputs(classifier), resolved.get("label_smoothing", 0.0))
    optimizer = make_optimizer(resolved, steps_per_epoch)
    if len(output_names(classifier)) == 1:
        loss, metrics = losses[PREDICTIONS], output_metrics(classifier)[PREDICTIONS]
    else:
        # Multi-output models: Keras sums the per-output losses (ABN's two cross-entropies, RAN's cross-entropy
        # and region-biased loss, SCAN's weighted branch losses), as the paper of each such model prescribes.
        metrics = {name: values for name, values in output_metrics(classifier).items() if name in losses}
        loss = dict(losses)
    # Weighted, so that zero-weight padding rows (data parallelism, see `distribute`) count for nothing;
    # batches without weights give the same accuracy as plain metrics, under the same log names.
    model.compile(optimizer=optimizer, loss=loss, weighted_metrics=metrics, jit_compile=jit_compile)


def with_label_smoothing(losses: dict[str, Any], smoothing: float) -> dict[str, Any]:
    """Cross-entropy losses given by name become label-smoothed ones; the models' own loss objects stay."""
    if not smoothing:
        return losses
    return {
        name: keras.losses.CategoricalCrossentropy(label_smoothing=smoothing) if loss == CROSS_ENTROPY else loss
        for name, loss in losses.items()
    }


def classifier_of(training_model: keras.Model, name: str):
    """The zoo classifier nested in a (re)loaded training model."""
    try:
        return training_model.get_layer(name)
    except ValueError:
        raise TrainingError(
            f"the checkpoint has no nested model {name!r}; it was not written by this trainer"
        ) from None


def accuracy_key(logs: dict[str, Any], prefix: str = "") -> str | None:
    """The key of the class accuracy in Keras logs ('accuracy' or 'predictions_accuracy')."""
    for key in (f"{prefix}accuracy", f"{prefix}{PREDICTIONS}_accuracy"):
        if key in logs:
            return key
    return None

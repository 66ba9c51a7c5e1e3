"""Views of a classifier that also expose its penultimate features, and the way back to the plain classifier.

A view is a functional model over the classifier's own layers (no copies): calling it twice in a wrapper
applies one network, with one set of weights, to both crops. A wrapper reloaded from checkpoint.keras holds
its view, not the classifier; `ClassifierSync` copies the view's weights into a classifier built from the
run's configuration before every save of best.keras / last.keras.
"""

from __future__ import annotations

import keras

from ...models import PREDICTIONS
from ..config import TrainingError
from ..model import output_names

BRANCH = "shared_network"  # the wrapper's nested view of the classifier (CL: both crops; KD: the student)
TEACHER = "teacher"


def feature_layer_of(model, requested: str | None) -> str:
    """`requested`, else the model's own `feature_layer_name` (zoo models: 'features'); checked to exist."""
    name = requested or getattr(model, "feature_layer_name", None) or "features"
    try:
        model.get_layer(name)
    except ValueError:
        layers = ", ".join(layer.name for layer in model.layers)
        source = "--feature-layer" if requested else "its penultimate-feature layer"
        raise TrainingError(f"model {model.name} has no layer {name!r} ({source}); its layers: {layers}") from None
    return name


def feature_view(model, feature_layer: str, *, name: str, with_predictions: bool) -> keras.Model:
    """Image -> features (and, `with_predictions`, [features, class probabilities]) on `model`'s layers."""
    try:  # functional models, and Sequential ones started with keras.Input, have a graph to take a view of
        inputs = model.inputs[0]
    except (AttributeError, IndexError, TypeError, ValueError):
        inputs = None
    if not isinstance(model, keras.Model) or inputs is None:
        raise TrainingError(f"{getattr(model, 'name', model)!r}: paradigms need a functional Keras model (or a "
                            "Sequential one that starts with keras.Input)")
    features = model.get_layer(feature_layer).output
    if not with_predictions:
        return keras.Model(model.inputs[0], features, name=name)
    names = output_names(model)
    if len(names) != 1:
        raise TrainingError(
            f"model {model.name} has {len(names)} outputs ({', '.join(names)}); --paradigm cl/kd train models with "
            f"one {PREDICTIONS!r} output and cross-entropy"
        )
    return keras.Model(model.inputs[0], [features, model.outputs[0]], name=name)


def check_single_cross_entropy(classifier) -> None:
    """The paradigms replace the classifier's loss; refuse models that declare a loss of their own."""
    losses = classifier.output_losses() if hasattr(classifier, "output_losses") else {}
    own = {k: v for k, v in losses.items() if not (k == PREDICTIONS and v == "categorical_crossentropy")}
    if own:
        raise TrainingError(
            f"model {classifier.name} declares its own losses ({', '.join(own)}); --paradigm cl/kd train models "
            "whose only loss is cross-entropy on 'predictions'"
        )


class ClassifierSync:
    """Copies a view's weights into the classifier layer by layer (by name); a no-op for layers they share."""

    def __init__(self, view: keras.Model, classifier: keras.Model):
        self.pairs = []
        view_layers = {layer.name: layer for layer in view.layers}
        for layer in classifier.layers:
            if not layer.weights:
                continue
            source = view_layers.get(layer.name)
            if source is None:
                raise TrainingError(f"the checkpoint's {view.name} has no layer {layer.name!r} of {classifier.name}")
            if source is not layer:
                self.pairs.append((source, layer))

    def __call__(self) -> None:
        for source, target in self.pairs:
            target.set_weights(source.get_weights())

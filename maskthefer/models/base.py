"""Common base for zoo models: a functional Keras model built in `__init__` (keras-hub style).

Subclasses build their graph from constructor arguments, call `super().__init__(inputs=..., outputs=...)`, and
keep those arguments in `self._constructor_args` so that `get_config()` returns exactly them and `.keras`
files round-trip through `from_config(cls(**config))`.

Conventions every zoo model follows, so training and evaluation treat them alike:
- input: float32 images scaled to [0, 1], shape (H, W, C) given by `input_shape`;
- output: softmax class probabilities, in the output named `predictions` (the only output, or the first);
- models with auxiliary outputs (attention branches, regression heads) name them and list a loss for each in
  `output_losses()`; the trainer sums them (SPEC §2: ABN's loss is the sum of both cross-entropies). A loss of
  `None` marks an output that is reported but not trained (SCAN's fused `predictions`); a loss with no target
  of its own ignores `y_true` (RAN's region-biased loss on its attention weights);
- `feature_layer_name`: the layer whose output is the penultimate feature vector (t-SNE, distillation);
- `last_conv_layer_name`: the layer Grad-CAM and saliency read.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers

PREDICTIONS = "predictions"


class ZooModel(keras.Model):
    """Functional model whose config is its constructor arguments."""

    feature_layer_name: str = "features"
    last_conv_layer_name: str | None = None

    def __init__(self, *, inputs, outputs, constructor_args: dict[str, Any], name: str | None = None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self._constructor_args = dict(constructor_args)

    def get_config(self) -> dict[str, Any]:
        config = dict(self._constructor_args)
        config["input_shape"] = list(config["input_shape"])
        # Tuples become lists in JSON; constructors accept either.
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects=None):
        return cls(**config)

    def output_losses(self) -> dict[str, Any]:
        """Loss per named output; the default is a single categorical cross-entropy on `predictions`."""
        return {PREDICTIONS: "categorical_crossentropy"}


def constructor_args(local_vars: dict[str, Any]) -> dict[str, Any]:
    """The constructor's own arguments from `locals()`, minus `self`, `__class__` and `**kwargs`."""
    return {k: v for k, v in local_vars.items() if k not in ("self", "__class__", "kwargs")}


def softmax_output(x, num_classes: int):
    """The `predictions` layer. Kept in float32 so that bf16 mixed precision still computes a float32 loss."""
    return layers.Dense(num_classes, activation="softmax", name=PREDICTIONS, dtype="float32")(x)


def pooled_classifier(x, num_classes: int, dropout: float = 0.0):
    """Global average pooling (the `features` layer) -> dropout (when > 0) -> softmax `predictions`."""
    x = layers.GlobalAveragePooling2D(name="features")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    return softmax_output(x, num_classes)

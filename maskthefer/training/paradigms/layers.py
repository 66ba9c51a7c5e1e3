"""The pieces the paradigm wrappers add around a classifier: the pair split, the feature distance and its loss.

All are registered, so checkpoint.keras (the wrapper with its optimizer) reloads for --resume on any backend.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

PAIR_CHANNELS = 2  # channel 0: the crop the (student) branch sees, channel 1: the unmasked crop


@keras.saving.register_keras_serializable(package="maskthefer")
class SplitPair(keras.layers.Layer):
    """(B, H, W, 2) stacked crops -> [(B, H, W, 1), (B, H, W, 1)].

    The pair travels stacked on the channel axis so that one augmentation draw (the same flip, rotation,
    zoom and shift) moves both crops of a face alike: the feature distance then measures the mask, not
    two different geometric transforms.
    """

    def call(self, pairs):
        return [pairs[..., 0:1], pairs[..., 1:2]]

    def compute_output_shape(self, input_shape):
        one = (*input_shape[:-1], 1)
        return [one, one]


@keras.saving.register_keras_serializable(package="maskthefer")
class FeatureDistance(keras.layers.Layer):
    """Per-sample mean squared difference of two feature tensors: mean over every non-batch axis -> (B,).

    Averaged over the batch by the loss, this is MSE(a, b) of MSD-E. Computed in float32 whatever the
    dtype policy, so a bf16 run does not lose the small differences late in training.
    """

    def __init__(self, **kwargs):
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)

    def call(self, inputs):
        a, b = (ops.cast(t, "float32") for t in inputs)
        squared = ops.square(a - b)
        axes = tuple(range(1, len(squared.shape)))
        return ops.mean(squared, axis=axes)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0],)


@keras.saving.register_keras_serializable(package="maskthefer")
class OutputMean(keras.losses.Loss):
    """A loss that is the model output itself (a per-sample penalty such as `FeatureDistance`), batch-averaged.

    The trainer hands every output the class labels; this loss has no target of its own and ignores them.
    The paradigm's λ is applied as the output's loss weight, so the logged `feature_distance_loss` is the
    plain MSE.
    """

    targets = "none"

    def __init__(self, name: str = "output_mean", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return ops.cast(y_pred, "float32")

    def get_config(self) -> dict[str, Any]:
        return super().get_config()

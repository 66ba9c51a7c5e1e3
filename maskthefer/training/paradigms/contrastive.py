"""MSD-E contrastive learning: both crops of a face through one network, their features pulled together.

    loss = λ·MSE(features(unmasked), features(masked)) + α·(CE_unmasked + CE_masked)      λ = 0.2, α = 1

The wrapper's outputs: `predictions` (the masked crop's probabilities, so validation accuracy - the
plateau schedule and best.keras - is the masked accuracy, as for every run), `unmasked_predictions` and
`feature_distance` (the per-face MSE). Keras sums the three losses with weights α, α and λ.
"""

from __future__ import annotations

from typing import Any

import keras

from ...models import PREDICTIONS
from .branches import BRANCH, check_single_cross_entropy, feature_layer_of, feature_view
from .layers import FeatureDistance, OutputMean
from .pairs import input_size, pair_inputs, to_channels

UNMASKED_PREDICTIONS = "unmasked_predictions"
FEATURE_DISTANCE = "feature_distance"


def build_contrastive_model(
    classifier,
    *,
    input_dtype: str,
    augmentation: dict[str, Any] | None = None,
    seed: int | None = None,
    feature_layer: str | None = None,
) -> keras.Model:
    """The two-branch training model around `classifier` (whose layers it shares)."""
    check_single_cross_entropy(classifier)
    layer = feature_layer_of(classifier, feature_layer)
    branch = feature_view(classifier, layer, name=BRANCH, with_predictions=True)
    pixels, masked, unmasked = pair_inputs(
        *input_size(classifier), input_dtype=input_dtype, augmentation=augmentation, seed=seed
    )
    masked_features, masked_probs = branch(to_channels(masked, classifier, "masked_to_rgb"))
    unmasked_features, unmasked_probs = branch(to_channels(unmasked, classifier, "unmasked_to_rgb"))
    distance = FeatureDistance(name=FEATURE_DISTANCE)([unmasked_features, masked_features])
    outputs = {PREDICTIONS: masked_probs, UNMASKED_PREDICTIONS: unmasked_probs, FEATURE_DISTANCE: distance}
    return keras.Model(pixels, outputs, name="contrastive_training")


def contrastive_losses(cl_lambda: float, cl_alpha: float) -> tuple[dict[str, Any], dict[str, float], dict[str, list]]:
    """(losses, loss weights, metrics) for `compile`."""
    losses = {
        PREDICTIONS: "categorical_crossentropy",
        UNMASKED_PREDICTIONS: "categorical_crossentropy",
        FEATURE_DISTANCE: OutputMean(),
    }
    weights = {PREDICTIONS: cl_alpha, UNMASKED_PREDICTIONS: cl_alpha, FEATURE_DISTANCE: cl_lambda}
    metrics = {PREDICTIONS: ["accuracy"], UNMASKED_PREDICTIONS: ["accuracy"]}
    return losses, weights, metrics

"""A cross-entropy scaled by a constant: SCAN weighs its branches 0.2 (attention) and 0.8 (each region).

The weight lives in the loss itself so that any trainer that sums the per-output losses of
`output_losses()` computes the authors' objective, `0.2 * CE(attention) + 0.8 * sum_j CE(region_j)`.
"""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="maskthefer")
class WeightedCrossEntropy(keras.losses.Loss):
    """`weight * categorical_crossentropy(y_true, y_pred)` on softmax probabilities."""

    targets = "labels"  # fitted against the one-hot class labels (what the trainer passes every output)

    def __init__(self, weight: float = 1.0, name: str = "weighted_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.weight = float(weight)

    def call(self, y_true, y_pred):
        return self.weight * keras.losses.categorical_crossentropy(y_true, y_pred)

    def get_config(self) -> dict:
        return {**super().get_config(), "weight": self.weight}

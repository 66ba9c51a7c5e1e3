"""RAN's region-biased loss (RB-Loss, Wang et al. 2020): at least one crop should get more self-attention
than the whole face, by a margin.

    L_RB = max(0, margin - (max_i mu_i - mu_0))      mu_0: the whole face, mu_1..mu_n: the crops

The loss reads the self-attention weights (RAN's `region_attention` output, region 0 the whole face); it has no
target of its own, so `y_true` (whatever the trainer passes, e.g. the one-hot labels) is ignored.

The default margin, 0.1, is the one in the authors' released code (FERplus_dir/attention_rank_loss.py of
kaiwang960112/Challenge-condition-FER-dataset). That code also passes the sigmoid weights through a softmax
over the regions before comparing them; here the weights are the paper's plain sigmoids, so the same margin
asks for a gap between two numbers in (0, 1) rather than between shares of a total of 1.
"""

from __future__ import annotations

import keras
from keras import ops

DEFAULT_MARGIN = 0.1


def region_biased_loss(attention, margin: float = DEFAULT_MARGIN):
    """Per-face RB-Loss of `(B, R)` attention weights whose column 0 is the whole face; returns shape (B,)."""
    attention = ops.cast(attention, "float32")
    gap = ops.max(attention[:, 1:], axis=-1) - attention[:, 0]
    return ops.maximum(0.0, margin - gap)


@keras.saving.register_keras_serializable(package="maskthefer")
class RegionBiasedLoss(keras.losses.Loss):
    """`weight * L_RB`, averaged over the batch; `y_true` is ignored (the loss constrains attention, not labels)."""

    targets = "none"  # needs no target of its own: the trainer may pass the class labels, which it ignores

    def __init__(self, margin: float = DEFAULT_MARGIN, weight: float = 1.0, name: str = "region_biased_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = float(margin)
        self.weight = float(weight)

    def call(self, y_true, y_pred):
        return self.weight * region_biased_loss(y_pred, self.margin)

    def get_config(self) -> dict:
        return {**super().get_config(), "margin": self.margin, "weight": self.weight}


@keras.saving.register_keras_serializable(package="maskthefer")
class RegionBiasedLossMetric(keras.metrics.Mean):
    """The unweighted RB-Loss averaged over an epoch: 0 once every face has a crop ahead of it by the margin."""

    def __init__(self, margin: float = DEFAULT_MARGIN, name: str = "region_biased_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = float(margin)

    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(region_biased_loss(y_pred, self.margin), sample_weight=sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), "margin": self.margin}

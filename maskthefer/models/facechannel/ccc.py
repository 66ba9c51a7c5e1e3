"""Concordance correlation coefficient (Lin, 1989), the score of arousal/valence regression.

    CCC = 2 cov(y, y_hat) / (var(y) + var(y_hat) + (mean(y) - mean(y_hat))^2)

with population (1/N) moments. It is 1 only when predictions equal the targets, and unlike Pearson's r it
penalises shifts and scale errors. Three forms: `concordance_correlation` (keras.ops, per column),
`ConcordanceCorrelation` (a metric accumulating the moments over a whole epoch, so it is exact and not an
average of batch scores) and `ConcordanceLoss` (1 - CCC over the batch, averaged over the columns).
"""

from __future__ import annotations

import keras
from keras import ops

_EPSILON = 1e-7  # keeps the ratio finite when both series are constant


def concordance_correlation(y_true, y_pred, axis: int = 0):
    """CCC of each column of `(N, D)` targets and predictions along `axis` (the samples); returns shape (D,)."""
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.cast(y_pred, "float32")
    mean_true = ops.mean(y_true, axis=axis)
    mean_pred = ops.mean(y_pred, axis=axis)
    centred_true = y_true - ops.expand_dims(mean_true, axis)
    centred_pred = y_pred - ops.expand_dims(mean_pred, axis)
    covariance = ops.mean(centred_true * centred_pred, axis=axis)
    var_true = ops.mean(ops.square(centred_true), axis=axis)
    var_pred = ops.mean(ops.square(centred_pred), axis=axis)
    return 2.0 * covariance / (var_true + var_pred + ops.square(mean_true - mean_pred) + _EPSILON)


@keras.saving.register_keras_serializable(package="maskthefer")
class ConcordanceLoss(keras.losses.Loss):
    """1 - CCC computed over the batch, averaged over the output columns (arousal, valence).

    CCC is a property of a whole series, so this loss is one number per batch, not a per-sample loss;
    batches of a few dozen samples or more keep it stable. Sample weights are not meaningful for it.
    """

    def __init__(self, name: str = "concordance_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return 1.0 - ops.mean(concordance_correlation(y_true, y_pred, axis=0))


@keras.saving.register_keras_serializable(package="maskthefer")
class ConcordanceCorrelation(keras.metrics.Metric):
    """Epoch-level CCC from accumulated moments; `dimension` picks one column (0 arousal, 1 valence) or, when
    None, reports the mean over the `num_dimensions` columns."""

    def __init__(self, dimension: int | None = None, num_dimensions: int = 2, name: str = "ccc", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dimension = dimension
        self.num_dimensions = int(num_dimensions)
        shape = (self.num_dimensions,)
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")
        self.sums = {
            key: self.add_variable(shape=shape, initializer="zeros", name=f"sum_{key}")
            for key in ("true", "pred", "true_sq", "pred_sq", "cross")
        }

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.reshape(ops.cast(y_true, "float32"), (-1, self.num_dimensions))
        y_pred = ops.reshape(ops.cast(y_pred, "float32"), (-1, self.num_dimensions))
        if sample_weight is None:
            weight = ops.ones_like(y_true[:, :1])
        else:
            weight = ops.reshape(ops.cast(sample_weight, "float32"), (-1, 1))
        self.count.assign_add(ops.sum(weight))
        terms = {
            "true": y_true,
            "pred": y_pred,
            "true_sq": y_true * y_true,
            "pred_sq": y_pred * y_pred,
            "cross": y_true * y_pred,
        }
        for key, value in terms.items():
            self.sums[key].assign_add(ops.sum(value * weight, axis=0))

    def result(self):
        n = ops.maximum(self.count, 1.0)
        mean_true = self.sums["true"] / n
        mean_pred = self.sums["pred"] / n
        var_true = self.sums["true_sq"] / n - ops.square(mean_true)
        var_pred = self.sums["pred_sq"] / n - ops.square(mean_pred)
        covariance = self.sums["cross"] / n - mean_true * mean_pred
        ccc = 2.0 * covariance / (var_true + var_pred + ops.square(mean_true - mean_pred) + _EPSILON)
        return ops.mean(ccc) if self.dimension is None else ccc[self.dimension]

    def reset_state(self):
        self.count.assign(0.0)
        for variable in self.sums.values():
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(dimension=self.dimension, num_dimensions=self.num_dimensions)
        return config

"""Explanations of a trained run: Grad-CAM / saliency grids (TensorFlow), t-SNE and training curves (any backend).

tf-keras-vis is imported only inside `attribution_maps`, so importing this package never loads TensorFlow.
"""

from .attribution import (
    METHODS,
    ExplainError,
    attribution_maps,
    require_tensorflow,
    tensorflow_problem,
)
from .curves import plot_curves
from .run import ExplainReport, choose_examples, explain_run

__all__ = [
    "METHODS",
    "ExplainError",
    "ExplainReport",
    "attribution_maps",
    "choose_examples",
    "explain_run",
    "plot_curves",
    "require_tensorflow",
    "tensorflow_problem",
]

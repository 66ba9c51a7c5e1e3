"""Using trained models on new pictures: `Recognizer` (photos, video frames), `predict_inputs` (the
`maskthefer predict` driver) and `export_bundle` (a self-contained folder of models and settings).

Layered above `maskthefer.evaluation`: it reuses the run loading and the model-input convention from there,
and the face detection, landmarks and crop rule from `maskthefer.data`.
"""

from .bundle import BundleError, is_bundle, read_bundle
from .export import export_bundle
from .predict import PredictSummary, predict_inputs
from .recognizer import FacePrediction, Recognizer

__all__ = [
    "BundleError",
    "FacePrediction",
    "PredictSummary",
    "Recognizer",
    "export_bundle",
    "is_bundle",
    "predict_inputs",
    "read_bundle",
]

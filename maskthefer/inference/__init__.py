"""Using trained models on new pictures: `Recognizer` (photos, video frames), `predict_inputs` (the
`maskthefer predict` driver) and `export_bundle` (a self-contained folder of models and settings).

Layered above `maskthefer.evaluation`: it reuses the run loading and the model-input convention from there,
and the face detection, landmarks and crop rule from `maskthefer.data`.
"""

from ..quiet import quiet_tensorflow_startup

# `from maskthefer import Recognizer` in a script should start as quietly as the CLI does.
quiet_tensorflow_startup()

# The imports below come after the switch: they import Keras, hence TensorFlow.
from .bundle import BundleError, is_bundle, read_bundle  # noqa: E402
from .export import export_bundle  # noqa: E402
from .predict import PredictSummary, predict_inputs  # noqa: E402
from .recognizer import FacePrediction, Recognizer  # noqa: E402

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

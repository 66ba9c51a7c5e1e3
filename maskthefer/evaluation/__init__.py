"""Evaluation of trained runs: metrics, confusion matrices, the impact of the mask, and explanations.

    from maskthefer.evaluation import evaluate_run, evaluate_images, explain_run
    report = evaluate_run("runs/demo", split="test")        # RUN/evaluation/test/
    print(report.summary_text())
    evaluate_images("runs/demo", "my_photos/", add_mask=True)  # RUN/evaluation/images-my_photos-masked/
    explain_run("runs/demo", method="gradcam")               # RUN/explain/test/ (TensorFlow backend)

Evaluation runs on every Keras backend and never imports TensorFlow; only Grad-CAM / saliency (tf-keras-vis)
need it.
"""

from .evaluate import (
    EvaluationReport,
    SetEvaluation,
    check_compatible,
    evaluate_arrays,
    evaluate_run,
)
from .explain import ExplainError, ExplainReport, explain_run
from .loading import (
    EvaluationError,
    LoadedRun,
    classifier_model,
    feature_model,
    load_run,
    predict_features,
    predict_proba,
    to_model_input,
)
from .metrics import ClassificationMetrics, compute_metrics, mask_impact
from .photos import PhotoFaces, collect_faces, evaluate_images

__all__ = [
    "ClassificationMetrics",
    "EvaluationError",
    "EvaluationReport",
    "ExplainError",
    "ExplainReport",
    "LoadedRun",
    "PhotoFaces",
    "SetEvaluation",
    "check_compatible",
    "classifier_model",
    "collect_faces",
    "compute_metrics",
    "evaluate_arrays",
    "evaluate_images",
    "evaluate_run",
    "explain_run",
    "feature_model",
    "load_run",
    "mask_impact",
    "predict_features",
    "predict_proba",
    "to_model_input",
]

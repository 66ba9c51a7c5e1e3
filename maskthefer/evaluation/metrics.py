"""Classification metrics of one set of predictions, computed with scikit-learn.

Per-class accuracy is the paper's Table V quantity: the share of a class's faces predicted as that class
(i.e. the recall of the class, the diagonal of the row-normalised confusion matrix). A class with no faces in
the evaluated set has no accuracy: it is reported as `None` (JSON null), not as 0, so a missing class can
never pass for a failed one.

Macro F1 follows scikit-learn's default: the mean F1 over the classes that occur in the true labels or the
predictions. Classes absent from both are listed in `absent_classes` and left out of the average (counting
them as F1 = 0 would penalise a model for a class it was never shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class ClassificationMetrics:
    """Everything `maskthefer evaluate` reports for one set of predictions."""

    class_names: tuple[str, ...]
    y_true: np.ndarray
    y_pred: np.ndarray
    accuracy: float | None
    macro_f1: float | None
    per_class_accuracy: list[float | None]
    support: list[int]
    precision: list[float]
    recall: list[float]
    f1: list[float]
    confusion: np.ndarray  # (K, K) counts, rows = true class, columns = predicted class
    report_text: str
    report: dict[str, Any]
    absent_classes: list[str]  # no faces of this class in y_true

    @property
    def n(self) -> int:
        return int(self.y_true.shape[0])

    @property
    def confusion_normalized(self) -> np.ndarray:
        """Row-normalised confusion matrix; rows of absent classes are NaN."""
        rows = self.confusion.sum(axis=1, keepdims=True).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(rows > 0, self.confusion / np.where(rows > 0, rows, 1), np.nan)

    def per_class_table(self) -> list[dict[str, Any]]:
        """One dict per class in label-set order (the column order of Table V)."""
        return [
            {
                "class": name,
                "support": self.support[k],
                "accuracy": self.per_class_accuracy[k],
                "precision": self.precision[k],
                "recall": self.recall[k],
                "f1": self.f1[k],
            }
            for k, name in enumerate(self.class_names)
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (NaN becomes null)."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "macro_f1_classes": [self.class_names[k] for k in self.f1_labels],
            "per_class": self.per_class_table(),
            "absent_classes": self.absent_classes,
            "classification_report": self.report,
            "confusion_matrix": {
                "rows": "true class",
                "columns": "predicted class",
                "labels": list(self.class_names),
                "counts": self.confusion.astype(int).tolist(),
                "normalized": _nan_to_none(self.confusion_normalized),
            },
        }

    @property
    def f1_labels(self) -> list[int]:
        """Class indices that enter macro F1 and the classification report (present in truth or predictions)."""
        return sorted(set(self.y_true.tolist()) | set(self.y_pred.tolist()))


def compute_metrics(y_true: Sequence[int], y_pred: Sequence[int], class_names: Sequence[str]) -> ClassificationMetrics:
    """Accuracy, per-class accuracy, macro F1, classification report and confusion matrix."""
    from sklearn.metrics import (
        accuracy_score,
        classification_report,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    names = tuple(class_names)
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    all_labels = list(range(len(names)))
    for what, values in (("true", y_true), ("predicted", y_pred)):
        if values.size and (values.min() < 0 or values.max() >= len(names)):
            raise ValueError(f"{what} labels outside 0..{len(names) - 1}")

    counts = confusion_matrix(y_true, y_pred, labels=all_labels) if y_true.size else np.zeros((len(names),) * 2, int)
    support = counts.sum(axis=1)
    per_class = [float(counts[k, k] / support[k]) if support[k] else None for k in all_labels]
    if y_true.size:
        precision, recall, f1, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=all_labels, zero_division=0
        )
    else:
        precision = recall = f1 = np.zeros(len(names))
    present = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    if present:
        report_kwargs = dict(labels=present, target_names=[names[k] for k in present], zero_division=0, digits=4)
        report_text = classification_report(y_true, y_pred, **report_kwargs)
        report = classification_report(y_true, y_pred, output_dict=True, **report_kwargs)
        macro_f1 = float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0))
        accuracy = float(accuracy_score(y_true, y_pred))
    else:
        report_text, report, macro_f1, accuracy = "(no samples)\n", {}, None, None
    return ClassificationMetrics(
        class_names=names,
        y_true=y_true,
        y_pred=y_pred,
        accuracy=accuracy,
        macro_f1=macro_f1,
        per_class_accuracy=per_class,
        support=[int(s) for s in support],
        precision=[float(v) for v in precision],
        recall=[float(v) for v in recall],
        f1=[float(v) for v in f1],
        confusion=counts.astype(np.int64),
        report_text=report_text,
        report=report,
        absent_classes=[names[k] for k in all_labels if support[k] == 0],
    )


def mask_impact(masked: ClassificationMetrics, unmasked: ClassificationMetrics) -> list[dict[str, Any]]:
    """Per-class accuracy on masked vs unmasked crops of the same faces, and the change the mask causes."""
    if masked.class_names != unmasked.class_names:
        raise ValueError("masked and unmasked metrics use different label sets")
    rows = []
    for k, name in enumerate(masked.class_names):
        m, u = masked.per_class_accuracy[k], unmasked.per_class_accuracy[k]
        rows.append(
            {
                "class": name,
                "support": masked.support[k],
                "masked_accuracy": m,
                "unmasked_accuracy": u,
                "difference": None if m is None or u is None else m - u,
            }
        )
    overall_m, overall_u = masked.accuracy, unmasked.accuracy
    rows.append(
        {
            "class": "overall",
            "support": masked.n,
            "masked_accuracy": overall_m,
            "unmasked_accuracy": overall_u,
            "difference": None if overall_m is None or overall_u is None else overall_m - overall_u,
        }
    )
    return rows


def _nan_to_none(matrix: np.ndarray) -> list[list[float | None]]:
    return [[None if np.isnan(v) else float(v) for v in row] for row in matrix]

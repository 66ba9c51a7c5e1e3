"""compute_metrics against scikit-learn, including label sets with classes missing from the evaluated set."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    recall_score,
)

from maskthefer.evaluation import compute_metrics, mask_impact
from maskthefer.evaluation.tables import per_class_table
from maskthefer.labels import EMOTIONS


def _labels(seed: int, n: int, missing_true: set[int], missing_pred: set[int]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_pool = [k for k in range(7) if k not in missing_true]
    pred_pool = [k for k in range(7) if k not in missing_pred]
    y_true = rng.choice(true_pool, n)
    # A mostly-right classifier, so the confusion matrix has a real diagonal and off-diagonal mass.
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.choice(pred_pool, n))
    y_pred = np.where(np.isin(y_pred, list(missing_pred)), pred_pool[0], y_pred)
    return y_true, y_pred


def test_metrics_equal_sklearn_with_absent_classes():
    # disgust (1) never occurs in the truth but is predicted; surprise (6) occurs in neither.
    y_true, y_pred = _labels(0, 300, missing_true={1, 6}, missing_pred={6})
    assert 1 in y_pred and 1 not in y_true
    m = compute_metrics(y_true, y_pred, EMOTIONS)

    assert m.accuracy == pytest.approx(accuracy_score(y_true, y_pred))
    assert m.macro_f1 == pytest.approx(f1_score(y_true, y_pred, average="macro"))  # sklearn's default label set
    assert np.array_equal(m.confusion, confusion_matrix(y_true, y_pred, labels=range(7)))
    recalls = recall_score(y_true, y_pred, labels=range(7), average=None, zero_division=0)
    for k in range(7):
        if k in (1, 6):
            assert m.per_class_accuracy[k] is None and m.support[k] == 0
        else:
            assert m.per_class_accuracy[k] == pytest.approx(recalls[k])
    assert m.absent_classes == ["disgust", "surprise"]

    present = sorted(set(y_true) | set(y_pred))
    expected = classification_report(
        y_true, y_pred, labels=present, target_names=[EMOTIONS[k] for k in present], output_dict=True, zero_division=0
    )
    assert m.report["macro avg"]["f1-score"] == pytest.approx(m.macro_f1)
    assert m.report.keys() == expected.keys()
    for key, value in expected.items():
        assert m.report[key] == pytest.approx(value), key

    normalized = m.confusion_normalized
    assert np.all(np.isnan(normalized[1])) and np.all(np.isnan(normalized[6]))
    kept = [k for k in range(7) if k not in (1, 6)]
    assert np.allclose(normalized[kept].sum(axis=1), 1.0)
    doc = m.to_dict()
    assert doc["confusion_matrix"]["normalized"][1] == [None] * 7
    assert [row["class"] for row in doc["per_class"]] == list(EMOTIONS)  # Table V column order

    text = per_class_table(m, None, "paper")
    assert "disgust" in text and "surprise" in text


def test_mask_impact_is_masked_minus_unmasked():
    y_true, masked_pred = _labels(1, 200, missing_true={1}, missing_pred=set())
    unmasked_pred = np.where(np.random.default_rng(2).random(200) < 0.8, y_true, masked_pred)
    masked = compute_metrics(y_true, masked_pred, EMOTIONS)
    unmasked = compute_metrics(y_true, unmasked_pred, EMOTIONS)
    rows = mask_impact(masked, unmasked)
    assert [r["class"] for r in rows] == [*EMOTIONS, "overall"]
    for k, row in enumerate(rows[:-1]):
        if k == 1:
            assert row["difference"] is None
            continue
        assert row["difference"] == pytest.approx(masked.per_class_accuracy[k] - unmasked.per_class_accuracy[k])
    assert rows[-1]["difference"] == pytest.approx(masked.accuracy - unmasked.accuracy)


def test_bad_predictions_are_rejected():
    with pytest.raises(ValueError, match="outside"):
        compute_metrics([0, 1], [0, 9], EMOTIONS)
    with pytest.raises(ValueError, match="2 true labels but 3"):
        compute_metrics([0, 1], [0, 1, 2], EMOTIONS)

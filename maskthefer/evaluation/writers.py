"""Writing one evaluation to disk: metrics.json, CSV tables, the classification report and heat maps.

Layout of one evaluated set (e.g. RUN/evaluation/test/):

    metrics.json                 everything below in one file (NaN as null), plus provenance
    per_class.csv                class, support, accuracy, precision, recall, f1 [, the paper's Table V figure]
    classification_report.txt    scikit-learn's text report
    predictions.csv              source_id, true, predicted, one probability column per class
    confusion_counts.csv/.png    (with --confusion) rows = true class, columns = predicted class
    confusion_normalized.csv/.png
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..runs import write_json
from . import plots
from .metrics import ClassificationMetrics

METRICS_JSON = "metrics.json"
PER_CLASS_CSV = "per_class.csv"
REPORT_TXT = "classification_report.txt"
PREDICTIONS_CSV = "predictions.csv"
CONFUSION_COUNTS = "confusion_counts"
CONFUSION_NORMALIZED = "confusion_normalized"
MASK_IMPACT = "mask_impact"


def write_evaluation(
    out_dir: Path,
    metrics: ClassificationMetrics,
    probabilities: np.ndarray,
    source_ids: Sequence[str],
    *,
    confusion: bool,
    title: str,
    extra: dict[str, Any],
    paper_column: list[float | None] | None = None,
    paper_name: str = "paper",
) -> dict[str, Any]:
    """Write the files of one evaluated set; returns the JSON document that went into metrics.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = metrics.class_names
    document = dict(extra)
    document.update(metrics.to_dict())
    files = [METRICS_JSON, PER_CLASS_CSV, REPORT_TXT, PREDICTIONS_CSV]

    table = metrics.per_class_table()
    if paper_column is not None:
        for row, paper in zip(table, paper_column):
            row[paper_name] = paper
    _write_rows(out_dir / PER_CLASS_CSV, table)
    (out_dir / REPORT_TXT).write_text(metrics.report_text)
    _write_predictions(out_dir / PREDICTIONS_CSV, metrics, probabilities, source_ids)

    if confusion:
        _write_matrix(out_dir / f"{CONFUSION_COUNTS}.csv", metrics.confusion, names)
        _write_matrix(out_dir / f"{CONFUSION_NORMALIZED}.csv", metrics.confusion_normalized, names)
        plots.confusion_heatmap(
            metrics.confusion, names, out_dir / f"{CONFUSION_COUNTS}.png", normalized=False, title=f"{title} (counts)"
        )
        plots.confusion_heatmap(
            metrics.confusion_normalized,
            names,
            out_dir / f"{CONFUSION_NORMALIZED}.png",
            normalized=True,
            title=f"{title} (row-normalised)",
        )
        files += [f"{CONFUSION_COUNTS}.csv", f"{CONFUSION_NORMALIZED}.csv"]
        files += [f"{CONFUSION_COUNTS}.png", f"{CONFUSION_NORMALIZED}.png"]
    document["files"] = files
    write_json(out_dir / METRICS_JSON, document)
    return document


def write_mask_impact(out_dir: Path, rows: list[dict[str, Any]], title: str) -> list[str]:
    """mask_impact.csv and mask_impact.png (masked vs unmasked accuracy per class)."""
    _write_rows(out_dir / f"{MASK_IMPACT}.csv", rows)
    plots.mask_impact_chart(rows, out_dir / f"{MASK_IMPACT}.png", title)
    return [f"{MASK_IMPACT}.csv", f"{MASK_IMPACT}.png"]


def _fmt(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return value


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _fmt(v) for k, v in row.items()})


def _write_matrix(path: Path, matrix: np.ndarray, names: Sequence[str]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["true \\ predicted", *names])
        for name, row in zip(names, matrix):
            writer.writerow([name, *(_fmt(float(v)) if matrix.dtype.kind == "f" else int(v) for v in row)])


def _write_predictions(path: Path, metrics: ClassificationMetrics, probs: np.ndarray, ids: Sequence[str]) -> None:
    # 9 significant digits write float32 exactly, so the argmax of the CSV is the argmax the metrics used.
    names = metrics.class_names
    ids = list(ids) if len(ids) == metrics.n else [str(i) for i in range(metrics.n)]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_id", "true", "predicted", *(f"p_{n}" for n in names)])
        for i in range(metrics.n):
            writer.writerow(
                [ids[i], names[metrics.y_true[i]], names[metrics.y_pred[i]], *(f"{p:.9g}" for p in probs[i])]
            )

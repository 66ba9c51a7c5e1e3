"""Masked, unmasked and their average side by side for one model: the layout of MSD-E's Table 5.

    method     masked  unmasked  average
    resnet18   0.4585    0.6535   0.5560

The two accuracies are measured on the same faces (each record's masked crop and its unmasked twin), so
the average is also the accuracy over all crops together.
"""

from __future__ import annotations

from typing import Any

from .metrics import ClassificationMetrics
from .tables import _num, render


def paired_accuracy(masked: ClassificationMetrics, unmasked: ClassificationMetrics) -> dict[str, Any]:
    """{"faces", "masked", "unmasked", "average"} accuracies; the average is None if either is undefined."""
    if masked.n != unmasked.n:
        raise ValueError(f"paired sets differ in size: {masked.n} masked vs {unmasked.n} unmasked faces")
    m, u = masked.accuracy, unmasked.accuracy
    average = None if m is None or u is None else (m + u) / 2
    return {"faces": int(masked.n), "masked": m, "unmasked": u, "average": average}


def paired_table(rows: dict[str, dict[str, Any]]) -> str:
    """One line per method: {method: paired_accuracy(...)} -> the Table 5 columns."""
    header = ["method", "faces", "masked", "unmasked", "average"]
    body = [
        [name, str(row["faces"]), _num(row["masked"]), _num(row["unmasked"]), _num(row["average"])]
        for name, row in rows.items()
    ]
    return render(header, body)

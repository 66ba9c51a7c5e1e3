"""Plain-text tables for the terminal: per-class accuracy (Table V layout), mask impact, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .metrics import ClassificationMetrics


def _num(value: float | None, digits: int = 4, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def render(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned first column, right-aligned numbers, one space-padded line per row."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for j, row in enumerate([header, *rows]):
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def per_class_table(metrics: ClassificationMetrics, paper: list[float | None] | None, paper_label: str) -> str:
    header = ["class", "support", "accuracy", "precision", "f1"]
    if paper is not None:
        header.append(paper_label)
    rows = []
    for k, row in enumerate(metrics.per_class_table()):
        cells = [row["class"], str(row["support"]), _num(row["accuracy"]), _num(row["precision"]), _num(row["f1"])]
        if paper is not None:
            cells.append(_num(paper[k], 2))
        rows.append(cells)
    return render(header, rows)


def mask_impact_table(rows: list[dict[str, Any]], paper: dict[str, list[float | None]] | None) -> str:
    """Masked vs unmasked accuracy per class; with `paper`, the paper's MaskTheFER and VGGNet columns too."""
    header = ["class", "support", "unmasked", "masked", "difference"]
    if paper is not None:
        header += ["paper unmasked (VGGNet)", "paper masked (MaskTheFER)", "paper difference"]
    out = []
    for k, row in enumerate(rows):
        cells = [
            row["class"],
            str(row["support"]),
            _num(row["unmasked_accuracy"]),
            _num(row["masked_accuracy"]),
            _num(row["difference"], signed=True),
        ]
        if paper is not None:
            u, m = paper["unmasked"][k], paper["masked"][k]
            diff = None if u is None or m is None else m - u
            cells += [_num(u, 2), _num(m, 2), _num(diff, 2, signed=True)]
        out.append(cells)
    return render(header, out)


def confusion_table(matrix: np.ndarray, names: Sequence[str], normalized: bool) -> str:
    header = ["true \\ pred", *names]
    rows = [
        [name, *(_num(float(v), 2) if normalized else str(int(v)) for v in row)] for name, row in zip(names, matrix)
    ]
    return render(header, rows)

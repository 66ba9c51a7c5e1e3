"""Figures of an evaluation: confusion-matrix heat maps (like the paper's Figs. 4-5) and the mask-impact chart.

Figures are drawn on `matplotlib.figure.Figure` objects directly (no pyplot), so nothing depends on a GUI
backend or on global figure state.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

DPI = 120


def new_figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def save_figure(fig, path: os.PathLike | str) -> None:
    fig.savefig(path, dpi=DPI)


def confusion_figure_inches(num_classes: int) -> tuple[float, float]:
    """Figure size of a confusion heat map: one roughly square cell per class pair plus room for labels."""
    return 1.6 + 0.85 * num_classes, 1.3 + 0.75 * num_classes


def confusion_heatmap(
    matrix: np.ndarray,
    class_names: Sequence[str],
    path: os.PathLike | str,
    *,
    normalized: bool,
    title: str,
) -> None:
    """Seaborn heat map with class names on both axes; counts as integers, normalised rows as 0.00-1.00."""
    import seaborn as sns

    fig = new_figure(*confusion_figure_inches(len(class_names)))
    ax = fig.add_subplot(1, 1, 1)
    sns.heatmap(
        matrix,
        ax=ax,
        annot=True,
        fmt=".2f" if normalized else "d",
        cmap="Blues",
        vmin=0.0,
        vmax=1.0 if normalized else None,
        square=True,
        cbar=True,
        xticklabels=list(class_names),
        yticklabels=list(class_names),
        linewidths=0.5,
        linecolor="white",
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=45)
    ax.tick_params(axis="y", labelrotation=0)
    save_figure(fig, path)


def mask_impact_chart(rows: list[dict[str, Any]], path: os.PathLike | str, title: str) -> None:
    """Grouped bars: per-class accuracy on masked vs unmasked crops of the same faces."""
    rows = [r for r in rows if r["class"] != "overall"]
    names = [r["class"] for r in rows]
    masked = [np.nan if r["masked_accuracy"] is None else r["masked_accuracy"] for r in rows]
    unmasked = [np.nan if r["unmasked_accuracy"] is None else r["unmasked_accuracy"] for r in rows]
    x = np.arange(len(names))
    fig = new_figure(1.5 + 0.9 * len(names), 4.0)
    ax = fig.add_subplot(1, 1, 1)
    ax.bar(x - 0.2, unmasked, width=0.4, label="unmasked", color="#4c72b0")
    ax.bar(x + 0.2, masked, width=0.4, label="masked", color="#dd8452")
    ax.set_xticks(x, names, rotation=30)
    ax.set_ylim(0, 1)
    ax.set_ylabel("per-class accuracy")
    ax.set_title(title)
    ax.legend()
    save_figure(fig, path)

"""The run's training curves, drawn from history.csv (one row per epoch).

The column names are whatever training logged; columns are grouped by name: anything with "loss", anything
with "acc", and the learning rate ("lr", "lr_*", "learning_rate"), each on its own axes, against "epoch" when present.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..loading import EvaluationError
from ..plots import new_figure, save_figure


def read_history(path: Path):
    import pandas as pd

    if not path.is_file():
        raise EvaluationError(f"{path} does not exist: the run has not finished an epoch")
    try:
        history = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError) as exc:
        raise EvaluationError(f"{path} is not a readable CSV: {exc}") from exc
    if history.empty:
        raise EvaluationError(f"{path} holds no epochs yet")
    return history


def _groups(columns) -> list[tuple[str, list[str]]]:
    loss = [c for c in columns if "loss" in c.lower()]
    acc = [c for c in columns if "acc" in c.lower()]
    lr = [c for c in columns if c.lower() in ("lr", "learning_rate") or c.lower().startswith("lr_")]
    return [(title, cols) for title, cols in (("loss", loss), ("accuracy", acc), ("learning rate", lr)) if cols]


def plot_curves(history_path: os.PathLike | str, out_path: os.PathLike | str, title: str) -> list[str]:
    """Save the curves figure; returns the columns it plotted."""
    history = read_history(Path(history_path))
    numeric = [c for c in history.columns if np.issubdtype(history[c].dtype, np.number)]
    groups = _groups(numeric)
    if not groups:
        raise EvaluationError(f"{history_path} has no loss/accuracy/learning-rate columns ({list(history.columns)})")
    from matplotlib.ticker import MaxNLocator

    x = history["epoch"].to_numpy() if "epoch" in history.columns else np.arange(1, len(history) + 1)
    fig = new_figure(4.2 * len(groups), 3.6)
    fig.suptitle(title)
    plotted = []
    for i, (name, columns) in enumerate(groups):
        ax = fig.add_subplot(1, len(groups), i + 1)
        for column in columns:
            ax.plot(x, history[column].to_numpy(), marker="o", markersize=3, label=column)
            plotted.append(column)
        if name == "learning rate":
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save_figure(fig, out_path)
    return plotted

"""history.csv and curves.png of a run: one row per finished epoch, plotted as loss and accuracy curves."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The columns every history.csv starts with; model-specific extras (e.g. per-output losses) follow.
HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "lr_end", "seconds")


def write_history(path: os.PathLike | str, rows: Sequence[dict[str, Any]]) -> None:
    """Rewrite history.csv atomically (it is small), so a kill never leaves half a row."""
    path = Path(path)
    extras = sorted({key for row in rows for key in row} - set(HISTORY_COLUMNS))
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*HISTORY_COLUMNS, *extras])
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _fmt(value) for key, value in row.items()})
    os.replace(tmp, path)


def read_history(path: os.PathLike | str) -> list[dict[str, Any]]:
    """Rows of history.csv with numbers parsed (epoch as int)."""
    path = Path(path)
    if not path.is_file():
        return []
    rows = []
    with open(path, newline="") as handle:
        for raw in csv.DictReader(handle):
            row: dict[str, Any] = {}
            for key, value in raw.items():
                if value in ("", None):
                    continue
                row[key] = int(value) if key == "epoch" else float(value)
            rows.append(row)
    return rows


def _fmt(value: Any) -> Any:
    return f"{value:.6g}" if isinstance(value, float) else value


def plot_curves(path: os.PathLike | str, rows: Sequence[dict[str, Any]], title: str = "") -> None:
    """Loss and accuracy, train vs validation, side by side (matplotlib's Agg canvas, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    epochs = [row["epoch"] for row in rows]
    figure = Figure(figsize=(10, 4), dpi=100)
    FigureCanvasAgg(figure)
    for index, (metric, label) in enumerate((("loss", "loss"), ("accuracy", "accuracy")), start=1):
        axes = figure.add_subplot(1, 2, index)
        for key, name, style in ((metric, "train", "-"), (f"val_{metric}", "validation", "--")):
            values = [row.get(key) for row in rows]
            if any(v is not None for v in values):
                axes.plot(epochs, values, style, marker="." if len(rows) < 30 else None, label=name)
        axes.set_xlabel("epoch")
        axes.set_ylabel(label)
        axes.grid(alpha=0.3)
        axes.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    path = Path(path)
    tmp = path.with_name(".tmp-" + path.name)
    figure.savefig(tmp, format="png")
    os.replace(tmp, path)

"""Image grids of crops with heat maps laid over them, titled with the true and predicted class.

The figure has a fixed size per panel (PANEL_INCHES at DPI) plus a header for the title, so the PNG of N panels
in `cols` columns has the size `grid_size_px(ceil(N / cols), cols)`: its layout can be checked from the file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

DPI = 100
PANEL_INCHES = (2.4, 1.7)  # one cell: a 2:1 crop (48x96) below a two-line title
HEADER_INCHES = 0.4  # the figure title above the cells
TITLE_INCHES = 0.42  # the two-line panel title inside each cell
MARGIN_INCHES = 0.05
DEFAULT_COLUMNS = 4


def grid_shape(count: int, columns: int = DEFAULT_COLUMNS) -> tuple[int, int]:
    """(rows, columns) of a grid holding `count` panels."""
    cols = max(1, min(columns, count))
    return max(1, math.ceil(count / cols)), cols


def grid_size_px(rows: int, cols: int) -> tuple[int, int]:
    """(width, height) in pixels of the PNG of a rows x cols grid."""
    return round(cols * PANEL_INCHES[0] * DPI), round((rows * PANEL_INCHES[1] + HEADER_INCHES) * DPI)


def heatmap_grid(
    images: np.ndarray,
    heatmaps: np.ndarray | None,
    true_names: Sequence[str],
    pred_names: Sequence[str],
    confidences: Sequence[float],
    path: os.PathLike | str,
    *,
    title: str,
    columns: int = DEFAULT_COLUMNS,
    alpha: float = 0.45,
) -> tuple[int, int]:
    """Save the grid; returns its (rows, columns). Correct predictions are titled green, wrong ones red."""
    from matplotlib.figure import Figure

    rows, cols = grid_shape(len(images), columns)
    width, height = cols * PANEL_INCHES[0], rows * PANEL_INCHES[1] + HEADER_INCHES
    fig = Figure(figsize=(width, height), dpi=DPI)
    fig.text(0.5, 1.0 - 0.5 * HEADER_INCHES / height, title, ha="center", va="center", fontsize=9)
    # Axes are placed in inches (converted to figure fractions) so titles never overlap whatever the grid size.
    image_w = PANEL_INCHES[0] - 2 * MARGIN_INCHES
    image_h = PANEL_INCHES[1] - TITLE_INCHES - 2 * MARGIN_INCHES
    for i in range(len(images)):
        row, col = divmod(i, cols)
        left = col * PANEL_INCHES[0] + MARGIN_INCHES
        bottom = height - HEADER_INCHES - (row + 1) * PANEL_INCHES[1] + MARGIN_INCHES
        ax = fig.add_axes((left / width, bottom / height, image_w / width, image_h / height))
        ax.set_axis_off()
        ax.imshow(images[i], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        if heatmaps is not None:
            ax.imshow(heatmaps[i], cmap="jet", alpha=alpha, vmin=0.0, vmax=1.0, interpolation="bilinear")
        correct = true_names[i] == pred_names[i]
        ax.set_title(
            f"true {true_names[i]}\npred {pred_names[i]} ({confidences[i]:.2f})",
            fontsize=8,
            color="#1a7f37" if correct else "#cf222e",
        )
    fig.savefig(path, dpi=DPI)
    return rows, cols

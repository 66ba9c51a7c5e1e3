"""t-SNE of the penultimate-layer features (`feature_layer_name`), coloured by true class (scikit-learn)."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..plots import new_figure, save_figure


def embed(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """2-D t-SNE embedding; perplexity shrinks for small sets (it must stay below the number of points)."""
    from sklearn.manifold import TSNE

    n = len(features)
    if n < 5:
        raise ValueError(f"t-SNE needs at least 5 faces, got {n}")
    perplexity = float(min(30.0, (n - 1) / 3.0))
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    return tsne.fit_transform(features.astype(np.float64))


def tsne_plot(
    points: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    path: os.PathLike | str,
    *,
    title: str,
) -> None:
    """Scatter of the embedding, one colour per class, with a legend of class names."""
    import seaborn as sns

    colours = sns.color_palette("tab10", n_colors=max(len(class_names), 3))
    fig = new_figure(7.0, 5.5)
    ax = fig.add_subplot(1, 1, 1)
    for k, name in enumerate(class_names):
        chosen = labels == k
        if chosen.any():
            ax.scatter(points[chosen, 0], points[chosen, 1], s=10, color=colours[k], label=f"{name} ({chosen.sum()})")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, markerscale=1.5, frameon=False)
    save_figure(fig, path)


def write_points(path: Path, points: np.ndarray, labels: np.ndarray, names: Sequence[str], ids: Sequence[str]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_id", "label", "x", "y"])
        for i, (x, y) in enumerate(points):
            writer.writerow([ids[i] if i < len(ids) else i, names[labels[i]], f"{x:.4f}", f"{y:.4f}"])

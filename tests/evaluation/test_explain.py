"""explain_run / `maskthefer explain` on the TensorFlow backend: heat-map grids, t-SNE, training curves."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.data.records import read_manifest
from maskthefer.evaluation import explain_run
from maskthefer.evaluation.explain import choose_examples
from maskthefer.evaluation.explain.grids import (
    DEFAULT_COLUMNS,
    HEADER_INCHES,
    PANEL_INCHES,
    grid_size_px,
)
from maskthefer.evaluation.explain.grids import DPI as GRID_DPI
from maskthefer.labels import EMOTIONS

from .test_eval_run import _assert_png


def _panel(image: np.ndarray, row: int, col: int) -> np.ndarray:
    """Pixels of one grid cell."""
    top = round((HEADER_INCHES + row * PANEL_INCHES[1]) * GRID_DPI)
    left = round(col * PANEL_INCHES[0] * GRID_DPI)
    return image[top : top + round(PANEL_INCHES[1] * GRID_DPI), left : left + round(PANEL_INCHES[0] * GRID_DPI)]


def _saturation(pixels: np.ndarray) -> float:
    return float(cv2.cvtColor(pixels, cv2.COLOR_BGR2HSV)[..., 1].mean())


def test_choose_examples_covers_classes():
    labels = np.array([0] * 50 + [3] * 5 + [6] * 2)
    chosen = choose_examples(labels, 6, seed=1)
    assert len(set(chosen.tolist())) == 6
    assert set(labels[chosen].tolist()) == {0, 3, 6}
    assert len(choose_examples(labels, 100)) == len(labels)


def test_gradcam_grids_tsne_and_curves(run_copy, eval_dataset):
    report = explain_run(run_copy, method="gradcam", count=6, tsne_samples=80)
    out = run_copy / "explain" / "test"
    rows, cols = 2, DEFAULT_COLUMNS  # 6 panels in rows of 4
    for set_name in ("masked", "unmasked"):
        image = _assert_png(out / f"gradcam_{set_name}.png", grid_size_px(rows, cols))
        # Filled panels carry a coloured heat map over the grey crop; the two unused cells stay white.
        for i in range(6):
            assert _saturation(_panel(image, *divmod(i, cols))) > 40, (set_name, i)
        for i in (6, 7):
            assert _panel(image, *divmod(i, cols)).min() == 255
    with open(out / "gradcam_panels.csv") as handle:
        panels = list(csv.DictReader(handle))
    assert len(panels) == 12 and {p["set"] for p in panels} == {"masked", "unmasked"}
    assert all(p["true"] in EMOTIONS and p["predicted"] in EMOTIONS for p in panels)
    masked_ids = [p["source_id"] for p in panels if p["set"] == "masked"]
    assert masked_ids == [p["source_id"] for p in panels if p["set"] == "unmasked"]  # the same faces

    _assert_png(out / "tsne.png")
    with open(out / "tsne.csv") as handle:
        points = list(csv.DictReader(handle))
    faces = min(80, read_manifest(eval_dataset)["splits"]["test"]["records"])
    assert len(points) == faces and all(p["label"] in EMOTIONS for p in points)
    assert len({(p["x"], p["y"]) for p in points}) > 0.9 * faces  # a spread-out embedding, not one point
    _assert_png(run_copy / "explain" / "curves.png")
    document = json.loads((out / "explain.json").read_text())
    assert document["gradcam_masked"] == {"panels": 6, "rows": 2, "columns": 4}
    assert document["tsne"]["feature_layer"] == "features" and document["tsne"]["feature_dim"] == 16
    assert report.notes == []


def test_saliency_from_the_cli_and_missing_history(run_copy):
    (run_copy / "history.csv").unlink()
    result = CliRunner().invoke(
        main, ["explain", "--run", str(run_copy), "--method", "saliency", "--count", "3", "--tsne-samples", "0"]
    )
    assert result.exit_code == 0, result.output
    out = run_copy / "explain" / "test"
    image = _assert_png(out / "saliency_masked.png", grid_size_px(1, 3))
    assert all(_saturation(_panel(image, 0, c)) > 20 for c in range(3))
    assert not (out / "tsne.png").exists()
    assert "training curves skipped" in result.output and "history.csv does not exist" in result.output


def test_explain_bad_requests(run_copy):
    result = CliRunner().invoke(main, ["explain", "--run", str(run_copy), "--count", "0"])
    assert result.exit_code != 0 and "Invalid value for '--count'" in result.output and "1<=x" in result.output
    (run_copy / "best.keras").unlink()
    result = CliRunner().invoke(main, ["explain", "--run", str(run_copy), "--method", "none"])
    assert result.exit_code != 0 and "no best.keras" in result.output and "Traceback" not in result.output

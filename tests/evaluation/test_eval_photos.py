"""`evaluate --images`: real CK+48 faces mixed with a photo without a face, a corrupt file and an unknown class."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.evaluation import evaluate_images
from maskthefer.labels import EMOTIONS

from .test_eval_run import _assert_png, _check_against_sklearn

CKPLUS_PICKS = {"happy": 3, "surprise": 3, "anger": 2, "contempt": 1}


@pytest.fixture
def photo_folder(shared_data, tmp_path) -> Path:
    """`<label>/<image>` links to real CK+48 files (read in place), plus a faceless and a corrupt image."""
    root = tmp_path / "photos"
    for folder, count in CKPLUS_PICKS.items():
        (root / folder).mkdir(parents=True)
        # One peak frame per sequence, several subjects.
        sources = sorted((shared_data / "ckplus" / "CK+48" / folder).glob("*_00000*.png"))[::3][:count]
        assert len(sources) == count
        for source in sources:
            (root / folder / source.name).symlink_to(source)
    (root / "fear").mkdir()
    gradient = np.tile(np.linspace(30, 220, 160, dtype=np.uint8), (120, 1))  # smooth: nothing face-like
    cv2.imwrite(str(root / "fear" / "wall.png"), gradient)
    (root / "sad").mkdir()
    (root / "sad" / "broken.png").write_bytes(b"this is not a PNG file")
    return root


def test_photo_folder_counts_every_rejection(run_copy, photo_folder):
    report = evaluate_images(run_copy, photo_folder, confusion=True)
    out = run_copy / "evaluation" / "images-photos"
    assert report.out_dir == out and report.images_total == 11
    rejected = report.rejections
    assert rejected["corrupt_image"] == 1
    assert rejected["label_not_in_model"] == 1  # contempt: the run knows only the seven emotions
    assert rejected["no_face"] >= 1  # at least the gradient
    classified = report.main.metrics.n
    assert classified + sum(rejected.values()) == 11
    assert classified >= 6, rejected  # CK+ faces are large and frontal: most are found

    metrics = _check_against_sklearn(out, EMOTIONS)
    assert metrics["rejections"] == rejected and metrics["images_total"] == 11
    assert metrics["faces_classified"] == classified and metrics["pipeline_settings_from"] == "dataset manifest"
    with open(out / "rejected.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(rejected.values())
    reasons = {r["source_id"]: r["reason"] for r in rows}
    assert reasons["sad/broken.png"] == "corrupt_image" and reasons["fear/wall.png"] == "no_face"
    assert any(sid.startswith("contempt/") and reason == "label_not_in_model" for sid, reason in reasons.items())
    _assert_png(out / "confusion_counts.png")
    text = report.summary_text()
    assert f"images 11: {classified} classified" in text and "corrupt_image 1" in text


def test_photo_folder_with_synthetic_masks(run_copy, photo_folder):
    result = CliRunner().invoke(
        main, ["evaluate", "--run", str(run_copy), "--images", str(photo_folder), "--add-mask", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    out = run_copy / "evaluation" / "images-photos-masked"
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["add_mask"] is True and metrics["images_total"] == 11
    assert metrics["faces_classified"] + sum(metrics["rejections"].values()) == 11
    assert (out / "unmasked" / "metrics.json").is_file() and len(metrics["mask_impact"]) == len(EMOTIONS) + 1
    assert "IMPACT OF THE MASK" in result.output and "rejected" in result.output


def test_add_mask_needs_images(run_copy):
    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy), "--add-mask"])
    assert result.exit_code != 0 and "--add-mask applies to --images only" in result.output


def test_explain_a_photo_folder(run_copy, photo_folder):
    from maskthefer.evaluation import explain_run
    from maskthefer.evaluation.explain.grids import grid_size_px

    report = explain_run(run_copy, method="gradcam", images_dir=photo_folder, count=4, tsne_samples=0, curves=False)
    out = run_copy / "explain" / "images-photos"
    assert report.out_dir == out
    _assert_png(out / "gradcam_photos.png", grid_size_px(1, 4))
    with open(out / "rejected.csv") as handle:
        assert {r["reason"] for r in csv.DictReader(handle)} >= {"corrupt_image", "label_not_in_model", "no_face"}
    assert report.document["images_total"] == 11

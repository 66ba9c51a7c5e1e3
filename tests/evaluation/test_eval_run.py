"""evaluate_run / `maskthefer evaluate` on a tiny trained VGG-lite: files, numbers, errors."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from maskthefer.cli import main
from maskthefer.data.records import FaceRecord, load_split
from maskthefer.errors import MaskTheFERError
from maskthefer.evaluation import evaluate_run
from maskthefer.evaluation.plots import DPI, confusion_figure_inches
from maskthefer.evaluation.reference import PAPER_MASKED_PER_CLASS
from maskthefer.labels import EMOTIONS

from .conftest import read_records, write_dataset


def _predictions(path: Path, names) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    index = {n: k for k, n in enumerate(names)}
    true = np.array([index[r["true"]] for r in rows])
    pred = np.array([index[r["predicted"]] for r in rows])
    probs = np.array([[float(r[f"p_{n}"]) for n in names] for r in rows])
    return true, pred, probs


def _assert_png(path: Path, size: tuple[int, int] | None = None) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, f"{path} is not a readable image"
    if size is not None:
        assert (image.shape[1], image.shape[0]) == size
    assert image.std() > 10, f"{path} looks blank"
    return image


def _check_against_sklearn(out: Path, names) -> dict:
    metrics = json.loads((out / "metrics.json").read_text())
    y_true, y_pred, probs = _predictions(out / "predictions.csv", names)
    assert np.array_equal(y_pred, probs.argmax(axis=1))
    assert metrics["n"] == len(y_true)
    assert metrics["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    assert metrics["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    counts = confusion_matrix(y_true, y_pred, labels=range(len(names)))
    assert metrics["confusion_matrix"]["counts"] == counts.tolist()
    for k, row in enumerate(metrics["per_class"]):
        assert row["class"] == names[k]
        assert row["support"] == counts[k].sum()
        if counts[k].sum():
            assert row["accuracy"] == pytest.approx(counts[k, k] / counts[k].sum())
        else:
            assert row["accuracy"] is None
    return metrics


def test_evaluate_writes_metrics_equal_to_sklearn(run_copy, eval_dataset):
    report = evaluate_run(run_copy, split="test", confusion=True)
    out = run_copy / "evaluation" / "test"
    assert report.out_dir == out
    metrics = _check_against_sklearn(out, EMOTIONS)
    assert metrics["data"] == str(eval_dataset) and metrics["set"] == "masked"

    # The saved predictions are the model's own: recompute them from best.keras directly.
    import keras

    import maskthefer.models  # noqa: F401

    model = keras.models.load_model(run_copy / "best.keras", compile=False)
    test = load_split(eval_dataset, "test")
    direct = np.asarray(model.predict(test.images[..., None].astype("float32") / 255.0, verbose=0))
    _, saved_pred, saved_probs = _predictions(out / "predictions.csv", EMOTIONS)
    assert np.allclose(saved_probs, direct, atol=1e-5)
    assert np.array_equal(saved_pred, direct.argmax(axis=1))

    # Table V layout with the paper's row beside ours, clearly named.
    with open(out / "per_class.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["class"] for r in rows] == list(EMOTIONS)
    assert [float(r["paper_table_v_maskthefer_masked"]) for r in rows] == [PAPER_MASKED_PER_CLASS[n] for n in EMOTIONS]
    assert metrics["paper_reference"]["masked_overall"] == 0.6189
    assert "macro avg" in (out / "classification_report.txt").read_text()

    # Counts and row-normalised matrices as CSV and as heat maps of the expected size.
    with open(out / "confusion_counts.csv") as handle:
        grid = list(csv.reader(handle))
    assert grid[0][1:] == list(EMOTIONS) and [r[0] for r in grid[1:]] == list(EMOTIONS)
    assert [[int(v) for v in r[1:]] for r in grid[1:]] == metrics["confusion_matrix"]["counts"]
    inches = confusion_figure_inches(len(EMOTIONS))
    size = (round(inches[0] * DPI), round(inches[1] * DPI))
    _assert_png(out / "confusion_counts.png", size)
    _assert_png(out / "confusion_normalized.png", size)

    # The unmasked crops of the same faces, and the impact of the mask.
    unmasked = _check_against_sklearn(out / "unmasked", EMOTIONS)
    assert unmasked["set"] == "unmasked"
    impact = metrics["mask_impact"]
    assert [r["class"] for r in impact] == [*EMOTIONS, "overall"]
    for k, row in enumerate(impact[:-1]):
        m, u = metrics["per_class"][k]["accuracy"], unmasked["per_class"][k]["accuracy"]
        assert row["masked_accuracy"] == m and row["unmasked_accuracy"] == u
        assert row["difference"] == (None if m is None or u is None else pytest.approx(m - u))
    assert (out / "mask_impact.csv").is_file()
    _assert_png(out / "mask_impact.png")

    text = report.summary_text()
    for expected in ("overall accuracy", "paper MaskTheFER", "IMPACT OF THE MASK", "row-normalised", "not measured"):
        assert expected in text


def test_cli_prints_table_and_respects_flags(run_copy):
    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy), "--no-unmasked"])
    assert result.exit_code == 0, result.output
    assert "overall accuracy" in result.output and "IMPACT OF THE MASK" not in result.output
    out = run_copy / "evaluation" / "test"
    assert not (out / "confusion_counts.png").exists()  # only with --confusion
    assert not (out / "unmasked").exists()
    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy), "--confusion", "--model", "last"])
    assert result.exit_code == 0, result.output
    assert "confusion matrix" in result.output and (out / "confusion_counts.png").is_file()
    assert json.loads((out / "metrics.json").read_text())["model_file"] == "last.keras"


def _derived(eval_dataset: Path, out: Path, keep=lambda r: True, class_names=EMOTIONS, crop=None) -> Path:
    records = [r for r in read_records(eval_dataset, "test") if keep(r)]
    if crop is not None:
        records = [
            FaceRecord(
                cv2.resize(r.image, (crop[1], crop[0])),
                cv2.resize(r.image_unmasked, (crop[1], crop[0])),
                r.label,
                r.label_name,
                r.source_id,
            )
            for r in records
        ]
    return write_dataset(out, {"test": records}, class_names, like=eval_dataset, crop=crop or (48, 96))


def test_class_absent_from_test_split(run_copy, eval_dataset, tmp_path):
    happy = EMOTIONS.index("happy")
    data = _derived(eval_dataset, tmp_path / "no-happy", keep=lambda r: r.label != happy)
    report = evaluate_run(run_copy, data, confusion=True)
    metrics = _check_against_sklearn(report.out_dir, EMOTIONS)
    assert metrics["per_class"][happy]["accuracy"] is None and metrics["per_class"][happy]["support"] == 0
    assert "happy" in metrics["absent_classes"]
    assert metrics["confusion_matrix"]["normalized"][happy] == [None] * len(EMOTIONS)
    assert metrics["mask_impact"][happy]["difference"] is None
    _assert_png(report.out_dir / "confusion_normalized.png")
    assert "(no faces of: " in report.summary_text() and "happy" in report.summary_text()


def test_other_label_set_is_a_clear_error(run_copy, eval_dataset, tmp_path):
    reordered = tuple(reversed(EMOTIONS))
    data = _derived(eval_dataset, tmp_path / "reversed", class_names=reordered)
    with pytest.raises(MaskTheFERError, match="another order"):
        evaluate_run(run_copy, data)
    three = ("angry", "happy", "sad")
    keep = {EMOTIONS.index(n) for n in three}
    records = [r for r in read_records(eval_dataset, "test") if r.label in keep]
    records = [
        FaceRecord(r.image, r.image_unmasked, three.index(r.label_name), r.label_name, r.source_id) for r in records
    ]
    data = write_dataset(tmp_path / "three", {"test": records}, three, like=eval_dataset)
    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy), "--data", str(data)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "angry, happy, sad" in result.output
    assert "trained on" in result.output


def test_crop_size_mismatch_is_a_clear_error(run_copy, eval_dataset, tmp_path):
    data = _derived(eval_dataset, tmp_path / "square", crop=(48, 48))
    with pytest.raises(MaskTheFERError, match="48x48 crops but .* expects 48x96"):
        evaluate_run(run_copy, data)


def test_run_without_model_is_a_clear_error(run_copy, tmp_path):
    (run_copy / "best.keras").unlink()
    with pytest.raises(MaskTheFERError, match=r"no best.keras \(models present: \[.*'last.keras'\]\)"):
        evaluate_run(run_copy)
    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy)])
    assert result.exit_code != 0 and "no best.keras" in result.output and "Traceback" not in result.output
    empty = tmp_path / "not-a-run"
    empty.mkdir()
    result = CliRunner().invoke(main, ["evaluate", "--run", str(empty)])
    assert result.exit_code != 0 and "not a maskthefer run" in result.output
    result = CliRunner().invoke(main, ["evaluate", "--run", str(tmp_path / "missing")])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_unknown_split_is_a_clear_error(run_copy):
    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy), "--split", "valid"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "no split 'valid'" in result.output and "test" in result.output and "validation" in result.output


def test_validation_split_is_the_runs_hold_out_and_flip_tta_averages_the_mirror(run_copy, eval_dataset):
    from maskthefer.data.splits import stratified_split
    from maskthefer.evaluation import load_run, predict_proba

    config = json.loads((run_copy / "config.json").read_text())
    state = json.loads((run_copy / "state.json").read_text())
    full = load_split(eval_dataset, "train")
    held = full.subset(np.flatnonzero(stratified_split(full.labels, config["validation_fraction"],
                                                        config["validation_seed"])))
    report = evaluate_run(run_copy, split="validation", tta="flip", unmasked=False)
    assert report.main.metrics.n == len(held) and report.split == "validation"

    model = load_run(run_copy).model
    plain = predict_proba(model, held.images)
    mirrored = predict_proba(model, np.ascontiguousarray(held.images[:, :, ::-1]))
    assert np.allclose(report.main.probabilities, (plain + mirrored) / 2, atol=1e-5)
    plain_accuracy = float(np.mean(plain.argmax(axis=1) == held.labels))
    assert report.main.accuracy_without_tta == pytest.approx(plain_accuracy)
    # The same faces training validated on: as many as it counted, and the best model scores its recorded
    # validation accuracy on them (within 3 faces: bf16 kernels differ with the batch size, so a borderline
    # argmax can fall the other way).
    assert len(held) == config["counts"]["validation"]
    assert abs(plain_accuracy - state["best_val_accuracy"]) <= 3.0 / len(held) + 1e-6
    written = json.loads((run_copy / "evaluation" / "validation" / "metrics.json").read_text())
    assert written["tta"] == "flip" and written["accuracy_without_tta"] == pytest.approx(plain_accuracy)

    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy), "--split", "validation", "--tta", "flip"])
    assert result.exit_code == 0, result.output
    assert "flip test-time augmentation; without it" in result.output


def test_tta_and_validation_errors_are_clear(run_copy, eval_dataset, tmp_path):
    with pytest.raises(MaskTheFERError, match="test-time augmentation must be one of none, flip, flip-shift"):
        evaluate_run(run_copy, tta="rotate")
    with pytest.raises(MaskTheFERError, match="hold-out of its own dataset"):
        evaluate_run(run_copy, Path(shutil.copytree(eval_dataset, tmp_path / "copy")), split="validation")
    result = CliRunner().invoke(main, ["evaluate", "--run", str(run_copy), "--images", str(tmp_path), "--tta", "flip"])
    assert result.exit_code != 0 and "--tta applies to dataset splits" in result.output

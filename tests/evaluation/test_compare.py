"""`maskthefer compare`: two runs' test predictions paired face by face."""

from __future__ import annotations

import csv
import json
import math

import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.evaluation.compare import ComparisonError, compare_predictions, mcnemar_exact


def write_predictions(path, rows):
    """rows: (source id, true, predicted), in `evaluate`'s predictions.csv layout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_id", "true", "predicted", "p_happy", "p_sad"])
        for face, true, predicted in rows:
            writer.writerow([face, true, predicted, 0.5, 0.5])
    return path


def test_pairs_faces_by_id_and_counts_the_discordant_ones(tmp_path):
    # 6 common faces: both right on 2, only A on 3, only B on 1; A has one face B lacks and vice versa.
    a = write_predictions(tmp_path / "a.csv", [
        ("f1", "happy", "happy"), ("f2", "sad", "sad"), ("f3", "happy", "happy"), ("f4", "sad", "sad"),
        ("f5", "happy", "happy"), ("f6", "sad", "happy"), ("extra-a", "sad", "sad"),
    ])
    b = write_predictions(tmp_path / "run" / "evaluation" / "test" / "predictions.csv", [
        ("f6", "sad", "sad"), ("f5", "happy", "sad"), ("f4", "sad", "happy"), ("f3", "happy", "sad"),
        ("f2", "sad", "sad"), ("f1", "happy", "happy"), ("extra-b", "happy", "sad"),
    ])
    result = compare_predictions(a, tmp_path / "run")  # a run folder stands for its test predictions
    assert (result.faces, result.faces_only_a, result.faces_only_b) == (6, 1, 1)
    assert (result.right_only_a, result.right_only_b) == (3, 1)
    assert result.accuracy_a == pytest.approx(5 / 6) and result.accuracy_b == pytest.approx(3 / 6)
    assert result.difference == pytest.approx(2 / 6)
    d = [0, 0, 1, 1, 1, -1]  # per-face differences: their mean's standard error
    mean = sum(d) / 6
    assert result.standard_error == pytest.approx(math.sqrt(sum((x - mean) ** 2 for x in d) / 6 / 6))
    assert result.p_value == pytest.approx(mcnemar_exact(3, 1)) and b.is_file()
    tiny = compare_predictions(write_predictions(tmp_path / "all.csv", [(f"g{i}", "sad", "sad") for i in range(40)]),
                               write_predictions(tmp_path / "none.csv", [(f"g{i}", "sad", "happy") for i in range(40)]))
    assert tiny.to_dict()["p_value"] == float(f"{2 / 2**40:.3g}") > 0  # not rounded away to 0


def test_mcnemar_exact_is_the_two_sided_binomial_tail():
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(5, 5) == 1.0
    assert mcnemar_exact(3, 1) == pytest.approx(2 * (1 + 4) / 16)
    assert mcnemar_exact(0, 10) == pytest.approx(2 / 1024)
    assert mcnemar_exact(1200, 1400) < 1e-4  # large counts stay exact, no overflow


def test_files_that_cannot_be_paired_are_named(tmp_path):
    a = write_predictions(tmp_path / "a.csv", [("f1", "happy", "happy")])
    with pytest.raises(ComparisonError, match="no predictions at .*nowhere"):
        compare_predictions(a, tmp_path / "nowhere")
    other = write_predictions(tmp_path / "other.csv", [("g1", "happy", "happy")])
    with pytest.raises(ComparisonError, match="share no test face"):
        compare_predictions(a, other)
    relabelled = write_predictions(tmp_path / "relabelled.csv", [("f1", "sad", "sad")])
    with pytest.raises(ComparisonError, match="'f1' is 'happy' in .* but 'sad' in .*not the same labels"):
        compare_predictions(a, relabelled)
    twice = write_predictions(tmp_path / "twice.csv", [("f1", "happy", "happy"), ("f1", "happy", "sad")])
    with pytest.raises(ComparisonError, match="line 3: face 'f1' appears twice"):
        compare_predictions(a, twice)
    (tmp_path / "columns.csv").write_text("id,label\nf1,happy\n")
    with pytest.raises(ComparisonError, match="no column.*predicted, source_id, true"):
        compare_predictions(a, tmp_path / "columns.csv")


def test_the_command_prints_and_records_the_comparison(tmp_path):
    a = write_predictions(tmp_path / "a.csv", [("f1", "happy", "happy"), ("f2", "sad", "happy")])
    b = write_predictions(tmp_path / "b.csv", [("f1", "happy", "sad"), ("f2", "sad", "happy")])
    out = tmp_path / "paired" / "mine.json"
    done = CliRunner().invoke(main, ["compare", str(a), str(b), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "common test faces: 2" in done.output and "A - B: +0.5000" in done.output
    document = json.loads(out.read_text())
    assert document["faces"] == 2 and document["right_only_a"] == 1 and document["a"]["run"] is None
    assert document["a"]["test_time_augmentation"] is None  # no metrics.json beside a bare predictions file
    (tmp_path / "metrics.json").write_text(json.dumps({"tta": "flip-shift"}))
    CliRunner().invoke(main, ["compare", str(a), str(b), "--out", str(out)])
    assert json.loads(out.read_text())["b"]["test_time_augmentation"] == "flip-shift"
    assert document["command"].startswith("maskthefer compare")
    bad = CliRunner().invoke(main, ["compare", str(a), str(tmp_path)])
    assert bad.exit_code == 1 and "Error: no predictions at" in bad.output and "Traceback" not in bad.output

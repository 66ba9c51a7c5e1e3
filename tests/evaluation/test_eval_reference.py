"""The paper's figures beside ours are the ones for the dataset evaluated: CK+ is never shown FER2013's Table V."""

from __future__ import annotations

import csv
import json
import shutil

from maskthefer.evaluation import evaluate_run
from maskthefer.evaluation.evaluate import format_report
from maskthefer.evaluation.reference import dataset_per_class
from maskthefer.labels import EMOTIONS


def test_per_class_figures_follow_the_dataset():
    fer = dataset_per_class(EMOTIONS, "fer2013", "masked")
    assert dict(zip(EMOTIONS, fer))["disgust"] == 0.68 and None not in fer
    ck = dict(zip(EMOTIONS, dataset_per_class(EMOTIONS, "ckplus", "masked")))
    assert ck == {"angry": None, "disgust": None, "fear": None, "happy": 0.70, "neutral": 1.0, "sad": None,
                  "surprise": 0.89}
    assert dataset_per_class(EMOTIONS, "ckplus", "unmasked") is None  # the paper's VGGNet row is FER2013's
    assert dataset_per_class(EMOTIONS[:6], "fer2013", "masked") is None  # another label set: nothing to compare


def test_ckplus_evaluation_prints_ckplus_figures(run_copy, eval_dataset, tmp_path):
    data = tmp_path / "ckplus-like"
    shutil.copytree(eval_dataset, data)
    manifest_path = data / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["dataset_kind"] = "ckplus"
    manifest_path.write_text(json.dumps(manifest))

    report = evaluate_run(run_copy, data, confusion=False, out_dir=tmp_path / "out")
    text = format_report(report)
    assert "0.6356" in text and "0.6189" not in text and "T.V" not in text
    assert "paper unmasked (VGGNet)" not in text  # the mask-impact table has no FER2013 paper columns here

    with open(tmp_path / "out" / "per_class.csv") as handle:
        rows = {r["class"]: r for r in csv.DictReader(handle)}
    assert rows["neutral"]["paper_ckplus_maskthefer_masked"] == "1.0"
    assert rows["surprise"]["paper_ckplus_maskthefer_masked"] == "0.89"
    assert rows["disgust"]["paper_ckplus_maskthefer_masked"] == ""
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["paper_reference"]["masked_overall"] == 0.6356
    assert metrics["paper_reference"]["unmasked_vggnet_per_class"] is None

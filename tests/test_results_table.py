"""The README's results tables are generated from results/*.json and kept in step with them."""

from __future__ import annotations

import importlib.util

from support import REPO


def load_script():
    spec = importlib.util.spec_from_file_location("results_table", REPO / "scripts" / "results_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_results_section_matches_the_results_files():
    assert load_script().main(["--check"]) == 0, "run python scripts/results_table.py and commit README.md"


def test_rewrite_replaces_only_the_marked_section():
    script = load_script()
    readme = f"intro\n{script.BEGIN}\nold table\n{script.END}\nrest\n"
    assert script.rewrite(readme, "new table") == f"intro\n{script.BEGIN}\nnew table\n{script.END}\nrest\n"


def test_a_run_on_a_slice_of_its_source_says_so():
    """An experiment defined on the first N images (the demo, the _short comparisons) is complete in its own
    terms, but the table must not let it pass for a run on the whole dataset."""
    import json

    document = json.loads((REPO / "results" / "demo_fer2013.json").read_text())
    assert document["dataset"]["built_with"]["limit"] == 14000
    assert "first 14,000 source images" in load_script().render([document])


def _document(name: str, epochs: int, accuracy: float, faces: int = 400, **per_class: float) -> dict:
    test = {"faces": faces, "accuracy": accuracy, "macro_f1": accuracy, "per_class": per_class}
    return {"experiment": name, "runs": [{"epochs_completed": epochs, "test": test, "unmasked_test": None}]}


def test_an_ablation_is_set_beside_its_baseline_at_the_same_epoch(tmp_path):
    """The baseline's main record when it stopped at the ablation's epoch, else its snapshot at that epoch;
    an ablation with neither says so instead of comparing across epochs."""
    import json

    script = load_script()
    (tmp_path / "at-epoch" / "11").mkdir(parents=True)
    baseline_now = _document("paper", 150, 0.62, happy=0.8)
    baseline_at_11 = _document("paper", 11, 0.50, happy=0.7)
    (tmp_path / "paper.json").write_text(json.dumps(baseline_now))
    (tmp_path / "at-epoch" / "11" / "paper.json").write_text(json.dumps(baseline_at_11))
    at_11 = _document("no_align", 11, 0.48, faces=300, happy=0.75)
    at_150 = _document("surgical", 150, 0.64, happy=0.9)
    at_20 = _document("small", 20, 0.40, happy=0.6)
    # `maskthefer compare` paired no_align with the baseline at epoch 11, and surgical at another epoch.
    (tmp_path / "paired").mkdir()
    paired = {"a": {"run": {"epochs_completed": 11}}, "difference": -0.021, "standard_error": 0.0071,
              "faces": 290, "p_value": 0.0042}
    (tmp_path / "paired" / "no_align.json").write_text(json.dumps(paired))
    (tmp_path / "paired" / "surgical.json").write_text(json.dumps(dict(paired, a={"run": {"epochs_completed": 9}})))
    table = script.render_ablations([at_11, at_150, at_20], {"no_align": "paper", "surgical": "paper",
                                                             "small": "paper"}, tmp_path)
    lines = [line for line in table.splitlines() if line.startswith("|")]
    assert len({line.count("|") for line in lines}) == 1  # every row fills every column
    rows = {line.split(" | ")[0].strip("| `"): line.split(" | ") for line in lines if "| `" in line}
    error = (0.48 * 0.52 / 300 + 0.50 * 0.50 / 400) ** 0.5
    assert rows["no_align"][2:10] == ["11", "0.4800", "0.5000", "-0.0200", f"{error:.4f}",
                                      "-0.0210 ± 0.0071 on 290, p 0.0042", "300 / 400", "–"]
    assert rows["no_align"][10] == "+0.05 |"  # per class: happy 0.75 against 0.70
    error = (0.64 * 0.36 / 400 + 0.62 * 0.38 / 400) ** 0.5
    assert rows["surgical"][4:7] == ["0.6200", "+0.0200", f"{error:.4f}"]  # the main record stopped at 150 too
    assert rows["surgical"][7] == "–"  # its paired comparison was made at another epoch: not shown
    assert "no record at epoch 20" in rows["small"][4]
    assert script.render_ablations([at_11], {}, tmp_path) == ""  # nothing declares a baseline: no table


def test_the_shipped_ablations_name_their_baselines():
    baselines = load_script().declared_baselines(REPO / "experiments")
    assert baselines["maskthefer_fer2013_no_align"] == "maskthefer_fer2013"
    assert baselines["maskthefer_ckplus_contempt_drop"] == "maskthefer_ckplus_seeds"
    assert "maskthefer_fer2013" not in baselines

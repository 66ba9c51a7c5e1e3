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

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

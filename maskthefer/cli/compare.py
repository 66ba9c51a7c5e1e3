"""`maskthefer compare`: two runs face by face on their common test faces (paired difference, McNemar)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click


def _run_progress(path: Path) -> dict | None:
    """How far the run behind a predictions source had trained, when the source is a run folder."""
    from ..runs import RunDir

    run = RunDir(path)
    if not run.state_path.is_file():
        return None
    state = run.read_state()
    return {"run_dir": str(path), "epochs_completed": state.get("epochs_done"), "best_epoch": state.get("best_epoch")}


def _test_time_augmentation(predictions: Path) -> str | None:
    """How the predictions were scored ("none", "flip", ...), from the metrics.json `evaluate` wrote beside them."""
    metrics = predictions.parent / "metrics.json"
    if not metrics.is_file():
        return None
    try:
        return json.loads(metrics.read_text()).get("tta", "none")
    except (OSError, ValueError):
        return None


@click.command("compare")
@click.argument("a", type=click.Path(exists=True, path_type=Path))
@click.argument("b", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the comparison as JSON (e.g. results/paired/NAME.json, which the README's "
                   "ablation table reads for experiment NAME against its baseline).")
def compare(a: Path, b: Path, out: Path | None) -> None:
    """Compare run A with run B on the test faces both were scored on.

    A and B are run folders that `maskthefer evaluate` has scored (their evaluation/test/predictions.csv),
    evaluation folders, or predictions.csv files. Faces are matched by source id; faces only one of them
    scored (a build that kept other faces) are counted and left out. Prints both accuracies on the common
    faces, the difference A - B with its paired standard error, and the exact McNemar p-value, which only
    the faces where the two disagree decide.

    \b
    Example:
      maskthefer compare runs/maskthefer_fer2013_no_align runs/maskthefer_fer2013
    """
    from ..evaluation.compare import compare_predictions, predictions_file
    from ..provenance import code_version

    files = predictions_file(a), predictions_file(b)
    result = compare_predictions(*files)
    click.echo(f"A: {files[0]}\nB: {files[1]}")
    click.echo(f"common test faces: {result.faces:,} (only in A: {result.faces_only_a:,}, only in B: "
               f"{result.faces_only_b:,})")
    click.echo(f"accuracy on them:  A {result.accuracy_a:.4f}   B {result.accuracy_b:.4f}")
    click.echo(f"A - B: {result.difference:+.4f} ± {result.standard_error:.4f} (paired standard error); "
               f"right only in A: {result.right_only_a:,} faces, only in B: {result.right_only_b:,}; "
               f"McNemar exact p = {result.p_value:.3g}")
    if out is not None:
        document = {
            "comparison": "paired, on common test faces",
            "command": shlex.join(["maskthefer", "compare", str(a), str(b), "--out", str(out)]),
            "code": code_version(),
            **{
                side: {"predictions": str(file), "test_time_augmentation": _test_time_augmentation(file),
                       "run": _run_progress(source)}
                for side, source, file in (("a", a, files[0]), ("b", b, files[1]))
            },
            **result.to_dict(),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(document, indent=2) + "\n")
        click.echo(f"written to {out}")

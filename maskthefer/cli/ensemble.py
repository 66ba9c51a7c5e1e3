"""`maskthefer ensemble`: several runs' class probabilities averaged face by face, and the accuracy it gives."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

if TYPE_CHECKING:
    from ..evaluation.ensemble import MemberChoice


def _predictions_for(source: Path, split: str) -> Path:
    """A run folder's predictions on `split`; any other path (an evaluation folder, a CSV) as it is."""
    if not (source.is_dir() and (source / "evaluation").is_dir()):
        return source
    predictions = source / "evaluation" / split / "predictions.csv"
    if not predictions.is_file():  # never fall back to another split's predictions
        raise click.ClickException(f"{source} has no predictions on the {split} split; run "
                                   f"`maskthefer evaluate --run {source} --split {split}` first")
    return predictions


@click.command("ensemble")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--split", default="test", show_default=True,
              help="For run folders: which of their evaluations to read (RUN/evaluation/SPLIT/predictions.csv). "
                   "Decide on validation, then read test.")
@click.option("--choose", is_flag=True,
              help="Score every combination of one or more SOURCES (on the faces all of them share) and keep the "
                   "most accurate; a tie goes to fewer members. Reads the validation split (the default with --choose).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the result as JSON.")
def ensemble(sources: tuple[Path, ...], split: str, choose: bool, out: Path | None) -> None:
    """Average the class probabilities of two or more scored runs on the faces all of them share.

    SOURCES are run folders that `maskthefer evaluate` has scored on SPLIT, evaluation folders, or
    predictions.csv files. Prints each run's accuracy and the ensemble's on the common faces, and the
    ensemble's accuracy per class. Nothing is trained: the ensemble is the mean of the stored probabilities.

    \b
    Example (choose on validation, then score test):
      maskthefer evaluate --run runs/a --split validation --tta flip-shift
      maskthefer evaluate --run runs/b --split validation --tta flip-shift
      maskthefer ensemble runs/a runs/b --split validation
      maskthefer ensemble runs/a runs/b --out results/measurements/ensemble-a-b.json

    \b
    With several candidates, let the validation split pick the members:
      maskthefer ensemble runs/a runs/b runs/c --choose
    """
    from ..evaluation.ensemble import choose_members, ensemble_predictions
    from ..provenance import code_version

    if choose:
        if click.get_current_context().get_parameter_source("split") is ParameterSource.DEFAULT:
            split = "validation"  # --choose alone means validation, the only split it reads
        elif split != "validation":
            raise click.UsageError(f"--choose picks members on the validation split, not on {split!r}; score the "
                                   "chosen runs on test afterwards without --choose")
        _choose(sources, choose_members([_predictions_for(source, split) for source in sources]), out, code_version())
        return
    result = ensemble_predictions([_predictions_for(source, split) for source in sources])
    for path, accuracy, left_out in zip(result.members, result.member_accuracies, result.faces_left_out):
        note = f"  ({left_out:,} of its faces not shared, left out)" if left_out else ""
        click.echo(f"{accuracy:.4f}  {path}{note}")
    click.echo(f"{result.accuracy:.4f}  ensemble (mean of the probabilities) on {result.faces:,} common faces")
    click.echo("per class: " + ", ".join(f"{name} {value:.2f}" for name, value in result.per_class.items()))
    if out is not None:
        document = {
            "measurement": f"probability ensemble on the {split} split",
            "command": shlex.join(["maskthefer", "ensemble", *map(str, sources), "--split", split, "--out", str(out)]),
            "code": code_version(),
            "split": split,
            **result.to_dict(),
        }
        _write_json(out, document)


# Printed combinations; the JSON keeps all of them.
SHOWN_COMBINATIONS = 10


def _choose(sources: tuple[Path, ...], choice: MemberChoice, out: Path | None, code: dict) -> None:
    """Print (and write) every combination's validation accuracy and the chosen members."""
    for number, path in enumerate(choice.candidates, start=1):
        click.echo(f"[{number}] {path}")
    click.echo(f"{len(choice.scores):,} combinations on {choice.faces:,} faces all candidates share, best first:")
    for indices, accuracy in choice.scores[:SHOWN_COMBINATIONS]:
        click.echo(f"  {accuracy:.4f}  " + " + ".join(f"[{i + 1}]" for i in indices))
    if len(choice.scores) > SHOWN_COMBINATIONS:
        click.echo(f"  ... {len(choice.scores) - SHOWN_COMBINATIONS:,} more" + (" in --out" if out else ""))
    chosen = [str(sources[i]) for i in choice.chosen_indices]
    click.echo(f"chosen: {' '.join(chosen)} ({choice.chosen.accuracy:.4f})")
    click.echo("per class: " + ", ".join(f"{name} {value:.2f}" for name, value in choice.chosen.per_class.items()))
    if out is not None:
        document = {
            "measurement": "ensemble members chosen on the validation split",
            "command": shlex.join(["maskthefer", "ensemble", *map(str, sources), "--split", "validation", "--choose",
                                   "--out", str(out)]),
            "code": code,
            "split": "validation",
            "chosen_sources": chosen,
            **choice.to_dict(),
        }
        _write_json(out, document)


def _write_json(out: Path, document: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n")
    click.echo(f"written to {out}")

"""`maskthefer experiment`: build, train and evaluate one experiment config end to end."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from ..workspace import DATASETS_DIR, RUNS_DIR


@click.command("experiment")
@click.argument("name", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the experiments and their titles.")
@click.option("--show", is_flag=True,
              help="Print the experiment's description, settings and run folder(s) (for the --runs-dir, --limit "
                   "and --epochs given), run nothing.")
@click.option("--limit", type=click.IntRange(min=1), help="Use only the first N source images (quick check).")
@click.option("--epochs", type=click.IntRange(min=1), help="Train for N epochs instead of the config's.")
@click.option("--datasets-dir", type=click.Path(path_type=Path), default=DATASETS_DIR, show_default=True)
@click.option("--runs-dir", type=click.Path(path_type=Path), default=RUNS_DIR, show_default=True)
@click.option("--dir", "directory", type=click.Path(path_type=Path),
              help="Folder of experiment files [./experiments or the checkout's].")
@click.option("--results-dir", type=click.Path(path_type=Path),
              help="Where results/<NAME>.json is written [the checkout's results/; --limit runs write none].")
@click.option("--record-partial", is_flag=True,
              help="Train nothing: evaluate the run as it stands (still running or interrupted) and record it "
                   "as partial.")
@click.option("--upstream-as-is", is_flag=True,
              help="Take the runs that '@NAME' settings point at (e.g. --init-from) as they stand, at least one "
                   "finished epoch, instead of training them to the end first; the results file says how far "
                   "they had got.")
@click.option("--pause-after", type=click.IntRange(min=1), metavar="EPOCH",
              help="Train only up to this epoch of the schedule (resumable by running the experiment again), "
                   "then evaluate and record the run as partial.")
@click.option("--snapshot", is_flag=True,
              help="Write the results file to results/at-epoch/E/ (E: the epochs completed) instead of "
                   "results/NAME.json, keeping the main record: the baseline of an ablation, recorded at the "
                   "epoch the ablation stops at (with --pause-after E or --record-partial).")
@click.option("--quiet", is_flag=True, help="No progress bars or per-epoch lines.")
def experiment(name, list_only, show, limit, epochs, datasets_dir, runs_dir, directory, results_dir, record_partial,
               upstream_as_is, pause_after, snapshot, quiet) -> None:
    """Run an experiment from experiments/NAME.py: build -> train -> evaluate -> compare with the paper.

    \b
    Examples:
      maskthefer experiment --list
      maskthefer experiment maskthefer_fer2013                        # the paper's full run
      maskthefer experiment maskthefer_fer2013 --limit 3000 --epochs 3
      maskthefer experiment maskthefer_fer2013 --pause-after 40      # 40 of 150 epochs now, the rest later
      maskthefer experiment maskthefer_fer2013_no_align --pause-after 11            # an ablation to epoch 11
      maskthefer experiment maskthefer_fer2013 --pause-after 11 --snapshot          # its baseline at epoch 11

    Datasets and runs are reused: an identical build is not redone, a finished run is only evaluated, and an
    interrupted run is resumed. The measured numbers, with the commit, the command, backend, precision and
    epochs, are written to results/NAME.json (a schedule cut short is marked partial); the README's results
    table is made from those files by scripts/results_table.py.
    """
    from ..experiments import (
        describe,
        format_comparison,
        list_experiments,
        load_experiment,
        run_experiment,
    )

    if list_only or not name:
        names = list_experiments(directory)
        if not names:
            raise click.ClickException("no experiment files found; pass --dir")
        for entry in names:
            click.echo(f"{entry:<32} {load_experiment(entry, directory).title}")
        return
    if show:
        click.echo(describe(name, directory, runs_dir, limit, epochs))
        return
    result = run_experiment(
        name, directory=directory, datasets_dir=datasets_dir, runs_dir=runs_dir, limit=limit, epochs=epochs,
        progress=not quiet, verbose=0 if quiet else 1, results=results_dir, command=shlex.join(["maskthefer", *sys.argv[1:]]),
        record_partial=record_partial, upstream_as_is=upstream_as_is, pause_after=pause_after, snapshot=snapshot,
    )
    click.echo(format_comparison(result))

"""Options that several commands share, defined once so their names, defaults and help stay in step."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import click


class FiniteFloat(click.FloatRange):
    """A float option in a range that must also be a real number: click's FloatRange lets `nan` through
    every bound and `inf` through a missing one, and an infinite learning rate trains on NaN."""

    name = "finite float"

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


SEED = click.IntRange(0, 2**32 - 1)  # what numpy's and the frameworks' generators accept


def run_option(purpose: str) -> Callable:
    return click.option(
        "--run", "run_dir", type=click.Path(path_type=Path),
        help=f"Run directory to {purpose} [the run under runs/ that trained last].",
    )


def resolve_run(run_dir: Path | None) -> Path:
    """`--run`, or the latest run under runs/ (said on stderr, so a script sees which one it got)."""
    if run_dir is not None:
        return run_dir
    from ..workspace import latest_run

    run_dir = latest_run()
    click.echo(f"--run not given: using the latest run, {run_dir}", err=True)
    return run_dir


data_option = click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), default=None,
    help="Built dataset [default: the dataset the run trained on].",
)
split_option = click.option("--split", default="test", show_default=True, help="Split of the dataset.")
which_model_option = click.option(
    "--model", "which", type=click.Choice(["best", "last"]), default="best", show_default=True,
    help="The run's best (validation accuracy) or last model.",
)
images_option = click.option(
    "--images", "images_dir", type=click.Path(path_type=Path), default=None,
    help="Use a folder of labelled photos <label>/<image> (any size) instead of a dataset split.",
)
add_mask_option = click.option(
    "--add-mask", is_flag=True, help="With --images: draw a synthetic mask on each face before cropping."
)
seed_option = click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the synthetic mask styles.")


def out_option(default_text: str) -> Callable:
    return click.option(
        "--out", "out_dir", type=click.Path(path_type=Path), default=None, help=f"Output folder [default: {default_text}]."
    )


def require_images_for_add_mask(add_mask: bool, images_dir: Path | None) -> None:
    if add_mask and images_dir is None:
        raise click.UsageError("--add-mask applies to --images only (dataset splits are masked already)")

"""`maskthefer evaluate`: a thin command over `maskthefer.evaluation.evaluate_run` / `evaluate_images`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("evaluate")
@click.option("--run", "run_dir", required=True, type=click.Path(path_type=Path), help="Run directory to evaluate.")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Built dataset to evaluate on [default: the dataset the run trained on].",
)
@click.option("--split", default="test", show_default=True, help="Split of the dataset.")
@click.option("--model", "which", type=click.Choice(["best", "last"]), default="best", show_default=True)
@click.option("--confusion", is_flag=True, help="Write confusion matrices (CSV + heat-map PNG) and print them.")
@click.option(
    "--unmasked/--no-unmasked",
    default=None,
    help="Also evaluate the unmasked crops of the same faces and tabulate the impact of the mask "
    "[default: whenever the records carry unmasked crops].",
)
@click.option(
    "--images",
    "images_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Evaluate on a folder of labelled photos <label>/<image> instead of a dataset split.",
)
@click.option("--add-mask", is_flag=True, help="With --images: draw a synthetic mask on each face before cropping.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the synthetic mask styles (--add-mask).")
@click.option("--batch-size", type=int, default=256, show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder [default: RUN/evaluation/<split> or RUN/evaluation/images-<folder>].",
)
def evaluate(run_dir, data_dir, split, which, confusion, unmasked, images_dir, add_mask, seed, batch_size, out_dir):
    """Accuracy, per-class accuracy (Table V layout), macro F1, classification report and confusion matrix.

    \b
    Examples:
      maskthefer evaluate --run runs/demo --confusion
      maskthefer evaluate --run runs/demo --images my_photos/ --add-mask
    """
    from ..evaluation import evaluate_images, evaluate_run

    if add_mask and images_dir is None:
        raise click.UsageError("--add-mask applies to --images only (dataset splits are masked already)")
    if images_dir is not None:
        if unmasked is not None:
            raise click.UsageError("--unmasked/--no-unmasked apply to dataset splits; with --images use --add-mask")
        report = evaluate_images(
            run_dir,
            images_dir,
            data_dir=data_dir,
            add_mask=add_mask,
            seed=seed,
            which=which,
            confusion=confusion,
            out_dir=out_dir,
            batch_size=batch_size,
        )
    else:
        report = evaluate_run(
            run_dir,
            data_dir,
            split=split,
            which=which,
            confusion=confusion,
            unmasked="auto" if unmasked is None else unmasked,
            out_dir=out_dir,
            batch_size=batch_size,
        )
    click.echo(report.summary_text())

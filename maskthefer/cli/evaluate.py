"""`maskthefer evaluate`: a thin command over `maskthefer.evaluation.evaluate_run` / `evaluate_images`."""

from __future__ import annotations

import click

from .options import (
    add_mask_option,
    data_option,
    images_option,
    out_option,
    require_images_for_add_mask,
    resolve_run,
    run_option,
    seed_option,
    which_model_option,
)


@click.command("evaluate")
@run_option("evaluate")
@data_option
@click.option(
    "--split", default="test", show_default=True,
    help="A stored split (test, train), or validation: the faces the run held out of train for validation.",
)
@which_model_option
@click.option("--confusion", is_flag=True, help="Write confusion matrices (CSV + heat-map PNG) and print them.")
@click.option(
    "--unmasked/--no-unmasked",
    default=None,
    help="Also evaluate the unmasked crops of the same faces and tabulate the impact of the mask "
    "[default: whenever the records carry unmasked crops].",
)
@images_option
@add_mask_option
@seed_option
@click.option(
    "--tta", type=click.Choice(["none", "flip", "flip-shift"]), default="none", show_default=True,
    help="Test-time augmentation: flip averages each crop's probabilities with its mirror image's; flip-shift "
    "also with both moved 2 pixels up, down, left and right (10 views).",
)
@click.option("--batch-size", type=click.IntRange(1, 65536), default=256, show_default=True)
@out_option("RUN/evaluation/<split> or RUN/evaluation/images-<folder>")
def evaluate(run_dir, data_dir, split, which, confusion, unmasked, images_dir, add_mask, seed, tta, batch_size,
             out_dir):
    """Accuracy, per-class accuracy (Table V layout), macro F1, classification report and confusion matrix.

    \b
    Examples:
      maskthefer evaluate --run runs/demo --confusion
      maskthefer evaluate --run runs/demo --split validation --tta flip   # choose settings here, not on test
      maskthefer evaluate --run runs/demo --images my_photos/ --add-mask
    """
    from ..evaluation import evaluate_images, evaluate_run

    require_images_for_add_mask(add_mask, images_dir)
    run_dir = resolve_run(run_dir)
    if images_dir is not None:
        if unmasked is not None:
            raise click.UsageError("--unmasked/--no-unmasked apply to dataset splits; with --images use --add-mask")
        if tta != "none":
            raise click.UsageError("--tta applies to dataset splits, not to --images")
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
            tta=tta,
        )
    click.echo(report.summary_text())

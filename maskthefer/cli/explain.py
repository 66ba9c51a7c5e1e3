"""`maskthefer explain`: a thin command over `maskthefer.evaluation.explain_run`."""

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
    split_option,
    which_model_option,
)


@click.command("explain")
@run_option("explain")
@click.option(
    "--method",
    type=click.Choice(["gradcam", "saliency", "none"]),
    default="gradcam",
    show_default=True,
    help="Heat maps to draw (tf-keras-vis: needs TensorFlow); 'none' gives only the t-SNE and curves.",
)
@data_option
@split_option
@images_option
@add_mask_option
@click.option("--count", type=click.IntRange(1, 1024), default=16, show_default=True, help="Faces in each heat-map grid.")
@click.option("--tsne-samples", type=click.IntRange(0, 100_000), default=1000, show_default=True, help="Faces in the t-SNE plot (0: none).")
@click.option("--no-curves", is_flag=True, help="Skip the training curves.")
@which_model_option
@seed_option
@out_option("RUN/explain/...")
def explain(
    run_dir, method, data_dir, split, images_dir, add_mask, count, tsne_samples, no_curves, which, seed, out_dir
):
    """Grad-CAM or saliency grids with true/predicted labels, t-SNE of penultimate features, training curves.

    \b
    Examples:
      maskthefer explain --run runs/demo --method gradcam --count 16
      maskthefer explain --run runs/demo --method saliency --images my_photos/ --add-mask
    """
    from ..evaluation import explain_run

    require_images_for_add_mask(add_mask, images_dir)
    run_dir = resolve_run(run_dir)
    report = explain_run(
        run_dir,
        method=None if method == "none" else method,
        data_dir=data_dir,
        split=split,
        images_dir=images_dir,
        add_mask=add_mask,
        count=count,
        seed=seed,
        which=which,
        tsne_samples=tsne_samples,
        curves=not no_curves,
        out_dir=out_dir,
    )
    click.echo(report.summary_text())

"""`maskthefer explain`: a thin command over `maskthefer.evaluation.explain_run`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("explain")
@click.option("--run", "run_dir", required=True, type=click.Path(path_type=Path), help="Run directory to explain.")
@click.option(
    "--method",
    type=click.Choice(["gradcam", "saliency", "none"]),
    default="gradcam",
    show_default=True,
    help="Heat maps to draw (tf-keras-vis: needs TensorFlow); 'none' gives only the t-SNE and curves.",
)
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), default=None, help="Built dataset [default: the run's]."
)
@click.option("--split", default="test", show_default=True)
@click.option(
    "--images",
    "images_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Explain a folder of labelled photos <label>/<image> instead of a dataset split.",
)
@click.option("--add-mask", is_flag=True, help="With --images: draw a synthetic mask on each face first.")
@click.option("--count", type=int, default=16, show_default=True, help="Faces in each heat-map grid.")
@click.option("--tsne-samples", type=int, default=1000, show_default=True, help="Faces in the t-SNE plot (0: none).")
@click.option("--no-curves", is_flag=True, help="Skip the training curves.")
@click.option("--model", "which", type=click.Choice(["best", "last"]), default="best", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Output folder [default: RUN/explain/...]."
)
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

    if add_mask and images_dir is None:
        raise click.UsageError("--add-mask applies to --images only")
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

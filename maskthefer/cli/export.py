"""`maskthefer export`: a thin command over `maskthefer.inference.export_bundle`."""

from __future__ import annotations

from pathlib import Path

import click

from .options import FiniteFloat, resolve_run, which_model_option


@click.command("export")
@click.option("--run", "run_dir", type=click.Path(path_type=Path),
              help="Expression run to export [the run under runs/ that trained last].")
@click.option("--mask-run", type=click.Path(path_type=Path), default=None,
              help="Mask classifier run (`train --model masknet`) to ship alongside, so predict routes per face.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Bundle folder to write.")
@click.option("--format", "fmt", type=click.Choice(["keras", "saved_model", "tflite"]), default="keras",
              show_default=True, help="Model format: keras (any backend), saved_model or tflite (TensorFlow).")
@click.option("--detector", type=click.Choice(["hog", "cnn"]), default="hog", show_default=True,
              help="The face detector predict uses with this bundle (predict --detector overrides it).")
@click.option("--mask-threshold", type=FiniteFloat(0, 1), default=0.5, show_default=True,
              help="Masked probability from which a face counts as masked.")
@click.option("--overwrite", is_flag=True, help="Replace an existing bundle folder.")
@which_model_option
def export(run_dir, mask_run, out_dir, fmt, detector, mask_threshold, overwrite, which):
    """Write a self-contained bundle: models, class names, crop and detector settings, versions, test accuracy.

    \b
    Every exported model is checked against the run's .keras model on the run's test crops; the largest
    difference in any probability is stored in bundle.json (an export off by more than 1e-4 is an error).
    `maskthefer predict --run BUNDLE` and `Recognizer.load(BUNDLE)` read it.

    \b
    Examples:
      maskthefer export --run runs/vgg-lite-fer2013 --mask-run runs/masknet-fer2013 --out bundles/maskthefer
      maskthefer export --run runs/vgg-lite-fer2013 --out bundles/tflite --format tflite
    """
    from ..inference import export_bundle, read_bundle

    out = export_bundle(
        resolve_run(run_dir), out_dir, mask_run=mask_run, fmt=fmt, which=which, detector=detector,
        mask_threshold=mask_threshold, overwrite=overwrite,
    )
    document, _ = read_bundle(out)
    for role, model in document["models"].items():
        accuracy = model.get("test_accuracy")
        click.echo(
            f"{role}: {model['model']} -> {out / model['file']} (test accuracy "
            f"{'n/a' if accuracy is None else f'{accuracy:.4f}'}, max |p - p_keras| {model['max_abs_difference']:.1e})"
        )

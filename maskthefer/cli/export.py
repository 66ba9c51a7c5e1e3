"""`maskthefer export`: a thin command over `maskthefer.inference.export_bundle`."""

from __future__ import annotations

from pathlib import Path

import click

from ..data.detectors import DETECTORS
from .options import FiniteFloat, resolve_run, which_model_option


@click.command("export")
@click.option("--run", "run_dir", type=click.Path(path_type=Path),
              help="Expression run to export [the run under runs/ that trained last].")
@click.option("--mask-run", type=click.Path(path_type=Path), default=None,
              help="Mask classifier run (`train --model masknet`) to ship alongside, so predict routes per face.")
@click.option("--face-run", type=click.Path(path_type=Path), default=None,
              help="Full-face expression run (trained on `build-dataset --crop face` crops, experiment "
                   "fullface_fer2013) that takes the faces the mask classifier judges unmasked.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Bundle folder to write.")
@click.option("--format", "fmt", type=click.Choice(["keras", "saved_model", "tflite", "onnx"]), default="keras",
              show_default=True,
              help="Model format: keras (any backend), saved_model or tflite (TensorFlow), onnx (run by ONNX "
                   "Runtime, the fastest on a CPU; needs the [onnx] extra).")
@click.option("--quantize", type=click.Choice(["none", "int8"]), default="none", show_default=True,
              help="With --format onnx: int8 stores the dense layers' weights as int8, 1.7x faster for VGG-lite on "
                   "one core. Probabilities move: bundle.json records how far and how often the top label still "
                   "agrees, and more than 0.05 is refused.")
@click.option("--detector", type=click.Choice(DETECTORS), default="hog", show_default=True,
              help="The face detector predict uses with this bundle (predict --detector overrides it; see its "
                   "--help for the choices).")
@click.option("--detect-side", type=click.IntRange(min=32), default=None,
              help="Largest side of the frame the detector searches with this bundle (larger frames are shrunk "
                   "for it; predict --detect-side overrides it) [640; HOG itself searches at most 480]. HOG finds "
                   "faces from 80 px of the searched image: 400 finds faces from 128 px of a 640x480 frame in "
                   "60-80 % of the default's time (README).")
@click.option("--mask-threshold", type=FiniteFloat(0, 1), default=0.5, show_default=True,
              help="Masked probability from which a face counts as masked.")
@click.option("--overwrite", is_flag=True, help="Replace an existing bundle folder.")
@which_model_option
def export(run_dir, mask_run, face_run, out_dir, fmt, quantize, detector, detect_side, mask_threshold, overwrite,
           which):
    """Write a self-contained bundle: models, class names, crop and detector settings, versions, test accuracy.

    \b
    Every exported model is checked against the run's .keras model on the run's test crops; the largest
    difference in any probability is stored in bundle.json (an export off by more than 1e-4 is an error, 0.05
    with --quantize int8).
    `maskthefer predict --run BUNDLE` and `Recognizer.load(BUNDLE)` read it.

    \b
    Examples:
      maskthefer export --run runs/vgg-lite-fer2013 --mask-run runs/masknet-fer2013 --out bundles/maskthefer
      maskthefer export --run runs/vgg-lite-fer2013 --out bundles/tflite --format tflite
      maskthefer export --run runs/maskthefer_fer2013 --mask-run runs/masknet_fer2013 --face-run runs/fullface_fer2013 --out bundles/onnx --format onnx
    """
    from dataclasses import replace

    from ..data.detectors import default_settings
    from ..inference import export_bundle, read_bundle

    quantize = None if quantize == "none" else quantize
    if quantize and fmt != "onnx":
        raise click.BadParameter(f"--quantize {quantize} needs --format onnx", param_hint="--quantize")
    settings = default_settings(detector)
    if detect_side is not None:
        settings = replace(settings, max_side=detect_side)
    out = export_bundle(
        resolve_run(run_dir), out_dir, mask_run=mask_run, face_run=face_run, fmt=fmt, which=which, detector=settings,
        mask_threshold=mask_threshold, quantize=quantize, overwrite=overwrite,
    )
    document, _ = read_bundle(out)
    for role, model in document["models"].items():
        accuracy = model.get("test_accuracy")
        click.echo(
            f"{role}: {model['model']} -> {out / model['file']} (test accuracy "
            f"{'n/a' if accuracy is None else f'{accuracy:.4f}'}, max |p - p_keras| {model['max_abs_difference']:.1e})"
        )

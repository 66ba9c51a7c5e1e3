"""`maskthefer predict`: a thin command over `maskthefer.inference.Recognizer` and `predict_inputs`."""

from __future__ import annotations

from pathlib import Path

import click

from ..data.detectors import DETECTORS
from ..errors import MaskTheFERError
from .options import FiniteFloat, resolve_run, which_model_option


@click.command("predict")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--run", "run_dir", type=click.Path(path_type=Path),
    help="Run directory or exported bundle [the run under runs/ that trained last].",
)
@click.option(
    "--mask-run", type=click.Path(path_type=Path), default=None,
    help="A mask classifier run (`train --model masknet`) that decides masked or not per face [the bundle's, if any].",
)
@click.option(
    "--face-run", type=click.Path(path_type=Path), default=None,
    help="A full-face run (`build-dataset --crop face`) for the faces judged unmasked [the bundle's, if any].",
)
@click.option("--camera", type=click.IntRange(min=0), default=None, help="Also read camera N (0: the first); Ctrl-C stops it.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out/predict"), show_default=True,
              help="Folder for predictions.jsonl, predictions.csv and annotated/.")
@click.option("--csv", "with_csv", is_flag=True, help="Also write predictions.csv (one row per face).")
@click.option("--every", type=click.IntRange(min=1), default=1, show_default=True,
              help="Videos and camera: analyse every Nth frame (the annotated video keeps every frame).")
@click.option("--max-frames", type=click.IntRange(min=1), default=None,
              help="Stop each video or the camera after N frames.")
@click.option("--detector", type=click.Choice(DETECTORS), default=None,
              help="Face detector: hog (fast; five filters: frontal, turned and rotated faces), hog-frontal (the "
              "frontal filter alone: about 40 % less detection time, misses most turned faces) or cnn (dlib MMOD: "
              "finds more masked faces, over 100x slower on a CPU) [hog, or the bundle's].")
@click.option("--detect-side", type=click.IntRange(min=32), default=None,
              help="Largest side the detector searches; bigger frames are shrunk for detection only. HOG finds "
              "faces from ~80 px of the searched image and searches at most 480 px itself: the default (640, or "
              "the bundle's) finds faces from ~107 px of a 640x480 frame, 400 from 128 px in 60-80 % of the "
              "time, 320 from 160 px in about half (README, predict latency).")
@click.option("--mask-threshold", type=FiniteFloat(0, 1), default=None,
              help="Masked probability from which a face counts as masked [0.5, or the bundle's].")
@click.option("--no-annotate", is_flag=True, help="Write only the predictions, no annotated images or videos.")
@which_model_option
def predict(inputs, run_dir, mask_run, face_run, camera, out_dir, with_csv, every, max_frames, detector, detect_side,
            mask_threshold, no_annotate, which):
    """Find every face in photos, folders (recursive), videos or a camera, masked or not, and name its expression.

    \b
    Each face gets its box, the detector's score, the probability that it wears a mask (with --mask-run or a
    bundle that has a mask classifier), the route taken, the class probabilities and the top label. Masked
    faces take the eye-region model; unmasked ones take the full-face model when there is one (--face-run
    or the bundle's), else the eye-region model too. A summary line per file goes to stderr; unreadable
    files, videos cut short, a missing camera and pictures without a face are named and counted, and the
    exit status is non-zero only when nothing at all could be processed.

    \b
    Examples:
      maskthefer predict photo.jpg --run runs/vgg-lite-fer2013 --mask-run runs/masknet-fer2013
      maskthefer predict photos/ clip.mp4 --run bundles/maskthefer --every 5 --csv
      maskthefer predict --camera 0 --run bundles/maskthefer --max-frames 300
      maskthefer predict crowd.jpg --run runs/maskthefer_fer2013 --mask-run runs/masknet_fer2013 --face-run runs/fullface_fer2013
    """
    from ..inference import Recognizer, predict_inputs

    if not inputs and camera is None:
        raise click.UsageError("give at least one INPUT (image, folder or video) or --camera N")
    run_dir = resolve_run(run_dir)
    recognizer = Recognizer.load(
        run_dir, mask_run=mask_run, face_run=face_run, detector=detector, which=which, mask_threshold=mask_threshold,
        detect_max_side=detect_side,
    )
    summary = predict_inputs(
        recognizer,
        inputs,
        out_dir=out_dir,
        camera=camera,
        every=every,
        with_csv=with_csv,
        annotated=not no_annotate,
        max_frames=max_frames,
    )
    if summary.processed == 0:
        raise MaskTheFERError("nothing could be processed: " + summary.text())
    click.echo(summary.text(), err=True)

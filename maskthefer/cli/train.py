"""`maskthefer train`: train a registered model on a built dataset (thin layer over `maskthefer.training`)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import SEED, FiniteFloat

AUGMENT_CHOICES = ("layers", "idg", "none")  # same as maskthefer.training.AUGMENT_MODES, kept import-light
OPTIMIZER_CHOICES = ("sgd", "adamw", "adamax")  # maskthefer.training.OPTIMIZERS
SCHEDULE_CHOICES = ("plateau", "cosine", "onecycle")  # maskthefer.training.SCHEDULES
TRAINABLE_CHOICES = ("all", "last-conv", "head")  # maskthefer.training.config.TRAINABLE_SCHEMES
PARADIGM_CHOICES = ("standard", "cl", "kd")  # maskthefer.training.paradigms.PARADIGMS
CROP_CHOICES = ("masked", "unmasked")  # maskthefer.training.paradigms.TRAIN_CROPS


@click.command("train")
@click.option("--model", help="Registered model name [vgg-lite]; `maskthefer models` lists them.")
@click.option("--data", type=click.Path(path_type=Path),
              help="Dataset folder written by `maskthefer build-dataset` [datasets/fer2013, or the only dataset "
                   "built under datasets/].")
@click.option("--run-dir", type=click.Path(path_type=Path), help="Run directory [runs/<model>-<dataset folder>].")
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs [150]; with --resume, a larger value extends a run.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Batch size [64 FER2013 and folders, 16 CK+].")
@click.option("--optimizer", type=click.Choice(OPTIMIZER_CHOICES),
              help="sgd: the paper's SGD with Nesterov momentum; adamw: AdamW (decoupled --weight-decay); "
                   "adamax: Adamax, the FaceChannel authors' optimizer [sgd].")
@click.option("--lr", type=FiniteFloat(min=0, min_open=True),
              help="Initial (plateau) or peak (cosine, onecycle) learning rate [0.01 sgd, 0.001 adamw, 0.002 adamax].")
@click.option("--momentum", type=FiniteFloat(0, 1, max_open=True), help="SGD Nesterov momentum [0.9].")
@click.option("--weight-decay", type=FiniteFloat(min=0),
              help="Decoupled weight decay: each step w -= lr * wd * w [0 sgd, 0.01 adamw].")
@click.option("--schedule", type=click.Choice(SCHEDULE_CHOICES),
              help="plateau: the paper's ReduceLROnPlateau on val accuracy; cosine: from the peak to 0 over the "
                   "run (after --warmup-epochs); onecycle: Smith's one cycle (lr/25 -> lr -> lr/25 -> lr/2500) "
                   "[plateau].")
@click.option("--warmup-epochs", type=FiniteFloat(min=0),
              help="Cosine schedule: linear warm-up from 0 to --lr over this many epochs (fractions allowed) [0].")
@click.option("--label-smoothing", type=FiniteFloat(0, 1, max_open=True),
              help="Cross-entropy label smoothing in [0, 1) [0].")
@click.option("--legacy-decay/--no-legacy-decay", default=None,
              help="The paper code's Keras decay=1e-4: lr / (1 + 1e-4 * step) on top of the scheduled lr "
                   "[on with plateau, off with cosine and onecycle].")
@click.option("--patience", "plateau_patience", type=click.IntRange(min=1),
              help="ReduceLROnPlateau patience on validation accuracy [5 FER2013, 10 CK+].")
@click.option("--plateau-factor", type=FiniteFloat(0, 1, min_open=True, max_open=True), help="LR factor [0.75].")
@click.option("--min-lr", type=FiniteFloat(min=0), help="Plateau floor [1e-4].")
@click.option("--val-fraction", "validation_fraction", type=FiniteFloat(0, 1, min_open=True, max_open=True),
              help="Stratified validation hold-out of the train split [0.08 FER2013, 0.25 CK+].")
@click.option("--val-seed", "validation_seed", type=SEED, help="Seed of the hold-out [0 FER2013, 15 CK+].")
@click.option("--seed", type=SEED, help="Seed of weights, batch order, dropout and augmentation [0].")
@click.option("--augment", type=click.Choice(AUGMENT_CHOICES),
              help="Table II augmentation: layers (Keras preprocessing layers on the device), idg (the paper's "
                   "ImageDataGenerator, needs TensorFlow) or none [layers].")
@click.option("--input-shape", help="Model input H,W,C [the crop size, 1 channel]; H,W must match the crops.")
@click.option("--model-arg", "model_args", multiple=True, metavar="KEY=VALUE",
              help="Model constructor argument, repeatable; values are JSON when they parse "
                   "(--model-arg filters=[4,8,8,8] --model-arg dropout=0.5).")
@click.option("--mixed-precision", type=click.Choice(["auto", "bf16", "none"]),
              help="bf16: the mixed_bfloat16 policy (float32 weights, bf16 compute); none: float32; auto: bf16 on "
                   "a CPU with native bf16 under TensorFlow (2.2x faster there), float32 elsewhere [auto].")
@click.option("--attention-from", type=click.Path(path_type=Path),
              help="FECN: an MCN run whose attention generator is copied in and frozen.")
@click.option("--init-from", type=click.Path(path_type=Path),
              help="Start from another run's weights (a run folder: its best.keras; or a .keras file) of the same "
                   "model family; layers whose name or shape differ (another class count or input size) are "
                   "named on stderr and trained from scratch.")
@click.option("--trainable", type=click.Choice(TRAINABLE_CHOICES),
              help="Layers that train: all; last-conv (the last convolution and everything after it); head "
                   "(only the layers after the last convolution). Frozen batch norms stay in inference mode "
                   "[all].")
@click.option("--pairs", is_flag=True, default=None, help="Also train on each face's unmasked crop (same label).")
@click.option("--crops", type=click.Choice(CROP_CHOICES),
              help="Crops to train, validate and test on: masked, or unmasked (e.g. a teacher for --paradigm kd) "
                   "[masked].")
@click.option("--paradigm", type=click.Choice(PARADIGM_CHOICES),
              help="standard: cross-entropy on the crops; cl: MSD-E contrastive learning, both crops of a face "
                   "through one network, lambda*MSE(features) + alpha*(CE_unmasked + CE_masked); kd: MSD-E "
                   "distillation from a frozen --teacher [standard].")
@click.option("--cl-lambda", type=FiniteFloat(min=0), help="cl: weight of the feature MSE [0.2, MSD-E].")
@click.option("--cl-alpha", type=FiniteFloat(min=0, min_open=True), help="cl: weight of each cross-entropy [1.0].")
@click.option("--teacher", type=click.Path(path_type=Path),
              help="kd: a run trained on unmasked crops (train --crops unmasked); frozen, it sees the unmasked crop.")
@click.option("--kd-lambda", type=FiniteFloat(min=0), help="kd: weight of the teacher-student feature MSE [100].")
@click.option("--kd-p", type=FiniteFloat(0, 1),
              help="kd: probability that the student sees a face's masked crop, else its unmasked one [0.5].")
@click.option("--feature-layer", metavar="NAME",
              help="cl/kd: the layer whose outputs the MSE compares [the model's penultimate layer, 'features'].")
@click.option("--distill-from", type=click.Path(path_type=Path), metavar="RUN",
              help="Blend another run's predictions into the training labels: that run (e.g. a full-face model) "
                   "sees each training face's unmasked crop of its own dataset, faces matched by source id; "
                   "target = (1-w)*label + w*teacher softened by T. Standard paradigm only.")
@click.option("--distill-weight", type=FiniteFloat(0, 1, min_open=True),
              help="--distill-from: the teacher's share w of each target [0.5].")
@click.option("--distill-temperature", type=FiniteFloat(min=0, min_open=True),
              help="--distill-from: temperature T softening the teacher's probabilities [2].")
@click.option("--steps-per-epoch", type=click.IntRange(min=1), help="Cap on batches per epoch (quick runs).")
@click.option("--workers", type=click.IntRange(min=1), help="Threads preparing batches (for --augment idg) [1].")
@click.option("--devices", metavar="all|N",
              help="Data-parallel training over N local GPUs (or 'all'): --batch-size stays the global batch, "
                   "split evenly, and the learning rate is unchanged. JAX or TensorFlow backend [1].")
@click.option("--pause-after", type=click.IntRange(min=1), metavar="EPOCH",
              help="Stop after this epoch of the schedule, resumable with --resume; for schedules longer than a "
                   "working session (learning rates still follow all --epochs).")
@click.option("--resume", is_flag=True, help="Continue the run in --run-dir from its last finished epoch.")
@click.option("--overwrite", is_flag=True, help="Replace an existing run in --run-dir.")
@click.option("--progress", is_flag=True, help="Also show Keras' per-step progress bar.")
@click.option("--quiet", is_flag=True, help="No per-epoch lines.")
def train(**kw) -> None:
    """Train a model with the MaskTheFER recipe (SGD Nesterov, ReduceLROnPlateau, Table II augmentation),
    or a faster one (--schedule, --optimizer, --label-smoothing), from scratch or from another run's weights.

    \b
    Examples:
      maskthefer train --model vgg-lite --data datasets/fer2013 --run-dir runs/vgg-lite
      maskthefer train --data datasets/fer-small --epochs 5 --augment idg --run-dir runs/idg --overwrite
      maskthefer train --resume --run-dir runs/vgg-lite                 # after a crash or Ctrl-C
      maskthefer train --resume --pause-after 40 --run-dir runs/vgg-lite  # 40 of 150 epochs today
      KERAS_BACKEND=jax maskthefer train --devices all --run-dir runs/vgg-lite-4gpu   # every local GPU
      maskthefer train --model mcn --data datasets/fer2013 --run-dir runs/mcn
      maskthefer train --model fecn --data datasets/fer2013 --attention-from runs/mcn --run-dir runs/fecn
      maskthefer train --data datasets/ckplus --init-from runs/vgg-lite --trainable last-conv --run-dir runs/ft
      maskthefer train --schedule cosine --warmup-epochs 2 --label-smoothing 0.1 --epochs 30 --run-dir runs/fast
      maskthefer train --optimizer adamw --schedule onecycle --epochs 30 --run-dir runs/adamw
      maskthefer train --model resnet18 --paradigm cl --run-dir runs/cl              # MSD-E contrastive
      maskthefer train --model resnet18 --crops unmasked --run-dir runs/teacher
      maskthefer train --model resnet18 --paradigm kd --teacher runs/teacher --run-dir runs/kd
      maskthefer train --distill-from runs/fullface --pairs --run-dir runs/eyes-distilled   # full face teaches eyes

    Unset options take the paper's value for the dataset (FER2013 or CK+, from its manifest). The run
    directory receives config.json, history.csv, curves.png, best.keras, last.keras, checkpoint.keras,
    state.json and TensorBoard logs (TensorFlow backend).
    """
    if kw["resume"] and kw["overwrite"]:
        raise click.UsageError("--resume continues a run and --overwrite replaces it; pass one of them")
    if not kw["resume"] and kw["data"] is None:
        from ..workspace import default_dataset

        kw["data"] = default_dataset()
        click.echo(f"--data not given: using {kw['data']}", err=True)

    from ..training import TrainConfig, parse_model_args
    from ..training import train as run_training

    legacy_decay = kw.pop("legacy_decay")
    mixed = kw.pop("mixed_precision")
    progress, quiet = kw.pop("progress"), kw.pop("quiet")
    config = TrainConfig(
        **{key: value for key, value in kw.items() if key != "model_args"},
        model_args=parse_model_args(kw["model_args"]),
        legacy_decay=None if legacy_decay is None else (1e-4 if legacy_decay else 0.0),
        mixed_precision=mixed,
        verbose=0 if quiet else (2 if progress else 1),
    )
    run_training(config)

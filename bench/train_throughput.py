"""Training throughput: Table II augmentation with ImageDataGenerator (host) vs Keras layers (device).

    python bench/train_throughput.py [--data DATASET] [--steps 50] [--large-batch 1024] [--large-steps 20]
    KERAS_BACKEND=jax python bench/train_throughput.py --steps 5 --large-steps 2 --warmup 1   # quick, on a CPU

Trains VGG-lite (the paper's 36.9 M parameters; `--tiny` for the registry's tiny config) with the paper's
optimizer and prints images/second for `--augment idg` and `--augment layers` (and `none`, the ceiling) at
batch 64 in float32 and at a large batch with bf16 mixed precision, in one run. The first `--warmup` steps
(compilation) are not timed. With --data the crops of a built dataset are used, else random 48x96 pixels
(throughput does not depend on what the pixels show). The same script runs unchanged on a GPU machine.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict

import keras
import numpy as np

from maskthefer.models import create_model, model_spec
from maskthefer.training import Augmentation
from maskthefer.training.augment import image_data_generator
from maskthefer.training.backend import backend_name, dtype_policy
from maskthefer.training.data import Arrays, BatchSequence, IDGTransform
from maskthefer.training.model import build_training_model, compile_training_model

PAPER_OPTIMIZER = {"lr": 0.01, "momentum": 0.9, "nesterov": True, "legacy_decay": 1e-4}


class StepClock(keras.callbacks.Callback):
    """Wall time at the end of every step; reading the loss waits for the step to really finish."""

    def __init__(self):
        super().__init__()
        self.ends: list[float] = []

    def on_train_batch_end(self, batch, logs=None):
        float(keras.ops.convert_to_numpy((logs or {})["loss"]))
        self.ends.append(time.perf_counter())


def load_images(data: str | None, count: int) -> tuple[Arrays, str]:
    if data:
        from maskthefer.data.records import load_split

        split = load_split(data, "train")
        reps = -(-count // len(split))  # enough to fill the largest batches without Python-side repeats
        return Arrays(np.tile(split.images, (reps, 1, 1))[:count], np.tile(split.labels, reps)[:count]), data
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (count, 48, 96), dtype=np.uint8)
    return Arrays(images, rng.integers(0, 7, count)), "random 48x96 pixels"


def measure(arrays: Arrays, augment: str, batch: int, mixed: str | None, steps: int, warmup: int, args) -> float:
    keras.backend.clear_session()
    model_args = dict(model_spec("vgg-lite").tiny_config) if args.tiny else {}
    with dtype_policy(mixed):
        classifier = create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1), **model_args)
        model = build_training_model(
            classifier,
            input_dtype="float32" if augment == "idg" else "uint8",
            augmentation=asdict(Augmentation()) if augment == "layers" else None,
            seed=0,
        )
        compile_training_model(model, classifier, PAPER_OPTIMIZER, jit_compile="auto")
    transform = IDGTransform(image_data_generator(Augmentation()), seed=0) if augment == "idg" else None
    batches = BatchSequence(arrays, num_classes=7, batch_size=batch, repeat=True, seed=0, transform=transform,
                            workers=args.workers)
    clock = StepClock()
    model.fit(batches, epochs=1, steps_per_epoch=warmup + steps, callbacks=[clock], verbose=0, shuffle=False)
    seconds = clock.ends[-1] - clock.ends[warmup - 1]
    return steps * batch / seconds


def idg_host_rate(arrays: Arrays, batch: int = 64, batches: int = 20) -> float:
    """Images/second of ImageDataGenerator's per-sample transforms alone, in one thread: the most that
    `--augment idg` with one worker can feed any accelerator, however fast."""
    transform = IDGTransform(image_data_generator(Augmentation()), seed=0)
    start = time.perf_counter()
    for index in range(batches):
        transform(arrays.images[index * batch : (index + 1) * batch, ..., None], epoch=0, index=index)
    return batches * batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="a built dataset (default: random pixels)")
    parser.add_argument("--steps", type=int, default=50, help="timed steps at batch 64")
    parser.add_argument("--large-batch", type=int, default=1024)
    parser.add_argument("--large-steps", type=int, default=20, help="timed steps at the large batch (0: skip it)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (compilation)")
    parser.add_argument("--modes", default="idg,layers,none", help="comma-separated augment modes")
    parser.add_argument("--workers", type=int, default=1, help="threads preparing batches (idg)")
    parser.add_argument("--tiny", action="store_true", help="the registry's tiny VGG-lite instead of the full one")
    args = parser.parse_args()
    if args.warmup < 1:
        parser.error("--warmup must be at least 1 (the first step compiles)")

    largest = max(64, args.large_batch) * (max(args.steps, args.large_steps) + args.warmup)
    arrays, source = load_images(args.data, min(largest, 60_000))
    devices = _devices()
    print(f"backend {backend_name()} on {devices}; vgg-lite{' (tiny)' if args.tiny else ''}; data: {source}; "
          f"warm-up {args.warmup} steps")
    print(f"{'augment':<8} {'batch':>6} {'precision':<9} {'steps':>5} {'images/s':>10}")
    results: dict[tuple[str, int], float] = {}
    for batch, mixed, steps in ((64, None, args.steps), (args.large_batch, "bf16", args.large_steps)):
        if steps < 1:  # e.g. --large-steps 0: skip that batch size
            continue
        for augment in args.modes.split(","):
            rate = measure(arrays, augment, batch, mixed, steps, args.warmup, args)
            results[augment, batch] = rate
            print(f"{augment:<8} {batch:>6} {mixed or 'float32':<9} {steps:>5} {rate:>10.1f}", flush=True)
    if "idg" in args.modes.split(","):
        print(f"ImageDataGenerator transforms alone (host, 1 thread): {idg_host_rate(arrays):.0f} images/s")
    for batch in (64, args.large_batch):
        if ("idg", batch) in results and ("layers", batch) in results:
            print(f"layers / idg at batch {batch}: {results['layers', batch] / results['idg', batch]:.1f}x")


def _devices() -> str:
    if backend_name() == "jax":
        import jax

        return ", ".join(str(d) for d in jax.devices())
    if backend_name() == "torch":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return ", ".join(g.name for g in gpus) if gpus else "CPU"


if __name__ == "__main__":
    main()

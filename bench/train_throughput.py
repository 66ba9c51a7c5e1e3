"""Training throughput: float32 against the default precision, and the paper's augmentation against the layers.

    python bench/train_throughput.py                                   # batch 64 and 128, idg and layers
    python bench/train_throughput.py --batches 64,1024 --modes idg,layers,none   # e.g. on a GPU
    python bench/train_throughput.py --out results/measurements/train_throughput-xeon-amx.json   # and keep it
    KERAS_BACKEND=jax python bench/train_throughput.py --steps 5 --warmup 1

Trains VGG-lite (the paper's 36.9 M parameters; `--tiny` for the registry's tiny config) with the paper's
optimizer and prints images/second for each augmentation mode (`idg`: ImageDataGenerator on the host, the
paper's; `layers`: Keras layers in the train step; `none`: the ceiling) at each batch size, in three
configurations measured in one run:

    reference   float32 with Keras' own batch-norm and momentum ops (what `train` did before the fused kernels)
    float32     float32 with the fused kernels (`train --mixed-precision none`)
    default     what `train` uses by default here (`--mixed-precision auto`: bf16 on a CPU with native bf16)

The first `--warmup` steps (compilation) are not timed. With --data the crops of a built dataset are used,
else random 48x96 pixels (throughput does not depend on what the pixels show). On a busy machine run it
under `chrt -f 10` (root) or compare only the ratios, which are measured back to back.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import asdict

from maskthefer.quiet import quiet_tensorflow_startup

quiet_tensorflow_startup()  # before keras imports TensorFlow: its native start-up lines stay off stderr

import keras
import numpy as np

from maskthefer.models import create_model, model_spec, normalization
from maskthefer.training import Augmentation
from maskthefer.training.augment import image_data_generator
from maskthefer.training import optimizer as optimizer_module
from maskthefer.training.backend import backend_name, default_precision, dtype_policy
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


CONFIGS = ("reference", "float32", "default")


def configure(name: str) -> str | None:
    """Switch the fused kernels for configuration `name`; returns its mixed-precision setting."""
    fused = name != "reference"
    normalization.FUSED = optimizer_module.FUSED_UPDATE = fused
    return default_precision() if name == "default" else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="a built dataset (default: random pixels)")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per measurement")
    parser.add_argument("--batches", default="64,128", help="comma-separated batch sizes")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (compilation)")
    parser.add_argument("--modes", default="idg,layers", help="comma-separated augment modes (idg, layers, none)")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated, of {', '.join(CONFIGS)}")
    parser.add_argument("--workers", type=int, default=1, help="threads preparing batches (idg)")
    parser.add_argument("--tiny", action="store_true", help="the registry's tiny VGG-lite instead of the full one")
    parser.add_argument("--out", help="also write the figures, the machine and the commit to this JSON file")
    args = parser.parse_args()
    if args.warmup < 1 or args.steps < 1:
        parser.error("--warmup and --steps must be at least 1 (the first step compiles)")
    batches = [int(b) for b in args.batches.split(",")]
    configs = args.configs.split(",")
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown --configs {unknown}; choose from {', '.join(CONFIGS)}")

    arrays, source = load_images(args.data, min(max(batches) * (args.steps + args.warmup), 60_000))
    print(f"backend {backend_name()} on {_devices()}; vgg-lite{' (tiny)' if args.tiny else ''}; data: {source}; "
          f"default precision here: {default_precision() or 'float32'}; warm-up {args.warmup} steps")
    print(f"{'augment':<8} {'batch':>6} {'config':<10} {'precision':<9} {'steps':>5} {'images/s':>10}")
    results: dict[tuple[str, int, str], float] = {}
    for batch in batches:
        for augment in args.modes.split(","):
            for name in configs:
                mixed = configure(name)
                rate = measure(arrays, augment, batch, mixed, args.steps, args.warmup, args)
                results[augment, batch, name] = rate
                print(f"{augment:<8} {batch:>6} {name:<10} {mixed or 'float32':<9} {args.steps:>5} {rate:>10.1f}",
                      flush=True)
    configure("float32")
    host_rate = idg_host_rate(arrays) if "idg" in args.modes.split(",") else None
    if host_rate is not None:
        print(f"ImageDataGenerator transforms alone (host, 1 thread): {host_rate:.0f} images/s")
    ratios = {}
    for (augment, batch, name), rate in results.items():
        if name == "default":
            for base in ("float32", "reference"):
                if (augment, batch, base) in results:
                    ratio = ratios[f"default/{base}, {augment}, batch {batch}"] = rate / results[augment, batch, base]
                    print(f"default / {base} ({augment}, batch {batch}): {ratio:.2f}x")
    if args.out:
        write_figures(args, source, results, ratios, host_rate)


def write_figures(args, source: str, results: dict, ratios: dict, host_rate: float | None) -> None:
    """The printed figures as a small JSON file (results are data: the README quotes such files)."""
    from maskthefer.provenance import code_version, machine

    document = {
        "benchmark": "train_throughput",
        "command": shlex.join(["python", *sys.argv]),
        "code": code_version(),
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "backend": backend_name(),
        "default_precision": default_precision() or "float32",
        "model": "vgg-lite (tiny)" if args.tiny else "vgg-lite",
        "data": source,
        "steps": args.steps,
        "warmup": args.warmup,
        "images_per_second": [
            {"augment": augment, "batch": batch, "config": name, "images_per_second": round(rate, 1)}
            for (augment, batch, name), rate in results.items()
        ],
        "ratios": {key: round(value, 2) for key, value in ratios.items()},
        "idg_host_images_per_second": None if host_rate is None else round(host_rate),
    }
    with open(args.out, "w") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    print(f"written to {args.out}")


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

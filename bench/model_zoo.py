"""Parameters and CPU inference throughput of every registered model at its default configuration.

    python bench/model_zoo.py                      # all models, batch 32 of 48x96x1 crops
    python bench/model_zoo.py --models resnet18 vgg-lite --runs 10
    KERAS_BACKEND=jax python bench/model_zoo.py    # the same on JAX

Each model is built at the 48x96x1 crop shape with its default class count (7; 2 for the mask task), warmed up
(the first calls trace and compile), then `predict_on_batch` is timed `--runs` times on one fixed batch; the
figure is batch size / median time. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from maskthefer.models import CROP_SHAPE, list_models
from maskthefer.models.catalog import build_default, format_params


def throughput(model, batch: np.ndarray, warmup: int, runs: int) -> tuple[float, float]:
    """(images per second from the median run, median seconds per batch)."""
    for _ in range(warmup):
        model.predict_on_batch(batch)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model.predict_on_batch(batch)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return len(batch) / median, median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=None, help="model names (default: every registered model)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    names = args.models or list_models()
    batch = np.random.default_rng(0).random((args.batch, *CROP_SHAPE), dtype=np.float32)
    print(
        f"backend {keras.backend.backend()} | {platform.processor() or platform.machine()} | {os.cpu_count()} CPUs"
        f" | load average {os.getloadavg()[0]:.2f} | batch {args.batch} of {'x'.join(map(str, CROP_SHAPE))}"
        f" | median of {args.runs} runs after {args.warmup} warm-up"
    )
    print(f"{'model':15s} {'params':>10s} {'images/s':>9s} {'ms/batch':>9s}")
    for name in names:
        model = build_default(name, input_shape=CROP_SHAPE)
        rate, seconds = throughput(model, batch, args.warmup, args.runs)
        print(f"{name:15s} {format_params(model.count_params()):>10s} {rate:9.1f} {seconds * 1000:9.1f}", flush=True)
        del model
        keras.backend.clear_session()  # free the compiled predict function and the weights before the next model
        gc.collect()


if __name__ == "__main__":
    main()

"""`train --devices all|N`: data-parallel training over the local accelerators with Keras' own APIs.

    with data_parallel(devices) as plan:     # around building, compiling, loading and fitting the model
        ...

Semantics (the same on every backend):
- `--batch-size` is the GLOBAL batch: each step splits it evenly over the N devices (64 on 2 GPUs: 32 each),
  gradients are averaged over the whole batch, and the learning rate is NOT rescaled. A run on N devices
  therefore follows the same recipe as on one device; only the arithmetic order differs. To use the extra
  devices for a larger batch, raise `--batch-size` (and, if wanted, `--lr`) explicitly.
- The batch size must be a multiple of N, and so must every batch: the last, partial training batch of an
  epoch is trimmed to a multiple of N (at most N-1 faces of that epoch's shuffled order, a different few
  each epoch; the log says how many), and the last validation batch is padded with zero-weight rows
  (weighted so that val_loss and val_accuracy are exactly the means over the real faces; `BatchSequence`).
  JAX's sharding needs it; on TensorFlow, Keras' first-batch build MEAN-reduces the per-replica inputs
  (`_maybe_symbolic_build`), which fails on uneven shares.
- JAX (`keras.distribution.DataParallel`): the step is compiled once for the whole batch and XLA shards it,
  so batch-norm statistics, dropout and augmentation draws are those of the global batch; results match one
  device up to floating-point reduction order (tests/training/test_train_devices.py).
- TensorFlow (`tf.distribute.MirroredStrategy`): each replica runs the step on its share; batch-norm
  statistics and random augmentation/dropout draws are per replica, so results match one device
  statistically, not exactly.
- torch: not supported (Keras has no distribution API for it); `--devices` other than 1 is an error.

`--devices 1` (the default) and `--devices all` on a machine with one device train exactly as before.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import keras

from .backend import backend_name
from .config import TrainingError

log = logging.getLogger(__name__)

ALL = "all"


@dataclass(frozen=True)
class DevicePlan:
    """The devices a run trains on and what that asks of its batches."""

    devices: tuple[str, ...] = ()  # backend names, e.g. ("cuda:0", "cuda:1") on JAX, ("/device:GPU:0",) on TF
    strategy: str = "single"  # "single", "DataParallel" (JAX) or "MirroredStrategy" (TensorFlow)
    batch_multiple: int = 1  # every batch must hold a multiple of this many rows (the replicas)
    _scope: object = field(default=None, repr=False, compare=False)

    @property
    def replicas(self) -> int:
        return max(1, len(self.devices))

    def describe(self) -> str:
        if self.strategy == "single":
            return ""
        return f" over {self.replicas} devices ({self.strategy}: {', '.join(self.devices)})"


def parse_devices(value: str | int | None) -> int | str | None:
    """`"all"`, a positive count, or None (one device, the default)."""
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        count = value
    elif str(value).strip().lower() == ALL:
        return ALL
    else:
        try:
            count = int(str(value).strip())
        except ValueError:
            raise TrainingError(f"--devices {value!r} must be 'all' or a number of devices (e.g. 2)") from None
    if count is not None and count < 1:
        raise TrainingError(f"--devices {count} must be at least 1 (or 'all')")
    return count


def local_devices() -> list[str]:
    """The accelerators Keras would train on: GPUs/TPUs when there are any, else the CPU devices."""
    if backend_name() == "tensorflow":
        import tensorflow as tf

        logical = [d for d in tf.config.list_logical_devices() if d.device_type in ("GPU", "TPU")]
        return [d.name for d in logical or tf.config.list_logical_devices("CPU")]
    if backend_name() == "jax":
        return [str(d) for d in keras.distribution.list_devices()]
    import torch

    return [f"cuda:{i}" for i in range(torch.cuda.device_count())] or ["cpu"]


def plan_devices(requested: str | int | None) -> DevicePlan:
    """Which devices `requested` means here; errors name the devices that exist."""
    requested = parse_devices(requested)
    if requested is None or requested == 1:
        return DevicePlan()
    available = local_devices()
    count = len(available) if requested == ALL else int(requested)
    if count > len(available):
        raise TrainingError(
            f"--devices {count}: this machine has {len(available)} ({', '.join(available)}); "
            f"pass --devices {len(available)} or --devices all"
        )
    if count == 1:
        return DevicePlan()
    if backend_name() not in ("jax", "tensorflow"):
        raise TrainingError(
            f"--devices {requested} needs the JAX or TensorFlow backend (KERAS_BACKEND=jax): Keras has no "
            f"data-parallel API for {backend_name()}"
        )
    chosen = tuple(available[:count])
    if backend_name() == "jax":
        scope = keras.distribution.DataParallel(devices=keras.distribution.list_devices()[:count])
        return DevicePlan(chosen, "DataParallel", count, scope)
    import tensorflow as tf

    return DevicePlan(chosen, "MirroredStrategy", count, tf.distribute.MirroredStrategy(devices=list(chosen)))


_current = DevicePlan()


def current_plan() -> DevicePlan:
    """The plan of the `data_parallel` block being run (one device outside any)."""
    return _current


@contextlib.contextmanager
def data_parallel(requested: str | int | None) -> Iterator[DevicePlan]:
    """Make the planned distribution current: models built, loaded and fitted inside use all its devices."""
    global _current
    plan = plan_devices(requested)
    previous, _current = _current, plan
    try:
        if plan._scope is None:
            yield plan
        else:
            with plan._scope.scope():
                yield plan
    finally:
        _current = previous


def check_batch_size(batch_size: int) -> None:
    """The global batch must split evenly over the current plan's devices."""
    count = current_plan().replicas
    if batch_size % count:
        lower = batch_size - batch_size % count
        raise TrainingError(
            f"batch size {batch_size} does not split evenly over {count} devices: it is the global batch, "
            f"so pass a --batch-size that is a multiple of {count} (e.g. {lower or lower + count} or {lower + count})"
        )


def record() -> dict[str, object]:
    """config.json's "distribution": how the run spreads its batches."""
    plan = current_plan()
    return {"strategy": plan.strategy, "devices": list(plan.devices) or None, "replicas": plan.replicas}


def even_batch_notes(train_batches, val_batches) -> list[str]:
    """What evening the batches costs, for the training log (nothing when every batch splits evenly)."""
    replicas = current_plan().replicas
    notes = []
    if train_batches.trimmed_per_epoch:
        notes.append(
            f"{replicas} devices: each epoch's last batch leaves out {train_batches.trimmed_per_epoch} training "
            f"faces so that it splits evenly (a different few each epoch)"
        )
    if val_batches.padded:
        notes.append(
            f"{replicas} devices: {val_batches.padded} zero-weight rows pad the last validation batch "
            "(val_loss and val_accuracy count the real faces only)"
        )
    return notes

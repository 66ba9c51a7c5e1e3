"""Backend facts a run records and the few backend-dependent chores (seeding, precision, versions).

Nothing here imports TensorFlow unless TensorFlow is the Keras backend.
"""

from __future__ import annotations

import contextlib
import platform
import random
from collections.abc import Iterator

import keras
import numpy as np

from .. import __version__


def backend_name() -> str:
    return keras.backend.backend()


def versions() -> dict[str, str]:
    out = {
        "maskthefer": __version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    name = backend_name()
    if name in ("tensorflow", "jax", "torch"):
        module = __import__(name)  # already imported by Keras for its backend
        out[name] = module.__version__
    return out


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and the backend (weight initialisation, dropout, augmentation).

    `keras.utils.set_random_seed` also seeds TensorFlow whenever it is importable, which would import it on
    the JAX and torch backends; there, Keras' seed generators draw their initial seeds from Python's `random`,
    so seeding that (and torch) is enough.
    """
    if backend_name() == "tensorflow":
        keras.utils.set_random_seed(seed)
        return
    random.seed(seed)
    np.random.seed(seed)
    if backend_name() == "torch":
        import torch

        torch.manual_seed(seed)


def cpu_has_bf16() -> bool:
    """Whether this x86 CPU computes bf16 dot products natively (AVX512-BF16 or AMX-BF16; Linux flags)."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def default_precision() -> str | None:
    """What `--mixed-precision auto` means here: "bf16" on a CPU-only TensorFlow with native bf16, else float32.

    There the fused kernels make a bf16 VGG-lite step 2.2x as fast as float32 (bench/train_throughput.py).
    JAX and torch on the CPU gain far less (their batch norm is not fused), and on GPUs float32 stays the
    default because it is what the paper trained in; pass --mixed-precision bf16 to choose it there.
    """
    if backend_name() != "tensorflow" or not cpu_has_bf16():
        return None
    import tensorflow as tf

    return None if tf.config.list_physical_devices("GPU") else "bf16"


def concrete_precision(requested: str | None) -> str | None:
    """A resolved `mixed_precision` setting with "auto" replaced by what it means on this machine."""
    return default_precision() if requested == "auto" else requested


@contextlib.contextmanager
def dtype_policy(mixed_precision: str | None) -> Iterator[None]:
    """Build models under "mixed_bfloat16" (variables float32, compute bf16) when asked, then restore."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16" if mixed_precision == "bf16" else "float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)

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


@contextlib.contextmanager
def dtype_policy(mixed_precision: str | None) -> Iterator[None]:
    """Build models under "mixed_bfloat16" (variables float32, compute bf16) when asked, then restore."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16" if mixed_precision == "bf16" else "float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)

"""Plain helpers and paths shared by the tests (fixtures live in conftest.py).

Tests import these with `from support import ...`; importing a module named `conftest` is fragile once
sub-folders have conftest files of their own.
"""

from __future__ import annotations

import gzip
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MASKTHEFER_SHARED_DATA", REPO.parent / "shared" / "data"))
FER_CSV = SHARED_DATA / "fer2013" / "fer2013.csv.gz"
CKPLUS48 = SHARED_DATA / "ckplus" / "CK+48"


@dataclass
class JaxZooRun:
    """The zoo's JAX subprocess (tests/models/test_zoo_common.py) and the folder it writes its report to."""

    process: subprocess.Popen
    work: Path


# Where tests/conftest.py leaves the JAX subprocess it started early, for the `jax_report` fixture.
JAX_ZOO_RUN = pytest.StashKey[JaxZooRun]()


def read_fer_rows(n: int, start: int = 0) -> list[tuple[int, np.ndarray, str]]:
    """The first `n` rows (after `start`) of the real FER2013 CSV as (emotion code, 48x48 uint8, usage)."""
    rows = []
    with gzip.open(FER_CSV, "rt") as handle:
        next(handle)  # header
        for i, line in enumerate(handle):
            if i < start:
                continue
            if len(rows) == n:
                break
            emotion, pixels, usage = line.rstrip("\n").split(",")
            rows.append((int(emotion), np.array(pixels.split(), np.uint8).reshape(48, 48), usage))
    return rows


def build_small(out_dir: Path, source: str = "fer2013", input_path: Path | None = None, **options) -> dict:
    """Build a dataset slice with the real pipeline (quietly); returns the manifest."""
    from maskthefer.data.build import BuildOptions, build_dataset

    options.setdefault("workers", 2)
    options.setdefault("preview_count", 8)
    return build_dataset(
        BuildOptions(
            source=source,
            input_path=input_path or (FER_CSV if source == "fer2013" else CKPLUS48),
            out_dir=out_dir,
            progress=False,
            **options,
        )
    )

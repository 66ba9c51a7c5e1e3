"""Shared fixtures: real data from ../shared/data, read in place and never copied into the repository."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MASKTHEFER_SHARED_DATA", REPO.parent / "shared" / "data"))
FER_CSV = SHARED_DATA / "fer2013" / "fer2013.csv.gz"
CKPLUS48 = SHARED_DATA / "ckplus" / "CK+48"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not FER_CSV.is_file() or not CKPLUS48.is_dir():
        pytest.fail(f"the real datasets are expected in {SHARED_DATA} (set MASKTHEFER_SHARED_DATA to move it)")
    return SHARED_DATA


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


@pytest.fixture(scope="session")
def fer_faces(shared_data) -> list[tuple[int, np.ndarray, str]]:
    """200 real FER2013 rows."""
    return read_fer_rows(200)


@pytest.fixture(scope="session")
def face_analyzer():
    from maskthefer.data.faces import FaceAnalyzer

    return FaceAnalyzer()


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


@pytest.fixture(scope="session")
def fer_dataset(shared_data, tmp_path_factory) -> Path:
    """A dataset built by the real pipeline from the first 400 FER2013 rows (about 300 masked crops)."""
    out = tmp_path_factory.mktemp("fer_dataset")
    build_small(out, limit=400)
    return out

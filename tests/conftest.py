"""Shared fixtures: real data from ../shared/data, read in place and never copied into the repository."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from support import CKPLUS48, FER_CSV, JAX_ZOO_RUN, SHARED_DATA, build_small, read_fer_rows


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not FER_CSV.is_file() or not CKPLUS48.is_dir():
        pytest.fail(f"the real datasets are expected in {SHARED_DATA} (set MASKTHEFER_SHARED_DATA to move it)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fer_faces(shared_data) -> list[tuple[int, np.ndarray, str]]:
    """200 real FER2013 rows."""
    return read_fer_rows(200)


@pytest.fixture(scope="session")
def face_analyzer():
    from maskthefer.data.faces import FaceAnalyzer

    return FaceAnalyzer()


@pytest.fixture(scope="session")
def fer_dataset(shared_data, tmp_path_factory) -> Path:
    """A dataset built by the real pipeline from the first 400 FER2013 rows (about 270 masked crops)."""
    out = tmp_path_factory.mktemp("fer_dataset")
    build_small(out, limit=400)
    return out


def pytest_collection_modifyitems(config, items):
    """Start the zoo's JAX subprocess now when a selected test reads its report (see `start_jax_zoo`)."""
    if not FER_CSV.is_file() or config.option.collectonly:
        return  # `shared_data` reports missing data when a test asks for it; --collect-only runs nothing
    for item in items:
        if "jax_report" in getattr(item, "fixturenames", ()):
            work = Path(tempfile.mkdtemp(prefix="maskthefer-jax-zoo-"))
            config.stash[JAX_ZOO_RUN] = item.module.start_jax_zoo(work)
            return


def pytest_unconfigure(config):
    """A JAX subprocess still running (a run stopped early, -x) is stopped; its folder goes either way."""
    run = config.stash.get(JAX_ZOO_RUN, None)
    if run is not None:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
        shutil.rmtree(run.work, ignore_errors=True)

"""Fixtures for the training tests: tiny model settings, a dataset with another crop size, subprocess runs.

The training data is the shared `fer_dataset` (real FER2013 faces through the real masking pipeline).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, build_small  # tests/support.py (tests/ is on sys.path)

# VGG-lite's registry tiny config, as --model-arg values.
TINY_VGG = {"filters": [4, 8, 8, 8], "dense_units": [16, 16]}


@pytest.fixture(scope="session")
def crop24_dataset(shared_data, tmp_path_factory) -> Path:
    """A small dataset built by the real pipeline with 24x48 crops instead of 48x96."""
    from maskthefer.data.crop import CropSettings
    from maskthefer.data.pipeline import PipelineSettings

    out = tmp_path_factory.mktemp("crop24_dataset")
    # workers=1 builds in this process: forking worker processes from a process that has already loaded
    # TensorFlow (other tests here have) can deadlock the children.
    build_small(out, limit=40, workers=1, pipeline=PipelineSettings(crop=CropSettings(height=24, width=48)))
    return out


def run_python(code: str, *, backend: str, timeout: float = 300, block_tensorflow: bool = True):
    """Run `code` in a fresh interpreter on a Keras backend, with TensorFlow made unimportable by default."""
    prelude = "import sys\n"
    if block_tensorflow:
        prelude += "sys.modules['tensorflow'] = None  # a machine without TensorFlow\n"
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )

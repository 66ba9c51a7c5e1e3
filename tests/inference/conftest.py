"""Fixtures for `predict` / `export`: tiny expression, mask-classifier and full-face runs trained for real, and
photo-sized scenes of real CK+48 faces (enlarged, several per image, some masked by the package's own masker)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from support import CKPLUS48, build_small

from maskthefer.data.scenes import compose_scene


def _train_tiny(data: Path, model: str, run_dir: Path) -> Path:
    from maskthefer.models import model_spec
    from maskthefer.training import TrainConfig, train

    config = TrainConfig(
        data=data, model=model, model_args=dict(model_spec(model).tiny_config), epochs=2, batch_size=32,
        run_dir=run_dir, verbose=0,
    )
    return train(config).path


@pytest.fixture(scope="session")
def expression_run(fer_dataset, tmp_path_factory) -> Path:
    """Tiny VGG-lite trained on the session's real masked FER2013 slice. Tests must not modify it."""
    return _train_tiny(fer_dataset, "vgg-lite", tmp_path_factory.mktemp("runs") / "expression")


@pytest.fixture(scope="session")
def mask_run(fer_dataset, tmp_path_factory) -> Path:
    """Tiny MaskNet trained on the same slice's masked/unmasked crop pairs."""
    return _train_tiny(fer_dataset, "masknet", tmp_path_factory.mktemp("runs") / "mask")


@pytest.fixture(scope="session")
def face_run(shared_data, tmp_path_factory) -> Path:
    """Tiny VGG-lite trained on unmasked 48x48 face crops (`--crop face --no-masks`) of 300 FER2013 rows."""
    from maskthefer.data.crop import CropSettings
    from maskthefer.data.pipeline import PipelineSettings

    data = tmp_path_factory.mktemp("face_dataset")
    build_small(data, limit=300, pipeline=PipelineSettings(crop=CropSettings(48, 48, mode="face"), masks=False))
    return _train_tiny(data, "vgg-lite", tmp_path_factory.mktemp("runs") / "face")


@pytest.fixture(scope="session")
def ckplus_faces(shared_data) -> list[np.ndarray]:
    """Twelve real CK+48 peak frames of different sequences and emotions."""
    files = sorted(CKPLUS48.glob("*/*_00000*.png"))[::17][:12]
    assert len(files) == 12
    return [cv2.imread(str(f), cv2.IMREAD_GRAYSCALE) for f in files]


@pytest.fixture(scope="session")
def scenes(ckplus_faces, face_analyzer):
    """Four 640x480 scenes: one unmasked face, one masked face, three faces (two masked), two unmasked faces."""
    rng = np.random.default_rng(7)
    layout = [[False], [True], [True, False, True], [False, False]]
    out, k = [], 0
    for masked in layout:
        faces = ckplus_faces[k : k + len(masked)]
        k += len(masked)
        out.append(compose_scene(faces, masked=masked, rng=rng, analyzer=face_analyzer, mask_types=["surgical"]))
    return out

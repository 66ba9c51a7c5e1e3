"""The same training on JAX and torch in processes where TensorFlow cannot be imported."""

from __future__ import annotations

import importlib.util
import json

import pytest

from maskthefer.runs import RunDir
from maskthefer.training.curves import read_history

from .conftest import TINY_VGG, run_python

TRAIN_AND_REPORT = """
from maskthefer.training import TrainConfig, train
config = dict(data={data!r}, run_dir={run!r}, model_args={args!r}, verbose=0, **{extra!r})
train(TrainConfig(epochs=1, **config))
train(TrainConfig(run_dir={run!r}, epochs=2, resume=True, verbose=0))
import json, keras
from maskthefer.training import TrainingError
try:  # ImageDataGenerator is TensorFlow's: --augment idg must say so
    train(TrainConfig(data={data!r}, run_dir={run!r} + '-idg', augment='idg', verbose=0))
    idg = 'trained'
except TrainingError as exc:
    idg = str(exc)
loaded = [name for name, module in sys.modules.items() if name.split('.')[0] == 'tensorflow' and module is not None]
print('REPORT', json.dumps({{'tensorflow_modules': loaded, 'backend': keras.backend.backend(), 'idg': idg}}))
"""


def train_in_subprocess(backend: str, data, run, **extra) -> dict:
    code = TRAIN_AND_REPORT.format(data=str(data), run=str(run), args=TINY_VGG, extra=extra)
    result = run_python(code, backend=backend, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    line = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")][-1]
    return json.loads(line[len("REPORT "):])


def check_run(run: RunDir, backend: str) -> None:
    config = run.read_config()
    assert config["backend"] == backend and backend in config["versions"] and "tensorflow" not in config["versions"]
    assert [row["epoch"] for row in read_history(run.history_path)] == [1, 2]
    state = run.read_state()
    assert state["epochs_done"] == 2 and state["test_accuracy"] is not None
    assert run.best_model_path.is_file() and run.checkpoint_path.is_file() and not run.tensorboard_dir.exists()


@pytest.mark.slow
def test_jax_trains_and_resumes_without_tensorflow(fer_dataset, tmp_path):
    """Default augmentation (Keras layers inside the jit-compiled step), then a resume."""
    report = train_in_subprocess("jax", fer_dataset, tmp_path / "run", steps_per_epoch=2)
    assert report["tensorflow_modules"] == [] and report["backend"] == "jax"
    assert "--augment idg needs TensorFlow" in report["idg"] and not (tmp_path / "run-idg").exists()
    check_run(RunDir(tmp_path / "run"), "jax")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_torch_trains_and_resumes_without_tensorflow(fer_dataset, tmp_path):
    # Keras' torch affine_transform loops over images in Python, so on-device augmentation is slow on
    # torch; this test checks the training loop itself.
    report = train_in_subprocess("torch", fer_dataset, tmp_path / "run", steps_per_epoch=2, augment="none")
    assert report["tensorflow_modules"] == [] and report["backend"] == "torch"
    check_run(RunDir(tmp_path / "run"), "torch")

"""`train --devices`: data parallelism on two host devices reaches the loss of one device.

No GPU is needed: JAX gets two CPU devices from `XLA_FLAGS=--xla_force_host_platform_device_count=2`,
TensorFlow two logical CPU devices. Each check trains the same tiny VGG-lite on the real `fer_dataset`
once on one device and once on two, in one fresh interpreter, and compares the logged losses.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from maskthefer.training import TrainingError
from maskthefer.training.data import Arrays, BatchSequence
from maskthefer.training.distribute import check_batch_size, data_parallel, parse_devices

from .conftest import TINY_VGG, run_python

# lr 1e-3, 3 steps: long enough for several optimizer updates; these tiny models amplify floating-point
# rounding (a one-device run whose batch rows are merely reordered drifts by ~1e-2 after 5 steps at the
# paper's lr 0.01), so the comparison stays where rounding has not yet grown.
ONE_VS_TWO = """
import json
{setup}
from maskthefer.training import TrainConfig, train
from maskthefer.training.curves import read_history
from maskthefer.runs import RunDir
out = {{}}
for devices in (1, 2):
    run = {run!r} + f"-{{devices}}"
    train(TrainConfig(data={data!r}, run_dir=run, epochs=1, steps_per_epoch=3, lr=1e-3, devices=devices,
                      verbose=0, **{extra!r}))
    out[devices] = {{"history": read_history(RunDir(run).history_path)[0],
                    "distribution": RunDir(run).read_config()["distribution"]}}
from maskthefer.training import TrainingError
try:  # the global batch must split evenly, refused before the run folder is made
    train(TrainConfig(data={data!r}, run_dir={run!r} + "-odd", batch_size=63, devices=2, verbose=0))
    out["odd"] = "trained"
except TrainingError as exc:
    out["odd"] = str(exc)
print("REPORT", json.dumps(out))
"""

TWO_LOGICAL_CPUS = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
"""


def one_vs_two(backend: str, data, run, setup: str = "", **extra) -> dict:
    code = ONE_VS_TWO.format(setup=setup, data=str(data), run=str(run), extra=extra)
    result = run_python(code, backend=backend, timeout=400, block_tensorflow=backend != "tensorflow")
    assert result.returncode == 0, result.stderr[-3000:]
    line = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")][-1]
    return json.loads(line[len("REPORT "):])


def relative(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


@pytest.mark.slow
def test_jax_data_parallel_matches_one_device(fer_dataset, tmp_path, monkeypatch):
    """DataParallel compiles one step for the global batch: same loss as one device up to rounding."""
    monkeypatch.setenv("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
    report = one_vs_two("jax", fer_dataset, tmp_path / "run", model_args=TINY_VGG)  # default augmentation
    one, two = report["1"], report["2"]
    assert "batch size 63 does not split evenly over 2 devices" in report["odd"]
    assert not (tmp_path / "run-odd").exists()
    assert one["distribution"] == {"strategy": "single", "devices": None, "replicas": 1}
    assert two["distribution"]["strategy"] == "DataParallel" and len(two["distribution"]["devices"]) == 2
    # Measured: 2.26684 vs 2.26681 (loss), 1.94644 vs 1.94644 (val_loss; validation padded by one row).
    assert relative(two["history"]["loss"], one["history"]["loss"]) < 1e-3
    assert relative(two["history"]["val_loss"], one["history"]["val_loss"]) < 1e-3
    assert two["history"]["val_accuracy"] == pytest.approx(one["history"]["val_accuracy"], abs=1e-6)


@pytest.mark.slow
def test_tensorflow_mirrored_strategy_matches_one_device(fer_dataset, tmp_path):
    """MirroredStrategy normalises each replica's half batch on its own: close to, not equal to, one device.

    Without augmentation and dropout (whose draws are per replica) only the batch-norm statistics differ:
    measured loss 2.3838 vs 2.3349 (2 %) and val_loss 1.94156 vs 1.94136 after 3 steps.
    """
    args = {**TINY_VGG, "dropout": 0.0}
    report = one_vs_two("tensorflow", fer_dataset, tmp_path / "run", setup=TWO_LOGICAL_CPUS, augment="none",
                        model_args=args)
    one, two = report["1"], report["2"]
    assert "does not split evenly over 2 devices" in report["odd"]
    assert two["distribution"]["strategy"] == "MirroredStrategy" and two["distribution"]["replicas"] == 2
    assert relative(two["history"]["loss"], one["history"]["loss"]) < 0.05
    assert relative(two["history"]["val_loss"], one["history"]["val_loss"]) < 1e-3


def test_devices_values():
    assert parse_devices(None) is None and parse_devices("all") == "all" and parse_devices(" ALL ") == "all"
    assert parse_devices("2") == 2 and parse_devices(3) == 3
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(TrainingError, match="--devices"):
            parse_devices(bad)


def test_more_devices_than_the_machine_has_is_a_clear_error():
    with pytest.raises(TrainingError, match=r"--devices 64: this machine has \d+ \("):
        with data_parallel(64):
            pass


def test_one_device_needs_no_even_batches():
    with data_parallel(1) as plan:
        assert plan.replicas == 1 and plan.describe() == ""
        check_batch_size(37)  # any batch splits over one device


def test_even_batches_trim_training_and_pad_validation_exactly():
    rng = np.random.default_rng(0)
    arrays = Arrays(rng.integers(0, 256, (21, 4, 8), dtype=np.uint8), rng.integers(0, 3, 21))
    train = BatchSequence(arrays, num_classes=3, batch_size=8, repeat=True, seed=0, batch_multiple=4)
    assert train.batches_per_epoch == 3 and train.trimmed_per_epoch == 1  # 8 + 8 + 5 -> 8 + 8 + 4
    sizes = [len(train[i][0]) for i in range(3)]
    assert sizes == [8, 8, 4] and len(train[0]) == 2  # (x, y): no weights while training

    # 21 = 8 + 8 + 5 -> the last batch padded to 8 with 3 zero-weight rows
    val = BatchSequence(arrays, num_classes=3, batch_size=8, repeat=False, batch_multiple=4)
    batches = [val[i] for i in range(len(val))]
    assert val.padded == 3 and [len(b[0]) for b in batches] == [8, 8, 8]
    weights = np.concatenate([b[2] for b in batches])
    assert (weights[-3:] == 0).all() and weights.sum() == pytest.approx(24.0)
    # Keras' val_loss: per batch sum(w * loss) / rows, batches weighted by rows -> sum(w * loss) / all rows.
    per_face = rng.random(24)
    keras_mean = (weights * per_face).sum() / 24
    assert keras_mean == pytest.approx(per_face[:21].mean())
    # A batch of the same shape everywhere, the real rows in their stored order.
    assert np.array_equal(np.concatenate([b[0] for b in batches])[:21, ..., 0], arrays.images)


def test_too_few_images_for_an_even_batch_is_a_clear_error():
    arrays = Arrays(np.zeros((3, 4, 8), np.uint8), np.zeros(3, np.int64))
    with pytest.raises(TrainingError, match="cannot fill one batch that splits over 4 devices"):
        BatchSequence(arrays, num_classes=2, batch_size=8, repeat=True, batch_multiple=4)

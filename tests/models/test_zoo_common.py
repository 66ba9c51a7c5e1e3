"""The contract every registered model keeps (maskthefer.models.base), checked on its tiny config.

Parametrised over `list_models()`, so a family added to the registry is covered without touching this file:
it builds for the 48x96x1 crops, outputs probabilities, survives a `.keras` round trip, learns (one SGD step
lowers the loss of a fixed batch), and builds, predicts and learns on the JAX backend with TensorFlow absent.

The fixed batch is real: eight FER2013 faces, their upper half (brows and eyes) resized to 48x96 like the
masked eye-region crops, with their real labels.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import keras
import numpy as np
import pytest
from click.testing import CliRunner
from support import JAX_ZOO_RUN, JaxZooRun, read_fer_rows

from maskthefer.cli import main as cli_main
from maskthefer.labels import EMOTIONS, FER2013_CODES
from maskthefer.models import (
    CROP_SHAPE,
    PREDICTIONS,
    create_model,
    list_models,
    model_spec,
)
from maskthefer.models.catalog import default_num_classes, describe_model

REPO = Path(__file__).resolve().parents[2]
BATCH = 8


def eye_region_batch(fer_faces, num_classes: int, n: int = BATCH) -> tuple[np.ndarray, np.ndarray]:
    """(n, 48, 96, 1) float32 images in [0, 1] and their labels (FER emotions, or alternating for 2 classes)."""
    images, labels = [], []
    for code, face, _ in fer_faces[:n]:
        crop = cv2.resize(face[:24], (CROP_SHAPE[1], CROP_SHAPE[0]), interpolation=cv2.INTER_LINEAR)
        images.append(crop.astype(np.float32)[..., None] / 255.0)
        emotion = EMOTIONS.index(FER2013_CODES[code])
        labels.append(emotion if num_classes == len(EMOTIONS) else len(labels) % num_classes)
    return np.stack(images), np.array(labels)


def tiny_model(name: str, seed: int = 0):
    """The model's tiny config with seeded weights, so every run checks the same network."""
    keras.utils.set_random_seed(seed)
    spec = model_spec(name)
    return create_model(name, num_classes=default_num_classes(name), input_shape=CROP_SHAPE, **spec.tiny_config)


def as_list(outputs) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def as_json(config: dict) -> dict:
    """A config as the `.keras` file stores it (tuples become lists)."""
    return json.loads(json.dumps(config))


def predictions_of(model, outputs) -> np.ndarray:
    return as_list(outputs)[model.output_names.index(PREDICTIONS)]


def training_targets(model, labels: np.ndarray):
    """A target per output of `output_losses()`: one-hot labels for the cross-entropy outputs (named losses or
    loss objects whose name says crossentropy) and for reported outputs without a loss (None), fixed values in
    (-1, 1) else. Single-output models take the array itself (Keras rejects a dict there).
    """
    rng = np.random.default_rng(1)
    targets = {}
    for name, loss in model.output_losses().items():
        width = model.get_layer(name).output.shape[-1]
        loss_name = loss if isinstance(loss, str) else getattr(loss, "name", "")
        if loss is None or "crossentropy" in loss_name:
            targets[name] = keras.utils.to_categorical(labels % width, width).astype("float32")
        else:
            targets[name] = rng.uniform(-0.9, 0.9, (len(labels), width)).astype("float32")
    return targets if len(targets) > 1 else next(iter(targets.values()))


def one_step_losses(model, images: np.ndarray, targets, learning_rate: float = 1e-4) -> tuple[float, float]:
    """The training loss of a fixed batch before and after one SGD step.

    Both numbers come from `train_on_batch` in training mode; the dropout seed state is restored between the
    two calls so both see the same dropout masks and the difference is the update alone. The gradient norm is
    clipped to 1: in tiny networks a conv followed by batch norm has a scale-free, very steep loss (gradient
    norms in the hundreds), and an unclipped step overshoots the descent it measures. For the same reason the
    step is 1e-4: at 1e-3 the loss of a tiny MobileNet (batch norm over 2x3 maps of 8 images) rose after the
    step for 1 initialisation in 16, while at 1e-4 every model and seed measured lowered it by at least 1e-4,
    a thousand times float32's resolution at these losses.
    """
    model.compile(optimizer=keras.optimizers.SGD(learning_rate, global_clipnorm=1.0), loss=model.output_losses())
    seeds = [v for v in model.variables if v.path.endswith("seed_generator_state")]
    saved = [keras.ops.convert_to_numpy(v) for v in seeds]
    before = model.train_on_batch(images, targets)
    for variable, value in zip(seeds, saved):
        variable.assign(value)
    after = model.train_on_batch(images, targets)
    return total_loss(before), total_loss(after)


def total_loss(result) -> float:
    """`train_on_batch` returns the summed loss alone, or first in a list when there are several outputs."""
    return float(result[0] if isinstance(result, (list, tuple)) else result)


@pytest.mark.parametrize("name", list_models())
def test_builds_for_crops_and_outputs_probabilities(name, fer_faces):
    model = tiny_model(name)
    classes = default_num_classes(name)
    images, _ = eye_region_batch(fer_faces, classes)
    probabilities = predictions_of(model, model(images, training=False))
    assert probabilities.shape == (BATCH, classes)
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    # The layers training and explanation rely on exist.
    assert model.get_layer(model.feature_layer_name).output.shape[0] is None
    assert model.last_conv_layer_name is not None and model.get_layer(model.last_conv_layer_name) is not None
    # get_config is exactly the constructor arguments: rebuilding from it gives the same architecture.
    rebuilt = type(model).from_config(model.get_config())
    assert rebuilt.count_params() == model.count_params()
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]


@pytest.mark.parametrize("name", list_models())
def test_keras_file_round_trip_gives_identical_outputs(name, fer_faces, tmp_path):
    model = tiny_model(name)
    images, _ = eye_region_batch(fer_faces, default_num_classes(name))
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert as_json(loaded.get_config()) == as_json(model.get_config())
    for expected, actual in zip(as_list(model(images, training=False)), as_list(loaded(images, training=False))):
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("name", list_models())
def test_one_training_step_lowers_the_loss(name, fer_faces):
    model = tiny_model(name)
    images, labels = eye_region_batch(fer_faces, default_num_classes(name))
    before, after = one_step_losses(model, images, training_targets(model, labels))
    assert np.isfinite(before) and after < before


WITH_PUBLISHED_COUNT = [name for name in list_models() if model_spec(name).published_params]


@pytest.mark.parametrize("name", WITH_PUBLISHED_COUNT)
def test_full_size_parameter_count_matches_the_published_figure(name):
    """Full size at the registered input with the default classes: within 2 % of the literature (built, not run)."""
    row = describe_model(name)
    assert abs(row.params_vs_published) <= 0.02, f"{name}: {row.params:,} vs published {row.published_params:,}"


def test_every_family_of_spec_section_2_is_registered():
    expected = {"vgg-lite", "vgg11", "vgg16", "vgg19", "mobilenet", "resnet18", "cbam-resnet50", "resmaskingnet"}
    assert expected <= set(list_models())
    assert {"vgg-lite", "resnet18", "cbam-resnet50", "resmaskingnet"} <= set(WITH_PUBLISHED_COUNT)


def test_models_command_lists_every_model_without_building():
    result = CliRunner().invoke(cli_main, ["models", "--no-count"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["name", "params", "published"]
    listed = [line.split()[0] for line in lines[2:]]
    assert listed == list_models()
    resmask = next(line for line in lines if line.startswith("resmaskingnet"))
    assert "138.00 M" in resmask and "48x96x1" in resmask and "Pham et al." in resmask


def test_models_command_shows_one_model_with_its_measured_count():
    result = CliRunner().invoke(cli_main, ["models", "--name", "resnet18", "--input-shape", "48,96,1"])
    assert result.exit_code == 0, result.output
    expected = create_model("resnet18").count_params()
    assert f"parameters: {expected:,}" in result.output
    assert "stage4_block2_out" in result.output  # the Grad-CAM layer, also listed in the summary


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["models", "--name", "no-such-net"], "unknown model 'no-such-net'"),
        (["models", "--input-shape", "48x96"], "--input-shape '48x96'"),
    ],
)
def test_models_command_reports_bad_input_in_one_line(arguments, message):
    result = CliRunner().invoke(cli_main, arguments)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------------------
# JAX backend with TensorFlow made unimportable: one subprocess runs every model, the tests read its report.

JAX_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    sys.modules["tensorflow"] = None  # any `import tensorflow` now raises ImportError
    os.environ["KERAS_BACKEND"] = "jax"
    import numpy as np
    import keras
    sys.path[:0] = [sys.argv[3], os.path.dirname(sys.argv[3])]  # tests/models and tests/ (support.py)
    from test_zoo_common import one_step_losses, predictions_of, tiny_model, training_targets
    from maskthefer.models import list_models
    from maskthefer.models.catalog import default_num_classes

    data = np.load(sys.argv[1])
    report = {"backend": keras.backend.backend(), "models": {}}
    for name in list_models():
        try:
            model = tiny_model(name)
            classes = default_num_classes(name)
            images, labels = data["images"], data["labels"] % classes
            probabilities = predictions_of(model, model.predict_on_batch(images))  # the jitted inference path
            before, after = one_step_losses(model, images, training_targets(model, labels))
            report["models"][name] = {
                "shape": list(probabilities.shape), "sums": probabilities.sum(axis=1).tolist(),
                "loss_before": before, "loss_after": after,
            }
        except Exception as exc:  # reported per model so one failure does not hide the others
            report["models"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    loaded = [m for m, module in sys.modules.items() if m.split(".")[0] == "tensorflow" and module is not None]
    report["tensorflow_modules"] = sorted(loaded)
    with open(sys.argv[2], "w") as handle:
        json.dump(report, handle)
    """
)

def start_jax_zoo(work: Path) -> JaxZooRun:
    """Start the JAX subprocess over every model of the zoo, writing `work/report.json`; returns at once.

    tests/conftest.py calls this as soon as collection has picked a test that reads the report: compiling
    every tiny model under JAX takes minutes of mostly one core, and run beside the rest of the suite it
    costs CI far less than run in line when its tests come up.
    """
    work.mkdir(parents=True, exist_ok=True)
    images, labels = eye_region_batch(read_fer_rows(BATCH), len(EMOTIONS))
    np.savez(work / "batch.npz", images=images, labels=labels)
    script = work / "run_zoo_on_jax.py"
    script.write_text(JAX_SCRIPT)
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "2"}
    stderr = open(work / "stderr.txt", "w")  # a file, not a pipe: nobody reads a pipe while it runs
    process = subprocess.Popen(
        [sys.executable, str(script), str(work / "batch.npz"), str(work / "report.json"), str(Path(__file__).parent)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
    )
    stderr.close()
    return JaxZooRun(process, work)


@pytest.fixture(scope="module")
def jax_report(request, tmp_path_factory) -> dict:
    run = request.config.stash.get(JAX_ZOO_RUN, None) or start_jax_zoo(tmp_path_factory.mktemp("jax_zoo"))
    returncode = run.process.wait(timeout=900)
    assert returncode == 0, (run.work / "stderr.txt").read_text()[-4000:]
    return json.loads((run.work / "report.json").read_text())


def test_jax_run_never_imports_tensorflow(jax_report):
    assert jax_report["backend"] == "jax"
    assert jax_report["tensorflow_modules"] == []


@pytest.mark.parametrize("name", list_models())
def test_works_on_jax_without_tensorflow(name, jax_report):
    result = jax_report["models"][name]
    assert "error" not in result, result.get("error")
    assert result["shape"] == [BATCH, default_num_classes(name)]
    np.testing.assert_allclose(result["sums"], 1.0, atol=1e-5)
    assert np.isfinite(result["loss_before"]) and result["loss_after"] < result["loss_before"]

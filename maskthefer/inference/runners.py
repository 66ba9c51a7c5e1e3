"""One `predict(crops) -> probabilities` call over a model saved as .keras, a TF SavedModel, TFLite or ONNX.

Every runner takes uint8 gray crops (N, H, W) and returns float32 class probabilities (N, K), using the zoo's
input convention (`maskthefer.evaluation.loading.to_model_input`), so a bundle exported in any format gives
the same answers as the run it came from.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import warnings
from pathlib import Path

import numpy as np

from ..quiet import native_stderr_captured
from ..evaluation.loading import EvaluationError, classifier_model, to_model_input

FORMATS = ("keras", "saved_model", "tflite", "onnx")
FILE_NAMES = {
    "keras": "{role}.keras", "saved_model": "{role}_saved_model", "tflite": "{role}.tflite", "onnx": "{role}.onnx",
}
ONNX_PACKAGES = "onnxruntime (to run) and tf2onnx + onnx (to export): pip install 'maskthefer[onnx]'"


def usable_cpus() -> int:
    """The cores this process may run on (taskset / cgroup pinning included), for runtimes' thread pools."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class KerasRunner:
    """A Keras classifier (already reduced to its `predictions` output)."""

    def __init__(self, model):
        self.model = model
        self.input_shape = tuple(int(d) for d in model.inputs[0].shape[1:])
        self._call = _compiled_call(model, self.input_shape)

    @classmethod
    def load(cls, path: os.PathLike | str) -> KerasRunner:
        import keras

        import maskthefer.models  # noqa: F401  (registers the zoo's classes for deserialisation)

        try:
            model = keras.models.load_model(path, compile=False)
        except Exception as exc:  # Keras raises many types for unreadable archives; all mean "bad file"
            raise EvaluationError(f"cannot load {path}: {type(exc).__name__}: {exc}") from exc
        return cls(classifier_model(model))

    def predict(self, crops: np.ndarray) -> np.ndarray:
        if len(crops) == 0:
            return np.zeros((0, int(self.model.outputs[0].shape[-1])), np.float32)
        return np.asarray(self._call(to_model_input(crops, self.input_shape)), np.float32)


def _compiled_call(model, input_shape):
    """The model's inference pass as one compiled function of any batch size.

    On TensorFlow a function traced once for (None, H, W, C) skips what `predict_on_batch` adds per call
    (data adapter, a retrace per new batch size): 16.8 against 18.4 ms for VGG-lite on one face, one core; other backends use `predict_on_batch`, which
    runs their compiled predict step. Either way a call on one face is the model's arithmetic, not ~10 ms of
    eager dispatch per layer.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return model.predict_on_batch
    import tensorflow as tf

    # Traced once here for every batch size; calling the concrete function never retraces.
    spec = tf.TensorSpec((None, *input_shape), tf.float32)
    concrete = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    return lambda x: concrete(tf.constant(x)).numpy()


class SavedModelRunner:
    """A TensorFlow SavedModel written by `keras.Model.export` (its `serve` endpoint)."""

    def __init__(self, path: os.PathLike | str, input_shape: tuple[int, int, int]):
        import tensorflow as tf

        try:
            self._model = tf.saved_model.load(str(path))
        except Exception as exc:  # TF raises OSError, ValueError, NotFoundError... for a bad folder
            raise EvaluationError(f"cannot load the SavedModel {path}: {type(exc).__name__}: {exc}") from exc
        self._serve = self._model.serve
        self.input_shape = tuple(input_shape)

    def predict(self, crops: np.ndarray) -> np.ndarray:
        x = to_model_input(crops, self.input_shape)
        return np.asarray(self._serve(x), np.float32) if len(x) else np.zeros((0, 0), np.float32)


class TFLiteRunner:
    """A TFLite flatbuffer, run with TensorFlow's interpreter one crop at a time (its batch is fixed at 1)."""

    def __init__(self, path: os.PathLike | str, input_shape: tuple[int, int, int]):
        import tensorflow as tf

        try:
            # "tf.lite.Interpreter is deprecated" (still the one TensorFlow ships) and the native "Created
            # TensorFlow Lite XNNPACK delegate" line are start-up chatter, kept off stderr.
            with warnings.catch_warnings(), native_stderr_captured():
                warnings.simplefilter("ignore", UserWarning)
                self._interpreter = tf.lite.Interpreter(model_path=str(path), num_threads=1)
                self._interpreter.allocate_tensors()
        except Exception as exc:  # ValueError for a file that is not a flatbuffer
            raise EvaluationError(f"cannot load the TFLite model {path}: {type(exc).__name__}: {exc}") from exc
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self.input_shape = tuple(input_shape)

    def predict(self, crops: np.ndarray) -> np.ndarray:
        rows = []
        for x in to_model_input(crops, self.input_shape):
            self._interpreter.set_tensor(self._input, x[None])
            self._interpreter.invoke()
            rows.append(np.array(self._interpreter.get_tensor(self._output)[0], np.float32))
        return np.stack(rows) if rows else np.zeros((0, 0), np.float32)


class ONNXRunner:
    """An ONNX model run by ONNX Runtime on the CPU, with as many threads as this process has cores."""

    def __init__(self, path: os.PathLike | str, input_shape: tuple[int, int, int]):
        try:
            import onnxruntime as ort
        except ImportError:
            raise EvaluationError(f"{path} is an ONNX model and running it needs {ONNX_PACKAGES}") from None
        options = ort.SessionOptions()
        # ONNX Runtime sizes its pool by the machine's cores, not by the ones this process is pinned to.
        options.intra_op_num_threads = usable_cpus()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no start-up chatter on stderr
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own InvalidProtobuf, NoSuchFile, Fail...
            raise EvaluationError(f"cannot load the ONNX model {path}: {type(exc).__name__}: {exc}") from exc
        self._input = self._session.get_inputs()[0].name
        self.input_shape = tuple(input_shape)

    def predict(self, crops: np.ndarray) -> np.ndarray:
        x = to_model_input(crops, self.input_shape)
        return np.asarray(self._session.run(None, {self._input: x})[0], np.float32) if len(x) else np.zeros((0, 0), np.float32)


def load_runner(path: Path, fmt: str, input_shape: tuple[int, int, int]):
    """The runner for a bundle model file in format `fmt`."""
    if fmt == "keras":
        return KerasRunner.load(path)
    if fmt == "saved_model":
        return SavedModelRunner(path, input_shape)
    if fmt == "tflite":
        return TFLiteRunner(path, input_shape)
    if fmt == "onnx":
        return ONNXRunner(path, input_shape)
    raise EvaluationError(f"unknown model format {fmt!r}; bundles hold one of {', '.join(FORMATS)}")


QUANTIZATIONS = ("int8",)


def export_model(model, role: str, fmt: str, out_dir: Path, quantize: str | None = None) -> str:
    """Write the Keras classifier `model` as `fmt` into `out_dir`; returns the file name used.

    `quantize="int8"` (ONNX only) stores the dense layers' weights as int8 (ONNX Runtime's dynamic
    quantization; activations are quantized per call, convolutions stay float32).
    """
    if quantize is not None and (fmt != "onnx" or quantize not in QUANTIZATIONS):
        raise EvaluationError(f"quantization {quantize!r} is offered for --format onnx only, as one of {QUANTIZATIONS}")
    name = FILE_NAMES[fmt].format(role=role)
    target = out_dir / name
    if fmt == "keras":
        model.save(target)
    elif fmt == "saved_model":
        _require_tensorflow(fmt)
        model.export(str(target), format="tf_saved_model", verbose=False)
    elif fmt == "tflite":
        _require_tensorflow(fmt)
        import tensorflow as tf

        staging = out_dir / f".{role}_tflite_staging"
        model.export(str(staging), format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(staging))
        target.write_bytes(converter.convert())
        import shutil

        shutil.rmtree(staging)
    elif fmt == "onnx":
        _export_onnx(model, target)
        if quantize == "int8":
            _quantize_dense_int8(target)
    else:
        raise EvaluationError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return name


def _export_onnx(model, target: Path) -> None:
    """Keras' own ONNX export (tf2onnx under TensorFlow), float32, any batch size."""
    import keras

    missing = [name for name in ("tf2onnx", "onnx") if importlib.util.find_spec(name) is None]
    if missing:
        raise EvaluationError(f"--format onnx needs {ONNX_PACKAGES}; missing: {', '.join(missing)}")
    if model.dtype_policy.name != "float32":
        # ONNX Runtime has no bfloat16 convolutions on CPUs; zoo models load in float32, so this is a model
        # built some other way.
        raise EvaluationError(f"--format onnx exports float32 models; {model.name} computes in {model.dtype_policy.name}")
    signature = [keras.InputSpec(shape=(None, *(int(d) for d in model.inputs[0].shape[1:])), dtype="float32")]
    # tf2onnx logs every conversion step through absl and Python warnings; none of it is news to the user.
    with warnings.catch_warnings(), native_stderr_captured():
        warnings.simplefilter("ignore")
        logging.getLogger("tf2onnx").setLevel(logging.ERROR)
        model.export(str(target), format="onnx", verbose=False, input_signature=signature)


def _quantize_dense_int8(path: Path) -> None:
    """Dense (MatMul/Gemm) weights as int8, in place: VGG-lite's 4096-4096 head, 97 % of its weights, is read
    for every face, and at a quarter of the bytes one face takes 7.4 instead of 12.3 ms on one core."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    staging = path.with_name(path.stem + ".float32.onnx")
    path.replace(staging)
    root = logging.getLogger()  # the quantizer logs its progress through the root logger
    level = root.level
    try:
        with warnings.catch_warnings(), native_stderr_captured():
            warnings.simplefilter("ignore")
            root.setLevel(logging.ERROR)
            quantize_dynamic(staging, path, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
    finally:
        root.setLevel(level)
    staging.unlink()


def _require_tensorflow(fmt: str) -> None:
    import keras

    if keras.backend.backend() != "tensorflow":
        raise EvaluationError(f"--format {fmt} needs the TensorFlow backend (KERAS_BACKEND=tensorflow)")

"""One `predict(crops) -> probabilities` call over a model saved as .keras, a TF SavedModel or TFLite.

Every runner takes uint8 gray crops (N, H, W) and returns float32 class probabilities (N, K), using the zoo's
input convention (`maskthefer.evaluation.loading.to_model_input`), so a bundle exported in any format gives
the same answers as the run it came from.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from ..quiet import native_stderr_captured
from ..evaluation.loading import EvaluationError, classifier_model, to_model_input

FORMATS = ("keras", "saved_model", "tflite")
FILE_NAMES = {"keras": "{role}.keras", "saved_model": "{role}_saved_model", "tflite": "{role}.tflite"}


class KerasRunner:
    """A Keras classifier (already reduced to its `predictions` output)."""

    def __init__(self, model):
        self.model = model
        self.input_shape = tuple(int(d) for d in model.inputs[0].shape[1:])

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
        # predict_on_batch runs Keras' compiled predict function (tf.function / jax.jit): a call on one face is
        # then the model's arithmetic, not ~10 ms of eager dispatch per layer.
        return np.asarray(self.model.predict_on_batch(to_model_input(crops, self.input_shape)), np.float32)


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


def load_runner(path: Path, fmt: str, input_shape: tuple[int, int, int]):
    """The runner for a bundle model file in format `fmt`."""
    if fmt == "keras":
        return KerasRunner.load(path)
    if fmt == "saved_model":
        return SavedModelRunner(path, input_shape)
    if fmt == "tflite":
        return TFLiteRunner(path, input_shape)
    raise EvaluationError(f"unknown model format {fmt!r}; bundles hold one of {', '.join(FORMATS)}")


def export_model(model, role: str, fmt: str, out_dir: Path) -> str:
    """Write the Keras classifier `model` as `fmt` into `out_dir`; returns the file name used."""
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
    else:
        raise EvaluationError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return name


def _require_tensorflow(fmt: str) -> None:
    import keras

    if keras.backend.backend() != "tensorflow":
        raise EvaluationError(f"--format {fmt} needs the TensorFlow backend (KERAS_BACKEND=tensorflow)")

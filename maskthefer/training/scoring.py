"""The closing score of a run: the best model's accuracy on the test split (what state.json reports)."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from ..models import PREDICTIONS
from .data import TrainingData
from .model import output_names

INFERENCE_BATCH = 256  # inference only; larger batches are faster and give the same accuracy


def test_accuracy(model_path: Path, data: TrainingData) -> float:
    """Accuracy of the saved classifier at `model_path` on `data.test` (crops scaled as in training)."""
    model = keras.saving.load_model(model_path, compile=False)
    channels = int(model.inputs[0].shape[-1])
    names = output_names(model)
    correct = 0
    for start in range(0, len(data.test), INFERENCE_BATCH):
        x = data.test.images[start : start + INFERENCE_BATCH, ..., None].astype(np.float32) / 255.0
        if channels == 3:
            x = np.repeat(x, 3, axis=-1)
        out = model(x, training=False)
        if isinstance(out, dict):
            out = out[PREDICTIONS]
        elif isinstance(out, (list, tuple)):
            out = out[names.index(PREDICTIONS)]
        predicted = np.argmax(keras.ops.convert_to_numpy(out), axis=-1)
        correct += int((predicted == data.test.labels[start : start + INFERENCE_BATCH]).sum())
    return correct / len(data.test)

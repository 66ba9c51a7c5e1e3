"""The wrapper's input side: stacked crop pairs -> scaled (and augmented) -> one tensor per branch."""

from __future__ import annotations

from typing import Any

import keras
from keras import layers

from ..config import TrainingError
from ..model import PREPROCESSING_LAYER
from ..preprocessing import PixelPreprocessing
from .layers import PAIR_CHANNELS, SplitPair


def pair_inputs(
    height: int, width: int, *, input_dtype: str, augmentation: dict[str, Any] | None, seed: int | None
):
    """(pixels input (B, H, W, 2), first crop, unmasked crop), both scaled to [0, 1] and augmented alike."""
    pixels = keras.Input(shape=(height, width, PAIR_CHANNELS), dtype=input_dtype, name="pixels")
    x = PixelPreprocessing(augmentation, height, width, seed=seed, name=PREPROCESSING_LAYER)(pixels)
    first, unmasked = SplitPair(name="split_pair")(x)
    return pixels, first, unmasked


def to_channels(x, model, name: str):
    """Gray crops as `model` takes them: 1 channel, or the gray repeated over 3."""
    channels = int(model.inputs[0].shape[-1])
    if channels == 1:
        return x
    if channels == 3:
        return layers.Concatenate(axis=-1, dtype="float32", name=name)([x, x, x])
    raise TrainingError(f"model {model.name} takes {channels} input channels; gray crops feed 1 or 3")


def input_size(model) -> tuple[int, int]:
    height, width = (int(d) for d in model.inputs[0].shape[1:3])
    return height, width

"""Batches of stacked crop pairs; for distillation, the per-face draw of the crop the student sees."""

from __future__ import annotations

import numpy as np

from ..config import TrainingError
from ..data import BatchSequence

SELECTION_STREAM = 0x6B64  # separates the student-crop draws from the batch-order permutation of (seed, epoch)


def student_sees_masked(count: int, probability: float, *, seed: int, epoch: int, batch: int) -> np.ndarray:
    """(count,) bool: True where the student gets the masked crop; a function of (seed, epoch, batch) only."""
    rng = np.random.default_rng([seed, epoch, batch, SELECTION_STREAM])
    return rng.random(count) < probability


class PairBatches(BatchSequence):
    """`BatchSequence` over (N, H, W, 2) pairs (masked, unmasked); with `masked_probability` (distillation,
    training only), channel 0 of each face keeps its masked crop with that probability and otherwise
    becomes the unmasked crop, so the student's input is channel 0 and the teacher's channel 1.

    The draw is made after any host-side (ImageDataGenerator) transform, which moves both channels alike.
    """

    def __init__(self, arrays, *, masked_probability: float | None = None, **kwargs):
        if arrays.images.ndim != 4 or arrays.images.shape[-1] != 2:
            raise TrainingError(f"pair batches need (N, H, W, 2) stacked crops, not {arrays.images.shape}")
        super().__init__(arrays, **kwargs)
        if masked_probability is not None and not self.repeat:
            raise TrainingError("the student's crop is drawn for training batches only; validation sees masked")
        self.masked_probability = masked_probability

    def __getitem__(self, index: int):
        batch = super().__getitem__(index)
        if self.masked_probability is None or self.masked_probability >= 1:
            return batch
        x = batch[0]
        epoch, position = self.locate(int(index))
        swap = ~student_sees_masked(len(x), self.masked_probability, seed=self.seed, epoch=epoch, batch=position)
        x[swap, ..., 0] = x[swap, ..., 1]  # x is this batch's own copy (fancy indexing or the transform's output)
        return batch

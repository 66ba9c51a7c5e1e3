"""Training data: a built dataset split into train / validation / test arrays, and the batches fed to Keras.

Crops stay uint8 numpy arrays in memory; a batch is one fancy-indexing gather (no per-sample Python work)
and is scaled to [0, 1] on the device by the training model. Only `--augment idg` transforms samples on the
host, because that is what ImageDataGenerator does.

Tasks:
- "expression": the masked crops with their emotion labels (`pairs=True` adds every training face's
  unmasked crop with the same label; validation and test stay masked, the condition the paper measures;
  `crops="unmasked"` uses the unmasked crops instead, everywhere - a teacher for distillation;
  `stacked_pairs=True` keeps each face's two crops together, stacked on a channel axis as (N, H, W, 2) with
  the masked crop first, for the paradigms of `training.paradigms`);
- "mask" (MCN): every face contributes its masked crop (label 1, "masked") and its unmasked crop (label 0,
  "unmasked").

The validation hold-out is drawn per face before crops are expanded, so the two crops of one face never
straddle train and validation.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from ..data.records import SplitData, load_split, read_manifest
from ..data.splits import stratified_split
from ..labels import MASK_CLASSES as MASK_CLASS_NAMES
from .config import TrainingError


@dataclass
class Arrays:
    images: np.ndarray  # (N, H, W) uint8, or (N, H, W, 2): a face's masked and unmasked crop stacked
    labels: np.ndarray  # (N,) int64
    source_ids: list[str] | None = None  # the face each row comes from (a face's two crops share one)
    targets: np.ndarray | None = None  # (N, K) float32 soft targets (`--distill-from`); None: one-hot labels

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass
class TrainingData:
    train: Arrays
    validation: Arrays
    test: Arrays | None
    class_names: tuple[str, ...]
    crop_shape: tuple[int, int]

    def counts(self) -> dict[str, int]:
        out = {"train": len(self.train), "validation": len(self.validation)}
        if self.test is not None:
            out["test"] = len(self.test)
        return out


def _ids(split: SplitData) -> list[str] | None:
    return list(split.source_ids) or None


def _masked(split: SplitData) -> Arrays:
    return Arrays(split.images, split.labels, _ids(split))


def _unmasked(split: SplitData) -> Arrays:
    return Arrays(split.unmasked, split.labels, _ids(split))


def _stacked(split: SplitData) -> Arrays:
    return Arrays(np.stack([split.images, split.unmasked], axis=-1), split.labels, _ids(split))


def _both_crops(split: SplitData, labels: str) -> Arrays:
    """Masked and unmasked crops of every face; labels are the emotions or masked(1)/unmasked(0)."""
    images = np.concatenate([split.images, split.unmasked])
    if labels == "mask":
        y = np.concatenate([np.ones(len(split), np.int64), np.zeros(len(split), np.int64)])
    else:
        y = np.concatenate([split.labels, split.labels])
    ids = _ids(split)
    return Arrays(images, y, None if ids is None else ids + ids)


def prepare_data(
    data_dir: os.PathLike | str,
    manifest: dict[str, Any],
    *,
    task: str,
    validation_fraction: float,
    validation_seed: int,
    pairs: bool = False,
    test_split: str = "test",
    crops: str = "masked",
    stacked_pairs: bool = False,
) -> TrainingData:
    """Load the dataset's train (and test) split and hold out a stratified validation part of train."""
    unmasked = task == "mask" or pairs or stacked_pairs or crops == "unmasked"
    full = load_split(data_dir, "train", unmasked=unmasked)
    if len(full) < 2:
        raise TrainingError(f"{data_dir}: the train split has {len(full)} faces; training needs at least 2")
    is_val = stratified_split(full.labels, validation_fraction, validation_seed)
    if not is_val.any() or is_val.all():
        raise TrainingError(
            f"{data_dir}: a {validation_fraction:.0%} validation hold-out of {len(full)} faces leaves "
            "one side empty; use a larger dataset or another --val-fraction"
        )
    train_part = full.subset(np.flatnonzero(~is_val))
    val_part = full.subset(np.flatnonzero(is_val))
    test_part = None
    if test_split in manifest.get("splits", {}):
        test_part = load_split(data_dir, test_split, unmasked=task == "mask" or crops == "unmasked")

    if task == "mask":
        train, validation = _both_crops(train_part, "mask"), _both_crops(val_part, "mask")
        test = _both_crops(test_part, "mask") if test_part is not None else None
        class_names = MASK_CLASS_NAMES
    else:
        one_crop = _unmasked if crops == "unmasked" else _masked
        if stacked_pairs:
            train, validation = _stacked(train_part), _stacked(val_part)
        else:
            train = _both_crops(train_part, "expression") if pairs else one_crop(train_part)
            validation = one_crop(val_part)
        test = one_crop(test_part) if test_part is not None else None
        class_names = tuple(full.class_names)
    return TrainingData(train, validation, test, class_names, tuple(full.images.shape[1:3]))


def load_training_data(
    data_dir: os.PathLike | str, task: str, resolved: dict[str, Any], say: Callable[[str], None] = print
) -> TrainingData:
    """`prepare_data` with a run's resolved settings (hold-out, pairs, crops, paradigm, test split), and the
    teacher's soft targets on the training rows when the run distils from one (`--distill-from`)."""
    data = prepare_data(
        data_dir, read_manifest(data_dir), task=task, validation_fraction=resolved["validation_fraction"],
        validation_seed=resolved["validation_seed"], pairs=resolved["pairs"], test_split=resolved["test_split"],
        crops=resolved.get("crops", "masked"), stacked_pairs=resolved.get("paradigm", "standard") != "standard",
    )
    if resolved.get("distill_from"):
        from .soft_targets import attach_teacher_targets  # loads and runs a Keras model: only when asked

        data.train = attach_teacher_targets(data.train, data.class_names, resolved, say=say)
    return data


class IDGTransform:
    """Per-sample ImageDataGenerator transforms of a batch (host side, the paper's way)."""

    def __init__(self, generator, seed: int):
        self.generator = generator
        self.seed = seed

    def __call__(self, batch: np.ndarray, epoch: int, index: int) -> np.ndarray:
        x = batch.astype(np.float32)  # values stay 0..255; the training model rescales
        rng = np.random.default_rng([self.seed, epoch, index])
        for i in range(len(x)):
            # ImageDataGenerator draws from numpy's global generator; seeding it per sample keeps epochs
            # reproducible (with workers > 1 the draws of different batches may interleave).
            params = self.generator.get_random_transform(x.shape[1:], seed=int(rng.integers(2**31 - 1)))
            x[i] = self.generator.apply_transform(x[i], params)
        return x


class BatchSequence(keras.utils.PyDataset):
    """Batches of (uint8 images (B, H, W, 1), one-hot float32 targets, or the rows' soft `targets`).

    With `repeat` (training) the sequence is endless and batch i of the stream is batch i mod n of epoch
    `first_epoch + i // n`, whose order is a permutation drawn from (seed, epoch); `fit` cuts it into epochs
    with `steps_per_epoch = batches_per_epoch`. A batch therefore depends only on its position, never on
    when Keras' iterators start or prefetch, so a resumed run sees exactly the batches of an uninterrupted
    one. Without `repeat` (validation) it is one pass in the stored order.
    `targets` names the outputs that receive the labels (multi-output models); None gives the bare array.

    `batch_multiple` > 1 makes every batch a multiple of that many rows, as data parallelism over that many
    devices needs (see `distribute`): with `repeat`, the last batch of an epoch is trimmed
    (`trimmed_per_epoch` faces of that epoch's order, a different few each epoch); without, the last batch
    is padded with zero-weight rows (`padded` in all), and every batch carries sample weights.
    """

    def __init__(
        self,
        arrays: Arrays,
        *,
        num_classes: int,
        batch_size: int,
        repeat: bool,
        seed: int = 0,
        first_epoch: int = 0,
        targets: Sequence[str] | None = None,
        max_batches: int | None = None,
        transform: Callable[[np.ndarray, int, int], np.ndarray] | None = None,
        workers: int = 1,
        batch_multiple: int = 1,
    ):
        super().__init__(workers=workers, use_multiprocessing=False, max_queue_size=max(10, 2 * workers))
        if len(arrays) == 0:
            raise TrainingError("cannot build batches from an empty set of images")
        # A view: (N, H, W, 1); stacked crop pairs (N, H, W, 2) already have their channel axis.
        self.images = arrays.images if arrays.images.ndim == 4 else arrays.images[..., None]
        if arrays.targets is not None:  # a teacher's soft targets blended with the labels (`soft_targets`)
            self.row_targets = np.asarray(arrays.targets, np.float32)
        else:
            self.row_targets = np.eye(num_classes, dtype=np.float32)[arrays.labels]
        self.batch_size = int(batch_size)
        self.repeat = repeat
        self.seed = int(seed)
        self.first_epoch = int(first_epoch)
        self.targets = list(targets) if targets else None
        self.transform = transform
        self.batch_multiple = int(batch_multiple)
        self.batches_per_epoch = math.ceil(len(arrays) / self.batch_size)
        remainder = len(arrays) % self.batch_size
        self.trimmed_per_epoch = self.padded = 0
        if self.batch_multiple > 1 and remainder % self.batch_multiple:
            if repeat:
                self.trimmed_per_epoch = remainder % self.batch_multiple
                if remainder < self.batch_multiple:  # nothing left of the last batch
                    self.batches_per_epoch -= 1
            else:
                self.padded = self.batch_multiple - remainder % self.batch_multiple
        if self.batches_per_epoch < 1:
            raise TrainingError(
                f"{len(arrays)} images cannot fill one batch that splits over {self.batch_multiple} devices"
            )
        if max_batches is not None:
            self.batches_per_epoch = min(self.batches_per_epoch, int(max_batches))
        self._orders: dict[int, np.ndarray] = {}

    def epoch_order(self, epoch: int) -> np.ndarray:
        count = len(self.row_targets)
        if not self.repeat:
            return np.arange(count)
        order = self._orders.get(epoch)
        if order is None:
            order = np.random.default_rng([self.seed, epoch]).permutation(count)
            # Keep the newest few: with worker threads, batches of adjacent epochs are prepared together.
            self._orders = {e: o for e, o in self._orders.items() if e >= epoch - 2}
            self._orders[epoch] = order
        return order

    @property
    def num_batches(self) -> int | None:
        return None if self.repeat else self.batches_per_epoch

    def __len__(self) -> int:
        return self.batches_per_epoch

    def locate(self, index: int) -> tuple[int, int]:
        """(epoch, batch within the epoch) of stream position `index`."""
        if not self.repeat:
            return 0, index
        epoch, position = divmod(index, self.batches_per_epoch)
        return self.first_epoch + epoch, position

    def __getitem__(self, index: int):
        epoch, position = self.locate(int(index))
        rows = self.epoch_order(epoch)[position * self.batch_size : (position + 1) * self.batch_size]
        weights = None
        if self.batch_multiple > 1:
            rows, weights = self._even(rows)
        x = self.images[rows]
        if self.transform is not None:
            x = self.transform(x, epoch, position)
        y = self.row_targets[rows]
        y = y if self.targets is None else {name: y for name in self.targets}
        return (x, y) if weights is None else (x, y, weights)

    def _even(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Rows cut (training) or padded with zero-weight repeats (validation) to a multiple of batch_multiple."""
        extra = len(rows) % self.batch_multiple
        if self.repeat:
            return (rows[: len(rows) - extra] if extra else rows), None
        # Keras averages the loss over all rows of a batch, padding included, and weights batches by their
        # rows; a weight of (n + padded) / n on each of the n real faces makes val_loss, and val_accuracy (a
        # weighted mean), exactly the means over the real faces.
        count = len(self.row_targets)
        weights = np.full(len(rows), (count + self.padded) / count, np.float32)
        if extra:
            pad = self.batch_multiple - extra
            rows = np.concatenate([rows, np.resize(rows, pad)])
            weights = np.concatenate([weights, np.zeros(pad, np.float32)])
        return rows, weights

"""Training data: the stratified validation hold-out, the mask task's crops, and position-determined batches."""

from __future__ import annotations

import numpy as np

from maskthefer.data.records import load_split, read_manifest
from maskthefer.training.data import (
    MASK_CLASS_NAMES,
    Arrays,
    BatchSequence,
    prepare_data,
)


def test_validation_is_a_stratified_hold_out_of_train(fer_dataset):
    data = prepare_data(fer_dataset, read_manifest(fer_dataset), task="expression", validation_fraction=0.25,
                        validation_seed=15)
    full = load_split(fer_dataset, "train")
    assert len(data.train) + len(data.validation) == len(full)
    assert abs(len(data.validation) - 0.25 * len(full)) <= 7  # rounding per class
    for label in np.unique(full.labels):
        if (full.labels == label).sum() >= 4:  # classes with a few faces appear on both sides
            assert (data.validation.labels == label).any() and (data.train.labels == label).any()
    assert data.test is not None and len(data.test) == read_manifest(fer_dataset)["splits"]["test"]["records"]
    again = prepare_data(fer_dataset, read_manifest(fer_dataset), task="expression", validation_fraction=0.25,
                         validation_seed=15)
    np.testing.assert_array_equal(again.validation.images, data.validation.images)


def test_mask_task_uses_both_crops_of_every_face(fer_dataset):
    expression = prepare_data(fer_dataset, read_manifest(fer_dataset), task="expression", validation_fraction=0.1,
                              validation_seed=0)
    mask = prepare_data(fer_dataset, read_manifest(fer_dataset), task="mask", validation_fraction=0.1,
                        validation_seed=0)
    assert mask.class_names == MASK_CLASS_NAMES == ("unmasked", "masked")
    n = len(expression.train)
    assert len(mask.train) == 2 * n
    np.testing.assert_array_equal(mask.train.images[:n], expression.train.images)  # masked crops, label 1
    assert (mask.train.labels[:n] == 1).all() and (mask.train.labels[n:] == 0).all()
    assert not np.array_equal(mask.train.images[n:], mask.train.images[:n])  # real unmasked crops differ
    assert len(mask.validation) == 2 * len(expression.validation)


def test_pairs_add_unmasked_training_crops_only(fer_dataset):
    plain = prepare_data(fer_dataset, read_manifest(fer_dataset), task="expression", validation_fraction=0.1,
                         validation_seed=0)
    pairs = prepare_data(fer_dataset, read_manifest(fer_dataset), task="expression", validation_fraction=0.1,
                         validation_seed=0, pairs=True)
    assert len(pairs.train) == 2 * len(plain.train)
    np.testing.assert_array_equal(pairs.train.labels, np.concatenate([plain.train.labels, plain.train.labels]))
    assert len(pairs.validation) == len(plain.validation)


def small_arrays(n=10) -> Arrays:
    return Arrays(np.arange(n, dtype=np.uint8)[:, None, None].repeat(2, 1).repeat(3, 2), np.arange(n) % 3)


def test_each_epoch_is_a_fresh_permutation_of_all_images():
    batches = BatchSequence(small_arrays(), num_classes=3, batch_size=4, repeat=True, seed=1)
    assert batches.num_batches is None and batches.batches_per_epoch == 3
    epochs = []
    for epoch in range(2):
        seen = np.concatenate([batches[epoch * 3 + i][0][:, 0, 0, 0] for i in range(3)])
        assert sorted(seen) == list(range(10))
        epochs.append(seen)
    assert not np.array_equal(epochs[0], epochs[1])
    x, y = batches[0]
    assert x.shape == (4, 2, 3, 1) and x.dtype == np.uint8
    np.testing.assert_array_equal(y.argmax(1), x[:, 0, 0, 0] % 3)  # one-hot labels follow their images


def test_a_resumed_stream_repeats_the_uninterrupted_batches():
    """Batch i of a run resumed at epoch 2 equals batch 2n + i of a run that never stopped."""
    full = BatchSequence(small_arrays(), num_classes=3, batch_size=4, repeat=True, seed=7)
    resumed = BatchSequence(small_arrays(), num_classes=3, batch_size=4, repeat=True, seed=7, first_epoch=2)
    for i in range(5):
        np.testing.assert_array_equal(resumed[i][0], full[6 + i][0])


def test_multi_output_targets_and_validation_order():
    batches = BatchSequence(small_arrays(), num_classes=3, batch_size=4, repeat=False, targets=["predictions", "aux"])
    assert batches.num_batches == 3
    x, y = batches[2]
    np.testing.assert_array_equal(x[:, 0, 0, 0], [8, 9])  # the stored order, last batch partial
    assert set(y) == {"predictions", "aux"} and y["aux"].shape == (2, 3)

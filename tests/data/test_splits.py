from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from maskthefer.data.splits import SplitError, assign_splits


def test_stratified_split_keeps_class_proportions():
    labels = ["a"] * 200 + ["b"] * 40 + ["c"] * 7
    splits = assign_splits(labels, method="paper", dataset_kind="fer2013", seed=0)
    test = Counter(l for l, s in zip(labels, splits) if s == "test")
    assert test == {"a": 30, "b": 6, "c": 1}
    assert splits == assign_splits(labels, method="paper", dataset_kind="fer2013", seed=0)
    assert splits != assign_splits(labels, method="paper", dataset_kind="fer2013", seed=1)


def test_subject_grouped_split_never_shares_a_person():
    rng = np.random.default_rng(0)
    subjects = [f"S{rng.integers(0, 40):03d}" for _ in range(300)]
    labels = [["happy", "sad", "surprise"][i % 3] for i in range(300)]
    splits = assign_splits(labels, method="paper", dataset_kind="ckplus", seed=15, subjects=subjects)
    train = {s for s, sp in zip(subjects, splits) if sp == "train"}
    test = {s for s, sp in zip(subjects, splits) if sp == "test"}
    assert not train & test
    assert 0.2 < splits.count("test") / len(splits) < 0.45
    with pytest.raises(SplitError, match="subjects cannot be split"):
        assign_splits(["a", "b"], method="paper", dataset_kind="ckplus", seed=0, subjects=["S1", "S1"])


def test_usage_split_maps_fer2013_usage():
    splits = assign_splits(
        ["a", "b", "a"], method="usage", dataset_kind="fer2013", seed=0, usages=["Training", "PublicTest", "PrivateTest"]
    )
    assert splits == ["train", "test", "private_test"]
    with pytest.raises(SplitError, match="needs a Usage"):
        assign_splits(["a"], method="usage", dataset_kind="folder", seed=0, usages=[""])
    with pytest.raises(SplitError, match="test fraction"):
        assign_splits(["a", "a"], method="paper", dataset_kind="folder", seed=0, test_fraction=1.5)

"""Train/test assignment of the accepted faces.

- "paper": stratified by class, 85/15 for FER2013 and folders, 66.7/33.3 for CK+ (SPEC §1.1). When items
  carry a subject (CK+), all images of a person land on the same side (stratified group split), so a test
  face is never a frame of a training person.
- "usage": the source's own split (FER2013's Usage column / train|test folders): Training -> train,
  PublicTest -> test, PrivateTest -> private_test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import MaskTheFERError

SPLIT_METHODS = ("paper", "usage")
DEFAULT_TEST_FRACTION = {"fer2013": 0.15, "ckplus": 1.0 / 3.0, "folder": 0.15}
USAGE_TO_SPLIT = {"training": "train", "train": "train", "publictest": "test", "test": "test", "privatetest": "private_test"}


class SplitError(MaskTheFERError):
    pass


def stratified_split(labels: Sequence[str], test_fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of test items: `test_fraction` of every class (rounded), chosen with `seed`."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(labels), bool)
    for label in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        count = int(round(len(members) * test_fraction))
        if len(members) > 1:
            count = min(max(count, 1), len(members) - 1)  # both sides get every class that has two images
        is_test[members[:count]] = True
    return is_test


def grouped_stratified_split(labels: Sequence[str], groups: Sequence[str], test_fraction: float, seed: int) -> np.ndarray:
    """Like `stratified_split` but whole groups (subjects) move together; classes stay as balanced as groups allow."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = max(2, int(round(1.0 / test_fraction)))
    labels, groups = np.asarray(labels), np.asarray(groups)
    if len(set(groups.tolist())) < folds:
        raise SplitError(f"{len(set(groups.tolist()))} subjects cannot be split into {folds} subject-disjoint parts")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    _, test_index = next(splitter.split(np.zeros(len(labels)), labels, groups))
    is_test = np.zeros(len(labels), bool)
    is_test[test_index] = True
    return is_test


def assign_splits(
    labels: Sequence[str],
    *,
    method: str,
    dataset_kind: str,
    seed: int,
    usages: Sequence[str] = (),
    subjects: Sequence[str] = (),
    test_fraction: float | None = None,
) -> list[str]:
    """The split name of every item."""
    if method not in SPLIT_METHODS:
        raise SplitError(f"split method must be one of {SPLIT_METHODS}, not {method!r}")
    if not len(labels):
        return []
    if method == "usage":
        names = []
        for usage in usages:
            key = usage.replace(" ", "").lower()
            if key not in USAGE_TO_SPLIT:
                raise SplitError(f"--split usage needs a Usage for every image; got {usage!r}")
            names.append(USAGE_TO_SPLIT[key])
        return names
    fraction = DEFAULT_TEST_FRACTION[dataset_kind] if test_fraction is None else test_fraction
    if not 0.0 < fraction < 1.0:
        raise SplitError(f"test fraction must be between 0 and 1, not {fraction}")
    if subjects and all(subjects):
        is_test = grouped_stratified_split(labels, subjects, fraction, seed)
    else:
        is_test = stratified_split(labels, fraction, seed)
    return ["test" if t else "train" for t in is_test]

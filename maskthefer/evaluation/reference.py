"""The MaskTheFER paper's published numbers (SPEC §1.5), shown beside measured ones as a reference.

These are the paper's figures, not ours: reports label them "paper" and never mix them into measured metrics.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..labels import EMOTIONS

#: Table V, per-class accuracy of MaskTheFER on masked FER2013 (MaskedFER2023 test split).
PAPER_MASKED_PER_CLASS: dict[str, float] = dict(zip(EMOTIONS, (0.54, 0.68, 0.50, 0.76, 0.60, 0.43, 0.76)))

#: Table V, per-class accuracy of VGGNet on unmasked FER2013 (73.28 % overall), the paper's "no mask" baseline.
PAPER_UNMASKED_PER_CLASS: dict[str, float] = dict(zip(EMOTIONS, (0.66, 0.64, 0.57, 0.89, 0.71, 0.65, 0.85)))
PAPER_UNMASKED_OVERALL = 0.7328

#: Tables IV and VI, overall accuracy of MaskTheFER per dataset kind.
PAPER_MASKED_OVERALL: dict[str, float] = {"fer2013": 0.6189, "ckplus": 0.6356}

TABLE_V_SOURCE = "MaskTheFER paper, Table V (FER2013)"


def has_paper_reference(class_names: Sequence[str]) -> bool:
    """Table V covers exactly the seven basic emotions (in any order of the label set)."""
    return sorted(class_names) == sorted(EMOTIONS)


def paper_per_class(class_names: Sequence[str], table: dict[str, float]) -> list[float | None] | None:
    """The paper's figures in the order of `class_names`, or None when the label set is not the 7 emotions."""
    if not has_paper_reference(class_names):
        return None
    return [table[name] for name in class_names]


def paper_overall(dataset_kind: str | None) -> float | None:
    return PAPER_MASKED_OVERALL.get(dataset_kind or "")

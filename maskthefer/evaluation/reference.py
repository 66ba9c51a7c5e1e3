"""The MaskTheFER paper's published numbers (SPEC §1.5), shown beside measured ones as a reference.

These are the paper's figures, not ours: reports label them "paper" and never mix them into measured metrics.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import paper
from ..labels import EMOTIONS

# The paper's figures live in `maskthefer.paper`; these names are the ones the reports use.
PAPER_MASKED_PER_CLASS = paper.MASKED_FER2013_PER_CLASS
PAPER_UNMASKED_PER_CLASS = paper.UNMASKED_FER2013_PER_CLASS
PAPER_UNMASKED_OVERALL = paper.UNMASKED_FER2013_OVERALL
PAPER_MASKED_OVERALL = paper.MASKED_OVERALL
PAPER_CKPLUS_MASKED_PER_CLASS = paper.MASKED_CKPLUS_PER_CLASS

TABLE_V_SOURCE = "MaskTheFER paper, Table V (FER2013)"
CKPLUS_SOURCE = "MaskTheFER paper, text on Table VI (masked CK+: neutral, surprise and happy only)"

# (dataset kind, condition) -> the paper's per-class figures and where they come from. Photo folders are
# FER-like (models trained on FER2013 judge them), so they are compared with FER2013's table.
_PER_CLASS_TABLES: dict[tuple[str, str], tuple[dict[str, float], str]] = {
    ("fer2013", "masked"): (PAPER_MASKED_PER_CLASS, TABLE_V_SOURCE),
    ("fer2013", "unmasked"): (PAPER_UNMASKED_PER_CLASS, TABLE_V_SOURCE),
    ("folder", "masked"): (PAPER_MASKED_PER_CLASS, TABLE_V_SOURCE),
    ("folder", "unmasked"): (PAPER_UNMASKED_PER_CLASS, TABLE_V_SOURCE),
    ("ckplus", "masked"): (PAPER_CKPLUS_MASKED_PER_CLASS, CKPLUS_SOURCE),
}


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


def dataset_per_class(
    class_names: Sequence[str], dataset_kind: str | None, condition: str = "masked"
) -> list[float | None] | None:
    """The paper's per-class figures for `dataset_kind` under `condition` ("masked"/"unmasked"), in the order
    of `class_names` (None where the paper gives no figure), or None when the paper has nothing to compare.

    A CK+ run is compared with what the paper says of CK+, never with FER2013's Table V.
    """
    entry = _PER_CLASS_TABLES.get((dataset_kind or "", condition))
    if entry is None or not has_paper_reference(class_names):
        return None
    table, _ = entry
    return [table.get(name) for name in class_names]


def dataset_source(dataset_kind: str | None, condition: str = "masked") -> str | None:
    entry = _PER_CLASS_TABLES.get((dataset_kind or "", condition))
    return entry[1] if entry else None

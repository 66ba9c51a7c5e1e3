"""The MaskTheFER paper's published figures (SPEC §1.5), in one place.

Experiment files take their EXPECTED numbers from here and `evaluation.reference` shows them beside measured
ones, so a figure of the paper is typed once. Importing this module loads nothing heavier than the labels.
"""

from __future__ import annotations

from .labels import EMOTIONS

#: Table V, per-class accuracy of MaskTheFER on masked FER2013 (MaskedFER2023 test split).
MASKED_FER2013_PER_CLASS: dict[str, float] = dict(zip(EMOTIONS, (0.54, 0.68, 0.50, 0.76, 0.60, 0.43, 0.76)))

#: Table V, per-class accuracy of VGGNet on unmasked FER2013 (73.28 % overall), the paper's "no mask" baseline.
UNMASKED_FER2013_PER_CLASS: dict[str, float] = dict(zip(EMOTIONS, (0.66, 0.64, 0.57, 0.89, 0.71, 0.65, 0.85)))
UNMASKED_FER2013_OVERALL = 0.7328

#: Tables IV and VI, overall accuracy of MaskTheFER per dataset kind.
MASKED_OVERALL: dict[str, float] = {"fer2013": 0.6189, "ckplus": 0.6356}

#: The per-class figures the paper gives for masked CK+ (its text; it has no full CK+ table).
MASKED_CKPLUS_PER_CLASS: dict[str, float] = {"neutral": 1.0, "surprise": 0.89, "happy": 0.70}

#: Where experiment files say their expected numbers come from.
FER2013_SOURCE = "SPEC §1.5, Table IV (overall) and Table V (MaskTheFER, masked)"
CKPLUS_SOURCE = "SPEC §1.5, Table VI and text"

"""FaceChannel (Barros et al.) with shunting inhibition, the CCC metric/loss and the fine-tuning schemes."""

from .ccc import ConcordanceCorrelation, ConcordanceLoss, concordance_correlation
from .facechannel import (
    AROUSAL_VALENCE,
    FINE_TUNING_SCHEMES,
    FaceChannel,
    set_trainable,
)
from .shunting import ShuntingInhibition

__all__ = [
    "AROUSAL_VALENCE",
    "FINE_TUNING_SCHEMES",
    "ConcordanceCorrelation",
    "ConcordanceLoss",
    "FaceChannel",
    "ShuntingInhibition",
    "concordance_correlation",
    "set_trainable",
]

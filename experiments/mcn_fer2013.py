"""MCN, stage 1 of the two-stage attention (Hayashi et al. 2023): tell masked from unmasked eye crops.

    maskthefer experiment mcn_fer2013

Trained on the masked/unmasked pairs of the records; its attention map settles on the eyes and is then used,
frozen, by fecn_fer2013. No accuracy is published for this stage.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "mcn"}
EXPECTED = {"source": "SPEC §2", "note": "stage 1 only: its attention map is what matters"}

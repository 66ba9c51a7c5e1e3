"""Attention Branch Network (VGG11 trunk; attention and perception branches, summed losses) on FER2013 crops.

    maskthefer experiment abn_fer2013

Hayashi et al. report ABN at 84.2 % on 4 classes of masked RAF-DB; there is no 7-class FER2013 figure.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "abn"}
EXPECTED = {"source": "SPEC §2", "note": "4-class masked RAF-DB: VGG11 0.844, ABN 0.842"}

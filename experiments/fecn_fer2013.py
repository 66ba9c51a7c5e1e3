"""FECN, stage 2 of the two-stage attention: expressions, with features multiplied by MCN's frozen attention.

    maskthefer experiment fecn_fer2013          # runs mcn_fer2013 first if needed

Hayashi et al.: FECN 86.7 % vs VGG11 84.4 % and ABN 84.2 % on 4 classes of masked RAF-DB; no FER2013 figure.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "fecn", "attention_from": "@mcn_fer2013"}
EXPECTED = {"source": "SPEC §2", "note": "4-class masked RAF-DB: FECN 0.867 (+2.3 points over VGG11)"}

"""FECN (stage 2 of the two-stage attention, MCN's frozen attention map) on masked FER2013's 4 classes.

    maskthefer experiment fecn_fer2013_4class          # runs mcn_fer2013 first if needed
    maskthefer experiment fecn_fer2013_4class --limit 3000 --epochs 3

Hayashi et al. (2023): FECN 86.7 % against VGG11 84.4 % and ABN 84.2 % on 4 classes (angry, happy, neutral,
surprised) of masked RAF-DB. Here the same four classes come from FER2013 (`build-dataset --classes
angry,happy,neutral,surprise`), with the same recipe as vgg11_fer2013_4class and abn_fer2013_4class. Stage 1,
the masked-or-not MCN, does not depend on the expression classes: it is mcn_fer2013's run.
Expected: the RAF-DB figure as a reference for the ordering, not for the level.
"""

BUILD = {"source": "fer2013", "classes": ["angry", "happy", "neutral", "surprise"]}
TRAIN = {"model": "fecn", "attention_from": "@mcn_fer2013", "augment": "idg", "mixed_precision": "bf16"}
EXPECTED = {
    "accuracy": 0.867,
    "source": "SPEC §2: Hayashi et al. 2023, 4 classes of masked RAF-DB",
    "note": "another dataset (RAF-DB); the ordering VGG11 0.844 / ABN 0.842 / FECN 0.867 is the comparison",
}

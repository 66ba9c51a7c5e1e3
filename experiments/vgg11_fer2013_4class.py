"""VGG11 on masked FER2013 with the attention paper's 4 classes: angry, happy, neutral, surprise.

    maskthefer experiment vgg11_fer2013_4class
    maskthefer experiment vgg11_fer2013_4class --limit 3000 --epochs 3   # a quick check of the whole chain

Hayashi et al. (2023) compared VGG11, ABN and their two-stage MCN -> FECN on 4 classes of masked RAF-DB
(about 4,000 training and 400 test faces): VGG11 84.4 %. This package has no RAF-DB, so the same four classes
are taken from FER2013 (`build-dataset --classes angry,happy,neutral,surprise`; the other three classes are
counted as excluded_label in rejected.csv) and trained with the paper's FER2013 recipe, like
vgg11_fer2013_4class, abn_fer2013_4class and fecn_fer2013_4class, so the three differ only in the model.
Expected: the RAF-DB figure as a reference for the ordering (FECN > VGG11 > ABN), not for the level.
"""

BUILD = {"source": "fer2013", "classes": ["angry", "happy", "neutral", "surprise"]}
TRAIN = {"model": "vgg11", "augment": "idg", "mixed_precision": "bf16"}
EXPECTED = {
    "accuracy": 0.844,
    "source": "SPEC §2: Hayashi et al. 2023, 4 classes of masked RAF-DB",
    "note": "another dataset (RAF-DB); the ordering VGG11 0.844 / ABN 0.842 / FECN 0.867 is the comparison",
}

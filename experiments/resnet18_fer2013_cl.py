"""ResNet-18 with MSD-E contrastive learning on masked/unmasked FER2013 pairs (`--paradigm cl`).

    maskthefer experiment resnet18_fer2013_cl

Both crops of each face pass one network; loss = 0.2·MSE(features(unmasked), features(masked)) +
1.0·(CE_unmasked + CE_masked), features from the global-pooling layer. Expected: the baseline
(resnet18_fer2013) plus MSD-E's gains, +3.09 points masked and +4.13 unmasked.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "resnet18", "paradigm": "cl", "cl_lambda": 0.2, "cl_alpha": 1.0}
EXPECTED = {
    "accuracy": 0.4894,  # 45.85 + 3.09
    "unmasked_accuracy": 0.6948,  # 65.35 + 4.13
    "source": "SPEC §2 (MSD-E: ResNet-18 baseline 45.85 / 65.35 % plus CL's +3.09 / +4.13 points)",
    "note": "MSD-E's protocol differs (10-fold, identity-independent, whole faces); the direction is what compares: "
            "CL above resnet18_fer2013 on both crops",
}

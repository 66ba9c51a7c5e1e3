"""Short schedule: vgg-lite-small with MSD-E contrastive learning on masked/unmasked pairs (`--paradigm cl`).

    maskthefer experiment msde_fer2013_short_cl

The slice, schedule, model and seed of msde_fer2013_short_baseline (a short schedule, not the paper's: 6,000
FER2013 rows, 12 epochs). Both crops of each face pass one network; loss = 0.2·MSE(features(unmasked),
features(masked)) + 1.0·(CE_unmasked + CE_masked), features from the global-pooling layer.
Paper (SPEC §2): +3.09 points masked and +4.13 unmasked over the baseline (45.85 / 65.35 %).
Expected direction: above msde_fer2013_short_baseline on both crops.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    "model": "vgg-lite-small",
    "epochs": 12,
    **SHORT_RECIPE,
    "paradigm": "cl",
    "cl_lambda": 0.2,
    "cl_alpha": 1.0,
}
EXPECTED = {
    "accuracy": 0.4894,  # 45.85 + 3.09
    "unmasked_accuracy": 0.6948,  # 65.35 + 4.13
    "source": "SPEC §2 (MSD-E: ResNet-18 baseline 45.85 / 65.35 % plus CL's +3.09 / +4.13 points)",
    "note": "short schedule: the first 6,000 FER2013 rows, 12 epochs of AdamW + cosine, vgg-lite-small, exactly "
            "as msde_fer2013_short_baseline; the direction is what compares: CL above msde_fer2013_short_baseline "
            "on both crops",
}
BASELINE = "msde_fer2013_short_baseline"  # only the training paradigm differs: the README sets the two side by side

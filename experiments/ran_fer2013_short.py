"""Short schedule: RAN (face + 5 crops through a shared ResNet-18) on masked FER2013 crops, at a quarter width.

    maskthefer experiment ran_fer2013_short

A short schedule, not the paper's: the first 6,000 FER2013 rows (3,376 training, 293 validation and 647 test
faces, the slice of msde_fer2013_short_*), 12 epochs of AdamW + cosine + label smoothing 0.1 (the demo's
short-run recipe), seed 0, with RAN's ResNet-18 trunk at a quarter of its width (base_filters 16: 16-32-64-128
filters, 705,113 parameters against the full model's 11,187,018 here and 11,186,250 published) and the
ResNet papers' 7x7/2 + max-pool stem (stem "imagenet", which RAN and SCAN use on their 224-pixel faces) in
place of the zoo's 3x3/1 one. Measured on this 2-core CPU, shared with two other trainings (8 steps of 64,
after compilation): the zoo default stem at base_filters 16 ran at about 11 images/s and at base_filters 8 at
about 21 (2.5 minutes an epoch), this setting at about 92. scan_fer2013_short uses the same slice, schedule,
width, stem and seed; tests/training/test_train_short_experiments.py checks that they do.

Paper (SPEC §2, MSD-E's occlusion benchmarks, whole masked faces, 10-fold identity-independent): RAN 39.41 %,
SCAN 49.29 %; MaskTheFER's Table IV lists RAN at 53.78 % on FMA-3D-masked FER2013. Expected direction:
SCAN above RAN.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    "model": "ran",
    "model_args": {"base_filters": 16, "stem": "imagenet"},
    "epochs": 12,
    **SHORT_RECIPE,
}
EXPECTED = {
    "accuracy": 0.3941,
    "source": "SPEC §2 (MSD-E, RAN on masked faces); MaskTheFER Table IV: 0.5378 (FMA-3D masks)",
    "note": "short schedule (12 epochs, 6,000-row slice, quarter-width trunk with the 7x7/2 stem) against the "
            "paper's full one on whole faces; what compares is the direction against scan_fer2013_short",
}

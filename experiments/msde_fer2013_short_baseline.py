"""Short schedule: vgg-lite-small on masked crops only, the baseline of the short MSD-E comparison.

    maskthefer experiment msde_fer2013_short_baseline

A short schedule, not the paper's: the first 6,000 FER2013 rows (3,376 training, 293 validation and 647 test
faces), 12 epochs of AdamW + cosine + label smoothing 0.1 (the demo's short-run recipe), on vgg-lite-small
(the demo's model) in place of MSD-E's ResNet-18. ResNet-18 is too slow for this CPU: full width trains at
about 5 images/s here (bench: 14 s per batch of 64), a quarter width (base_filters 16) at about 48, and that
quarter width after 3 epochs on this slice scored 0.2427 masked / 0.2535 unmasked test accuracy, below the
share of the most frequent class (0.275), so no comparison could be read from it. vgg-lite-small trains at
about 160 images/s; at 4 epochs it too predicted only the most frequent class (0.2751), hence 12. Every arm (msde_fer2013_short_mix, _cl, _teacher, _kd) uses this slice, schedule, model
and seed; tests/training/test_train_short_experiments.py checks that they do.

Paper (SPEC §2, MSD-E ResNet-18 baseline, 10-fold identity-independent, whole faces): 45.85 % masked,
65.35 % unmasked. Expected direction: CL and KD above this baseline on both crops.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    "model": "vgg-lite-small",
    "epochs": 12,
    **SHORT_RECIPE,
}
EXPECTED = {
    "accuracy": 0.4585,
    "unmasked_accuracy": 0.6535,
    "source": "SPEC §2 (MSD-E ResNet-18 baseline: masked 45.85 %, unmasked 65.35 %)",
    "note": "short schedule (12 epochs, 6,000-row slice, vgg-lite-small for ResNet-18) against the paper's full one "
            "and another protocol; what compares is the direction within the short set",
}

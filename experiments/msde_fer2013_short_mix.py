"""Short schedule: vgg-lite-small on Mix (each training face's masked and unmasked crop), MSD-E's Mix baseline.

    maskthefer experiment msde_fer2013_short_mix

The slice, schedule, model and seed of msde_fer2013_short_baseline (a short schedule, not the paper's: 6,000
FER2013 rows, 12 epochs), trained with `--pairs`: twice the crops per epoch; validation stays masked.
SPEC gives no figure for Mix; the masked-only baseline's (45.85 % masked, 65.35 % unmasked) is shown.
Expected direction: above the masked-only baseline on unmasked crops (it sees them), about level on masked.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    "model": "vgg-lite-small",
    "epochs": 12,
    **SHORT_RECIPE,
    "pairs": True,
}
EXPECTED = {
    "source": "SPEC §2 (MSD-E)",
    "note": "no published Mix figure; short schedule: the first 6,000 FER2013 rows, 12 epochs of AdamW + cosine, "
            "vgg-lite-small, exactly as msde_fer2013_short_baseline",
}
BASELINE = "msde_fer2013_short_baseline"  # only the crops trained on differ: the README sets the two side by side

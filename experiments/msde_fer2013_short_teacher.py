"""Short schedule: vgg-lite-small trained on unmasked crops alone, the frozen teacher of msde_fer2013_short_kd.

    maskthefer experiment msde_fer2013_short_teacher

The slice, schedule, model and seed of msde_fer2013_short_baseline (a short schedule, not the paper's: 6,000
FER2013 rows, 12 epochs), with `--crops unmasked`; evaluation still reports both crops of the test faces, so
its masked accuracy shows how far a model that never saw a mask falls on masked faces.
MSD-E publishes no teacher figure. Expected direction: far above the masked-only baseline on unmasked crops,
below it on masked ones.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    "model": "vgg-lite-small",
    "epochs": 12,
    **SHORT_RECIPE,
    "crops": "unmasked",
}
EXPECTED = {
    "source": "SPEC §2 (MSD-E knowledge distillation)",
    "note": "MSD-E publishes no figure for its teacher; short schedule: the first 6,000 FER2013 rows, 12 epochs "
            "of AdamW + cosine, vgg-lite-small, exactly as msde_fer2013_short_baseline",
}
BASELINE = "msde_fer2013_short_baseline"  # only the crops trained on differ: the README sets the two side by side

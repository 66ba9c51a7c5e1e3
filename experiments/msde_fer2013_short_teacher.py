"""Short schedule: vgg-lite-small trained on unmasked crops alone, the frozen teacher of msde_fer2013_short_kd.

    maskthefer experiment msde_fer2013_short_teacher

The slice, schedule, model and seed of msde_fer2013_short_baseline (a short schedule, not the paper's: 6,000
FER2013 rows, 12 epochs), with `--crops unmasked`; evaluation still reports both crops of the test faces, so
its masked accuracy shows how far a model that never saw a mask falls on masked faces.
MSD-E publishes no teacher figure. Expected direction: far above the masked-only baseline on unmasked crops,
below it on masked ones.
"""

BUILD = {"source": "fer2013", "limit": 6000}
TRAIN = {
    "model": "vgg-lite-small",
    "epochs": 12,
    "optimizer": "adamw",
    "lr": 3e-3,
    "weight_decay": 1e-4,
    "schedule": "cosine",
    "warmup_epochs": 0.5,
    "label_smoothing": 0.1,
    "seed": 0,
    "crops": "unmasked",
}
EXPECTED = {
    "source": "SPEC §2 (MSD-E knowledge distillation)",
    "note": "MSD-E publishes no figure for its teacher; short schedule: the first 6,000 FER2013 rows, 12 epochs "
            "of AdamW + cosine, vgg-lite-small, exactly as msde_fer2013_short_baseline",
}

"""Short schedule: vgg-lite-small with MSD-E knowledge distillation from an unmasked-crop teacher (`--paradigm kd`).

    maskthefer experiment msde_fer2013_short_kd     # trains msde_fer2013_short_teacher first if needed

The slice, schedule, model and seed of msde_fer2013_short_baseline (a short schedule, not the paper's: 6,000
FER2013 rows, 12 epochs). The frozen teacher sees each face's unmasked crop; the student sees the masked crop
with probability 0.5, else the unmasked one; loss = CE + 100·MSE(teacher features, student features).
Paper (SPEC §2): +2.15 points masked and +1.38 unmasked over the baseline (45.85 / 65.35 %).
Expected direction: above msde_fer2013_short_baseline on both crops.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    "model": "vgg-lite-small",
    "epochs": 12,
    **SHORT_RECIPE,
    "paradigm": "kd",
    "teacher": "@msde_fer2013_short_teacher",
    "kd_lambda": 100.0,
    "kd_p": 0.5,
}
EXPECTED = {
    "accuracy": 0.4800,  # 45.85 + 2.15
    "unmasked_accuracy": 0.6673,  # 65.35 + 1.38
    "source": "SPEC §2 (MSD-E: ResNet-18 baseline 45.85 / 65.35 % plus KD's +2.15 / +1.38 points)",
    "note": "short schedule: the first 6,000 FER2013 rows, 12 epochs of AdamW + cosine, vgg-lite-small, exactly "
            "as msde_fer2013_short_baseline; the direction is what compares: KD above msde_fer2013_short_baseline "
            "on both crops",
}
BASELINE = "msde_fer2013_short_baseline"  # only the training paradigm differs: the README sets the two side by side

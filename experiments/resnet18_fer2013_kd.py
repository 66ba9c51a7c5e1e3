"""ResNet-18 with MSD-E knowledge distillation from an unmasked-crop teacher (`--paradigm kd`).

    maskthefer experiment resnet18_fer2013_kd     # trains resnet18_fer2013_teacher first if needed

The frozen teacher sees each face's unmasked crop; the student sees the masked crop with probability 0.5,
else the unmasked one; loss = CE + 100·MSE(teacher features, student features). Expected: the baseline
(resnet18_fer2013) plus MSD-E's gains, +2.15 points masked and +1.38 unmasked.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "resnet18", "paradigm": "kd", "teacher": "@resnet18_fer2013_teacher", "kd_lambda": 100.0, "kd_p": 0.5}
EXPECTED = {
    "accuracy": 0.4800,  # 45.85 + 2.15
    "unmasked_accuracy": 0.6673,  # 65.35 + 1.38
    "source": "SPEC §2 (MSD-E: ResNet-18 baseline 45.85 / 65.35 % plus KD's +2.15 / +1.38 points)",
    "note": "MSD-E's protocol differs (10-fold, identity-independent, whole faces); the direction is what compares: "
            "KD above resnet18_fer2013 on both crops",
}

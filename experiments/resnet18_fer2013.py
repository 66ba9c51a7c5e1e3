"""ResNet-18 (the MSD-E baseline) on the MaskTheFER crops of FER2013, trained on the masked crops only.

    maskthefer experiment resnet18_fer2013

The baseline of the MSD-E family of experiments (resnet18_fer2013_mix, _cl, _teacher, _kd): evaluation
reports the masked and unmasked test crops of the same faces and their average (MSD-E Table 5 layout).
MSD-E reports 45.85 % on masked and 65.35 % on unmasked faces (10-fold, identity-independent, whole faces) -
a different protocol.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "resnet18"}
EXPECTED = {
    "accuracy": 0.4585,
    "unmasked_accuracy": 0.6535,
    "source": "SPEC §2 (MSD-E ResNet-18 baseline: masked 45.85 %, unmasked 65.35 %)",
    "note": "different protocol and input",
}

"""ResNet-18 trained on the unmasked crops alone: the frozen teacher of resnet18_fer2013_kd.

    maskthefer experiment resnet18_fer2013_teacher

Trained, validated and tested on unmasked crops (`--crops unmasked`); `evaluate` still reports both crops of
the test faces, so its masked accuracy shows how far a model that never saw a mask falls on masked faces.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "resnet18", "crops": "unmasked"}
EXPECTED = {
    "source": "SPEC §2 (MSD-E knowledge distillation)",
    "note": "MSD-E publishes no figure for its teacher; it is trained on unmasked faces only",
}

"""ResNet-18 (the MSD-E baseline) on the MaskTheFER crops of FER2013.

    maskthefer experiment resnet18_fer2013

MSD-E reports 45.85 % on masked faces (10-fold, identity-independent, whole faces) - a different protocol.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "resnet18"}
EXPECTED = {"accuracy": 0.4585, "source": "SPEC §2 (MSD-E ResNet-18, masked)", "note": "different protocol and input"}

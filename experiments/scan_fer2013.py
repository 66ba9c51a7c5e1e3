"""SCAN + CCI (25 local spatio-channel gates + a global gate on ResNet-50 features, 4-region branch) on FER2013 crops.

    maskthefer experiment scan_fer2013

MSD-E reports SCAN at 49.29 % on masked faces (10-fold, identity-independent, whole faces), a different
protocol from these eye-region crops; there is no published figure for SCAN on MaskTheFER's crops.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "scan"}
EXPECTED = {
    "accuracy": 0.4929,
    "source": "SPEC §2 (MSD-E, SCAN on masked faces)",
    "note": "different protocol and input (whole masked faces); MSD-E's RAN on the same: 0.3941",
}

"""CBAM-ResNet-50 (channel + spatial attention gates) on the MaskTheFER crops of FER2013.

    maskthefer experiment cbam_resnet50_fer2013

No published figure on masked eye crops: 73.39 % on unmasked FER2013, 53.3 % on M-LFW.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "cbam-resnet50"}
EXPECTED = {"source": "SPEC §2 (no figure for this setting)", "note": "unmasked FER2013: 0.7339; M-LFW test: 0.533"}

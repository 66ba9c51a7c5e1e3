"""Residual Masking Network (ResNet-34 + residual masking U-Nets, Pham et al. 2021) on the MaskTheFER crops.

    maskthefer experiment resmaskingnet_fer2013

No published figure on masked eye crops: 74.14 % on unmasked FER2013 (224x224, ImageNet weights) and 52.6 %
on M-LFW. The crops are resized inside the model to 64x96 (sides must be multiples of 32).
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "resmaskingnet"}
EXPECTED = {"source": "SPEC §2 (no figure for this setting)", "note": "unmasked FER2013: 0.7414; M-LFW test: 0.526"}

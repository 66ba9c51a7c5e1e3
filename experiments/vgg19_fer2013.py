"""VGG19 (small-input FER variant: BN, global pooling, dropout 0.5) on the MaskTheFER crops of FER2013.

    maskthefer experiment vgg19_fer2013

Expected: Table IV lists VGG19 at 0.5148 on masked FER2013, but with FMA-3D masks and whole faces; here it sees
the same eye crops as VGG-lite, so it is a like-for-like comparison the paper did not make.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "vgg19"}
EXPECTED = {"accuracy": 0.5148, "source": "SPEC §1.5 Table IV (VGG19, FMA-3D masks)", "note": "different masking and input"}

"""Ablation: MaskTheFER on masked FER2013 without eye alignment (the paper: alignment is worth 1.5-2 points).

    maskthefer experiment maskthefer_fer2013_no_align

Expected: about 0.60, i.e. 1.5-2 points under maskthefer_fer2013's 0.6189.
"""

BUILD = {"source": "fer2013", "align": False}
TRAIN = {"model": "vgg-lite"}
EXPECTED = {"accuracy": 0.6014, "source": "SPEC §1.3: 0.6189 minus the 1.5-2 points alignment is worth"}

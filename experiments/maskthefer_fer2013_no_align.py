"""Ablation: MaskTheFER on masked FER2013 without eye alignment (the paper: alignment is worth 1.5-2 points).

    maskthefer experiment maskthefer_fer2013_no_align
    maskthefer experiment maskthefer_fer2013_no_align --pause-after 11   # compared with maskthefer_fer2013 at 11
    maskthefer experiment maskthefer_fer2013 --pause-after 11 --snapshot   # the baseline at epoch 11
    maskthefer compare runs/maskthefer_fer2013_no_align runs/maskthefer_fer2013 \\
        --out results/paired/maskthefer_fer2013_no_align.json   # face by face, while both stand at epoch 11

Same recipe as maskthefer_fer2013 (its augmentation and precision too), so the two differ only in alignment.
On a CPU, compare both at the same epoch of the schedule (--pause-after) before either has finished.

Expected: about 0.60, i.e. 1.5-2 points under maskthefer_fer2013's 0.6189.

Measured at epoch 11 (results/maskthefer_fer2013_no_align.json, results/paired/maskthefer_fer2013_no_align.json):
test 0.4064 against the baseline's 0.4782 at the same epoch on the same 3,423 faces, paired difference
-0.0719 +- 0.0084 (McNemar p 2e-17); best validation 0.4044 (epoch 7) against 0.4784 (epoch 10).
"""

BUILD = {"source": "fer2013", "align": False}
TRAIN = {"model": "vgg-lite", "augment": "idg", "mixed_precision": "bf16"}  # as maskthefer_fer2013
EXPECTED = {"accuracy": 0.6014, "source": "SPEC §1.3: 0.6189 minus the 1.5-2 points alignment is worth"}
BASELINE = "maskthefer_fer2013"  # only the eye alignment differs: the README sets the two side by side

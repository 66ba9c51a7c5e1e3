"""MaskTheFER on masked CK+ with the paper's split: stratified by class only, so a person's other sequences
may sit in the training set (Table VI protocol).

    maskthefer experiment maskthefer_ckplus_mixed_subjects

Expected: test accuracy 0.6356. Compare with maskthefer_ckplus (every subject on one side) to see how much of
the published figure comes from identity overlap between train and test.

Measured: the run writes results/maskthefer_ckplus_mixed_subjects.json.
"""

from maskthefer import paper

BUILD = {"source": "ckplus", "contempt": "neutral", "frames": "peak", "mix_subjects": True}
TRAIN = {"model": "vgg-lite"}
EXPECTED = {
    "accuracy": paper.MASKED_OVERALL["ckplus"],
    "per_class": paper.MASKED_CKPLUS_PER_CLASS,
    "source": paper.CKPLUS_SOURCE,
}
BASELINE = "maskthefer_ckplus"  # only the split differs: the README sets the two side by side

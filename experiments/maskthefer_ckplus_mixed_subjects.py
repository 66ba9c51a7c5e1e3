"""MaskTheFER on masked CK+ with the paper's split: stratified by class only, so a person's other sequences
may sit in the training set (Table VI protocol).

    maskthefer experiment maskthefer_ckplus_mixed_subjects

Expected: test accuracy 0.6356. Compare with maskthefer_ckplus (every subject on one side) to see how much of
the published figure comes from identity overlap between train and test.

Measured: the run writes results/maskthefer_ckplus_mixed_subjects.json.
"""

BUILD = {"source": "ckplus", "contempt": "neutral", "frames": "peak", "mix_subjects": True}
TRAIN = {"model": "vgg-lite"}
EXPECTED = {
    "accuracy": 0.6356,
    "per_class": {"neutral": 1.0, "surprise": 0.89, "happy": 0.70},
    "source": "SPEC §1.5, Table VI and text",
}

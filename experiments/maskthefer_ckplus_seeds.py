"""MaskTheFER on masked CK+ over five seeds: is the gap to Table VI's 0.6356 larger than chance?

    maskthefer experiment maskthefer_ckplus_seeds

The paper's CK+ number is one run on 118 test faces, so sampling alone gives it a standard error of about
0.044. This experiment repeats `maskthefer_ckplus` (subject-disjoint split, the paper's CK+ recipe with its
own augmentation, `--augment idg`) with seeds 0-4 for weight initialisation, batch order and augmentation;
the split and the validation hold-out stay fixed. results/maskthefer_ckplus_seeds.json holds each seed and
the mean and standard deviation.

Expected: 0.6356 (SPEC §1.5, Table VI); neutral 1.0, surprise 0.89, happy 0.70.
"""

from maskthefer import paper

BUILD = {"source": "ckplus", "contempt": "neutral", "frames": "peak"}
TRAIN = {"model": "vgg-lite", "augment": "idg", "seeds": [0, 1, 2, 3, 4]}
EXPECTED = {
    "accuracy": paper.MASKED_OVERALL["ckplus"],
    "per_class": paper.MASKED_CKPLUS_PER_CLASS,
    "source": paper.CKPLUS_SOURCE,
}

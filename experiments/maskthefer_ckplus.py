"""MaskTheFER on masked CK+: VGG-lite on the CK+48 peak frames, subject-disjoint 66.7/33.3 split (Table VI).

    maskthefer experiment maskthefer_ckplus

Expected: test accuracy 0.6356; neutral 1.0, surprise 0.89, happy 0.70 (the only per-class figures published).
CK+48 has no neutral frames: the 18 contempt sequences become neutral, as in the paper (--contempt neutral).

Measured: the run writes results/maskthefer_ckplus.json. The same schedule over five seeds is
maskthefer_ckplus_seeds (results/maskthefer_ckplus_seeds.json), and the same split fine-tuned from the masked
FER2013 model is maskthefer_ckplus_finetune: with about 160 training faces for 36.9 M parameters, the model
trained from scratch fits its training faces while validation stays far lower.
"""

from maskthefer import paper

BUILD = {"source": "ckplus", "contempt": "neutral", "frames": "peak"}
TRAIN = {"model": "vgg-lite"}  # batch 16, patience 10, 25 % validation (seed 15), 0.15 shift/zoom/shear
EXPECTED = {
    "accuracy": paper.MASKED_OVERALL["ckplus"],
    "per_class": paper.MASKED_CKPLUS_PER_CLASS,
    "source": paper.CKPLUS_SOURCE,
}

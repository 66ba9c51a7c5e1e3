"""Short schedule: FECN (stage 2, gated by the short MCN's frozen attention map) on masked FER2013's 4 classes.

    maskthefer experiment fecn_fer2013_4class_short

A short schedule, not the paper's: the first 6,000 FER2013 rows restricted to the attention paper's four
classes (`build-dataset --limit 6000 --classes angry,happy,neutral,surprise`: 2,422 training, 211
validation and 464 test faces; happy, the most frequent, is 38.4 % of the test faces), 15 epochs of AdamW +
cosine + label smoothing 0.1 (the demo's short-run recipe), seed 0, every network at a quarter of its width
(width 0.25: VGG11's 64-128-256-512 filters become 16-32-64-128). Measured on this 2-core CPU, shared with two
other trainings (8 steps of 64, after compilation): VGG11 at width 0.25 trains at about 205 images/s and ABN
at about 180. vgg11_fer2013_4class_short, abn_fer2013_4class_short and fecn_fer2013_4class_short use this
slice, schedule, width and seed, and differ only in the model; tests/training/test_train_short_experiments.py
checks that they do.

Paper (SPEC §2, Hayashi et al. 2023, 4 classes of masked RAF-DB, about 4,000 training and 400 test faces):
VGG11 84.4 %, ABN 84.2 %, MCN -> FECN 86.7 %.
Expected direction: above VGG11 and ABN.

Stage 1 is mcn_fer2013_4class_short (run first if needed), a quarter-width MCN trained masked-vs-unmasked on
the same slice; FECN's frozen generator takes its width from that run, its own trunk has width 0.25 too.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE_4CLASS

BUILD = dict(SHORT_SLICE_4CLASS)
TRAIN = {
    "model": "fecn",
    "model_args": {"width": 0.25},
    "attention_from": "@mcn_fer2013_4class_short",
    "epochs": 15,
    **SHORT_RECIPE,
}
EXPECTED = {
    "accuracy": 0.867,
    "source": "SPEC §2: Hayashi et al. 2023, Table 3, 4 classes of masked RAF-DB",
    "note": "short schedule (15 epochs, 4 classes of the first 6,000 FER2013 rows, width 0.25) on FER2013 eye crops against the paper's masked RAF-DB; what compares is the ordering within the short set",
}
BASELINE = "vgg11_fer2013_4class_short"  # only the model differs: the README sets the two side by side

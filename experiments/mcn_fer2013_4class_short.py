"""Short schedule: MCN, stage 1 of the two-stage attention, masked-vs-unmasked on the 4-class slice, at a quarter width.

    maskthefer experiment mcn_fer2013_4class_short

A short schedule, not the paper's: the 4-class slice of vgg11_fer2013_4class_short (the first 6,000 FER2013
rows, angry/happy/neutral/surprise), where every face gives a masked and an unmasked crop, the same recipe
and seed, width 0.25, and 5 epochs: telling a masked eye crop from an unmasked one is a far easier task
than the expressions, and fecn_fer2013_4class_short needs only its attention map, frozen. The paper trains
this stage on about 500 training and 100 test images and publishes no accuracy for it.
"""

BUILD = {"source": "fer2013", "limit": 6000, "classes": ["angry", "happy", "neutral", "surprise"]}
TRAIN = {
    "model": "mcn",
    "model_args": {"width": 0.25},
    "epochs": 5,
    "optimizer": "adamw",
    "lr": 3e-3,
    "weight_decay": 1e-4,
    "schedule": "cosine",
    "warmup_epochs": 0.5,
    "label_smoothing": 0.1,
    "seed": 0,
}
EXPECTED = {
    "source": "SPEC §2 (Hayashi et al. 2023, stage 1)",
    "note": "no accuracy published for the mask classifier; its attention map is what FECN uses",
}

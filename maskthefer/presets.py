"""Settings that several experiment files share, written once so the arms of one comparison cannot drift apart.

An experiment file (experiments/*.py) is ordinary Python, so it can build its BUILD and TRAIN from these:

    from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE

    BUILD = dict(SHORT_SLICE)
    TRAIN = {"model": "vgg-lite-small", "epochs": 12, **SHORT_RECIPE, "paradigm": "cl"}

The experiment still records the settings it ran with in full (results/<name>.json and the run's
config.json), so a result never depends on reading this file at a later commit.
"""

from __future__ import annotations

# The short-schedule slice: the first 6,000 FER2013 rows (3,376 training, 293 validation and 647 test faces
# with the default masks), small enough for a comparison of several arms on a 2-core CPU.
SHORT_SLICE: dict = {"source": "fer2013", "limit": 6000}

# The attention paper's 4-class setting (Hayashi et al. 2023) on the same rows: 2,422 / 211 / 464 faces.
FOUR_CLASSES: list[str] = ["angry", "happy", "neutral", "surprise"]
SHORT_SLICE_4CLASS: dict = {**SHORT_SLICE, "classes": FOUR_CLASSES}

# The short-run recipe: AdamW, cosine decay after half an epoch of warm-up, label smoothing, seed 0. The
# demo and the small release models use it too (without pinning the seed).
FAST_RECIPE: dict = {
    "optimizer": "adamw",
    "lr": 3e-3,
    "weight_decay": 1e-4,
    "schedule": "cosine",
    "warmup_epochs": 0.5,
    "label_smoothing": 0.1,
}
SHORT_RECIPE: dict = {**FAST_RECIPE, "seed": 0}

# The 2-CPU-hour recipe of VGG-lite on all of masked FER2013 (experiments/maskthefer_fer2013_fast.py says how
# each part was chosen on the validation split): the paper's augmentation and bf16, AdamW on a cosine schedule
# with label smoothing, and every training face twice, masked and unmasked (`pairs`). Scored with flip-shift
# TTA, chosen over flip on the 50-epoch run's validation split (scripts/choose_tta.py,
# results/measurements/tta-maskthefer_fer2013_fast.json).
BUDGET_RECIPE: dict = {
    "augment": "idg",
    "mixed_precision": "bf16",
    "optimizer": "adamw",
    "lr": 1e-3,
    "weight_decay": 0.01,
    "schedule": "cosine",
    "warmup_epochs": 0.5,
    "label_smoothing": 0.1,
    "pairs": True,
    "seed": 0,
}
BUDGET_EVALUATE: dict = {"tta": "flip-shift"}

# FaceChannel's four fine-tuning schemes: the authors' layout at a quarter of its width and their optimiser
# (Adamax 0.002, the learning rate cut by 0.2 after 5 epochs without progress, floor 1e-4); batch-norm
# momentum 0.9 and no dropout, chosen on the validation split (experiments/facechannel_fer2013_short_*.py).
FACECHANNEL_SHORT: dict = {
    "model": "facechannel",
    "model_args": {
        "groups": [[16, 16], [32, 32], [32, 32, 32], [64, 64, 64]],
        "batch_norm_momentum": 0.9,
        "dropout": 0.0,
    },
    "epochs": 10,
    "optimizer": "adamax",
    "lr": 2e-3,
    "schedule": "plateau",
    "legacy_decay": 0.0,
    "plateau_factor": 0.2,
    "plateau_patience": 5,
    "min_lr": 1e-4,
    "seed": 0,
}

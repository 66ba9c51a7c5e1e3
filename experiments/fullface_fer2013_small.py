"""VGG-lite-small on the unmasked, aligned 48x48 FER2013 faces: the fast full-face model of the small bundle.

    maskthefer experiment fullface_fer2013_small                          # all of FER2013, 12 epochs
    maskthefer experiment fullface_fer2013_small --limit 3000 --epochs 1  # a quick check of the chain

`maskthefer predict` sends the faces its mask classifier judges unmasked to this model when a bundle carries
it (`maskthefer export --face-run`, scripts/release-bundle.sh). The dataset is built as for
fullface_fer2013 (`--crop face --no-masks`: the face square after eye alignment, no synthetic mask), and
trained with the demo's short-run recipe (experiments/demo_fer2013.py: AdamW lr 3e-3, weight decay 1e-4,
cosine schedule with half an epoch of warm-up, label smoothing 0.1, Table II's augmentation) in place of the
paper's 150-epoch SGD, which is far too long for a CPU. Twelve epochs fit about 20 minutes of a shared 2-core
CPU (one epoch measured 103 s there, `--epochs 1`); the best epoch is picked on the validation split.

Goal: at least 0.55 test accuracy on the unmasked faces (the whole face carries more of the expression than
the eye region). The VGGNet the paper quotes for unmasked FER2013 reaches 0.7328 (Table V's last row), with
a far larger model and schedule. Measured results are written to results/fullface_fer2013_small.json by the
run itself.
"""

from maskthefer.presets import FAST_RECIPE

BUILD = {"source": "fer2013", "crop": "face", "masks": False}
TRAIN = {
    "model": "vgg-lite-small",
    "epochs": 12,
    **FAST_RECIPE,
}
EXPECTED = {
    "goal": 0.55,
    "note": "the small bundle's goal, not a published figure; VGGNet on unmasked FER2013 reaches 0.7328 (Table V)",
    "source": "issue 9 (fast release bundle)",
}

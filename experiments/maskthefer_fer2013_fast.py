"""MaskTheFER's VGG-lite on masked FER2013 in under 2 CPU-hours: a budgeted recipe instead of 150 epochs.

    maskthefer experiment maskthefer_fer2013_fast                           # all images, 50 epochs
    maskthefer experiment maskthefer_fer2013_fast --limit 3000 --epochs 1   # a quick check of the chain

The same model (VGG-lite, 36.9 M parameters), crops, augmentation (Table II through ImageDataGenerator) and
test faces as `maskthefer_fer2013`; what changes is how it learns:
- AdamW (lr 1e-3, decoupled weight decay 0.01) on a cosine schedule to zero after half an epoch of warm-up,
  with label smoothing 0.1: under a fixed budget a schedule that ends at zero gives the most (the paper's
  plateau schedule had cut the rate once by epoch 26);
- every training face twice, its masked and its unmasked crop (`pairs`, MSD-E's "Mix"): the unmasked crop
  shows what the mask hides, so the network learns features that survive it;
- test-time augmentation: each test crop's probabilities averaged over 10 views, the crop and its mirror
  image, each also moved 2 pixels up, down, left and right (`flip-shift`).

Chosen on the validation split only, in pilots of equal compute on the first 10,000 rows (8 epochs, or 4 with
pairs; 484 validation faces; best epoch): AdamW 0.343 against SGD 0.318, pairs 0.391 against 0.343; flip TTA
added 0.2 to 1.5 points on all four pilots. A lighter augmentation (rotation 5 degrees, zoom and shifts 5 %)
reached 0.401 but is left out: it helps most where training is shortest, and with Table II kept this run
differs from the paper's only in how it learns. The training split holds 17,844 faces, so an epoch is 35,688
crops.

The number of epochs is the budget, not a tuned setting: 2 hours of the 2-core AMX-BF16 CPU this project
plans for, where an epoch takes about 136 s in bf16 (two crops a face, AdamW), so 50 epochs. A first run of
22 epochs, all that 2 hours allowed on a 2-core AMD EPYC without AMX at 297 s an epoch, reached 0.6103 with
flip TTA and 0.5855 without (best validation 0.5692 at epoch 19 of 22).

Goal: at least the paper's 0.6189 (issue 8); the paper's own schedule stood at 0.5434 after 25 of 150 epochs.
Measured (results/maskthefer_fer2013_fast.json, written by the run): 0.6281 with flip-shift TTA, 0.5998
without, best validation 0.6066 at epoch 50, in 2.03 hours (146.5 s an epoch; the host slowed for epochs
40-48). The TTA mode was chosen after training on the validation split (none 0.6066, flip 0.6143, flip-shift
0.6207: scripts/choose_tta.py, results/measurements/tta-maskthefer_fer2013_fast.json); scored with flip, as
first planned, the test accuracy was 0.6176. On the same faces, 4.50 points (paired SE 0.77) above the paper's
150-epoch schedule.
"""

from maskthefer import paper
from maskthefer.presets import BUDGET_EVALUATE, BUDGET_RECIPE

BUILD = {"source": "fer2013"}
TRAIN = {"model": "vgg-lite", "epochs": 50, **BUDGET_RECIPE}
EVALUATE = dict(BUDGET_EVALUATE)
EXPECTED = {  # the paper's 150-epoch figure for the same model and crops: issue 8's goal for 2 CPU-hours
    "accuracy": paper.MASKED_OVERALL["fer2013"],
    "per_class": paper.MASKED_FER2013_PER_CLASS,
    "source": paper.FER2013_SOURCE,
}

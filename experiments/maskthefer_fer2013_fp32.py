"""The float32 arm of the precision A/B: maskthefer_fer2013's recipe for 10 epochs without bf16.

    maskthefer experiment maskthefer_fer2013_fp32

`train` defaults to bf16 mixed precision on CPUs with native bf16 (2.2x the float32 images/s here,
bench/train_throughput.py). This run repeats the first 10 epochs of `maskthefer_fer2013` (same dataset,
seed, split, augmentation and recipe) in float32, so the two runs' history.csv give validation accuracy
epoch by epoch at both precisions, and this run's test accuracy after 10 epochs is recorded.

Expected: no published figure; bf16 should be no worse than float32 (compare the val_acc columns of
runs/maskthefer_fer2013/history.csv and runs/maskthefer_fer2013_fp32/history.csv, epochs 1-10).
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "vgg-lite", "augment": "idg", "mixed_precision": "none", "epochs": 10}
EXPECTED = {
    "note": "no published figure; the A/B partner is maskthefer_fer2013 (bf16) at the same epochs",
    "source": "issue 8 item 1 (precision A/B)",
}

"""MaskTheFER on masked FER2013: VGG-lite on 48x96 eye-region crops (Jiang et al., DICTA 2023, Tables IV-V).

    maskthefer experiment maskthefer_fer2013                           # the paper's run: all images, 150 epochs
    maskthefer experiment maskthefer_fer2013 --limit 3000 --epochs 3   # a quick check of the whole chain

The paper's recipe with its own augmentation (ImageDataGenerator with Table II's arguments, `--augment idg`),
trained in bf16 mixed precision with TensorFlow's fused batch-norm and momentum kernels: 2.2x the float32
images/s on a 2-core AMD EPYC, 2.9-3.3x on a 2-core Xeon with AMX, where an epoch takes about 50 s and the
whole schedule about 2 hours (bench/train_throughput.py, results/measurements/train_throughput-xeon-amx.json).

Expected: test accuracy 0.6189 and Table V's per-class accuracies (MaskTheFER row). Measured results are
written to results/maskthefer_fer2013.json by the run itself (a partial schedule is marked partial).
"""

from maskthefer import paper

BUILD = {"source": "fer2013"}
TRAIN = {"model": "vgg-lite", "augment": "idg", "mixed_precision": "bf16"}  # the rest: the paper's FER2013 recipe
EXPECTED = {
    "accuracy": paper.MASKED_OVERALL["fer2013"],
    "per_class": paper.MASKED_FER2013_PER_CLASS,
    "source": paper.FER2013_SOURCE,
}

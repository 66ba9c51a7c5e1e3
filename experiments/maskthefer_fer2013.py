"""MaskTheFER on masked FER2013: VGG-lite on 48x96 eye-region crops (Jiang et al., DICTA 2023, Tables IV-V).

    maskthefer experiment maskthefer_fer2013                           # the paper's run: all images, 150 epochs
    maskthefer experiment maskthefer_fer2013 --limit 3000 --epochs 3   # a quick check of the whole chain

Expected: test accuracy 0.6189 and Table V's per-class accuracies (MaskTheFER row).

Measured (2026-11, TensorFlow on a 2-core CPU, 220 s/epoch): after 15 of the 150 epochs, test accuracy 0.4633
on 3,229 faces; resumed to 30 epochs, 0.5057 (best validation 0.5359 at epoch 25, still rising). The full
schedule is a GPU job.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "vgg-lite"}  # everything else: the paper's FER2013 recipe (maskthefer.training.config)
EXPECTED = {
    "accuracy": 0.6189,
    "per_class": {"angry": 0.54, "disgust": 0.68, "fear": 0.50, "happy": 0.76, "neutral": 0.60, "sad": 0.43, "surprise": 0.76},
    "source": "SPEC §1.5, Table IV (overall) and Table V (MaskTheFER, masked)",
}

"""MaskNet on FER2013 pairs: the masked-or-not classifier that `maskthefer predict` routes faces by.

    maskthefer experiment masknet_fer2013                          # all of FER2013, 30 epochs
    maskthefer experiment masknet_fer2013 --limit 4000 --epochs 10 # the measured quick version

Trained on each record's masked crop (label "masked") and the unmasked crop of the same face cut with the
same geometry ("unmasked"); accuracy is on the test split's pairs, faces the model never saw.

Measured (2026-12, TensorFlow on the project's shared 2-core CPU), with the settings of the quick version run
as `build-dataset --limit 4000` then `train --model masknet --epochs 10` (2,136 training pairs): test accuracy
0.8406 on 822 crops (411 pairs), best validation 0.8790, 7-17 s/epoch.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "masknet", "epochs": 30}
EXPECTED = {"source": "maskthefer (no published number)", "note": "masked-vs-unmasked accuracy on held-out pairs"}

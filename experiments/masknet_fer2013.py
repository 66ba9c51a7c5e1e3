"""MaskNet on FER2013 pairs: the masked-or-not classifier that `maskthefer predict` routes faces by.

    maskthefer experiment masknet_fer2013                          # all of FER2013, 30 epochs
    maskthefer experiment masknet_fer2013 --limit 4000 --epochs 10 # the measured quick version

Trained on each record's masked crop (label "masked") and the unmasked crop of the same face cut with the
same geometry ("unmasked"); accuracy is on the test split's pairs, faces the model never saw.

Measured: the full run writes results/masknet_fer2013.json; a --limit run is a quick check and records
nothing (the README's predict section gives the quick version's accuracy and how it was measured).
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "masknet", "epochs": 30}
EXPECTED = {"source": "maskthefer (no published number)", "note": "masked-vs-unmasked accuracy on held-out pairs"}

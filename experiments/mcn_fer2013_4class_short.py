"""Short schedule: MCN, stage 1 of the two-stage attention, masked-vs-unmasked on the 4-class slice, at a quarter width.

    maskthefer experiment mcn_fer2013_4class_short

A short schedule, not the paper's: the 4-class slice of vgg11_fer2013_4class_short (the first 6,000 FER2013
rows, angry/happy/neutral/surprise), where every face gives a masked and an unmasked crop, with the schedule,
recipe, width (0.25) and seed of the 4-class arms (15 epochs). fecn_fer2013_4class_short uses only its
attention map, frozen, in inference mode. The paper trains this stage on about 500 training and 100 test
images and publishes no accuracy for it.
Measured first with 5 epochs (results were 0.5000 on validation and test): the training accuracy reached 0.93,
but in inference mode the network predicted one class at every epoch. Its saved batch-norm statistics lagged
the weights. Re-estimating them on training images, with no weight change, took the last epoch to 0.88 on
validation. Because of the tie, the run's best model, the one FECN loaded, was epoch 1's. The 4-class arms
also sat at the majority share on validation until the cosine rate fell near zero, hence the full 15 epochs.
"""

from maskthefer.presets import SHORT_RECIPE, SHORT_SLICE_4CLASS

BUILD = dict(SHORT_SLICE_4CLASS)
TRAIN = {
    "model": "mcn",
    "model_args": {"width": 0.25},
    "epochs": 15,
    **SHORT_RECIPE,
}
EXPECTED = {
    "source": "SPEC §2 (Hayashi et al. 2023, stage 1)",
    "note": "no accuracy published for the mask classifier; its attention map is what FECN uses",
}

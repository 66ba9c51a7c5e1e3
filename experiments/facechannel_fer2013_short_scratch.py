"""Short schedule: FaceChannel trained on masked crops from scratch (scheme 2 of 4).

    maskthefer experiment facechannel_fer2013_short_scratch

The slice, schedule, width and seed are scheme 1's (facechannel_fer2013_short_unmasked.py, which also
tabulates the four schemes' measured results and the two settings chosen on validation).

The paper (SPEC §2, Barros et al.'s masked-face study) scores arousal/valence by CCC, which FER2013 does
not have, so accuracy stands in for it (the issue's Table 3 layout): trained unmasked, masking collapses
CCC 0.46/0.61 -> 0.18/0.16; fine-tuning all layers on masked data recovers 0.45/0.53.
Expected direction: above _unmasked on masked crops.
Ours: no, on test it ties _unmasked on masked crops (0.2782 each); on validation it is above the majority
share (0.3515 at epoch 10, still rising when the schedule ended).
"""

from maskthefer.presets import FACECHANNEL_SHORT, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = dict(FACECHANNEL_SHORT)
EXPECTED = {
    "source": "SPEC §2 (FaceChannel masked-face study; CCC, no accuracy published)",
    "note": "short schedule (10 epochs, 6,000-row slice, quarter-width FaceChannel); the paper, trained on masked "
            "faces from scratch",
}

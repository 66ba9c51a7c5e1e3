"""Short schedule: FaceChannel fine-tuned on masked crops, all layers (scheme 4 of 4).

    maskthefer experiment facechannel_fer2013_short_all

Starts from facechannel_fer2013_short_unmasked's weights; every layer trains (`--trainable all`).

The slice, schedule, width and seed are scheme 1's (facechannel_fer2013_short_unmasked.py, which also
tabulates the four schemes' measured results and the two settings chosen on validation).

The paper (SPEC §2, Barros et al.'s masked-face study) scores arousal/valence by CCC, which FER2013 does
not have, so accuracy stands in for it (the issue's Table 3 layout): trained unmasked, masking collapses
CCC 0.46/0.61 -> 0.18/0.16; fine-tuning all layers on masked data recovers 0.45/0.53.
Expected direction: the best of the four on masked crops, above _last_conv.
Ours: yes, the best of the four on masked crops (0.3740), above _last_conv (0.3493).
"""

from maskthefer.presets import FACECHANNEL_SHORT, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    **FACECHANNEL_SHORT,
    "init_from": "@facechannel_fer2013_short_unmasked",
    "trainable": "all",
}
EXPECTED = {
    "source": "SPEC §2 (FaceChannel masked-face study; CCC, no accuracy published)",
    "note": "short schedule (10 epochs, 6,000-row slice, quarter-width FaceChannel); the paper, fine-tuned all "
            "layers: CCC 0.45 / 0.53 (the best scheme)",
}
BASELINE = "facechannel_fer2013_short_scratch"  # fine-tuned from unmasked weights vs from scratch: the README sets the two side by side

"""Short schedule: FaceChannel fine-tuned on masked crops, last conv only (scheme 3 of 4).

    maskthefer experiment facechannel_fer2013_short_last_conv

Starts from facechannel_fer2013_short_unmasked's weights; only the shunting-inhibited last convolution and the
layers after it train (`--trainable last-conv`).

The slice, schedule, width and seed are scheme 1's (facechannel_fer2013_short_unmasked.py, which also
tabulates the four schemes' measured results and the two settings chosen on validation).

The paper (SPEC §2, Barros et al.'s masked-face study) scores arousal/valence by CCC, which FER2013 does
not have, so accuracy stands in for it (the issue's Table 3 layout): trained unmasked, masking collapses
CCC 0.46/0.61 -> 0.18/0.16; fine-tuning all layers on masked data recovers 0.45/0.53.
Expected direction: above _unmasked on masked crops, below _all.
Ours: yes, 0.3493 on masked crops, above _unmasked (0.2782) and below _all (0.3740).
"""

from maskthefer.presets import FACECHANNEL_SHORT, SHORT_SLICE

BUILD = dict(SHORT_SLICE)
TRAIN = {
    **FACECHANNEL_SHORT,
    "init_from": "@facechannel_fer2013_short_unmasked",
    "trainable": "last-conv",
}
EXPECTED = {
    "source": "SPEC §2 (FaceChannel masked-face study; CCC, no accuracy published)",
    "note": "short schedule (10 epochs, 6,000-row slice, quarter-width FaceChannel); the paper, fine-tuned last "
            "conv only: below fine-tuning all layers",
}
BASELINE = "facechannel_fer2013_short_scratch"  # fine-tuned from unmasked weights vs from scratch: the README sets the two side by side

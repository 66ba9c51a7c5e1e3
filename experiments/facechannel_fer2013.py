"""FaceChannel (ten convs, shunting inhibition, dense 200; Barros et al.) on the MaskTheFER crops of FER2013.

    maskthefer experiment facechannel_fer2013

No published categorical figure on masked FER2013 (the masking study reports arousal/valence CCC).
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "facechannel"}
EXPECTED = {"source": "SPEC §2", "note": "masked CCC arousal/valence 0.18/0.16 before, 0.45/0.53 after fine-tuning"}

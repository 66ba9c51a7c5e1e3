"""Masked CK+ without the relabelled contempt faces: how much of the gap is CK+48's missing neutral class?

    maskthefer experiment maskthefer_ckplus_contempt_drop

The paper's 50 neutral test-set images were real neutral faces (first frames of sequences), which it scored
perfectly (neutral 1.0). CK+48 has no neutral frames, so `maskthefer_ckplus` relabels its 18 contempt faces
as neutral, a different and much harder class. Dropping them (`--contempt drop`, 6 classes) removes that
class; comparing the per-class results of the two experiments over the same seeds shows what it costs.

Expected: not published (the paper has no 6-class CK+ result); compared with maskthefer_ckplus_seeds.
"""

BUILD = {"source": "ckplus", "contempt": "drop", "frames": "peak"}
TRAIN = {"model": "vgg-lite", "augment": "idg", "seeds": [0, 1, 2, 3, 4]}
EXPECTED = {
    "note": "no published 6-class figure; compare with results/maskthefer_ckplus_seeds.json",
    "source": "ablation of SPEC §1.1 (CK+ neutral frames)",
}
BASELINE = "maskthefer_ckplus_seeds"  # the same seeds, without the contempt-as-neutral class: the README sets the two side by side

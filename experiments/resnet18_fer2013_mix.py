"""ResNet-18 on Mix: every training face's masked and unmasked crop (same label), the MSD-E "Mix" baseline.

    maskthefer experiment resnet18_fer2013_mix

Trained with `--pairs` (twice the crops per epoch of resnet18_fer2013); validation stays masked. Evaluated on
the masked and unmasked test crops side by side. SPEC gives no figure for the Mix baseline; the masked-only
baseline's published numbers (45.85 % masked, 65.35 % unmasked, MSD-E's protocol) are the reference.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "resnet18", "pairs": True}
EXPECTED = {
    "source": "SPEC §2 (MSD-E)",
    "note": "no published Mix figure; MSD-E's baseline (trained how, SPEC does not say) reaches 45.85 % masked and "
            "65.35 % unmasked under 10-fold identity-independent evaluation of whole faces",
}

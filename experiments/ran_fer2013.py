"""RAN (region attention network: face + 5 crops through a shared ResNet-18, region-biased loss) on FER2013 crops.

    maskthefer experiment ran_fer2013

MaskTheFER's Table IV lists RAN at 53.78 % on FER2013 with FMA-3D masks (whole masked faces, another masking
tool); MSD-E reports 39.41 % on masked faces (10-fold, identity-independent). Both are different protocols
from these eye-region crops. RAN runs its trunk six times per face: on CPU this is a GPU-sized experiment.
"""

BUILD = {"source": "fer2013"}
TRAIN = {"model": "ran"}
EXPECTED = {
    "accuracy": 0.5378,
    "source": "SPEC §1.5 Table IV (RAN, FMA-3D masked FER2013)",
    "note": "different masks and whole faces; MSD-E masked: 0.3941; Table VI masked CK+: 0.5463",
}

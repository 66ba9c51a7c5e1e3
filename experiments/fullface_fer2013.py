"""Full-face model for unmasked faces: VGG-lite on the aligned, unmasked 48x48 FER2013 faces (predict's full-face route).

    maskthefer experiment fullface_fer2013                           # all images, the paper's 150-epoch recipe
    maskthefer experiment fullface_fer2013 --limit 3000 --epochs 3   # a quick check of the whole chain

`maskthefer predict` sends the faces its mask classifier judges unmasked to this model when a bundle carries
it (`maskthefer export --face-run runs/fullface_fer2013`, scripts/release-bundle.sh), and masked faces to the
eye-region model of maskthefer_fer2013. The dataset is built with `--crop face --no-masks`: the face square
after eye alignment (on FER2013 the image itself), no synthetic mask and so no re-detection filter.

Same recipe as maskthefer_fer2013 (the paper's FER2013 schedule, its ImageDataGenerator augmentation, bf16),
on 48x48 crops. Expected: the VGGNet the paper quotes for unmasked FER2013 reached 0.7328 (Table V's last
row); MaskTheFER's VGG-lite on masked eye crops 0.6189. Measured results are written to
results/fullface_fer2013.json by the run itself.
"""

from maskthefer import paper

BUILD = {"source": "fer2013", "crop": "face", "masks": False}
TRAIN = {"model": "vgg-lite", "augment": "idg", "mixed_precision": "bf16"}  # the rest: the paper's FER2013 recipe
EXPECTED = {
    "accuracy": paper.UNMASKED_FER2013_OVERALL,
    "per_class": paper.UNMASKED_FER2013_PER_CLASS,
    "source": "SPEC §1.5, Table V: VGGNet on unmasked FER2013 (a larger model than VGG-lite)",
}

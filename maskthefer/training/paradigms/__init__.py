"""Training paradigms beyond plain cross-entropy: MSD-E's contrastive learning and knowledge distillation.

    maskthefer train --model resnet18 --paradigm cl                      # pairs through one shared network
    maskthefer train --model resnet18 --crops unmasked --run-dir runs/teacher
    maskthefer train --model resnet18 --paradigm kd --teacher runs/teacher

- `cl` (contrastive learning): the masked and unmasked crop of each face pass the same network;
  loss = λ·MSE(features(unmasked), features(masked)) + α·(CE_unmasked + CE_masked), λ = 0.2, α = 1 (SPEC §2).
- `kd` (knowledge distillation): a frozen teacher trained on unmasked crops sees the unmasked crop; the student
  sees the masked crop with probability p = 0.5, else the unmasked one; loss = CE + λ·MSE(teacher features,
  student features), λ = 100.

Both train a functional wrapper around the classifier (`contrastive`, `distillation`); best.keras and
last.keras hold the plain single-input classifier, as for every run. This package's `settings` imports no
deep-learning framework; the trainer imports `session` for the Keras side.
"""

from .settings import PARADIGM_DEFAULTS, PARADIGMS, TRAIN_CROPS, resolve_paradigm

__all__ = ["PARADIGMS", "PARADIGM_DEFAULTS", "TRAIN_CROPS", "resolve_paradigm"]

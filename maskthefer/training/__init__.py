"""Training on built datasets with the MaskTheFER recipe, on any Keras 3 backend.

    from maskthefer.training import TrainConfig, train
    run = train(TrainConfig(data="datasets/fer", model="vgg-lite", epochs=5, run_dir="runs/demo"))

Defaults come from the paper per dataset kind (see `maskthefer.training.config`); augmentation is described
in `maskthefer.training.augment`, the learning-rate schedule in `maskthefer.training.schedule`, the run
directory in `maskthefer.runs`. The package imports TensorFlow only when it is the Keras backend or when
`augment="idg"` asks for ImageDataGenerator.
"""

from .config import (
    AUGMENT_MODES,
    PAPER_DEFAULTS,
    Augmentation,
    TrainConfig,
    TrainingError,
    parse_model_args,
)
from .optimizer import LegacyDecaySGD
from .schedule import PlateauState, effective_lr
from .trainer import train

__all__ = [
    "AUGMENT_MODES",
    "PAPER_DEFAULTS",
    "Augmentation",
    "LegacyDecaySGD",
    "PlateauState",
    "TrainConfig",
    "TrainingError",
    "effective_lr",
    "parse_model_args",
    "train",
]

"""Training on built datasets with the MaskTheFER recipe, on any Keras 3 backend.

    from maskthefer.training import TrainConfig, train
    run = train(TrainConfig(data="datasets/fer", model="vgg-lite", epochs=5, run_dir="runs/demo"))

    from maskthefer.training import fit, paper_recipe        # a Keras model of your own
    run = fit(my_model, "datasets/fer", paper_recipe("fer2013").replace(epochs=20), "runs/mine")

Modules, one job each: `recipe` (the settings as a frozen `Recipe`), `config` (`TrainConfig` and its
resolution against the paper), `data` (arrays and batches), `model` (the training model and its compile),
`optimizer` / `schedule` (SGD/AdamW, plateau and per-step rates), `zoo` (registered models),
`init_from` / `trainable` (starting weights, frozen layers), `session` (epoch 0 of a run), `resume`,
`loop` (Keras fit and the closing score), `callbacks` (what each epoch writes), `fit` and `trainer`.

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
from .fit import fit
from .optimizer import LegacyDecayAdamW, LegacyDecaySGD, StepSchedule
from .recipe import OPTIMIZERS, SCHEDULES, Recipe, paper_recipe
from .schedule import PlateauState, effective_lr, step_lr
from .trainable import set_trainable
from .trainer import train

__all__ = [
    "AUGMENT_MODES",
    "PAPER_DEFAULTS",
    "Augmentation",
    "LegacyDecayAdamW",
    "LegacyDecaySGD",
    "OPTIMIZERS",
    "PlateauState",
    "Recipe",
    "SCHEDULES",
    "StepSchedule",
    "TrainConfig",
    "TrainingError",
    "effective_lr",
    "fit",
    "paper_recipe",
    "parse_model_args",
    "set_trainable",
    "step_lr",
    "train",
]

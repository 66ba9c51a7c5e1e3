"""The training recipe: every setting that decides how a model learns, as one frozen, validated value.

    from maskthefer.training import paper_recipe
    recipe = paper_recipe("fer2013")                     # MaskTheFER, SPEC §1.1 and §1.4
    fast = recipe.replace(epochs=30, schedule="cosine", warmup_epochs=2, label_smoothing=0.1)

`paper_recipe(kind)` is the paper's recipe for a dataset kind ("fer2013", "ckplus", "folder"); the table of
per-dataset values is in `maskthefer.training.config`. `replace` returns a new recipe and checks every value;
two settings follow others unless given in the same call, so that a one-word change gives a sensible recipe:

- leaving the plateau schedule (cosine, onecycle) switches the legacy Keras time decay off (it was part of the
  paper's plateau recipe), and coming back to plateau restores the paper's 1e-4;
- switching the optimizer to AdamW sets its usual learning rate (1e-3) and weight decay (0.01); to Adamax,
  the FaceChannel authors' 0.002 and no weight decay; back to SGD, the paper's 0.01 and no weight decay.

This module imports no deep-learning framework.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from dataclasses import replace as dataclass_replace
from typing import Any

from .config import (
    AUGMENT_MODES,
    MIXED_PRECISION,
    PAPER_COMMON,
    Augmentation,
    TrainingError,
    paper_defaults,
)

OPTIMIZERS = ("sgd", "adamw", "adamax")
SCHEDULES = ("plateau", "cosine", "onecycle")

# What an optimizer starts from when a recipe switches to it without naming these.
OPTIMIZER_DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"lr": PAPER_COMMON["lr"], "weight_decay": 0.0},
    "adamw": {"lr": 1e-3, "weight_decay": 0.01},
    "adamax": {"lr": 2e-3, "weight_decay": 0.0},  # FaceChannel's released training code: Adamax, lr 0.002
}


@dataclass(frozen=True)
class Recipe:
    """How a model is trained. The defaults are MaskTheFER's FER2013 recipe; see `paper_recipe`."""

    epochs: int = PAPER_COMMON["epochs"]
    batch_size: int = 64
    optimizer: str = "sgd"  # "sgd" (Nesterov momentum, the paper's), "adamw" or "adamax" (FaceChannel's)
    lr: float = PAPER_COMMON["lr"]  # the initial rate (plateau), the peak (cosine, onecycle)
    momentum: float = PAPER_COMMON["momentum"]  # SGD only
    nesterov: bool = PAPER_COMMON["nesterov"]
    weight_decay: float = 0.0  # decoupled (Keras' weight_decay): w -= lr * weight_decay * w each step
    legacy_decay: float = PAPER_COMMON["legacy_decay"]  # lr / (1 + decay * step), the paper code's Keras decay
    schedule: str = "plateau"  # "plateau" (the paper's), "cosine" or "onecycle"
    warmup_epochs: float = 0.0  # cosine only: linear warm-up from 0 over this many epochs
    label_smoothing: float = 0.0
    plateau_factor: float = PAPER_COMMON["plateau_factor"]
    plateau_patience: int = 5
    plateau_min_delta: float = PAPER_COMMON["plateau_min_delta"]
    min_lr: float = PAPER_COMMON["min_lr"]  # plateau floor
    validation_fraction: float = 0.08
    validation_seed: int = 0
    seed: int = PAPER_COMMON["seed"]
    augment: str = PAPER_COMMON["augment"]  # "layers", "idg" or "none"
    augmentation: Augmentation = field(default_factory=Augmentation)  # Table II, ImageDataGenerator units
    mixed_precision: str | None = "auto"  # "bf16", None (float32) or "auto" (bf16 where it is faster)

    def __post_init__(self) -> None:
        if isinstance(self.augmentation, dict):  # from config.json
            object.__setattr__(self, "augmentation", Augmentation(**self.augmentation))
        if self.mixed_precision in ("", "none", "off", "float32"):
            object.__setattr__(self, "mixed_precision", None)
        check_recipe(self)

    def replace(self, **changes: Any) -> Recipe:
        """A copy with `changes` applied (and checked); see the module docstring for the two coupled settings."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            names = ", ".join(f.name for f in fields(self))
            raise TrainingError(f"a recipe has no setting {', '.join(map(repr, unknown))}; its settings: {names}")
        changes = {name: value for name, value in changes.items() if value is not None or name == "mixed_precision"}
        schedule = changes.get("schedule", self.schedule)
        if schedule != self.schedule and "legacy_decay" not in changes:
            changes["legacy_decay"] = PAPER_COMMON["legacy_decay"] if schedule == "plateau" else 0.0
        optimizer = changes.get("optimizer", self.optimizer)
        if optimizer != self.optimizer and optimizer in OPTIMIZER_DEFAULTS:
            for name, value in OPTIMIZER_DEFAULTS[optimizer].items():
                changes.setdefault(name, value)
        return dataclass_replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (the augmentation as a dict), as config.json stores them."""
        return asdict(self)

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> Recipe:
        """The recipe of a saved config.json; keys it lacks (runs from before they existed) take the paper's."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in settings.items() if key in known})


def paper_recipe(dataset_kind: str = "fer2013") -> Recipe:
    """MaskTheFER's recipe for `dataset_kind` ("fer2013", "ckplus" or "folder")."""
    defaults = paper_defaults(dataset_kind)
    return Recipe(
        batch_size=defaults.batch_size,
        plateau_patience=defaults.plateau_patience,
        validation_fraction=defaults.validation_fraction,
        validation_seed=defaults.validation_seed,
        augmentation=defaults.augmentation,
    )


def check_recipe(r: Recipe) -> None:
    """Raise a TrainingError naming the first setting that is out of range (or not a finite number)."""
    numbers = ("lr", "momentum", "weight_decay", "legacy_decay", "warmup_epochs", "label_smoothing",
               "plateau_factor", "plateau_min_delta", "min_lr", "validation_fraction")
    for name in numbers:
        value = getattr(r, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TrainingError(f"{name.replace('_', ' ')} must be a finite number, not {value!r}")
    for name in ("epochs", "batch_size", "plateau_patience", "validation_seed", "seed"):
        value = getattr(r, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TrainingError(f"{name.replace('_', ' ')} must be an integer, not {value!r}")
    checks = [
        (r.epochs >= 1, f"epochs must be at least 1, not {r.epochs}"),
        (r.batch_size >= 1, f"batch size must be at least 1, not {r.batch_size}"),
        (r.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {r.optimizer!r}"),
        (r.schedule in SCHEDULES, f"schedule must be one of {', '.join(SCHEDULES)}, not {r.schedule!r}"),
        (r.lr > 0, f"learning rate must be positive, not {r.lr}"),
        (0 <= r.momentum < 1, f"momentum must be in [0, 1), not {r.momentum}"),
        (r.weight_decay >= 0, f"weight decay must be >= 0, not {r.weight_decay}"),
        (r.legacy_decay >= 0, f"legacy decay must be >= 0, not {r.legacy_decay}"),
        (0 <= r.warmup_epochs < r.epochs,
         f"warm-up epochs must be in [0, epochs={r.epochs}), not {r.warmup_epochs}"),
        (r.warmup_epochs == 0 or r.schedule == "cosine",
         f"warm-up applies to the cosine schedule (onecycle has its own ramp), not {r.schedule!r}"),
        (0 <= r.label_smoothing < 1, f"label smoothing must be in [0, 1), not {r.label_smoothing}"),
        (0 < r.plateau_factor < 1, f"plateau factor must be in (0, 1), not {r.plateau_factor}"),
        (r.plateau_patience >= 1, f"plateau patience must be at least 1, not {r.plateau_patience}"),
        (r.plateau_min_delta >= 0, f"plateau min delta must be >= 0, not {r.plateau_min_delta}"),
        (r.min_lr >= 0, f"min lr must be >= 0, not {r.min_lr}"),
        (0 < r.validation_fraction < 1, f"validation fraction must be in (0, 1), not {r.validation_fraction}"),
        (r.augment in AUGMENT_MODES, f"augment must be one of {AUGMENT_MODES}, not {r.augment!r}"),
        (r.mixed_precision in (None, "auto", *MIXED_PRECISION),
         f"mixed precision must be one of {MIXED_PRECISION}, auto or none, not {r.mixed_precision!r}"),
    ]
    for ok, message in checks:
        if not ok:
            raise TrainingError(message)

"""What the trainer asks of a paradigm: its wrapper model, its compile, its batches and, on --resume, the
classifier back from a reloaded wrapper.

    paradigm = paradigm_of(resolved)          # None for the standard recipe
    model = paradigm.build(classifier, resolved, class_names=..., input_dtype="uint8", augmentation=...)
    paradigm.compile(model, resolved)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import keras

from ...models import create_model
from ..backend import dtype_policy
from ..model import with_label_smoothing
from ..optimizer import make_optimizer
from ..trainable import freeze_like, set_trainable
from .branches import BRANCH, TEACHER, ClassifierSync
from .contrastive import build_contrastive_model, contrastive_losses
from .data import PairBatches
from .distillation import build_distillation_model, distillation_losses, load_teacher


@dataclass(frozen=True)
class Paradigm:
    """A resolved `cl` or `kd` request (the run's settings: paradigm, cl_*, kd_*, teacher, feature_layer)."""

    settings: Mapping[str, Any]

    @property
    def name(self) -> str:
        return str(self.settings["paradigm"])

    def losses(self) -> tuple[dict[str, Any], dict[str, float], dict[str, list]]:
        if self.name == "cl":
            return contrastive_losses(self.settings["cl_lambda"], self.settings["cl_alpha"])
        return distillation_losses(self.settings["kd_lambda"])

    @property
    def targets(self) -> list[str]:
        """The wrapper's outputs, each fed the class labels (the distance's loss ignores them)."""
        return list(self.losses()[0])

    def build(self, classifier, resolved: Mapping[str, Any], *, class_names, input_dtype: str,
              augmentation: dict[str, Any] | None, say: Callable[[str], None] = print) -> keras.Model:
        common = dict(input_dtype=input_dtype, augmentation=augmentation, seed=resolved["seed"],
                      feature_layer=self.settings["feature_layer"])
        if self.name == "cl":
            return build_contrastive_model(classifier, **common)
        height, width = resolved["input_shape"][:2]
        teacher = load_teacher(self.settings["teacher"], class_names=class_names,
                               crop_shape=(height, width), say=say)
        say(f"teacher: {teacher.name} ({teacher.count_params():,} parameters, frozen) from {self.settings['teacher']}")
        return build_distillation_model(classifier, teacher, teacher_name=f"--teacher {self.settings['teacher']}",
                                        **common)

    def compile(self, model: keras.Model, resolved: Mapping[str, Any], *, jit_compile="auto",
                steps_per_epoch: int | None = None) -> None:
        """The run's optimizer (`make_optimizer`, as `model.compile_training_model`) and the paradigm's weighted
        losses; --label-smoothing applies to its cross-entropies."""
        losses, weights, metrics = self.losses()
        losses = with_label_smoothing(losses, resolved.get("label_smoothing", 0.0))
        model.compile(optimizer=make_optimizer(dict(resolved), steps_per_epoch), loss=losses, loss_weights=weights,
                      weighted_metrics=metrics, jit_compile=jit_compile)

    def train_batches(self, arrays, **kwargs) -> PairBatches:
        probability = self.settings["kd_p"] if self.name == "kd" else None
        return PairBatches(arrays, masked_probability=probability, **kwargs)

    def validation_batches(self, arrays, **kwargs) -> PairBatches:
        return PairBatches(arrays, **kwargs)

    def restore(self, training_model: keras.Model, saved: Mapping[str, Any], *,
                saved_classifier=None) -> tuple[keras.Model, ClassifierSync]:
        """A classifier rebuilt from the run's configuration, holding the reloaded wrapper's weights.

        The run's `--trainable` scheme is applied again, to the rebuilt classifier and to the wrapper's view
        of it (the network that trains), and the teacher is frozen again, before the optimizer state is
        loaded: its slots follow the trainable variables. A model given to `fit` is not in the registry: it
        comes back from `saved_classifier` (the run's last.keras, saved as it was built). The returned sync
        copies the weights again; call it before every save (the wrapper keeps training).
        """
        branch = training_model.get_layer(BRANCH)
        if saved.get("model_source") == "fit":
            classifier = keras.saving.load_model(saved_classifier, compile=False)
        else:
            with dtype_policy(saved["mixed_precision"]):
                classifier = create_model(saved["model"], num_classes=saved["num_classes"],
                                          input_shape=tuple(saved["input_shape"]), **saved["model_args"])
        set_trainable(classifier, saved.get("trainable", "all"))
        freeze_like(branch, classifier)
        if self.name == "kd":
            training_model.get_layer(TEACHER).trainable = False
        sync = ClassifierSync(branch, classifier)
        sync()
        return classifier, sync


def paradigm_of(settings: Mapping[str, Any]) -> Paradigm | None:
    """The run's paradigm, or None when it trains with the standard recipe."""
    return None if settings.get("paradigm", "standard") == "standard" else Paradigm(dict(settings))

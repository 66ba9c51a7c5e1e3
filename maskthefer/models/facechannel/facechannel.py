"""FaceChannel (Barros, Churamani & Sciutti), the light FER network whose masked-face study SPEC §2 reports.

The layout of the authors' released training code (pablovin/FaceChannel, `examples/trainModel.py`): ten 3x3
convolutions in four groups, 64 64 | 128 128 | 128 128 128 | 256 256 256, each group closed by a 2x2 max-pool
and dropout 0.25. Convolutions 1-9 are conv -> batch norm -> ReLU. The tenth is shunting-inhibited: it and a
parallel inhibitory 3x3 convolution of the same input (both ReLU, no batch norm) combine as
`conv10 / (a + conv10_inhibition)` (`ShuntingInhibition`), with the passive decay a fixed at 0.5 as in their
code (`learn_decay=True` learns one per channel, starting at 0.5). Flatten -> dense 200 (`features`) -> heads:

- `predictions`: softmax over the expression classes (the zoo convention; the authors' categorical head is a
  tanh layer trained with mean squared error);
- `arousal_valence` (with `arousal_valence=True`): two tanh units, scored by CCC and trained with
  `av_loss`: "ccc" (1 - CCC over the batch, the paper's score turned into a loss) or "mse" (the authors').

`groups` sets every filter count, so the width scales (the short experiments use a quarter); the last
convolution of the last group is always the shunting-inhibited one. `batch_norm=False` and `dense_dropout`
(0 in the authors' code) are options for comparison; `batch_norm_momentum` (Keras' 0.99, the authors') can be
lowered for short runs, whose few hundred steps leave 0.99's moving statistics near their initial values. `set_trainable(model, scheme)` reproduces the
fine-tuning schemes of the masked-face study.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import layers

from ...errors import MaskTheFERError
from ..base import PREDICTIONS, ZooModel, constructor_args, softmax_output
from ..registry import register_model
from .ccc import ConcordanceCorrelation, ConcordanceLoss
from .shunting import ShuntingInhibition

AROUSAL_VALENCE = "arousal_valence"
SHUNTING = "shunting_inhibition"
DEFAULT_GROUPS: tuple[tuple[int, ...], ...] = ((64, 64), (128, 128), (128, 128, 128), (256, 256, 256))
AV_LOSSES = ("ccc", "mse")


@keras.saving.register_keras_serializable(package="maskthefer")
@register_model(
    "facechannel",
    description="FaceChannel: 10 conv (64x2|128x2|128x3|256x3) with BN, shunting inhibition on the last, dense 200",
    paper="Barros et al., The FaceChannel (2020); masked-face fine-tuning study (2021)",
    default_input_shape=(64, 64, 1),
    input_note="published on 64x64 gray faces; 48x96 crops are taken as they are (only the flatten grows)",
    tiny_config={"groups": ((8, 8), (8, 8), (8, 8, 8), (16, 16, 16)), "dense_units": 16},
)
class FaceChannel(ZooModel):
    last_conv_layer_name = SHUNTING

    def __init__(
        self,
        num_classes: int = 7,
        input_shape: Sequence[int] = (64, 64, 1),
        groups: Sequence[Sequence[int]] = DEFAULT_GROUPS,
        dense_units: int = 200,
        dropout: float = 0.25,
        dense_dropout: float = 0.0,
        batch_norm: bool = True,
        batch_norm_momentum: float = 0.99,
        learn_decay: bool = False,
        arousal_valence: bool = False,
        av_loss: str = "ccc",
        name: str = "facechannel",
        **kwargs,
    ):
        args = constructor_args(locals())
        args["groups"] = [list(group) for group in groups]  # JSON-friendly, constructors accept either
        if av_loss not in AV_LOSSES:
            raise MaskTheFERError(f"av_loss must be one of {', '.join(AV_LOSSES)}, got {av_loss!r}")
        if not groups or not all(groups):
            raise MaskTheFERError(f"groups must be non-empty lists of filter counts, got {groups!r}")

        for option, value in (("dropout", dropout), ("dense_dropout", dense_dropout)):
            if not 0 <= value < 1:  # also refuses NaN
                raise MaskTheFERError(f"{option} must be in [0, 1), got {value!r}")
        if not 0 <= batch_norm_momentum < 1:
            raise MaskTheFERError(f"batch_norm_momentum must be in [0, 1), got {batch_norm_momentum!r}")

        inputs = keras.Input(shape=tuple(input_shape), name="image")
        x = inputs
        conv_index = 0
        for group_index, group in enumerate(groups, start=1):
            for position, filters in enumerate(group, start=1):
                conv_index += 1
                name = f"conv{conv_index}"
                if group_index == len(groups) and position == len(group):
                    # ReLU keeps the inhibition non-negative, so the denominator stays >= a > 0. No batch norm
                    # here, as in the authors' code: it would shift the inhibitory map below zero.
                    excitatory = layers.Conv2D(int(filters), 3, padding="same", activation="relu", name=name)(x)
                    inhibitory = layers.Conv2D(
                        int(filters), 3, padding="same", activation="relu", name=f"{name}_inhibition"
                    )(x)
                    x = ShuntingInhibition(learn_decay=learn_decay, name=SHUNTING)([excitatory, inhibitory])
                elif batch_norm:
                    x = layers.Conv2D(int(filters), 3, padding="same", name=name)(x)
                    x = layers.BatchNormalization(momentum=batch_norm_momentum, name=f"{name}_bn")(x)
                    x = layers.Activation("relu", name=f"{name}_relu")(x)
                else:
                    x = layers.Conv2D(int(filters), 3, padding="same", activation="relu", name=name)(x)
            if x.shape[1] >= 2 and x.shape[2] >= 2:  # small inputs: skip the pools that would empty the map
                x = layers.MaxPooling2D(2, name=f"pool{group_index}")(x)
            x = layers.Dropout(dropout, name=f"dropout{group_index}")(x)
        x = layers.Flatten(name="flatten")(x)
        features = layers.Dense(int(dense_units), activation="relu", name="features")(x)
        x = layers.Dropout(dense_dropout, name="dense_dropout")(features) if dense_dropout else features
        outputs = [softmax_output(x, num_classes)]
        if arousal_valence:
            outputs.append(layers.Dense(2, activation="tanh", name=AROUSAL_VALENCE, dtype="float32")(x))
        super().__init__(
            inputs=inputs,
            outputs=outputs if arousal_valence else outputs[0],
            constructor_args=args,
            name=name,
            **kwargs,
        )
        self.last_conv_layers = (f"conv{conv_index}", f"conv{conv_index}_inhibition", SHUNTING)

    def output_losses(self) -> dict[str, Any]:
        losses: dict[str, Any] = {PREDICTIONS: "categorical_crossentropy"}
        if self._constructor_args["arousal_valence"]:
            av_loss = self._constructor_args["av_loss"]
            losses[AROUSAL_VALENCE] = ConcordanceLoss() if av_loss == "ccc" else "mean_squared_error"
        return losses

    def output_metrics(self) -> dict[str, list]:
        """Metrics per output: accuracy on the classes, CCC (arousal, valence, mean) on the regression head."""
        metrics: dict[str, list] = {PREDICTIONS: ["accuracy"]}
        if self._constructor_args["arousal_valence"]:
            metrics[AROUSAL_VALENCE] = [
                ConcordanceCorrelation(dimension=0, name="arousal_ccc"),
                ConcordanceCorrelation(dimension=1, name="valence_ccc"),
                ConcordanceCorrelation(name="ccc"),
            ]
        return metrics


FINE_TUNING_SCHEMES = ("all", "last_conv", "none")


def set_trainable(model: keras.Model, scheme: str) -> list[str]:
    """Choose which FaceChannel layers train, following the fine-tuning schemes of the masked-face study.

    - "all": every layer (fine-tuning all layers; also "from scratch" on a freshly built model);
    - "last_conv": only the shunting-inhibited last convolution (conv10, conv10_inhibition and, with
      `learn_decay`, the decay `a` of `shunting_inhibition`), plus the dense head;
    - "none": no convolution; only the dense head adapts (the pretrained features are used as they are).

    The dense layers (features, heads) train under every scheme, because a new task needs its own read-out.
    The batch norms of frozen convolutions are frozen with them, and Keras 3 then runs a BatchNormalization
    in inference mode even inside `fit` (its moving statistics normalise and are not updated), so a frozen
    convolution computes exactly what it computed in the source model.
    Call before `compile`. Returns the names of the layers with trainable weights.
    """
    if scheme not in FINE_TUNING_SCHEMES:
        raise MaskTheFERError(f"unknown fine-tuning scheme {scheme!r}; choose one of {', '.join(FINE_TUNING_SCHEMES)}")
    last_conv = set(getattr(model, "last_conv_layers", ()))
    if scheme == "last_conv" and not last_conv:
        raise MaskTheFERError(f"model {model.name!r} is not a FaceChannel: it has no shunting-inhibited last conv")
    for layer in model.layers:
        if scheme == "all" or isinstance(layer, layers.Dense):
            layer.trainable = True
        elif scheme == "last_conv":
            layer.trainable = layer.name in last_conv
        else:
            layer.trainable = False
    return [layer.name for layer in model.layers if layer.trainable_weights]

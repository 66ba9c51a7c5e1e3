"""Which layers of a classifier train: the fine-tuning schemes of the FaceChannel masked-face study, for any model.

- "all": every layer (from scratch, or fine-tuning all layers);
- "last-conv": the last convolution and every layer after it (its normalisation, the pooling, the dense head);
- "head": only the layers after the last convolution and its batch normalisation (the read-out on frozen
  features): training starts at the first layer with weights after them that is not a normalisation.

"Last convolution" is the last layer in the model's layer order with a convolution kernel (Conv*D, depthwise,
separable), or, for models that name a group of layers as their last convolution (`last_conv_layers`, e.g.
FaceChannel's shunting-inhibited pair and its combining layer), the first layer of that group. Nested models
are walked in place. For FaceChannel the result equals its own `set_trainable` ("last_conv", "none").

Frozen layers keep computing as at inference: Keras 3's BatchNormalization uses its moving statistics (and
does not update them) whenever the layer is not trainable, which is what fine-tuning needs.
"""

from __future__ import annotations

import keras

from .config import TRAINABLE_SCHEMES, TrainingError

CONVOLUTIONS = (
    keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D, keras.layers.DepthwiseConv2D,
    keras.layers.SeparableConv2D, keras.layers.Conv2DTranspose,
)

NORMALIZATIONS = (keras.layers.BatchNormalization, keras.layers.LayerNormalization, keras.layers.GroupNormalization)


def ordered_layers(model) -> list:
    """The model's layers in graph order, with nested models expanded where they stand."""
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out.extend(ordered_layers(layer))
        else:
            out.append(layer)
    return out


def _last_conv_group(model, layers: list) -> tuple[int, int]:
    """(index of the first, index of the last) layer of the model's last convolution in `layers`."""
    named: set[str] = set()
    for owner in [model, *(layer for layer in model.layers if isinstance(layer, keras.Model))]:
        named |= set(getattr(owner, "last_conv_layers", ()) or ())
    convs = [i for i, layer in enumerate(layers) if isinstance(layer, CONVOLUTIONS)]
    if not convs:
        raise TrainingError(f"model {model.name!r} has no convolution, so 'last-conv' and 'head' are undefined; "
                            "use --trainable all")
    group = [i for i, layer in enumerate(layers) if layer.name in named] or [convs[-1]]
    return min(group), max(max(group), convs[-1])


def _head_start(layers: list, last_conv: int) -> int:
    """Index of the first layer of the read-out: past the last convolution and the normalisation after it."""
    for index in range(last_conv + 1, len(layers)):
        layer = layers[index]
        if layer.weights and not isinstance(layer, NORMALIZATIONS):
            return index
    return len(layers)


def set_trainable(model, scheme: str) -> list[str]:
    """Apply `scheme` ("all", "last-conv", "head") to `model` before compiling; returns the trained layer names."""
    if scheme not in TRAINABLE_SCHEMES:
        raise TrainingError(f"trainable must be one of {', '.join(TRAINABLE_SCHEMES)}, not {scheme!r}")
    layers = ordered_layers(model)
    if scheme == "all":
        first = 0
    else:
        group_start, group_end = _last_conv_group(model, layers)
        first = group_start if scheme == "last-conv" else _head_start(layers, group_end)
    # A scheme only freezes: layers the model froze itself (FECN's copied MCN generator) stay frozen, so "all"
    # changes nothing. Containers are left alone, since setting one trainable would unfreeze everything inside.
    for index, layer in enumerate(layers):
        if index < first:
            layer.trainable = False
    trained = [layer.name for layer in layers if layer.trainable and layer.weights]
    if not trained:
        raise TrainingError(f"--trainable {scheme} leaves no layer of {model.name!r} with weights to train")
    return trained


def frozen_layers(model) -> list[str]:
    """Names of the layers with weights that do not train."""
    return [layer.name for layer in ordered_layers(model) if layer.weights and not layer.trainable]


def freeze_like(view, model) -> list[str]:
    """Freeze the layers of `view` (a model over copies or reloads of `model`'s layers) that are frozen in
    `model`, matched by name; returns their names. A paradigm's reloaded wrapper holds such a view."""
    frozen = set(frozen_layers(model))
    layers = {layer.name: layer for layer in ordered_layers(view)}
    missing = sorted(frozen - set(layers))
    if missing:
        raise TrainingError(f"{view.name} has no layers {', '.join(missing)} of {model.name}, frozen there")
    for name in frozen:
        layers[name].trainable = False
    return sorted(frozen)

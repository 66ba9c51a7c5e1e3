"""Table II augmentation, two ways: Keras preprocessing layers on the device, or the paper's ImageDataGenerator.

The paper's code passed these arguments to `ImageDataGenerator` (units are ImageDataGenerator's):

    horizontal_flip=True, rotation_range=15, zoom_range=0.1, width_shift_range=0.08, height_shift_range=0.08,
    shear_range=0.1, fill_mode="nearest"        (CK+: 0.15 for zoom, both shifts and shear)

`--augment idg` uses exactly that object (from TensorFlow's Keras, per sample, on the host).
`--augment layers` (the default) draws the same transformations on the device inside the train step, with
the arguments translated into the layers' units. For an H x W crop (48 x 96 here):

=================  ================================  ==========================================================
transformation     ImageDataGenerator                Keras layer
=================  ================================  ==========================================================
flip               horizontal_flip=True (p = 0.5)    RandomFlip("horizontal")
rotation           rotation_range=15: ±15 degrees    RandomRotation(factor=15/360): a fraction of a full turn
zoom               zoom_range=z: x and y scales      RandomZoom(height_factor=(-z, z), width_factor=(-z, z)):
                   drawn independently from          the same independent scales 1 + U(-z, z); positive means
                   [1 - z, 1 + z] (>1 zooms out)     zoom out, as in ImageDataGenerator
shift              width_shift_range=w,              RandomTranslation(height_factor=w*W/H,
                   height_shift_range=h: see below   width_factor=h*H/W): fractions of the layer's own axis
shear              shear_range=s in DEGREES:         RandomShear(x_factor=(0, sin(s degrees))): the factor
                   x' = x - sin(s)*y (about centre)  is the pixel shear coefficient (x' = x + f*y), with a
                                                     random sign, so (0, f) means U(-f, f)
fill               fill_mode="nearest", one          fill_mode="nearest", bilinear; one resampling per layer
                   bilinear resampling (order=1)
=================  ================================  ==========================================================

Two facts hidden in those units, both kept so that the layers reproduce what the paper's code actually did:

- *Shear is tiny.* 0.1 is degrees, so on a 48-row crop no pixel moves by more than
  sin(0.1°) · 24 ≈ 0.04 px (rows 24 away from the centre): shear is effectively a no-op (0.15° on CK+ too).
  Keras' RandomShear shears about the top-left corner instead of the centre, which adds a translation of
  at most sin(s) · H ≈ 0.08 px - immaterial at this size.
- *Shifts swap axes on non-square images.* ImageDataGenerator scales `height_shift_range` by the number of
  rows but applies it along the columns, and `width_shift_range` by the number of columns but applies it
  along the rows (its transform matrix is built in (x, y) and transposed for numpy's (row, col) indexing;
  the same holds in keras-preprocessing, which the paper's TensorFlow 2 used). On 48 x 96 crops the paper's
  0.08 therefore moved images by up to 0.08 · 96 = 7.7 px vertically (16 % of the height) and
  0.08 · 48 = 3.8 px horizontally (4 % of the width). The layer factors above reproduce those pixel ranges;
  on square images they reduce to the obvious height_factor = h, width_factor = w.

The layers run inside `PixelPreprocessing` (preprocessing.py) and act only in training mode (`model.fit`),
so evaluation and prediction see the crops unchanged.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from .config import Augmentation, TrainingError


def layer_arguments(aug: Augmentation, height: int, width: int) -> dict[str, dict[str, Any]]:
    """Constructor arguments of each Keras preprocessing layer equivalent to `aug` on H x W images."""
    out: dict[str, dict[str, Any]] = {}
    if aug.horizontal_flip:
        out["RandomFlip"] = {"mode": "horizontal"}
    if aug.rotation_degrees:
        out["RandomRotation"] = {"factor": aug.rotation_degrees / 360.0, "fill_mode": aug.fill_mode}
    if aug.zoom:
        out["RandomZoom"] = {
            "height_factor": (-aug.zoom, aug.zoom),
            "width_factor": (-aug.zoom, aug.zoom),
            "fill_mode": aug.fill_mode,
        }
    if aug.width_shift or aug.height_shift:
        # ImageDataGenerator's axis swap (module docstring): width_shift * W pixels along the rows, etc.
        rows = aug.width_shift * width / height
        cols = aug.height_shift * height / width
        out["RandomTranslation"] = {
            "height_factor": (-rows, rows),
            "width_factor": (-cols, cols),
            "fill_mode": aug.fill_mode,
        }
    if aug.shear_degrees:
        # RandomShear draws a magnitude from the range and then a random sign, so (0, f) gives U(-f, f); unlike
        # a bare f, which the layer stores as (-f, f) and then refuses when the saved model is loaded.
        out["RandomShear"] = {
            "x_factor": (0.0, math.sin(math.radians(aug.shear_degrees))),
            "y_factor": (0.0, 0.0),
            "fill_mode": aug.fill_mode,
        }
    return out


def augmentation_layers(aug: Augmentation, height: int, width: int, seed: int | None = None) -> list:
    """The Keras preprocessing layers for `aug`, in ImageDataGenerator's order of effects, float32 always.

    RandomShear only exists in newer Keras 3 releases; without it the (negligible, see above) shear is skipped.
    The layers declare `supports_jit = False` because TensorFlow's XLA lacks their image-projection op; JAX's
    implementation is plain jittable code, so there they are marked jittable and the whole train step
    compiles.
    """
    import keras

    layers = []
    for index, (name, kwargs) in enumerate(layer_arguments(aug, height, width).items()):
        cls = getattr(keras.layers, name, None)
        if cls is None:  # only RandomShear is missing from older Keras 3 releases
            continue
        layer_seed = None if seed is None else seed + index
        layers.append(cls(**kwargs, seed=layer_seed, dtype="float32", name=f"augment_{name[6:].lower()}"))
    mark_jittable(layers)
    return layers


def mark_jittable(layers) -> None:
    """On JAX, let preprocessing layers take part in a jit-compiled train step (see `augmentation_layers`)."""
    import keras

    if keras.backend.backend() == "jax":
        for layer in layers:
            layer.supports_jit = True


def image_data_generator(aug: Augmentation):
    """The paper's `ImageDataGenerator` (from TensorFlow's Keras) configured with `aug`."""
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise TrainingError(
            "--augment idg needs TensorFlow (tf.keras.preprocessing.image.ImageDataGenerator); install tensorflow "
            "or use --augment layers, which needs no TensorFlow"
        ) from exc
    image_module = getattr(getattr(tf.keras, "preprocessing", None), "image", None)
    generator_cls = getattr(image_module, "ImageDataGenerator", None)
    if generator_cls is None:
        raise TrainingError(
            f"this TensorFlow ({tf.__version__}) has no tf.keras.preprocessing.image.ImageDataGenerator; "
            "use --augment layers"
        )
    return generator_cls(
        horizontal_flip=aug.horizontal_flip,
        rotation_range=aug.rotation_degrees,
        zoom_range=aug.zoom,
        width_shift_range=aug.width_shift,
        height_shift_range=aug.height_shift,
        shear_range=aug.shear_degrees,
        fill_mode=aug.fill_mode,
    )


def describe(aug: Augmentation, mode: str, height: int, width: int) -> dict[str, Any]:
    """What config.json records about augmentation: the Table II values and, for layers, their arguments."""
    out: dict[str, Any] = {"mode": mode, "image_data_generator_units": asdict(aug)}
    if mode == "layers":
        out["layer_arguments"] = layer_arguments(aug, height, width)
    return out

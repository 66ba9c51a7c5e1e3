"""The custom layers of RAN (Wang et al., IEEE TIP 2020), backend-neutral (keras.ops only).

RAN passes the whole face and several crops of it through one shared backbone. Here the regions travel as
one stacked batch, region-major within each face: row `b * R + r` of the stacked batch is region `r` of face
`b`, and region 0 is always the whole face.

    RegionCrops       image (B, H, W, C)       -> regions (B*R, H, W, C): the face, then each crop resized to H x W
    FaceRegion        maps (B*R, h, w, C)      -> the whole face's maps (B, h, w, C), what Grad-CAM reads
    RegionPooling     [face maps, stacked maps] -> one pooled feature vector per region (B, R, C)
    AttentionPooling  [values (B, R, D), weights (B, R, 1)] -> sum_i w_i v_i / sum_i w_i   (B, D)
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import ops

from ...errors import MaskTheFERError

# Where each named crop sits, as (vertical, horizontal) anchors in [0, 1]: 0 is the top / left edge, 1 the
# bottom / right edge, 0.5 the middle. The first three are the paper's fixed-position crops.
CROP_ANCHORS: dict[str, tuple[float, float]] = {
    "top-left": (0.0, 0.0),
    "top-right": (0.0, 1.0),
    "center-down": (1.0, 0.5),
    "bottom-left": (1.0, 0.0),
    "bottom-right": (1.0, 1.0),
    "center": (0.5, 0.5),
}


def crop_boxes(height: int, width: int, crops: Sequence[str], scale: float) -> list[tuple[int, int, int, int]]:
    """Pixel boxes `(top, left, crop height, crop width)`: the whole face first, then one per named crop.

    Each crop is `scale` of the face's height and width (rounded to whole pixels, at least 1), placed at its
    anchor: `top = round(vertical * (height - crop height))`, likewise for `left`.
    """
    unknown = [name for name in crops if name not in CROP_ANCHORS]
    if unknown:
        raise MaskTheFERError(f"unknown RAN crop {unknown[0]!r}; choose from {', '.join(CROP_ANCHORS)}")
    if not 0.0 < float(scale) <= 1.0:
        raise MaskTheFERError(f"RAN crop_scale must be in (0, 1], got {scale!r}")
    crop_h = max(1, round(height * scale))
    crop_w = max(1, round(width * scale))
    boxes = [(0, 0, height, width)]
    for name in crops:
        vertical, horizontal = CROP_ANCHORS[name]
        boxes.append((round(vertical * (height - crop_h)), round(horizontal * (width - crop_w)), crop_h, crop_w))
    return boxes


@keras.saving.register_keras_serializable(package="maskthefer")
class RegionCrops(keras.layers.Layer):
    """The face and its crops, each resized (bilinear) to the face's size, stacked region-major on the batch."""

    def __init__(self, crops: Sequence[str], scale: float = 0.75, **kwargs):
        super().__init__(**kwargs)
        self.crops = [str(name) for name in crops]
        self.scale = float(scale)
        crop_boxes(8, 8, self.crops, self.scale)  # reject bad names and scales at construction

    @property
    def num_regions(self) -> int:
        return len(self.crops) + 1

    def call(self, images):
        height, width, channels = images.shape[1:]
        regions = [images]
        for top, left, crop_h, crop_w in crop_boxes(height, width, self.crops, self.scale)[1:]:
            crop = images[:, top : top + crop_h, left : left + crop_w, :]
            regions.append(ops.image.resize(crop, (height, width), interpolation="bilinear"))
        stacked = ops.stack(regions, axis=1)  # (B, R, H, W, C)
        return ops.reshape(stacked, (-1, height, width, channels))

    def compute_output_shape(self, input_shape):
        return (None, *input_shape[1:])

    def get_config(self) -> dict:
        return {**super().get_config(), "crops": list(self.crops), "scale": self.scale}


@keras.saving.register_keras_serializable(package="maskthefer")
class FaceRegion(keras.layers.Layer):
    """Region 0 (the whole face) of a stacked batch: (B*R, ...) -> (B, ...)."""

    def __init__(self, num_regions: int, **kwargs):
        super().__init__(**kwargs)
        self.num_regions = int(num_regions)

    def call(self, stacked):
        return ops.reshape(stacked, (-1, self.num_regions, *stacked.shape[1:]))[:, 0]

    def compute_output_shape(self, input_shape):
        return (None, *input_shape[1:])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_regions": self.num_regions}


@keras.saving.register_keras_serializable(package="maskthefer")
class RegionPooling(keras.layers.Layer):
    """Global average pooling per region, regrouped per face: `[face (B, h, w, C), stacked (B*R, h, w, C)]`
    -> (B, R, C).

    Region 0 is pooled from the face maps given separately (not from the stacked batch), so that the whole
    face's maps lie on the path to the prediction and Grad-CAM on `FaceRegion`'s output sees its gradient.
    """

    def __init__(self, num_regions: int, **kwargs):
        super().__init__(**kwargs)
        self.num_regions = int(num_regions)

    def call(self, inputs):
        face, stacked = inputs
        pooled = ops.reshape(ops.mean(stacked, axis=(1, 2)), (-1, self.num_regions, stacked.shape[-1]))
        return ops.concatenate([ops.mean(face, axis=(1, 2))[:, None, :], pooled[:, 1:]], axis=1)

    def compute_output_shape(self, input_shape):
        face_shape, _ = input_shape
        return (face_shape[0], self.num_regions, face_shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_regions": self.num_regions}


@keras.saving.register_keras_serializable(package="maskthefer")
class AttentionPooling(keras.layers.Layer):
    """The attention-weighted mean of RAN's equations: `sum_i w_i v_i / sum_i w_i` over the regions.

    The weights are sigmoid outputs, so the sum is positive; the small epsilon only guards bf16 underflow.
    """

    epsilon = 1e-7

    def call(self, inputs):
        values, weights = inputs
        weights = ops.cast(weights, values.dtype)
        return ops.sum(values * weights, axis=1) / (ops.sum(weights, axis=1) + self.epsilon)

    def compute_output_shape(self, input_shape):
        values_shape, _ = input_shape
        return (values_shape[0], values_shape[-1])

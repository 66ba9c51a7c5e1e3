"""How the photo shows the face, measured on the face itself before the mask covers it.

The mask must look as if it were in the photo, not pasted on it:
- brightness: a white mask on a dim FER2013 face is grey, not paper-white (MaskTheFace matched brightness
  too); the median luminance over the landmark hull sets the gain;
- light direction: the brighter half of the face tells from which side the light comes;
- grain: part of the skin's high-frequency spread is added to the mask as noise;
- softness: an upscaled photo (CK+48 blown up to 192 px, say) is blurry, and a crisp mask on it would be a
  give-away; the largest factor the face can be shrunk by and enlarged again without losing detail tells
  how soft the photo is, and the mask is blurred to match.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from .geometry import FaceGeometry
from .templates.base import Lighting

_REFERENCE_LUMINANCE = 0.5  # face luminance at which a mask shows its nominal colour
_GAIN_RANGE = (0.22, 1.45)
_MAX_GRAIN = 0.012
_GRAIN_SHARE = 0.3  # the Laplacian also sees facial detail, so only part of its spread is noise
_SOFTNESS_FACTORS = (1.5, 2.0, 3.0, 4.0, 6.0)
# Relative detail lost by shrinking and re-enlarging: ~0.15+ for a native 48 px face, ~0.04 after 2x upscaling.
_SOFTNESS_LOSS = 0.07
_MEASURE_PIXELS = 1 << 20  # larger faces are measured on a shrunk copy (bounded memory)
_SIGMA_PER_FACTOR = 0.45  # Gaussian sigma (px) that blurs like shrinking by one factor and enlarging again


@dataclass(frozen=True)
class FaceLook:
    lighting: Lighting = Lighting()
    grain: float = 0.0  # noise sigma, in [0, 1] intensity units
    blur: float = 0.0  # Gaussian sigma in image pixels matching the photo's softness (0: sharp)


def _mean(values: np.ndarray) -> float:
    """np.mean of a float32 array, without its per-call cost: numpy sums in float32 and divides in float64
    (its count is an integer array scalar), then rounds the quotient to float32; so does this."""
    return float(np.float32(float(values.sum()) / values.size))


def _detail_lost(window: np.ndarray, factor: float) -> float:
    h, w = window.shape
    small = cv2.resize(window, (max(2, round(w / factor)), max(2, round(h / factor))), interpolation=cv2.INTER_AREA)
    again = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    spread = _mean(np.abs(window - np.float32(_mean(window))))
    return _mean(np.abs(window - again)) / max(spread, 1e-6)


def _softness(window: np.ndarray) -> float:
    """Blur sigma (px) of the photo: 0 for a native-resolution face, larger for upscaled ones."""
    factor = 1.0
    for candidate in _SOFTNESS_FACTORS:
        if min(window.shape) / candidate < 8 or _detail_lost(window, candidate) >= _SOFTNESS_LOSS:
            break
        factor = candidate
    return 0.0 if factor == 1.0 else _SIGMA_PER_FACTOR * factor


def _median(values: np.ndarray) -> float:
    """Median of a 1-D array by one partial sort (np.median's generality costs more than the sort here)."""
    half = values.size // 2
    if values.size % 2:
        return float(np.partition(values, half)[half])
    low, high = np.partition(values, (half - 1, half))[half - 1 : half + 1]
    return 0.5 * float(low + high)


def _measure_shrunk(crop: np.ndarray, landmarks: np.ndarray, geometry: FaceGeometry, offset) -> FaceLook:
    """measure_face on an area-averaged copy of a face too large to measure in floats at full size; the
    softness found there is scaled back to the photo's pixels."""
    factor = float(np.sqrt(crop.shape[0] * crop.shape[1] / _MEASURE_PIXELS))
    size = (max(3, round(crop.shape[1] / factor)), max(3, round(crop.shape[0] / factor)))
    small = cv2.resize(np.ascontiguousarray(crop), size, interpolation=cv2.INTER_AREA)
    frame = geometry.frame
    small_frame = replace(frame, origin=(frame.origin - offset) / factor, iod=frame.iod / factor)
    look = measure_face(small, landmarks / factor, replace(geometry, frame=small_frame))
    return replace(look, blur=look.blur * factor)


def measure_face(gray: np.ndarray, landmarks: np.ndarray, geometry: FaceGeometry) -> FaceLook:
    """Brightness, light slant, grain and softness of the face in `gray` (uint8, or float32 in [0, 1])."""
    hull = cv2.convexHull(np.round(landmarks).astype(np.int32))
    x, y, w, h = cv2.boundingRect(hull)
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, gray.shape[1]), min(y + h, gray.shape[0])
    if x1 - x0 < 3 or y1 - y0 < 3:
        return FaceLook()  # face (mostly) outside the image: nothing to measure, use neutral values
    if (x1 - x0) * (y1 - y0) > _MEASURE_PIXELS:
        return _measure_shrunk(gray[y0:y1, x0:x1], landmarks - (x0, y0), geometry, (x0, y0))
    window = gray[y0:y1, x0:x1].astype(np.float32)  # only the face is measured, so only it is converted
    if gray.dtype == np.uint8:
        window /= 255.0
    inside = np.zeros(window.shape, np.uint8)
    cv2.fillConvexPoly(inside, hull - np.array([x0, y0], np.int32), 1)
    inside = inside.astype(bool)
    if inside.sum() < 9:
        return FaceLook()
    luminance = _median(window[inside])
    gain = min(max((luminance / _REFERENCE_LUMINANCE) ** 0.85, _GAIN_RANGE[0]), _GAIN_RANGE[1])  # scalars: no np.clip

    # Which side of the face's vertical centre line each pixel lies on (broadcast: a column and a row).
    ax, ay = geometry.frame.x_axis
    ox, oy = geometry.frame.origin
    side = (np.arange(x0, x1) - ox)[None, :] * ax + (np.arange(y0, y1) - oy)[:, None] * ay
    left, right = window[inside & (side < 0)], window[inside & (side > 0)]
    slant = 0.0
    if left.size and right.size:
        l, r = _mean(left), _mean(right)
        slant = min(max(2.5 * (r - l) / max(r + l, 1e-3), -1.0), 1.0)

    # Noise: robust spread of the Laplacian (a 3x3 Laplacian amplifies white noise by sqrt(20)).
    laplacian = cv2.Laplacian(window, cv2.CV_32F, ksize=1)[inside]
    spread = _median(np.abs(laplacian - _median(laplacian))) * 1.4826 / np.sqrt(20.0)
    return FaceLook(Lighting(gain, slant), min(_GRAIN_SHARE * spread, _MAX_GRAIN), _softness(window))

"""`mask_coverage`: where `apply_mask` draws, as the alpha it blends the mask with, for measurements.

apply_mask hands back only the masked pixels; how much of a face (or of its eye-region crop) the mask hides
needs the blend weight itself. This follows apply_masks and its drawer step by step (geometry, template
resolution, warp, window, the photo's softness, the eye clearance) and keeps only the alpha channel, so the
numbers are those apply_mask blends with (tests/data/test_mask_coverage.py checks this against the masked
pixels of real faces).
"""

from __future__ import annotations

import cv2
import numpy as np

from .apply import _check_image, _eye_clearance, _window, template_resolution
from .canvas import Canvas
from .errors import MaskFitError
from .geometry import canonical_controls, check_landmarks, face_geometries
from .lighting import measure_face
from .style import MaskStyle
from .templates import template_layers
from .warp import fit_warps


def mask_coverage(image: np.ndarray, landmarks: np.ndarray, style: MaskStyle) -> np.ndarray:
    """The alpha (float32 (H, W) in [0, 1]) with which `apply_mask(image, landmarks, style)` draws its mask.

    Colours and textures do not change where a mask goes, only its type, head turn and the photo do. For a
    face drawn in one band of rows (every face under 2^18 window pixels, so every FER2013 and CK+ face) the
    alpha is apply_mask's to the float; larger faces are blurred here in one piece rather than by bands.
    Raises MaskFitError and MaskInputError as apply_mask does.
    """
    _check_image(image)
    points = check_landmarks(landmarks)
    (geometry,) = face_geometries(points[None])
    if isinstance(geometry, MaskFitError):
        raise geometry
    ppu = template_resolution(geometry.frame.iod)
    layers = template_layers(style, geometry.turn, ppu)
    controls = Canvas(ppu).px(canonical_controls()) - layers.origin
    drawn = (0.0, 0.0, float(layers.alpha.shape[1] - 1), float(layers.alpha.shape[0] - 1))
    (warp,) = fit_warps(controls[None], geometry.controls[None], [geometry.frame.iod], [drawn])
    if isinstance(warp, MaskFitError):
        raise warp
    coverage = np.zeros(image.shape[:2], np.float32)
    window = _window(warp, drawn, image.shape)
    if window is None:
        return coverage  # the face lies outside the image
    left, top, right, bottom = window
    width, height = right - left, bottom - top
    # apply_mask remaps its nine layers at once, and OpenCV interpolates images of more than four channels
    # with weights rounded to 1/32 (up to 0.015 off bilinear), fewer channels exactly: the alpha is remapped
    # in the same nine-channel layout, so it is the one apply_mask blends with.
    nine = np.zeros(layers.alpha.shape + (9,), np.float32)
    nine[..., 6] = layers.alpha
    alpha = cv2.remap(nine, warp.inverse_maps(left, top, width, height), None, cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_CONSTANT, borderValue=0)[..., 6]  # fmt: skip
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    look = measure_face(gray, points, geometry)
    if look.blur > 0:
        alpha = cv2.GaussianBlur(alpha, (0, 0), look.blur)
    alpha *= _eye_clearance(geometry, left, top, width, height)
    coverage[top:bottom, left:right] = alpha
    return coverage

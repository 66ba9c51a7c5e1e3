"""`apply_mask`: draw one synthetic mask onto one face; `apply_masks`: onto several faces at once.

Tiny faces are the common case (FER2013: 48x48 gray, eyes ~18 px apart). Templates come from a cache of
drawings at fixed resolutions in half-octave steps, drawn at 40 px or more per eye distance and
area-averaged down to the step nearest the face's own scale (a mipmap): edges stay anti-aliased
and fine textures average to their true colour instead of aliasing into moire, and a face pays only for
warping, colouring and lighting the few hundred pixels its mask covers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from .canvas import Canvas, smoothstep
from .errors import MaskFitError, MaskInputError
from .geometry import FaceGeometry, canonical_controls, check_landmarks, face_geometries
from .lighting import measure_face
from .style import MaskStyle
from .templates import coloured_layers, light
from .warp import FaceWarp, fit_warps

_PPU_RANGE = (8.0, 260.0)  # template resolution (px per eye distance) bounds
_BAND_PIXELS = 1 << 18  # window pixels drawn at once: some 10 MB per float layer, whatever the photo size
_PPU_STEPS_PER_OCTAVE = 2  # cached template resolutions: 2^(k/2), so FER2013's faces need one or two
_EYE_CLEARANCE = (0.06, 0.13)  # mask fades out between these distances (IOD) below the lower eyelids
_LUMA = np.array([0.114, 0.587, 0.299], np.float32)  # BGR -> gray, as cv2.cvtColor
_EDGE_STEPS = np.linspace(0.0, 1.0, 9)  # where the drawn box's border is probed


def _check_image(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise MaskInputError(f"image must be a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise MaskInputError(f"image must be uint8, got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise MaskInputError(f"image must be (H, W) gray or (H, W, 3) BGR, got shape {image.shape}")
    if min(image.shape[:2]) < 2:
        raise MaskInputError(f"image of shape {image.shape} is too small to hold a face")
    return image


def template_resolution(pixels_per_iod: float) -> float:
    """The cached template resolution for a face `pixels_per_iod` px between the eyes: the nearest
    half-octave step (at most 19 % finer or coarser than the face), within the allowed range."""
    steps = round(math.log2(max(pixels_per_iod, 1.0)) * _PPU_STEPS_PER_OCTAVE)  # halves to even, as np.round
    return min(max(2.0 ** (steps / _PPU_STEPS_PER_OCTAVE), _PPU_RANGE[0]), _PPU_RANGE[1])


def _window(warp: FaceWarp, drawn: tuple, image_shape: tuple) -> tuple[int, int, int, int] | None:
    """Image window (left, top, right, bottom) that the warped template can touch, or None if outside."""
    x0, y0, x1, y1 = drawn
    edge = _EDGE_STEPS
    xs, ys = x0 + (x1 - x0) * edge, y0 + (y1 - y0) * edge
    border = np.empty((36, 2))
    border[:9, 0], border[:9, 1] = xs, y0  # top, bottom, left and right edges, nine points each
    border[9:18, 0], border[9:18, 1] = xs, y1
    border[18:27, 0], border[18:27, 1] = x0, ys
    border[27:, 0], border[27:, 1] = x1, ys
    mapped = warp.forward(border)
    pad = 2.0 + 0.1 * warp.iod
    (low_x, low_y), (high_x, high_y) = mapped.min(axis=0).tolist(), mapped.max(axis=0).tolist()
    left, top = max(math.floor(low_x - pad), 0), max(math.floor(low_y - pad), 0)
    right, bottom = min(math.ceil(high_x + pad), image_shape[1]), min(math.ceil(high_y + pad), image_shape[0])
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def _eye_clearance(geometry: FaceGeometry, left: int, top: int, width: int, height: int) -> np.ndarray:
    """1 where the mask may be drawn, fading to 0 towards the lower eyelids (the eyes are never covered)."""
    frame = geometry.frame
    lids = frame.to_units(geometry.lower_lids)[:, 1].max()
    # Depth below the eye line of every pixel: a column term plus a row term (the frame is a similarity).
    (ax, ay), (ox, oy) = frame.y_axis / frame.iod, frame.origin
    depth = (np.arange(left, left + width) - ox)[None, :] * ax + (np.arange(top, top + height) - oy)[:, None] * ay
    return smoothstep(lids + _EYE_CLEARANCE[0], lids + _EYE_CLEARANCE[1], depth).astype(np.float32)


def apply_mask(image: np.ndarray, landmarks: np.ndarray, style: MaskStyle) -> np.ndarray:
    """A copy of `image` (uint8 gray (H, W) or BGR (H, W, 3)) with a `style` mask drawn on the face whose
    68 dlib landmarks ((68, 2) x, y in image pixels) are given.

    Deterministic: the same image, landmarks and style give the same pixels. Raises MaskFitError when the
    landmarks are too degenerate to hold a mask, MaskInputError for arrays of the wrong shape or type.
    """
    (masked,) = apply_masks([image], [landmarks], [style])
    if isinstance(masked, Exception):
        raise masked
    return masked


def apply_masks(
    images: Sequence[np.ndarray], landmarks: Sequence[np.ndarray], styles: Sequence[MaskStyle]
) -> list[np.ndarray | MaskFitError | MaskInputError]:
    """`apply_mask` on several faces (one per image) at once: per face, the masked copy, or the exception
    apply_mask would raise for it. The same pixels as one call per face, for less CPU."""
    if not len(images) == len(landmarks) == len(styles):
        raise ValueError(f"apply_masks: {len(images)} images, {len(landmarks)} landmark sets, {len(styles)} styles")
    out: list = [None] * len(images)
    points = {}
    for i, (image, face) in enumerate(zip(images, landmarks)):
        try:
            _check_image(image)
            points[i] = check_landmarks(face)
        except (MaskInputError, MaskFitError) as exc:
            out[i] = exc
    faces = list(points)
    geometries = face_geometries(np.stack([points[i] for i in faces])) if faces else []
    fits = []  # (face, geometry, layers, drawn box) of the faces whose landmarks hold a mask
    for i, geometry in zip(faces, geometries):
        if isinstance(geometry, MaskFitError):
            out[i] = geometry
            continue
        ppu = template_resolution(geometry.frame.iod)
        layers, origin = coloured_layers(styles[i], geometry.turn, ppu)
        controls = Canvas(ppu).px(canonical_controls()) - origin
        drawn = (0.0, 0.0, float(layers.shape[1] - 1), float(layers.shape[0] - 1))
        fits.append((i, geometry, layers, controls, drawn))
    warps = fit_warps(
        np.stack([fit[3] for fit in fits]) if fits else np.empty((0, 18, 2)),
        np.stack([fit[1].controls for fit in fits]) if fits else np.empty((0, 18, 2)),
        [fit[1].frame.iod for fit in fits],
        [fit[4] for fit in fits],
    )
    for (i, geometry, layers, _, drawn), warp in zip(fits, warps):
        if isinstance(warp, MaskFitError):
            out[i] = warp
        else:
            out[i] = _draw(images[i], points[i], geometry, layers, warp, drawn, styles[i])
    return out


def _draw(image: np.ndarray, points: np.ndarray, geometry: FaceGeometry, layers: np.ndarray, warp: FaceWarp,
          drawn: tuple, style: MaskStyle) -> np.ndarray:  # fmt: skip
    """The masked copy of one image, its mask's layers fitted by `warp`."""
    window = _window(warp, drawn, image.shape)
    out = image.copy()
    if window is None:
        return out  # the face lies outside the image; there is nothing to draw on
    left, top, right, bottom = window
    width, height = right - left, bottom - top

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    look = measure_face(gray, points, geometry)
    # A face filling a huge photo is drawn in bands of rows, so the float layers (nine channels) never hold
    # more than _BAND_PIXELS pixels at once; a FER2013 face is one band. Bands overlap by the blur's reach.
    rows = max(1, _BAND_PIXELS // width)
    reach = int(np.ceil(3.0 * look.blur)) + 1 if look.blur > 0 else 0
    for band_top in range(top, bottom, rows):
        band_bottom = min(band_top + rows, bottom)
        lo, hi = max(top, band_top - reach), min(bottom, band_bottom + reach)
        drawn_rows = _draw_rows(image, layers, warp, geometry, style, look, left, width, lo, hi)
        out[band_top:band_bottom, left:right] = drawn_rows[band_top - lo : band_bottom - lo]
    return out


def _draw_rows(image, layers, warp, geometry, style, look, left: int, width: int, top: int, bottom: int):
    """The masked pixels of image rows top..bottom, columns left..left+width (uint8)."""
    height = bottom - top
    # One two-channel map: remap reads it as it is, where separate x and y planes would be copied first.
    warped = cv2.remap(layers, warp.inverse_maps(left, top, width, height), None, cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=0)  # fmt: skip
    layer = light(warped, style, look.lighting)
    if look.blur > 0:
        layer = cv2.GaussianBlur(layer, (0, 0), look.blur)  # as soft as the (upscaled) photo
    layer *= _eye_clearance(geometry, left, top, width, height)[..., None]
    alpha = layer[..., 3]
    colour = layer[..., :3]

    rng = np.random.default_rng([style.seed, 7, left, top, height, width])
    noise = rng.normal(0.0, look.grain, (height, width)).astype(np.float32)
    if look.blur > 0:
        noise = cv2.GaussianBlur(noise, (0, 0), look.blur)
    region = image[top:bottom, left : left + width].astype(np.float32)
    region /= 255.0
    if image.ndim == 2:
        blended = region * (1.0 - alpha) + colour @ _LUMA + noise * alpha
    else:
        blended = region * (1.0 - alpha[..., None]) + colour + (noise * alpha)[..., None]
    np.clip(blended, 0.0, 1.0, out=blended)
    blended *= 255.0
    return np.rint(blended, out=blended).astype(np.uint8)

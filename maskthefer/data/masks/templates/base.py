"""What a mask-type drawer returns, and how it becomes template layers that are lit once on the face.

A drawer describes its mask as a coverage map (`body`), a colour map in paints (`albedo`: the texture's
surface darkened by seams and pleats, valves and filters laid over it; see paint.py), a height field in
face-frame units (`height`: bulges, folds, pleats, seams) and thin parts hanging off it (`straps`: ear
loops, head straps) drawn under the body. `finish` darkens the rim where the cloth curves away and the far
side of a turned head, and keeps the height field's slopes, so that the light of each photo (its direction
and brightness, see `shade`) is applied after warping, on the few pixels the mask covers. Nothing here
depends on the style's colours, texture or the photo: one drawing serves every face with that mask type
and head turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import paint
from ..canvas import Canvas, catmull_rom, lambert_from_slopes
from ..style import MaskStyle


@dataclass
class Drawing:
    body: np.ndarray  # (H, W) coverage of the mask itself
    albedo: np.ndarray  # (H, W, 6) paint of the body
    height: np.ndarray  # (H, W) relief in face-frame units
    straps: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (coverage, paint) under the body


@dataclass(frozen=True)
class TemplateLayers:
    """One mask type drawn for one head turn at one resolution, unlit, cropped to the drawn part."""

    body: paint.PaintMap  # (h, w) premultiplied paint of the mask itself, rim and far-side darkening included
    straps: paint.PaintMap  # (h, w) premultiplied paint of the loops and straps (never shaded)
    alpha: np.ndarray  # (h, w) coverage of body and straps together
    slopes: np.ndarray  # (h, w, 2) slopes of the height field, d/dx and d/dy, in face units per face unit
    origin: tuple[int, int]  # (x, y) of the crop's top-left pixel on the full canvas

    @property
    def nbytes(self) -> int:
        return self.body.nbytes + self.straps.nbytes + self.alpha.nbytes + self.slopes.nbytes


@dataclass(frozen=True)
class Lighting:
    """How the face in the photo is lit: overall gain for the mask and the light's sideways slant."""

    gain: float = 1.0
    slant: float = 0.0  # -1 light from the image's left .. +1 from its right


LIGHT_COLOURS = {"white", "off-white", "light-grey", "light-blue", "mint", "light-pink", "beige", "lavender"}


def loop_colour(style: MaskStyle) -> np.ndarray:
    """Ear loops (a paint) are white on pale masks and match the fabric on dark or bright ones."""
    return paint.fixed((0.95, 0.95, 0.95)) if style.colour in LIGHT_COLOURS else paint.base(0.9)


def paint_fill(canvas: Canvas, colour: np.ndarray) -> np.ndarray:
    """The whole canvas in one paint, (H, W, 6)."""
    return paint.fill(canvas.shape, colour)


def ear_loops(canvas: Canvas, turn: int, top: tuple, bottom: tuple, ear_top: tuple, ear_bottom: tuple,
              width: float) -> np.ndarray:  # fmt: skip
    """Coverage of the elastic loops from the mask's corners to the ears (image-left coordinates; mirrored).

    On a turned head the loop on the far side disappears behind the cheek, so it is not drawn.
    """
    coverage = np.zeros(canvas.shape, np.float32)
    for side in (-1, 1):
        if turn and side == turn:
            continue
        m = np.array([side * -1.0, 1.0])  # the geometry is given for the image-left side (x < 0)
        upper = catmull_rom(np.array([top, (0.5 * (top[0] + ear_top[0]) - 0.04, ear_top[1] - 0.02), ear_top]) * m)
        lower_mid = (0.5 * (bottom[0] + ear_bottom[0]) - 0.08, 0.5 * (bottom[1] + ear_bottom[1]) + 0.05)
        lower = catmull_rom(np.array([bottom, lower_mid, ear_bottom]) * m)
        coverage = np.maximum(coverage, np.maximum(canvas.stroke(upper, width), canvas.stroke(lower, width)))
    return coverage


def straps_band(canvas: Canvas, turn: int, start: tuple, end: tuple, width: float) -> np.ndarray:
    """Coverage of straight head straps leaving both sides of the mask (the far one hidden when turned)."""
    coverage = np.zeros(canvas.shape, np.float32)
    for side in (-1, 1):
        if turn and side == turn:
            continue
        m = np.array([-side * 1.0, 1.0])
        coverage = np.maximum(coverage, canvas.stroke(np.array([start, end]) * m, width))
    return coverage


def wrap_height(canvas: Canvas, half_width: float = 1.2, depth: float = 0.4) -> np.ndarray:
    """The mask wrapping round the face: a horizontal cylinder, so the sides face away from the camera."""
    x, _ = canvas.grid
    return depth * np.sqrt(np.clip(1.0 - (x / half_width) ** 2, 0.0, 1.0))


def bump(canvas: Canvas, centre: tuple, axes: tuple, depth: float) -> np.ndarray:
    """A smooth elliptic bulge (nose and mouth push the mask forward)."""
    x, y = canvas.grid
    r2 = ((x - centre[0]) / axes[0]) ** 2 + ((y - centre[1]) / axes[1]) ** 2
    return depth * np.clip(1.0 - r2, 0.0, 1.0) ** 1.5


def finish(drawing: Drawing, canvas: Canvas, turn: int, size: tuple[int, int] | None = None) -> TemplateLayers:
    """The drawing as premultiplied layers, area-averaged to `size` (width, height; default: the canvas's)
    and cropped to where anything is drawn."""
    x, _ = canvas.grid
    rim = canvas.edge_distance(drawing.body)
    darken = 1.0 - 0.2 * np.exp(-rim / 0.05)
    if turn:
        # The half on the side the nose points to turns away from the camera.
        darken *= 1.0 - 0.16 * np.clip(turn * x, 0.0, 1.2)
    alpha = drawing.body.copy()
    body = drawing.albedo * (alpha * darken)[..., None]
    straps = np.zeros_like(body)
    for coverage, strap_paint in drawing.straps:
        under = coverage * (1.0 - alpha)
        straps += under[..., None] * np.asarray(strap_paint, np.float32) * 0.9
        alpha = alpha + under
    gy, gx = np.gradient(drawing.height.astype(np.float32))
    slopes = np.dstack([gx, gy]) * np.float32(canvas.ppu)
    layers = [body.astype(np.float32), straps.astype(np.float32), alpha.astype(np.float32), slopes]
    if size is not None and size != (canvas.width, canvas.height):
        layers = [shrink(layer, size) for layer in layers]
    body, straps, alpha, slopes = layers
    rows, cols = np.nonzero(alpha > 1e-3)
    if rows.size == 0:
        rows, cols = np.array([0]), np.array([0])
    top, left = max(rows.min() - 1, 0), max(cols.min() - 1, 0)
    window = np.s_[top : rows.max() + 2, left : cols.max() + 2]
    return TemplateLayers(
        paint.PaintMap.pack(body[window]),
        paint.PaintMap.pack(straps[window]),
        np.ascontiguousarray(alpha[window]),
        np.ascontiguousarray(slopes[window]),
        (int(left), int(top)),
    )


def shrink(layer: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Area-average a layer (H, W[, C]) to `size` (width, height): the drawing pre-filtered for a small face."""
    import cv2

    channels = layer.shape[2] if layer.ndim == 3 else 0
    if channels > 4:  # cv2.resize keeps any channel count, but by fours it is fastest and always supported
        return np.dstack([shrink(layer[..., i : i + 4], size) for i in range(0, channels, 4)])
    out = cv2.resize(np.ascontiguousarray(layer), size, interpolation=cv2.INTER_AREA)
    return out.reshape(out.shape[:2] + ((channels,) if channels else ()))


def shade(slopes: np.ndarray, relief: float, slant: float) -> np.ndarray:
    """Diffuse shading of the relief (its slopes times `relief`) under light from above, slanted sideways
    like the photo's (-1 from the image's left .. +1 from its right); 1 on a flat surface."""
    light = np.array([0.45 * slant, -0.55, 1.0])
    return lambert_from_slopes(slopes[..., 0] * relief, slopes[..., 1] * relief, light)


def tone(colour: np.ndarray) -> np.ndarray:
    """Soft highlight roll-off, so bright masks on bright faces keep their folds instead of clipping flat."""
    knee = 0.82
    bright = colour > knee
    if bright.any():
        colour = colour.copy()
        colour[bright] = knee + (1.0 - knee) * np.tanh((colour[bright] - knee) / (1.0 - knee))
    return colour


def ridge_x(y: np.ndarray, turn: int) -> np.ndarray:
    """x of the mask's centre line: straight on a frontal face; on a turned head the part over the nose
    and mouth, which stick out furthest, swings towards the side the nose points to."""
    return turn * 0.12 * np.exp(-(((y - 0.85) / 0.5) ** 2))


def valve(canvas: Canvas, centre: tuple, radius: float, colour: np.ndarray) -> tuple[np.ndarray, ...]:
    """An exhalation valve: (coverage, paint map, height) of a round cap with a ring and vent slits."""
    x, y = canvas.grid
    r = np.hypot(x - centre[0], y - centre[1]) / radius
    cap = canvas.ellipse(centre, (radius, radius))
    ring = np.exp(-(((r - 0.72) * radius * canvas.ppu) / 1.2) ** 2)
    slits = (np.cos((y - centre[1]) / radius * 3.5 * np.pi) > 0.6) & (r < 0.55) & (np.abs(x - centre[0]) < 0.4 * radius)
    relief_shade = 1.0 - 0.35 * ring - 0.45 * slits
    height = 0.09 * np.sqrt(np.clip(1.0 - r**2, 0.0, 1.0))
    return cap, np.asarray(colour, np.float32) * relief_shade[..., None], height

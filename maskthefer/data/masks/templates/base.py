"""What a mask-type drawer returns, and the shading that turns it into a lit RGBA template.

A drawer describes its mask as a coverage map (`body`), a colour map (`albedo`), a height field in
face-frame units (`height`: bulges, folds, pleats, seams) and thin parts hanging off it (`straps`: ear
loops, head straps) drawn under the body. `finish` lights the height field (Lambert, light direction taken
from the photo), darkens the rim where the cloth curves away, darkens the far side of a turned head, scales
the result to the face's brightness and returns a premultiplied BGRA template.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..canvas import Canvas, catmull_rom, lambert
from ..style import MaskStyle


@dataclass
class Drawing:
    body: np.ndarray  # (H, W) coverage of the mask itself
    albedo: np.ndarray  # (H, W, 3) BGR colour of the body
    height: np.ndarray  # (H, W) relief in face-frame units
    straps: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (coverage, BGR) under the body


@dataclass(frozen=True)
class Lighting:
    """How the face in the photo is lit: overall gain for the mask and the light's sideways slant."""

    gain: float = 1.0
    slant: float = 0.0  # -1 light from the image's left .. +1 from its right


LIGHT_COLOURS = {"white", "off-white", "light-grey", "light-blue", "mint", "light-pink", "beige", "lavender"}


def loop_colour(style: MaskStyle) -> np.ndarray:
    """Ear loops are white on pale masks and match the fabric on dark or bright ones."""
    return np.full(3, 0.95, np.float32) if style.colour in LIGHT_COLOURS else style.bgr * 0.9


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


def _tone(colour: np.ndarray) -> np.ndarray:
    """Soft highlight roll-off, so bright masks on bright faces keep their folds instead of clipping flat."""
    knee = 0.82
    bright = colour > knee
    if bright.any():
        colour = colour.copy()
        colour[bright] = knee + (1.0 - knee) * np.tanh((colour[bright] - knee) / (1.0 - knee))
    return colour


def finish(drawing: Drawing, canvas: Canvas, style: MaskStyle, turn: int, lighting: Lighting) -> np.ndarray:
    """Light the drawing and return a premultiplied BGRA float32 template (H, W, 4)."""
    x, _ = canvas.grid
    light = np.array([0.45 * lighting.slant, -0.55, 1.0])
    shade = lambert(drawing.height * style.shade, canvas.ppu, light)
    rim = canvas.edge_distance(drawing.body)
    shade *= 1.0 - 0.2 * np.exp(-rim / 0.05)
    if turn:
        # The half on the side the nose points to turns away from the camera.
        shade *= 1.0 - 0.16 * np.clip(turn * x, 0.0, 1.2)
    colour = drawing.albedo * shade[..., None]
    alpha = drawing.body.copy()
    premultiplied = colour * alpha[..., None]
    for coverage, strap_colour in drawing.straps:
        under = coverage * (1.0 - alpha)
        premultiplied += under[..., None] * np.asarray(strap_colour, np.float32) * 0.9
        alpha = alpha + under
    safe = np.maximum(alpha, 1e-6)[..., None]
    toned = _tone(premultiplied / safe * lighting.gain) * alpha[..., None]
    return np.dstack([toned, alpha]).astype(np.float32)


def ridge_x(y: np.ndarray, turn: int) -> np.ndarray:
    """x of the mask's centre line: straight on a frontal face; on a turned head the part over the nose
    and mouth, which stick out furthest, swings towards the side the nose points to."""
    return turn * 0.12 * np.exp(-(((y - 0.85) / 0.5) ** 2))


def valve(canvas: Canvas, centre: tuple, radius: float, colour: np.ndarray) -> tuple[np.ndarray, ...]:
    """An exhalation valve: (coverage, colour map, height) of a round cap with a ring and vent slits."""
    x, y = canvas.grid
    r = np.hypot(x - centre[0], y - centre[1]) / radius
    cap = canvas.ellipse(centre, (radius, radius))
    ring = np.exp(-(((r - 0.72) * radius * canvas.ppu) / 1.2) ** 2)
    slits = (np.cos((y - centre[1]) / radius * 3.5 * np.pi) > 0.6) & (r < 0.55) & (np.abs(x - centre[0]) < 0.4 * radius)
    shade = 1.0 - 0.35 * ring - 0.45 * slits
    height = 0.09 * np.sqrt(np.clip(1.0 - r**2, 0.0, 1.0))
    return cap, np.asarray(colour, np.float32) * shade[..., None], height

"""Cloth mask: rounded, rising over the nose and cupping the chin, a sewn centre seam, top-stitched edges
and fabric ear loops; soft random wrinkles make each one a little different."""

from __future__ import annotations

import numpy as np

from ..canvas import Canvas, jaw_region, smoothstep
from ..style import MaskStyle
from ..paint import base, surface
from ..textures import square_wave, value_noise
from .base import Drawing, ear_loops, paint_fill, ridge_x, wrap_height


def top_edge(x: np.ndarray) -> np.ndarray:
    """Over the nose bridge and down the cheeks like MaskTheFace's cloth template (0.29 / 0.37 / 0.47 / 0.54
    eye distances below the eyes at 0 / 0.25 / 0.5 / 0.75 to the side)."""
    return 0.285 + 0.29 * np.minimum(1.0, np.abs(x) / 0.85)


def draw(style: MaskStyle, canvas: Canvas, turn: int) -> Drawing:
    x, y = canvas.grid
    outline = np.maximum(canvas.fill(jaw_region(0.06)), canvas.ellipse((0.0, 1.1), (0.8, 0.7)))
    body = outline * canvas.below(top_edge)
    colour = paint_fill(canvas, surface())
    rim = canvas.edge_distance(body)
    px = 1.0 / canvas.ppu
    seam_x = ridge_x(y, turn)
    seam = np.exp(-(((x - seam_x) / px) / 1.2) ** 2)
    dashes = square_wave(y, 0.055, 0.55, px)
    side_stitch = np.exp(-(((np.abs(x - seam_x) - 0.045) / px) / 0.8) ** 2) * dashes
    angle = np.arctan2(y - 0.95, x)
    edge_stitch = np.exp(-(((rim - 0.065) / px) / 0.8) ** 2) * square_wave(angle, 0.06, 0.55, px)
    stitch = np.maximum(side_stitch, edge_stitch)
    colour = colour * (1.0 - 0.25 * seam - 0.18 * stitch)[..., None]
    rng = np.random.default_rng([style.seed, 11])
    wrinkles = 0.03 * value_noise(rng, canvas, 3.5)
    dome = 0.38 * np.sqrt(np.clip(1.0 - ((x - seam_x) / 1.15) ** 2 - ((y - 1.0) / 0.95) ** 2, 0.0, 1.0))
    ridge = 0.05 * np.exp(-(((x - seam_x) / 0.12) ** 2))
    height = dome + ridge + wrinkles + wrap_height(canvas, 1.3, 0.12) + 0.02 * smoothstep(0.0, 0.08, rim)
    loops = ear_loops(canvas, turn, (-1.1, 0.48), (-0.9, 1.2), (-1.32, 0.3), (-1.28, 0.64), 0.05)
    return Drawing(body, colour.astype(np.float32), height.astype(np.float32), [(loops, base(0.85))])

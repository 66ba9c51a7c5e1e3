"""Respirators: the N95 cup (dome, rim, head straps, optional valve) and the KN95 flat-fold mask (a
vertical centre seam between two folded halves, welded edges, ear loops)."""

from __future__ import annotations

import numpy as np

from ..canvas import Canvas, jaw_region, smoothstep
from ..paint import accent, fixed, surface
from ..style import COLOURS, MaskStyle
from .base import (
    Drawing,
    ear_loops,
    loop_colour,
    paint_fill,
    ridge_x,
    straps_band,
    valve,
    wrap_height,
)

_VALVE_COLOURS = ("white", "light-grey", "charcoal", "blue", "orange")


def _pick(style: MaskStyle, options: tuple[str, ...], salt: int) -> str:
    return options[np.random.default_rng([style.seed, salt]).integers(len(options))]


def n95_top(x: np.ndarray) -> np.ndarray:
    """A cup: high and narrow over the nose, falling steeply to the cheeks (MaskTheFace's N95 falls further
    still, to 0.93 eye distances below the eyes at 0.75 to the side; this one meets it halfway there)."""
    return 0.24 + 0.75 * np.minimum(np.abs(x), 0.95) ** 1.9


def draw_n95(style: MaskStyle, canvas: Canvas, turn: int) -> Drawing:
    x, y = canvas.grid
    cup = np.maximum(canvas.fill(jaw_region(0.03)), canvas.ellipse((0.0, 1.0), (0.93, 0.8)))
    body = cup * canvas.below(n95_top)
    colour = paint_fill(canvas, surface())
    rim = canvas.edge_distance(body)
    rim_band = smoothstep(0.065, 0.045, rim)
    foam = smoothstep(0.34, 0.28, np.abs(x)) * smoothstep(0.1, 0.08, y - n95_top(x))
    colour = colour * (1.0 + 0.05 * rim_band - 0.12 * foam)[..., None]
    cx = ridge_x(y, turn)
    dome = 0.45 * np.sqrt(np.clip(1.0 - ((x - cx) / 1.05) ** 2 - ((y - 1.0) / 0.85) ** 2, 0.0, 1.0))
    height = dome + wrap_height(canvas, 1.3, 0.2) + 0.015 * smoothstep(0.0, 0.06, rim)
    if style.valve:
        side = 1.0 if np.random.default_rng([style.seed, 3]).random() < 0.5 else -1.0
        valve_colour = fixed(np.array(COLOURS[_pick(style, _VALVE_COLOURS, 4)], np.float32) / 255.0)
        cap, cap_colour, cap_height = valve(canvas, (side * 0.42, 1.1), 0.2, valve_colour)
        colour = colour * (1.0 - cap[..., None]) + cap_colour * cap[..., None]
        height = height + cap_height * cap
    straps = np.maximum(
        straps_band(canvas, turn, (-0.93, 0.92), (-1.48, 0.5), 0.06),
        straps_band(canvas, turn, (-0.88, 1.35), (-1.42, 1.6), 0.06),
    )
    # Head straps take the accent colour: the sampler gives every N95 a strap colour there.
    return Drawing(body, colour.astype(np.float32), height.astype(np.float32), [(straps, accent())])


def kn95_top(x: np.ndarray) -> np.ndarray:
    """A tent over the nose: from the bridge down to the cheeks (MaskTheFace's KN95 edge lies 0.42 / 0.44 /
    0.45 eye distances below the eyes at 0.25 / 0.5 / 0.75 to the side)."""
    return 0.25 + 0.26 * np.minimum(1.0, np.abs(x) / 0.9) ** 0.8


def draw_kn95(style: MaskStyle, canvas: Canvas, turn: int) -> Drawing:
    x, y = canvas.grid
    chin_point = np.array([(-0.75, 1.4), (0.75, 1.4), (0.0, 1.88)])
    body = np.maximum(canvas.fill(jaw_region(0.05)), canvas.fill(chin_point)) * canvas.below(kn95_top)
    colour = paint_fill(canvas, surface())
    rim = canvas.edge_distance(body)
    weld = smoothstep(0.075, 0.055, rim)
    if 0.035 * canvas.ppu >= 4.0:  # embossed dots of the welded edge, where the canvas can show them
        dots = (np.cos(2 * np.pi * x / 0.035) * np.cos(2 * np.pi * y / 0.035) > 0.5).astype(np.float32)
        weld = weld * (1.0 + 0.5 * dots)
    seam_x = ridge_x(y, turn)
    seam = np.exp(-((((x - seam_x) * canvas.ppu)) / 1.3) ** 2)
    colour = colour * (1.0 - 0.07 * weld - 0.22 * seam)[..., None]
    fold = 0.34 * np.clip(1.0 - np.abs(x - seam_x) / 1.15, 0.0, 1.0)  # two flat halves meeting at the seam
    height = fold + wrap_height(canvas, 1.3, 0.15) + 0.01 * smoothstep(0.0, 0.07, rim)
    loops = ear_loops(canvas, turn, (-1.08, 0.5), (-0.86, 1.22), (-1.3, 0.32), (-1.27, 0.64), 0.03)
    return Drawing(body, colour.astype(np.float32), height.astype(np.float32), [(loops, loop_colour(style))])

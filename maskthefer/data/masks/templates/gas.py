"""Half-face respirator ("gas" mask): a rubber body over nose and mouth, two round filter cartridges by the
cheeks (coloured by `style.accent`, like magenta P100 filters), a central exhalation valve, head straps."""

from __future__ import annotations

import numpy as np

from ..canvas import Canvas, jaw_region, smoothstep
from ..style import MaskStyle
from ..paint import accent, base, fixed, surface
from .base import Drawing, paint_fill, straps_band, valve, wrap_height


def top_edge(x: np.ndarray) -> np.ndarray:
    """Over the nose bridge, then steeply down to the filters (MaskTheFace's gas mask edge: 0.37 / 0.71 /
    0.86 eye distances below the eyes at 0.25 / 0.5 / 0.75 to the side)."""
    return 0.22 + 1.2 * np.minimum(np.abs(x), 0.8) ** 1.6


def draw(style: MaskStyle, canvas: Canvas, turn: int) -> Drawing:
    x, y = canvas.grid
    body = np.maximum(canvas.fill(jaw_region(0.03)), canvas.ellipse((0.0, 1.05), (0.85, 0.78)))
    body = body * canvas.below(top_edge)
    colour = paint_fill(canvas, surface())
    rim = canvas.edge_distance(body)
    dome = 0.4 * np.sqrt(np.clip(1.0 - (x / 1.05) ** 2 - ((y - 1.0) / 0.9) ** 2, 0.0, 1.0))
    height = dome + wrap_height(canvas, 1.3, 0.2) + 0.03 * smoothstep(0.0, 0.05, rim)
    for side in (-1.0, 1.0):
        if turn and side == turn:
            centre = (side * 0.66, 1.2)  # the far filter hides partly behind the nose
        else:
            centre = (side * 0.74, 1.2)
        cap = canvas.ellipse(centre, (0.3, 0.3))
        r = np.hypot(x - centre[0], y - centre[1]) / 0.3
        rings = 1.0 - 0.5 * smoothstep(0.82, 0.9, r) - 0.25 * np.exp(-(((r - 0.55) * 0.3 * canvas.ppu) / 1.0) ** 2)
        cap_colour = accent() * rings[..., None]
        colour = colour * (1.0 - cap[..., None]) + cap_colour * cap[..., None]
        height = height + cap * 0.14 * np.sqrt(np.clip(1.0 - r**2, 0.0, 1.0))
        body = np.maximum(body, cap)
    cap, cap_colour, cap_height = valve(canvas, (0.0, 1.36), 0.17, base(0.7) + fixed((0.05, 0.05, 0.05)))
    colour = colour * (1.0 - cap[..., None]) + cap_colour * cap[..., None]
    height = height + cap * cap_height
    straps = np.maximum(
        straps_band(canvas, turn, (-0.95, 0.72), (-1.48, 0.45), 0.07),
        straps_band(canvas, turn, (-0.9, 1.45), (-1.42, 1.7), 0.07),
    )
    return Drawing(body, colour.astype(np.float32), height.astype(np.float32), [(straps, fixed((0.12, 0.12, 0.12)))])

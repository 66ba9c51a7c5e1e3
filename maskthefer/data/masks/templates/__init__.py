"""Procedural mask templates, one drawer per mask type, all sharing the anchors of the generic face."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..canvas import Canvas
from ..geometry import canonical_controls
from ..style import MaskStyle
from . import cloth, gas, respirators, surgical
from .base import Drawing, Lighting, finish

DRAWERS: dict[str, Callable[[MaskStyle, Canvas, int], Drawing]] = {
    "surgical": surgical.draw,
    "n95": respirators.draw_n95,
    "kn95": respirators.draw_kn95,
    "cloth": cloth.draw,
    "gas": gas.draw,
}

@dataclass(frozen=True)
class Template:
    """A rendered mask: premultiplied BGRA float32 and the canvas it was drawn on."""

    bgra: np.ndarray
    canvas: Canvas

    @property
    def control_points(self) -> np.ndarray:
        return self.canvas.px(canonical_controls())


def render_template(style: MaskStyle, turn: int, ppu: float, lighting: Lighting = Lighting()) -> Template:
    """Draw `style` for a head turned `turn` (-1, 0, 1) at `ppu` pixels per inter-ocular distance."""
    canvas = Canvas(ppu)
    drawing = DRAWERS[style.mask_type](style, canvas, turn)
    return Template(finish(drawing, canvas, style, turn, lighting), canvas)

"""Procedural mask templates, one drawer per mask type, all sharing the anchors of the generic face.

Drawing a template costs milliseconds; a face needs its mask in well under one. So drawings are made in
paints (see paint.py) and kept: one per mask type, head turn and resolution (`template_layers`), one colour
map per texture layout and resolution (`surface_map`). A face's mask is then these two, resolved to the
style's colours (`coloured_layers`) and lit by the photo (`light`), both cheap array arithmetic.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import paint
from ..canvas import Canvas
from ..geometry import canonical_controls
from ..style import MaskStyle
from ..textures import albedo, surface_key
from . import cloth, gas, respirators, surgical
from .base import LIGHT_COLOURS, Drawing, Lighting, TemplateLayers, finish, shade, shrink, tone

DRAWERS: dict[str, Callable[[MaskStyle, Canvas, int], Drawing]] = {
    "surgical": surgical.draw,
    "n95": respirators.draw_n95,
    "kn95": respirators.draw_kn95,
    "cloth": cloth.draw,
    "gas": gas.draw,
}
_LOOPS_FOLLOW_PALENESS = {"surgical", "kn95"}  # white loops on pale masks (base.loop_colour)
_WRINKLE_VARIANTS = 2  # cloth wrinkles are faint: two layouts are plenty, and keep the drawings few
CACHE_BYTES = 96 << 20  # per process, drawings and colour maps together
DRAWING_MIN_PPU = 40.0  # drawers need this resolution for their details; smaller templates are shrunk from it


class _LRU:
    """Least-recently-used cache bounded by the bytes of what it holds (photos of any size stay bounded)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict = OrderedDict()

    def get(self, key, make: Callable, size: Callable):
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = make()
        nbytes = size(value)
        if nbytes <= self.max_bytes:
            self._items[key] = value
            self.bytes += nbytes
            while self.bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self.bytes -= size(old)
        return value

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0


_CACHE = _LRU(CACHE_BYTES)


def shape_key(style: MaskStyle) -> tuple:
    """What a mask type's drawing depends on in a style (never its colours or texture)."""
    valve = style.valve and style.mask_type == "n95"
    if valve:
        seed = style.seed  # the valve's side and colour
    elif style.mask_type == "cloth":
        seed = style.seed % _WRINKLE_VARIANTS
    else:
        seed = 0
    return (
        style.mask_type,
        valve,
        seed,
        style.colour in LIGHT_COLOURS if style.mask_type in _LOOPS_FOLLOW_PALENESS else None,
    )


def _shape_style(style: MaskStyle) -> MaskStyle:
    """The style a drawer sees: only what `shape_key` keeps, so a cached drawing is right for every style."""
    mask_type, valve, seed, pale = shape_key(style)
    return MaskStyle(mask_type, "white" if pale else "black", valve=valve, seed=seed)


def template_layers(style: MaskStyle, turn: int, ppu: float) -> TemplateLayers:
    """The unlit drawing of `style`'s mask type for head turn `turn` (-1, 0, 1) at `ppu` px per eye distance."""

    def make() -> TemplateLayers:
        canvas, target = Canvas(max(ppu, DRAWING_MIN_PPU)), Canvas(ppu)
        drawing = DRAWERS[style.mask_type](_shape_style(style), canvas, turn)
        return finish(drawing, canvas, turn, (target.width, target.height))

    return _CACHE.get(("layers", shape_key(style), turn, float(ppu)), make, lambda layers: layers.nbytes)


def surface_map(style: MaskStyle, ppu: float) -> paint.PaintMap:
    """The style's texture over the whole canvas, in paints of its base and accent colours."""

    def make() -> paint.PaintMap:
        target = Canvas(ppu)
        if ppu >= DRAWING_MIN_PPU:
            return paint.PaintMap.pack(albedo(style, target), np.float16)
        # Small faces take their texture from one drawing at DRAWING_MIN_PPU, shrunk to each of their
        # resolutions: FER2013's faces fall on two or three of them, and a motif print costs milliseconds.
        drawn = _drawn_albedo(style)
        texture = shrink(drawn.values, (target.width, target.height))
        return paint.PaintMap(np.ascontiguousarray(texture.reshape(target.shape + (-1,)), np.float16), drawn.channels)

    return _CACHE.get(("surface", surface_key(style), float(ppu)), make, lambda a: a.nbytes)


def _drawn_albedo(style: MaskStyle) -> paint.PaintMap:
    """The style's texture drawn at DRAWING_MIN_PPU, its painted channels only (float32: shrinking it gives
    the same values as shrinking all six channels)."""

    def make() -> paint.PaintMap:
        return paint.PaintMap.pack(albedo(style, Canvas(DRAWING_MIN_PPU)))

    return _CACHE.get(("albedo", surface_key(style)), make, lambda a: a.nbytes)


def coloured_layers(style: MaskStyle, turn: int, ppu: float) -> tuple[np.ndarray, tuple[int, int]]:
    """(layers, origin): the drawing in `style`'s colours as (h, w, 9) float32 - body BGR before lighting,
    straps BGR, alpha, height slopes (2) - and the canvas pixel (x, y) of its top-left corner."""
    layers = template_layers(style, turn, ppu)
    left, top = layers.origin
    height, width = layers.alpha.shape
    base_bgr, accent_bgr = style.bgr, style.accent_bgr
    window = np.s_[top : top + height, left : left + width]
    surface_bgr = np.clip(surface_map(style, ppu).resolve(base_bgr, accent_bgr, window=window), 0.0, 1.0)
    coloured = np.empty((height, width, 9), np.float32)
    coloured[..., 0:3] = layers.body.resolve(base_bgr, accent_bgr, surface_bgr)
    coloured[..., 3:6] = layers.straps.resolve(base_bgr, accent_bgr)
    coloured[..., 6] = layers.alpha
    coloured[..., 7:9] = layers.slopes
    return coloured, layers.origin


def light(layers: np.ndarray, style: MaskStyle, lighting: Lighting) -> np.ndarray:
    """Premultiplied BGRA (..., 4) of coloured layers under the photo's light (direction and brightness)."""
    shading = shade(layers[..., 7:9], style.shade, lighting.slant)
    premultiplied = layers[..., 0:3] * shading[..., None] + layers[..., 3:6]
    alpha = layers[..., 6:7]
    out = np.empty(layers.shape[:-1] + (4,), np.float32)
    np.multiply(tone(premultiplied / np.maximum(alpha, 1e-6) * lighting.gain), alpha, out=out[..., :3])
    out[..., 3:] = alpha
    return out


@dataclass(frozen=True)
class Template:
    """A rendered mask: premultiplied BGRA float32 and the canvas it was drawn on."""

    bgra: np.ndarray
    canvas: Canvas

    @property
    def control_points(self) -> np.ndarray:
        return self.canvas.px(canonical_controls())


def render_template(style: MaskStyle, turn: int, ppu: float, lighting: Lighting = Lighting()) -> Template:
    """`style` drawn and lit on the whole canvas, for a head turned `turn` (-1, 0, 1) at `ppu` pixels per
    inter-ocular distance (what `apply_mask` warps onto a face, for inspection and tests)."""
    canvas = Canvas(ppu)
    layers, (left, top) = coloured_layers(style, turn, ppu)
    bgra = np.zeros(canvas.shape + (4,), np.float32)
    height, width = layers.shape[:2]
    bgra[top : top + height, left : left + width] = light(layers, style, lighting)
    return Template(bgra, canvas)

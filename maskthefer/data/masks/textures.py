"""Procedural fabric colour maps (albedo): plain, fabric, check, plaid, stripes, dots, floral, fruit, camo.

Patterns are defined in face-frame units (one repeat = `style.pattern_scale` inter-ocular distances), so
their size on the face does not depend on the resolution they are rasterised at. Periodic patterns use
smoothed square waves whose softness is one canvas pixel, so they do not alias when the template is warped
down to a 48x48 face; motifs (flowers, fruit) are drawn with anti-aliased OpenCV primitives.
"""

from __future__ import annotations

import cv2
import numpy as np

from . import paint
from .canvas import Canvas, smoothstep
from .style import COLOURS, MaskStyle

_SHIFT = 4


def _rgb(name: str) -> np.ndarray:
    return np.array(COLOURS[name], np.float32) / 255.0


def _named(name: str) -> np.ndarray:
    """The fixed paint of a named colour."""
    return paint.fixed(_rgb(name))


_BASE, _ACCENT = paint.base(), paint.accent()


def value_noise(rng: np.random.Generator, canvas: Canvas, cells_per_unit: float) -> np.ndarray:
    """Smooth noise in [-1, 1] with features of about 1/cells_per_unit units, independent of canvas size."""
    cols = int(np.ceil((canvas.X1 - canvas.X0) * cells_per_unit)) + 4
    rows = int(np.ceil((canvas.Y1 - canvas.Y0) * cells_per_unit)) + 4
    lattice = rng.uniform(-1.0, 1.0, (rows, cols)).astype(np.float32)
    x, y = canvas.grid
    map_x = ((x - canvas.X0) * cells_per_unit + 1.0).astype(np.float32)
    map_y = ((y - canvas.Y0) * cells_per_unit + 1.0).astype(np.float32)
    return cv2.remap(lattice, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


def _rotated(canvas: Canvas, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    x, y = canvas.grid
    a = np.radians(degrees)
    return x * np.cos(a) + y * np.sin(a), -x * np.sin(a) + y * np.cos(a)


def square_wave(t: np.ndarray, period: float, duty: float, px: float) -> np.ndarray:
    """1 on the first `duty` part of every period, 0 elsewhere, with edges softened over one pixel (`px` units)."""
    phase = np.mod(t, period)
    half = max(px, 1e-6) / 2

    def rise(at: float) -> np.ndarray:
        return smoothstep(at - half, at + half, phase)

    # Up at 0, down at duty*period, up again at period (the next repeat's edge, so the wrap stays smooth).
    return np.clip(rise(0.0) - rise(duty * period) + rise(period), 0.0, 1.0)


def _mix(base: np.ndarray, other: np.ndarray, amount: np.ndarray) -> np.ndarray:
    amount = amount[..., None]
    return base * (1.0 - amount) + other * amount


def _check(style: MaskStyle, canvas: Canvas, rng: np.random.Generator) -> np.ndarray:
    u, v = _rotated(canvas, style.pattern_angle if abs(style.pattern_angle) > 30 else 0.0)
    px, s = 1.0 / canvas.ppu, style.pattern_scale * 0.8
    bands = 0.5 * square_wave(u, s, 0.5, px) + 0.5 * square_wave(v, s, 0.5, px)  # gingham: three tones
    return _mix(paint.fill(bands.shape, _BASE), _ACCENT, bands)


def _plaid(style: MaskStyle, canvas: Canvas, rng: np.random.Generator) -> np.ndarray:
    u, v = _rotated(canvas, style.pattern_angle if abs(style.pattern_angle) > 30 else 0.0)
    px, s = 1.0 / canvas.ppu, style.pattern_scale * 1.6
    wide = 0.5 * square_wave(u, s, 0.38, px) + 0.5 * square_wave(v, s, 0.38, px)
    thin = np.maximum(square_wave(u + 0.62 * s, s, 0.07, px), square_wave(v + 0.62 * s, s, 0.07, px))
    line_colour = _named("white") if style.bgr.mean() < 0.5 else _named("charcoal")
    base = _mix(paint.fill(wide.shape, _BASE), _ACCENT, wide * 0.9)
    return _mix(base, line_colour, thin * 0.8)


def _stripes(style: MaskStyle, canvas: Canvas, rng: np.random.Generator) -> np.ndarray:
    u, _ = _rotated(canvas, style.pattern_angle)
    duty = float(rng.uniform(0.3, 0.6))
    bands = square_wave(u, style.pattern_scale, duty, 1.0 / canvas.ppu)
    return _mix(paint.fill(bands.shape, _BASE), _ACCENT, bands)


def _dots(style: MaskStyle, canvas: Canvas, rng: np.random.Generator) -> np.ndarray:
    u, v = _rotated(canvas, style.pattern_angle)
    s = style.pattern_scale * 0.8
    radius = s * float(rng.uniform(0.18, 0.32))
    row = np.floor(v / s)
    cu = u / s - 0.5 * np.mod(row, 2)  # hexagonal packing: every other row shifted half a period
    du = (cu - np.round(cu)) * s
    dv = (v / s - row - 0.5) * s
    inside = smoothstep(0.5 / canvas.ppu, -0.5 / canvas.ppu, np.hypot(du, dv) - radius)
    return _mix(paint.fill(inside.shape, _BASE), _ACCENT, inside)


def _motif_sites(rng: np.random.Generator, canvas: Canvas, spacing: float) -> np.ndarray:
    """Jittered grid of motif centres (units) covering the canvas."""
    xs = np.arange(canvas.X0 - spacing, canvas.X1 + spacing, spacing)
    ys = np.arange(canvas.Y0 - spacing, canvas.Y1 + spacing, spacing)
    gx, gy = np.meshgrid(xs, ys)
    gx = gx + 0.5 * spacing * (np.arange(len(ys))[:, None] % 2)
    sites = np.stack([gx.ravel(), gy.ravel()], axis=1)
    return sites + rng.uniform(-0.3, 0.3, sites.shape) * spacing


class _Painter:
    """Anti-aliased motif drawing in units, in paints (see paint.py), on images the size of the canvas.

    OpenCV draws at most four channels, so the paint's roles (surface, base, accent) and its fixed colour
    are drawn into two uint8 images with the same primitive: same coverage, so the blend stays linear.
    """

    def __init__(self, canvas: Canvas, background: np.ndarray):
        self.canvas = canvas
        self._splits: dict[tuple, tuple] = {}
        self.images = [np.empty(canvas.shape + (3,), np.uint8), np.empty(canvas.shape + (3,), np.uint8)]
        for image, values in zip(self.images, self._split(background)):
            image[:] = values

    # A motif print is thousands of primitives: points and colours are converted with Python floats (the
    # same IEEE arithmetic and round-half-even as canvas.px and np.round, without numpy's per-call cost).
    def _pt(self, point) -> tuple[int, int]:
        canvas, scale = self.canvas, 1 << _SHIFT
        x, y = point
        return round((float(x) - canvas.X0) * canvas.ppu * scale), round((float(y) - canvas.Y0) * canvas.ppu * scale)

    def _len(self, units: float) -> int:
        return max(1, int(round(units * self.canvas.ppu * (1 << _SHIFT))))

    @staticmethod
    def _split(colour) -> tuple[tuple[int, ...], tuple[int, ...]]:
        values = [round(min(max(float(c), 0.0), 1.0) * 255) for c in colour]
        return tuple(values[:3]), tuple(values[3:])

    def _draw(self, primitive, colour) -> None:
        colour = np.asarray(colour)
        key = (colour.dtype.char, colour.tobytes())  # a print repeats a handful of colours thousands of times
        split = self._splits.get(key)
        if split is None:
            split = self._splits[key] = self._split(colour)
        for image, values in zip(self.images, split):
            primitive(image, values)

    def disc(self, centre, radius: float, colour) -> None:
        c, r = self._pt(centre), self._len(radius)
        self._draw(lambda image, v: cv2.circle(image, c, r, v, -1, cv2.LINE_AA, _SHIFT), colour)

    def oval(self, centre, axes, angle: float, colour) -> None:
        c, size = self._pt(centre), (self._len(axes[0]), self._len(axes[1]))
        self._draw(lambda image, v: cv2.ellipse(image, c, size, angle, 0, 360, v, -1, cv2.LINE_AA, _SHIFT), colour)

    def poly(self, points, colour) -> None:
        pts = [np.round(self.canvas.px(points) * (1 << _SHIFT)).astype(np.int32).reshape(-1, 1, 2)]
        self._draw(lambda image, v: cv2.fillPoly(image, pts, v, cv2.LINE_AA, _SHIFT), colour)

    def line(self, a, b, width: float, colour) -> None:
        thickness = max(1, int(round(width * self.canvas.ppu)))
        pa, pb = self._pt(a), self._pt(b)
        self._draw(lambda image, v: cv2.line(image, pa, pb, v, thickness, cv2.LINE_AA, _SHIFT), colour)

    def result(self) -> np.ndarray:
        return np.concatenate(self.images, axis=-1).astype(np.float32) / 255.0


def _polar(centre, radius: float, angle: float) -> np.ndarray:
    return np.asarray(centre) + radius * np.array([np.cos(angle), np.sin(angle)])


def _floral(style: MaskStyle, canvas: Canvas, rng: np.random.Generator) -> np.ndarray:
    painter = _Painter(canvas, _BASE)
    petal_colours = [_ACCENT, _named("white"), _named(str(rng.choice(["pink", "yellow", "lavender", "red"])))]
    size = style.pattern_scale * 0.55
    for site in _motif_sites(rng, canvas, style.pattern_scale * 1.5):
        r = size * rng.uniform(0.7, 1.1)
        turn = rng.uniform(0, 2 * np.pi)
        leaf = _polar(site, r * 0.9, turn + 2.5)
        painter.oval(leaf, (r * 0.45, r * 0.2), np.degrees(turn + 2.5), _named("green") * 0.9)
        colour = petal_colours[int(rng.integers(len(petal_colours)))]
        for k in range(5):
            painter.disc(_polar(site, r * 0.5, turn + k * 2 * np.pi / 5), r * 0.38, colour)
        painter.disc(site, r * 0.25, _named("yellow"))
    return painter.result()


_FRUIT_COLOURS = {"cherry": "red", "lemon": "yellow", "strawberry": "red", "watermelon": "green", "orange": "orange"}


def _visible_fruit(style: MaskStyle) -> tuple[str, ...]:
    """Fruit that would not vanish into the mask's colour (no lemons on a yellow mask)."""
    kinds = [k for k, c in _FRUIT_COLOURS.items() if np.abs(_rgb(c) - style.bgr).sum() > 0.45]
    return tuple(kinds) or ("cherry",)


def _fruit(style: MaskStyle, canvas: Canvas, rng: np.random.Generator) -> np.ndarray:
    painter = _Painter(canvas, _BASE)
    visible = _visible_fruit(style)
    kinds = rng.permutation(visible)[: int(rng.integers(1, 4))]
    for site in _motif_sites(rng, canvas, style.pattern_scale * 1.5):
        r = style.pattern_scale * 0.6 * rng.uniform(0.8, 1.1)
        angle = rng.uniform(-0.6, 0.6)
        kind = kinds[int(rng.integers(len(kinds)))]
        if kind == "cherry":
            for dx in (-0.45, 0.45):
                berry = site + np.array([dx * r, 0.35 * r])
                painter.line(berry, site + np.array([0.1 * r, -0.8 * r]), 0.08 * r, _named("olive"))
                painter.disc(berry, 0.42 * r, _named("red"))
                painter.disc(berry + np.array([-0.12, -0.12]) * r, 0.1 * r, _named("light-pink"))
            painter.oval(site + np.array([0.35 * r, -0.8 * r]), (0.35 * r, 0.14 * r), 20, _named("green"))
        elif kind in ("lemon", "orange"):
            rgb = _rgb("yellow") if kind == "lemon" else _rgb("orange")
            colour = paint.fixed(rgb)
            axes = (0.62 * r, 0.45 * r) if kind == "lemon" else (0.5 * r, 0.5 * r)
            painter.oval(site, axes, np.degrees(angle), colour)
            painter.oval(site + np.array([-0.15, -0.15]) * r, (0.15 * r, 0.09 * r), 30, paint.fixed(rgb * 0.5 + 0.5))
            painter.oval(site + np.array([0.1, -0.55]) * r, (0.22 * r, 0.1 * r), -20, _named("green"))
        elif kind == "strawberry":
            c, s = np.cos(angle), np.sin(angle)
            body = np.array([[-0.55, -0.3], [0.55, -0.3], [0.35, 0.35], [0.0, 0.7], [-0.35, 0.35]]) * r
            painter.poly(site + body @ np.array([[c, s], [-s, c]]), _named("red"))
            for seed_at in ([-0.2, -0.05], [0.2, -0.05], [0.0, 0.25], [-0.15, 0.4], [0.15, 0.4]):
                painter.disc(site + np.array(seed_at) * r, 0.05 * r, _named("yellow"))
            painter.oval(site + np.array([0.0, -0.35]) * r, (0.45 * r, 0.13 * r), np.degrees(angle), _named("green"))
        else:  # watermelon slice: a half disc with a green rind and dark seeds
            rind = np.array([[np.cos(t), np.sin(t)] for t in np.linspace(0, np.pi, 16)]) * 0.62 * r
            flesh = rind * 0.82
            c, s = np.cos(angle), np.sin(angle)
            rot = np.array([[c, s], [-s, c]])
            painter.poly(site + rind @ rot, _named("green"))
            painter.poly(site + flesh @ rot, _named("red") * 0.7 + _named("pink") * 0.3)
            for seed_at in ([-0.2, 0.15], [0.0, 0.28], [0.2, 0.15]):
                painter.disc(site + np.array(seed_at) @ rot * r, 0.05 * r, _named("black"))
    return painter.result()


def _camo(style: MaskStyle, canvas: Canvas, rng: np.random.Generator) -> np.ndarray:
    cells = 1.0 / style.pattern_scale
    colours = [_BASE, _ACCENT, _BASE * 0.55, 0.5 * (_ACCENT + _named("khaki"))]
    image = paint.fill(canvas.shape, colours[0])
    soft = 1.5 / canvas.ppu / style.pattern_scale
    for colour in colours[1:]:
        blob = smoothstep(0.15 - soft, 0.15 + soft, value_noise(rng, canvas, cells))
        image = _mix(image, colour, blob)
    return image


_PATTERNS = {
    "check": _check,
    "plaid": _plaid,
    "stripes": _stripes,
    "dots": _dots,
    "floral": _floral,
    "fruit": _fruit,
    "camo": _camo,
}


_DIRECTED = {"check", "plaid", "stripes", "dots"}  # prints that follow `pattern_angle` (motifs and camo do not)


def surface_key(style: MaskStyle) -> tuple:
    """What a style's colour map depends on besides the canvas: the style minus its colours, except where a
    pattern adapts to the colour (plaid lines light on dark cloth, fruit that would vanish left out)."""
    tone = None
    if style.texture == "plaid":
        tone = bool(style.bgr.mean() < 0.5)
    elif style.texture == "fruit":
        tone = _visible_fruit(style)
    patterned = style.texture in _PATTERNS
    return (
        style.texture,
        style.pattern_scale if patterned else None,
        style.pattern_angle if style.texture in _DIRECTED else None,
        style.seed,
        tone,
    )


def albedo(style: MaskStyle, canvas: Canvas) -> np.ndarray:
    """The style's colour map over the whole canvas as paints (H, W, 6) of its base and accent colours (see
    paint.py); it depends on the style only through `surface_key(style)`."""
    rng = np.random.default_rng([style.seed, 1])
    if style.texture in _PATTERNS:
        image = _PATTERNS[style.texture](style, canvas, rng)
    else:
        image = paint.fill(canvas.shape, _BASE)
    # Every material has some mottling; "fabric" adds a visible weave where the canvas can resolve it.
    mottle = 0.03 * value_noise(rng, canvas, 6.0)
    if style.texture == "fabric":
        mottle = mottle + 0.025 * value_noise(rng, canvas, 14.0)
        weave_period = 0.045
        if weave_period * canvas.ppu >= 4.0:
            u, v = canvas.grid
            weave = np.sin(2 * np.pi * u / weave_period) * np.sin(2 * np.pi * v / weave_period)
            mottle = mottle + 0.04 * weave
    return (image * (1.0 + mottle[..., None])).astype(np.float32)  # clipped once resolved to colours

"""Colours that are named by role instead of value, so one drawing serves every colour of a style.

A paint is a 6-vector per pixel: how much of the *surface* (the texture's own colour map, computed
separately), of the style's *base* colour, of its *accent* colour, and a *fixed* BGR colour (three channels)
the pixel shows. Every operation the drawers use (anti-aliased painting, multiplying by a shading detail,
laying a valve over the cloth) is linear in colour, so it acts on paints exactly as on colours, and the real
colour is one dot product away (`resolve`). That is what lets a template and a texture be rendered once and
then reused for every colour they are worn in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHANNELS = 6
SURFACE, BASE, ACCENT = 0, 1, 2
FIXED = slice(3, 6)


def _unit(channel: int, scale: float = 1.0) -> np.ndarray:
    paint = np.zeros(CHANNELS, np.float32)
    paint[channel] = scale
    return paint


def surface(scale: float = 1.0) -> np.ndarray:
    """The texture's colour map (plain cloth, check, flowers...), times `scale`."""
    return _unit(SURFACE, scale)


def base(scale: float = 1.0) -> np.ndarray:
    """The style's main colour, times `scale`."""
    return _unit(BASE, scale)


def accent(scale: float = 1.0) -> np.ndarray:
    """The style's second colour (pattern prints, gas-mask filters), times `scale`."""
    return _unit(ACCENT, scale)


def fixed(bgr) -> np.ndarray:
    """A colour that does not depend on the style (white elastic, green leaves), BGR in [0, 1]."""
    paint = np.zeros(CHANNELS, np.float32)
    paint[FIXED] = np.asarray(bgr, np.float32)
    return paint


def fill(shape: tuple[int, int], paint: np.ndarray) -> np.ndarray:
    """An (H, W, 6) image of one paint."""
    return np.broadcast_to(np.asarray(paint, np.float32), tuple(shape) + (CHANNELS,)).copy()


@dataclass(frozen=True)
class PaintMap:
    """A paint image stored compactly: only the channels something is painted in (a plain mask's colour map
    is one channel, not six), optionally in float16 (colour maps are many, and 1e-3 is below a grey level)."""

    values: np.ndarray  # (H, W, k)
    channels: tuple[int, ...]

    @classmethod
    def pack(cls, paints: np.ndarray, dtype=np.float32) -> PaintMap:
        used = tuple(c for c in range(CHANNELS) if np.any(paints[..., c]))
        return cls(np.ascontiguousarray(paints[..., list(used)], dtype=dtype), used)

    @property
    def nbytes(self) -> int:
        return self.values.nbytes

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape[:2]

    def resolve(self, base_bgr, accent_bgr, surface_bgr=None, window=np.s_[:, :]) -> np.ndarray:
        """BGR (h, w, 3) float32 of the paints in `window` (see `resolve`)."""
        values = self.values[window]
        height, width = values.shape[:2]
        flat = values.reshape(-1, len(self.channels)).astype(np.float32, copy=False)
        colours = np.zeros((len(self.channels), 3), np.float32)
        surface_weight = None
        for row, channel in enumerate(self.channels):
            if channel == BASE:
                colours[row] = base_bgr
            elif channel == ACCENT:
                colours[row] = accent_bgr
            elif channel == SURFACE:
                surface_weight = flat[:, row, None]
            else:
                colours[row, channel - FIXED.start] = 1.0
        out = flat @ colours if self.channels else np.zeros((height * width, 3), np.float32)
        if surface_weight is not None and surface_bgr is not None:
            out += surface_weight * surface_bgr.reshape(-1, 3)
        return out.reshape(height, width, 3)

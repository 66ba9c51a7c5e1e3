"""The template canvas: face-frame units <-> pixels, anti-aliased drawing, curves and shading helpers.

Templates are described in face-frame units (see geometry.py) and rasterised at `ppu` pixels per unit, so
the same style looks the same whether it is drawn for a 48x48 FER2013 face or a large photo. OpenCV only
anti-aliases 8-bit drawings, so every shape is drawn into a uint8 coverage map and returned as float32.
"""

from __future__ import annotations

import math
from functools import cached_property, lru_cache

import cv2
import numpy as np

from .geometry import CANONICAL_JAW

_SHIFT = 4  # sub-pixel bits for cv2 drawing
_ONE = 1 << _SHIFT


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def catmull_rom(points: np.ndarray, samples_per_segment: int = 12) -> np.ndarray:
    """A smooth curve through `points` (open chain), as a dense polyline."""
    p = np.asarray(points, np.float64)
    padded = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    t = np.linspace(0.0, 1.0, samples_per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    out.append(p[-1:])
    return np.vstack(out)


def offset_outward(curve: np.ndarray, distance: np.ndarray | float, centre=(0.0, 0.9)) -> np.ndarray:
    """Move every point of a polyline `distance` units along its normal, away from `centre`."""
    tangent = np.gradient(curve, axis=0)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    away = curve - np.asarray(centre)
    normal *= np.sign(np.sum(normal * away, axis=1, keepdims=True) + 1e-12)
    return curve + normal * np.asarray(distance, np.float64).reshape(-1, 1)


@lru_cache(maxsize=16)
def _jaw_outline(offset: float) -> np.ndarray:
    curve = offset_outward(catmull_rom(CANONICAL_JAW), offset)
    curve.flags.writeable = False  # cached: shared by every caller
    return curve


def jaw_outline(offset: float = 0.0) -> np.ndarray:
    """The generic jaw as a dense smooth curve (ear to ear), pushed `offset` units outwards."""
    return _jaw_outline(float(offset))


def jaw_region(offset: float = 0.0) -> np.ndarray:
    """A closed polygon: the (offset) jaw closed off far above the eyes, i.e. 'everything inside the jaw'."""
    curve = jaw_outline(offset)
    return np.vstack([curve, [[curve[-1, 0], -1.0], [curve[0, 0], -1.0]]])


class Canvas:
    """A raster of the face-frame window x in [-1.5, 1.5], y in [0, 2.05] at `ppu` pixels per unit."""

    X0, Y0, X1, Y1 = -1.5, 0.0, 1.5, 2.05

    def __init__(self, ppu: float):
        self.ppu = float(ppu)
        self.width = int(np.ceil((self.X1 - self.X0) * self.ppu))
        self.height = int(np.ceil((self.Y1 - self.Y0) * self.ppu))
        self.shape = (self.height, self.width)

    def px(self, points: np.ndarray) -> np.ndarray:
        """Face-frame units -> pixel-centre coordinates on this canvas."""
        return (np.asarray(points, np.float64) - (self.X0, self.Y0)) * self.ppu

    @cached_property
    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Face-frame (x, y) of every pixel centre, each (H, W) float32."""
        xs = (self.X0 + np.arange(self.width) / self.ppu).astype(np.float32)
        ys = (self.Y0 + np.arange(self.height) / self.ppu).astype(np.float32)
        return np.meshgrid(xs, ys)

    def _fixed(self, points: np.ndarray) -> np.ndarray:
        return np.round(self.px(points) * _ONE).astype(np.int32).reshape(-1, 1, 2)

    def fill(self, *polygons: np.ndarray) -> np.ndarray:
        """Coverage (0..1) of the union of filled polygons given in units."""
        layer = np.zeros(self.shape, np.uint8)
        cv2.fillPoly(layer, [self._fixed(p) for p in polygons], 255, cv2.LINE_AA, _SHIFT)
        return layer.astype(np.float32) / 255.0

    def stroke(self, polyline: np.ndarray, width: float, closed: bool = False) -> np.ndarray:
        """Coverage of a line `width` units wide; hair-lines thinner than a pixel are drawn faint, not thick."""
        layer = np.zeros(self.shape, np.uint8)
        width_px = width * self.ppu
        thickness = max(1, int(round(width_px)))
        value = int(round(255 * min(1.0, width_px)))
        cv2.polylines(layer, [self._fixed(polyline)], closed, value, thickness, cv2.LINE_AA, _SHIFT)
        return layer.astype(np.float32) / 255.0

    def ellipse(self, centre, axes, angle: float = 0.0) -> np.ndarray:
        """Coverage of a filled ellipse (centre and semi-axes in units, angle in degrees)."""
        layer = np.zeros(self.shape, np.uint8)
        c = tuple(int(v) for v in np.round(self.px(centre) * _ONE))
        a = tuple(max(1, int(v)) for v in np.round(np.asarray(axes) * self.ppu * _ONE))
        cv2.ellipse(layer, c, a, angle, 0, 360, 255, -1, cv2.LINE_AA, _SHIFT)
        return layer.astype(np.float32) / 255.0

    def below(self, top_y) -> np.ndarray:
        """Anti-aliased coverage of everything below the curve y = top_y(x)."""
        x, y = self.grid
        return smoothstep(-0.5, 0.5, (y - top_y(x)) * self.ppu).astype(np.float32)

    def edge_distance(self, coverage: np.ndarray) -> np.ndarray:
        """Distance (units) of every covered pixel to the shape's edge."""
        inside = (coverage > 0.5).astype(np.uint8)
        return cv2.distanceTransform(inside, cv2.DIST_L2, 3) / self.ppu

    def blur(self, field: np.ndarray, sigma_units: float) -> np.ndarray:
        return cv2.GaussianBlur(field, (0, 0), max(0.3, sigma_units * self.ppu))


def lambert_from_slopes(gx: np.ndarray, gy: np.ndarray, light: np.ndarray, ambient: float = 0.35) -> np.ndarray:
    """Diffuse shading of a surface with slopes (gx, gy) (height units per unit), normalised so that a flat
    surface gives 1."""
    norm = np.sqrt(gx * gx + gy * gy + 1.0)
    light = np.asarray(light, np.float64)
    light = (light / math.sqrt(light.dot(light))).tolist()  # np.linalg.norm's sum, without its per-call cost;
    # python floats keep the arithmetic below in float32
    cosine = (-gx * light[0] - gy * light[1] + light[2]) / norm
    flat = ambient + (1.0 - ambient) * light[2]
    return ((ambient + (1.0 - ambient) * np.clip(cosine, 0.0, 1.0)) / flat).astype(np.float32, copy=False)

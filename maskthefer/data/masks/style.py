"""Mask styles: type, colours, texture and the seed of every procedural detail, drawn from a Generator.

Synthetic masks of a single colour generalise badly to real masks (SPEC §1.2, seed paper 001), so the
sampler spreads over many colours, prints and shapes. Every random choice comes from the
`numpy.random.Generator` passed in; the style stores the resulting numbers (including a seed for the
texture's own randomness), so drawing is a pure function of (image, landmarks, style).

Colours are continuous in effect (28 named ones, any pair for prints, matched to each photo's light), but
the layout numbers are drawn from small sets: `STYLE_VARIANTS` seeds, `PATTERN_SCALES`, `PATTERN_ANGLES`.
Drawings and prints are then rendered once per layout and reused (see templates/__init__.py), which is
what makes a mask cost a fraction of a millisecond; a face still gets one of several hundred layouts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .errors import MaskStyleError

MASK_TYPES: tuple[str, ...] = ("surgical", "n95", "kn95", "cloth", "gas")

# How often each type is drawn when no restriction is given (cloth and surgical masks dominate real life).
_TYPE_WEIGHTS = {"surgical": 0.30, "cloth": 0.27, "kn95": 0.18, "n95": 0.15, "gas": 0.10}

# Named colours, BGR uint8.
COLOURS: dict[str, tuple[int, int, int]] = {
    "white": (246, 246, 244),
    "off-white": (222, 232, 238),
    "light-grey": (200, 198, 196),
    "grey": (140, 138, 136),
    "charcoal": (66, 64, 62),
    "black": (34, 33, 32),
    "light-blue": (232, 208, 160),
    "sky-blue": (226, 176, 112),
    "blue": (190, 120, 40),
    "royal-blue": (170, 70, 30),
    "navy": (92, 44, 24),
    "teal": (150, 140, 40),
    "surgical-green": (170, 196, 120),
    "mint": (200, 232, 176),
    "green": (70, 140, 60),
    "olive": (60, 110, 105),
    "khaki": (130, 170, 190),
    "beige": (180, 205, 225),
    "brown": (40, 70, 110),
    "yellow": (70, 210, 240),
    "orange": (40, 130, 235),
    "red": (45, 40, 200),
    "burgundy": (50, 30, 120),
    "pink": (190, 150, 240),
    "light-pink": (220, 205, 250),
    "hot-pink": (150, 60, 230),
    "lavender": (230, 190, 200),
    "purple": (140, 50, 110),
}

TEXTURES: tuple[str, ...] = ("plain", "fabric", "check", "plaid", "stripes", "dots", "floral", "fruit", "camo")

# Per type: (colour names, their weights), (textures, their weights).
_TYPE_COLOURS: dict[str, dict[str, float]] = {
    "surgical": {"light-blue": 5, "sky-blue": 3, "white": 4, "surgical-green": 2, "mint": 2, "pink": 1.5,
                 "light-pink": 1.5, "black": 2, "grey": 1, "lavender": 1, "navy": 1, "yellow": 0.5},
    "n95": {"white": 6, "off-white": 2, "light-grey": 1.5, "blue": 1, "black": 1.5, "beige": 1,
            "navy": 0.5, "pink": 0.5},
    "kn95": {"white": 5, "black": 3, "grey": 1.5, "light-grey": 1, "pink": 1, "light-blue": 1, "navy": 1,
             "beige": 1, "purple": 0.5, "royal-blue": 0.5, "red": 0.5},
    "cloth": {name: 1.0 for name in COLOURS},
    "gas": {"black": 4, "charcoal": 3, "grey": 1, "olive": 2, "navy": 0.5},
}  # fmt: skip
_TYPE_TEXTURES: dict[str, dict[str, float]] = {
    "surgical": {"plain": 12, "fabric": 2, "dots": 1, "floral": 1, "fruit": 1, "stripes": 0.5, "check": 0.5},
    "n95": {"plain": 10, "fabric": 3},
    "kn95": {"plain": 10, "fabric": 2, "floral": 0.5, "dots": 0.5, "camo": 0.5},
    "cloth": {"plain": 2, "fabric": 3, "check": 2, "plaid": 2, "stripes": 2, "dots": 2, "floral": 2,
              "fruit": 1.5, "camo": 1},
    "gas": {"plain": 1},
}  # fmt: skip
_PATTERNED = {"check", "plaid", "stripes", "dots", "floral", "fruit", "camo"}
_VALVE_PROBABILITY = {"n95": 0.4, "gas": 1.0}
_STRAP_COLOURS = ("yellow", "sky-blue", "white", "orange", "teal", "light-grey")  # N95 head straps
STYLE_VARIANTS = 6  # seeds of the procedural details (mottling, wrinkles, motif placement, valve side)
PATTERN_SCALES = (0.16, 0.24, 0.32)  # size of one print repeat, in inter-ocular distances
PATTERN_ANGLES = (0.0, 0.0, 45.0, 90.0, -45.0)  # print directions, straight ones twice as often
_FILTER_COLOURS = ("hot-pink", "yellow", "olive", "black", "grey")  # gas-mask cartridges (P100s are magenta)


@dataclass(frozen=True)
class MaskStyle:
    """One fully specified mask look. Frozen and hashable; every number needed to redraw it is here."""

    mask_type: str
    colour: str
    texture: str = "plain"
    accent: str = ""  # second colour of patterned textures (and of gas-mask filters and N95 head straps)
    pattern_scale: float = 0.2  # size of one pattern repeat, in inter-ocular distances
    pattern_angle: float = 0.0  # degrees
    valve: bool = False
    shade: float = 1.0  # how strongly the cloth is shaded (0.6 soft .. 1.4 deep folds)
    seed: int = 0  # seed of the texture's and shading's own randomness

    def __post_init__(self) -> None:
        if self.mask_type not in MASK_TYPES:
            raise MaskStyleError(f"unknown mask type {self.mask_type!r}; choose from {', '.join(MASK_TYPES)}")
        for name in (self.colour, self.accent):
            if name and name not in COLOURS:
                raise MaskStyleError(f"unknown mask colour {name!r}")
        if self.texture not in TEXTURES:
            raise MaskStyleError(f"unknown mask texture {self.texture!r}; choose from {', '.join(TEXTURES)}")

    @property
    def bgr(self) -> np.ndarray:
        return np.array(COLOURS[self.colour], np.float32) / 255.0

    @property
    def accent_bgr(self) -> np.ndarray:
        return np.array(COLOURS[self.accent or self.colour], np.float32) / 255.0

    def describe(self) -> str:
        """Short text for dataset records, e.g. 'surgical/light-blue/plain' or 'cloth/navy/check-white'."""
        texture = f"{self.texture}-{self.accent}" if self.texture in _PATTERNED and self.accent else self.texture
        text = f"{self.mask_type}/{self.colour}/{texture}"
        return text + "+valve" if self.valve and self.mask_type != "gas" else text


def check_mask_types(mask_types: Iterable[str] | None) -> tuple[str, ...]:
    """The requested mask types (all when None), validated; MaskStyleError names any unknown one."""
    if mask_types is None:
        return MASK_TYPES
    if isinstance(mask_types, str):
        mask_types = [part.strip() for part in mask_types.split(",") if part.strip()]
    chosen = tuple(dict.fromkeys(mask_types))
    unknown = [name for name in chosen if name not in MASK_TYPES]
    if unknown or not chosen:
        named = ", ".join(map(repr, unknown)) or "(none given)"
        raise MaskStyleError(f"unknown mask type(s) {named}; choose from {', '.join(MASK_TYPES)}")
    return chosen


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = list(weights)
    p = np.array([weights[n] for n in names], np.float64)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def _contrasting_accent(rng: np.random.Generator, colour: str) -> str:
    """A second colour that differs visibly in brightness or hue from the first."""
    base = np.array(COLOURS[colour], np.float64)
    candidates = [n for n, c in COLOURS.items() if np.abs(np.array(c) - base).sum() > 150]
    return candidates[int(rng.integers(len(candidates)))]


def sample_style(rng: np.random.Generator, mask_types: Iterable[str] | None = None) -> MaskStyle:
    """A random mask style; `mask_types` restricts the types (names from MASK_TYPES or 'a,b' text)."""
    if not isinstance(rng, np.random.Generator):
        raise MaskStyleError(f"sample_style needs a numpy.random.Generator, got {type(rng).__name__}")
    types = check_mask_types(mask_types)
    mask_type = _pick(rng, {t: _TYPE_WEIGHTS[t] for t in types})
    colour = _pick(rng, _TYPE_COLOURS[mask_type])
    texture = _pick(rng, _TYPE_TEXTURES[mask_type])
    if mask_type == "gas":
        accent = _FILTER_COLOURS[int(rng.integers(len(_FILTER_COLOURS)))]
    elif mask_type == "n95":
        accent = _STRAP_COLOURS[int(rng.integers(len(_STRAP_COLOURS)))]
    elif texture in _PATTERNED:
        accent = _contrasting_accent(rng, colour)
    else:
        accent = ""
    return MaskStyle(
        mask_type=mask_type,
        colour=colour,
        texture=texture,
        accent=accent,
        pattern_scale=float(PATTERN_SCALES[int(rng.integers(len(PATTERN_SCALES)))]),
        pattern_angle=float(PATTERN_ANGLES[int(rng.integers(len(PATTERN_ANGLES)))]),
        valve=bool(rng.random() < _VALVE_PROBABILITY.get(mask_type, 0.0)),
        shade=float(rng.uniform(0.7, 1.3)),  # lit per face, so it stays continuous
        seed=int(rng.integers(STYLE_VARIANTS)),
    )

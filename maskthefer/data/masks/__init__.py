"""Synthetic face masks: the MaskTheFace algorithm (Anwar & Raychowdhury 2020), redrawn procedurally.

Six anchor points on the face (nose bridge middle, chin, two jaw points a nose length below the eyes, two at
the bottom lip) meet the same six points of a template drawn in code; a homography (refined to follow the
jaw) maps the template onto the face, and the warped template is alpha-composited, its brightness matched
to the face. Head turns pick a turned variant; styles (type, colour, texture) come from a seeded Generator.

    style = sample_style(np.random.default_rng(0))
    masked = apply_mask(image, landmarks, style)
    masked_group = apply_masks(images, landmarks_of_each, styles)  # the same pixels, for less CPU
"""

from .apply import apply_mask, apply_masks
from .errors import MaskFitError, MaskInputError, MaskStyleError
from .geometry import face_anchor_points
from .style import COLOURS, MASK_TYPES, TEXTURES, MaskStyle, sample_style

__all__ = [
    "COLOURS",
    "MASK_TYPES",
    "TEXTURES",
    "MaskFitError",
    "MaskInputError",
    "MaskStyle",
    "MaskStyleError",
    "apply_mask",
    "apply_masks",
    "face_anchor_points",
    "sample_style",
]

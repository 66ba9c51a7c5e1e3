"""MaskTheFace's own placement of its surgical mask, as a reference to measure the package's masks against.

The package draws its own masks (apply.py); MaskTheFER drew MaskTheFace's (Anwar & Raychowdhury 2020). To
say how the two differ on the same faces, this module places MaskTheFace's surgical template the way its
code does, written afresh from reading `get_six_points`, `get_line`, `get_points_on_chin`, `get_angle`
and `mask_face` of its utils/aux_functions.py (github.com/aqeelanwar/MaskTheFace):

- face b, the template's top centre: the middle of the nose bridge (landmarks 27 and 30);
- faces a and c: the first and last crossings of the jaw (0-16) by the line through the two eye centres
  moved down by the nose's height (y30 - y27); fewer than two crossings: an ellipse fitted to the jaw
  stands in for it, and failing that the jaw's two ends;
- faces d and f: the first and last crossings of the jaw by the eye line moved down to the lowest point of
  the bottom lip; none: MaskTheFace stops with an error (here `MaskFitError`);
- face e, the chin: the mean of the first jaw crossings of two lines, the perpendicular to the eye line
  through the middle of the bridge and the line from landmark 27 through the bottom lip's mean point;
- the head turn: the angle between that 27-to-lip line and the bridge (27 -> 30), both taken modulo 180
  degrees; beyond +13 the left-turned template, below -13 the right-turned one;
- `cv2.findHomography` (least squares on all six pairs) from the template's anchors (masks/masks.cfg) to
  the face's, and `cv2.warpPerspective` of the template's alpha.

Lines are infinite; a crossing counts when it lies within a pixel of the jaw segment's bounding box, as
there. Two details differ on purpose: MaskTheFace nudges a vertical line by 0.1 px to fit it as y(x) (a
sub-pixel tilt, left out), and it orders the ellipse fallback's crossings by where its sampled arc starts
(here: image-left first, so a and c are never swapped). Only the opaque region matters for coverage, so
the templates are kept as outlines (masktheface_outlines.py); `load_template_alpha` reads the original
pictures instead, from a MaskTheFace checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from .errors import MaskFitError, MaskInputError
from .geometry import check_landmarks
from .masktheface_outlines import OUTLINES

TURN_THRESHOLD_DEG = 13.0
# masks/masks.cfg: template pixels of the anchors a, b, c (top: left, centre, right) and d, e, f (bottom).
TEMPLATE_ANCHORS: dict[str, dict[str, tuple[int, int]]] = {
    "surgical": {"a": (21, 97), "b": (307, 22), "c": (600, 99), "d": (25, 322), "e": (295, 470), "f": (600, 323)},
    "surgical_left": {"a": (39, 27), "b": (130, 9), "c": (567, 20), "d": (87, 207), "e": (168, 302), "f": (568, 202)},
    "surgical_right": {"a": (3, 20), "b": (440, 9), "c": (531, 27), "d": (2, 202), "e": (402, 302), "f": (483, 207)},
}  # fmt: skip
ANCHOR_ORDER = ("a", "b", "c", "f", "e", "d")  # the order mask_face pairs template and face points in
_CROSSING_SLACK = 1.0  # px: MaskTheFace accepts crossings this far outside a jaw segment's bounding box
_ELLIPSE_ARC = 2.2 * np.pi  # the fallback samples this much of the fitted ellipse, every 0.2 radians
_ELLIPSE_STEP = 0.2


@dataclass(frozen=True)
class MaskTheFacePlacement:
    """Where MaskTheFace puts its mask on one face."""

    points: np.ndarray  # (6, 2) face points in ANCHOR_ORDER (a, b, c, f, e, d), image pixels
    angle: float  # degrees, MaskTheFace's head-turn angle
    template: str  # "surgical", "surgical_left" or "surgical_right"
    fallbacks: tuple[str, ...]  # "ellipse" or "jaw-ends" when the nose-height line missed the jaw

    def homography(self) -> np.ndarray:
        """Template pixels -> image pixels, as mask_face fits it."""
        anchors = TEMPLATE_ANCHORS[self.template]
        source = np.float32([anchors[name] for name in ANCHOR_ORDER])
        matrix, _ = cv2.findHomography(source, self.points.astype(np.float32))
        if matrix is None:
            raise MaskFitError(f"no homography maps the {self.template} template onto these six points")
        return matrix


def _line_crossings(origin: np.ndarray, direction: np.ndarray, chain: np.ndarray) -> list[np.ndarray]:
    """Crossings of the infinite line `origin + t * direction` with each segment of `chain`, in chain order."""
    found = []
    for start, end in zip(chain[:-1], chain[1:]):
        edge = end - start
        denominator = direction[0] * edge[1] - direction[1] * edge[0]
        if denominator == 0.0:
            continue  # parallel: no single crossing
        offset = start - origin
        t = (offset[0] * edge[1] - offset[1] * edge[0]) / denominator
        point = origin + t * direction
        low, high = np.minimum(start, end) - _CROSSING_SLACK, np.maximum(start, end) + _CROSSING_SLACK
        if np.all(point >= low) and np.all(point <= high):
            found.append(point)
    return found


def _jaw_ellipse(jaw: np.ndarray) -> np.ndarray | None:
    """The jaw's least-squares ellipse (Fitzgibbon's direct fit), sampled like MaskTheFace's extrapolated
    chin; None when no ellipse fits."""
    try:
        (cx, cy), (width, height), angle = cv2.fitEllipseDirect(jaw.astype(np.float32))
    except cv2.error:
        return None
    if not (np.isfinite([cx, cy, width, height, angle]).all() and width > 0 and height > 0):
        return None
    phi = np.radians(angle)
    r = np.arange(0.0, _ELLIPSE_ARC, _ELLIPSE_STEP)
    a, b = width / 2.0, height / 2.0
    xs = cx + a * np.cos(r) * np.cos(phi) - b * np.sin(r) * np.sin(phi)
    ys = cy + a * np.cos(r) * np.sin(phi) + b * np.sin(r) * np.cos(phi)
    return np.stack([xs, ys], axis=1)


def _line_angle(direction: np.ndarray) -> float:
    """Direction of a line in degrees, modulo 180 (MaskTheFace fits lines as y(x), so they have no sense)."""
    return float(np.degrees(np.arctan2(direction[1], direction[0])) % 180.0)


def masktheface_placement(landmarks: np.ndarray) -> MaskTheFacePlacement:
    """MaskTheFace's six face points, head-turn angle and template for 68 dlib landmarks ((68, 2) x, y).

    Raises MaskFitError where MaskTheFace's own code fails on the face (a line that misses the jaw), naming
    which line; MaskInputError for an array of the wrong shape.
    """
    points = check_landmarks(landmarks)
    jaw = points[:17]
    left_eye, right_eye = points[36:42].mean(axis=0), points[42:48].mean(axis=0)
    along_eyes = right_eye - left_eye
    if not np.hypot(*along_eyes) > 0:
        raise MaskFitError("the two eye centres coincide: there is no eye line to place MaskTheFace's mask by")
    eye_middle = (left_eye + right_eye) / 2.0
    bridge_top, bridge_bottom = points[27], points[30]
    nose_height = bridge_bottom[1] - bridge_top[1]  # vertical only, as MaskTheFace measures it
    bottom_lip = points[[54, 55, 56, 57, 58, 59, 48, 64, 65, 66, 67, 60]]

    face_b = (bridge_top + bridge_bottom) / 2.0
    perpendicular = np.array([-along_eyes[1], along_eyes[0]])
    through_bridge = _line_crossings(eye_middle + (0.0, nose_height / 2.0), perpendicular, jaw)
    to_lip = bottom_lip.mean(axis=0) - bridge_top
    through_lip = _line_crossings(bridge_top, to_lip, jaw)
    if not through_bridge and not through_lip:
        raise MaskFitError("neither chin line of MaskTheFace crosses the jaw (its code stops here)")
    firsts = [found[0] for found in (through_bridge, through_lip) if found]
    face_e = np.mean(firsts, axis=0)

    fallbacks: tuple[str, ...] = ()
    upper = _line_crossings(left_eye + (0.0, nose_height), along_eyes, jaw)
    if len(upper) < 2:
        ellipse = _jaw_ellipse(jaw)
        upper = _line_crossings(left_eye + (0.0, nose_height), along_eyes, ellipse) if ellipse is not None else []
        if len(upper) >= 2:
            upper = sorted(upper, key=lambda p: float(p @ along_eyes))
            fallbacks = ("ellipse",)
        else:
            upper, fallbacks = [jaw[0], jaw[-1]], ("jaw-ends",)
    face_a, face_c = upper[0], upper[-1]

    lip_drop = bottom_lip[:, 1].max() - eye_middle[1]
    lower = _line_crossings(left_eye + (0.0, lip_drop), along_eyes, jaw)
    if not lower:
        raise MaskFitError("MaskTheFace's bottom-lip line misses the jaw (its code stops here)")
    face_d, face_f = lower[0], lower[-1]

    angle = _line_angle(bridge_bottom - bridge_top) - _line_angle(to_lip)
    template = "surgical"
    if angle < -TURN_THRESHOLD_DEG:
        template = "surgical_right"
    elif angle > TURN_THRESHOLD_DEG:
        template = "surgical_left"
    six = np.array([face_a, face_b, face_c, face_f, face_e, face_d], np.float64)
    return MaskTheFacePlacement(six, angle, template, fallbacks)


@lru_cache(maxsize=8)
def _outline_alpha(template: str) -> np.ndarray:
    (width, height), vertices = OUTLINES[template]
    alpha = np.zeros((height, width), np.uint8)
    cv2.fillPoly(alpha, [np.array(vertices, np.int32).reshape(-1, 1, 2)], 255)
    alpha.flags.writeable = False  # cached: shared by every caller
    return alpha


def load_template_alpha(masktheface_dir: Path | str, template: str) -> np.ndarray:
    """The alpha channel (uint8) of MaskTheFace's own template picture, from a checkout of its repository."""
    path = Path(masktheface_dir) / "masks" / "templates" / f"{template}.png"
    picture = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if picture is None:
        raise MaskInputError(f"cannot read MaskTheFace's template {path}")
    if picture.ndim != 3 or picture.shape[2] != 4:
        raise MaskInputError(f"{path} has no alpha channel (shape {picture.shape})")
    return picture[..., 3].copy()


def masktheface_coverage(
    image_shape: tuple[int, ...], landmarks: np.ndarray, template_alpha: dict[str, np.ndarray] | None = None
) -> tuple[np.ndarray, MaskTheFacePlacement]:
    """(alpha, placement): MaskTheFace's surgical mask's coverage of an image of `image_shape`, float32 (H, W)
    in [0, 1], and where it was placed. `template_alpha` maps template names to their alpha pictures
    (`load_template_alpha`); by default the traced outlines are used.

    MaskTheFace composites with bitwise masks, so any pixel with alpha > 0 is changed; alpha > 0.5 is its
    opaque region.
    """
    placement = masktheface_placement(landmarks)
    if template_alpha is not None and placement.template in template_alpha:
        picture = template_alpha[placement.template]
    else:
        picture = _outline_alpha(placement.template)
    height, width = image_shape[:2]
    warped = cv2.warpPerspective(picture, placement.homography(), (width, height))  # bilinear, as mask_face
    return warped.astype(np.float32) / 255.0, placement

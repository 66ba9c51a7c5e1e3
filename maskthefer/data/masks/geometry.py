"""Where a mask goes on a face: the six anchor points, the head turn and the face's own frame.

Units: a face frame has its origin midway between the eye centres, x along the eye line (towards the
image-right eye), y perpendicular to it towards the chin, and one unit = the inter-ocular distance (IOD).
Templates are drawn in the same units on a generic frontal face (`CANONICAL`), so the anchors of a template
and those of a real face are computed by one and the same function.

The six anchors (in this order) follow MaskTheFace (Anwar & Raychowdhury 2020):
  0 the middle of the nose bridge (27-30)      1 the chin (8)
  2, 3 the jaw (image-left, image-right) where a line parallel to the eye line, one nose length below it,
       crosses the jaw
  4, 5 the jaw where the line parallel to the eye line through the bottom lip (57) crosses it
When a line misses the jaw (odd landmarks, open mouths, heads tilted back) the anchor falls back to the
nearest sensible jaw landmark (the ear end of the jaw when the head is tilted back, else landmarks 2/14
for the upper and 5/11 for the lower pair) instead of failing, as the original code did.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import MaskFitError, MaskInputError

TURN_THRESHOLD_DEG = 13.0  # MaskTheFace's head-turn threshold between nose bridge and nose-to-lip lines

# Landmark indices (iBUG 68-point scheme).
_JAW = np.arange(17)
_LEFT_JAW = np.arange(0, 9)  # ear to chin on the image-left side
_RIGHT_JAW = np.arange(16, 7, -1)  # ear to chin on the image-right side
_CHIN, _BRIDGE_TOP, _NOSE_TIP, _BOTTOM_LIP = 8, 27, 30, 57
_UNITS_NEEDED = np.r_[_JAW, _BRIDGE_TOP, _NOSE_TIP, _BOTTOM_LIP]  # the landmarks the anchors are built from
# Fallbacks when a line misses the jaw: landmarks at about the usual crossing heights.
_UPPER_FALLBACK = (2, 14)
_LOWER_FALLBACK = (5, 11)
_ABOVE_UPPER = 0.2  # the jaw control above the upper anchor sits this far (IOD, along the jaw) above it
_TYPICAL_NOSE = 0.57  # nose length (27 -> 30) of a frontal face, in IOD; used when the nose has collapsed


def _mirror(half: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(-x, y) for x, y in reversed(half)]


# A generic frontal face in face-frame units, drawn by hand after dlib's layout on FER2013-sized faces.
# Only the points the mask drawer uses are given.
_CANON_LEFT_JAW = [(-1.06, 0.06), (-1.05, 0.33), (-1.01, 0.61), (-0.96, 0.88), (-0.88, 1.14),
                   (-0.72, 1.35), (-0.52, 1.53), (-0.27, 1.64)]  # fmt: skip
CANONICAL_JAW = np.array(_CANON_LEFT_JAW + [(0.0, 1.67)] + _mirror(_CANON_LEFT_JAW), np.float64)
CANONICAL_EYES = np.array([(-0.5, 0.0), (0.5, 0.0)], np.float64)
CANONICAL_LOWER_LIDS = np.array([(-0.58, 0.06), (-0.43, 0.06), (0.43, 0.06), (0.58, 0.06)], np.float64)
CANONICAL_BRIDGE = np.array([(0.0, -0.04), (0.0, 0.54)], np.float64)  # landmarks 27 and 30
CANONICAL_BOTTOM_LIP = np.array((0.0, 1.27), np.float64)


@dataclass(frozen=True)
class FaceFrame:
    """The similarity frame of a face: origin between the eyes, unit axes, IOD in pixels."""

    origin: np.ndarray  # (2,)
    x_axis: np.ndarray  # (2,) unit vector along the eye line
    y_axis: np.ndarray  # (2,) unit vector towards the chin
    iod: float

    def to_face(self, points: np.ndarray) -> np.ndarray:
        """Face-frame units -> pixel coordinates."""
        axes = np.array([self.x_axis, self.y_axis]) * self.iod  # rows: where one unit along x and y goes
        return np.asarray(points, np.float64) @ axes + self.origin

    def to_units(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates -> face-frame units."""
        axes = np.array([self.x_axis, self.y_axis]).T / self.iod
        return (np.asarray(points, np.float64) - self.origin) @ axes


@dataclass(frozen=True)
class FaceGeometry:
    """Everything the drawer needs from one face's landmarks (pixel coordinates)."""

    anchors: np.ndarray  # (6, 2)
    frame: FaceFrame
    turn: int  # -1 nose points to the image's left, +1 to its right, 0 frontal
    turn_angle: float  # degrees between nose bridge and nose-to-lip line (positive: nose to the right)
    jaw: np.ndarray  # (17, 2)
    eyes: np.ndarray  # (2, 2) eye centres, image-left first
    lower_lids: np.ndarray  # (4, 2) landmarks 41, 40, 47, 46
    fallbacks: tuple[str, ...]  # which anchors fell back to a fixed jaw landmark, e.g. ("lower-left",)
    controls: np.ndarray  # (18, 2) the anchors, ten jaw points and the eye centres (see canonical_controls)


def check_landmarks(landmarks: np.ndarray) -> np.ndarray:
    """`landmarks` as a (68, 2) float64 array; MaskInputError when it is not one, MaskFitError if not finite."""
    points = np.asarray(landmarks)
    if points.shape != (68, 2):
        raise MaskInputError(f"landmarks must be a (68, 2) array of (x, y), got shape {points.shape}")
    if not np.issubdtype(points.dtype, np.number):
        raise MaskInputError(f"landmarks must be numeric, got dtype {points.dtype}")
    points = points.astype(np.float64)
    if not np.all(np.isfinite(points)):
        raise MaskFitError("landmarks contain NaN or infinite coordinates")
    return points


def _frame(eyes: np.ndarray, chin: np.ndarray) -> FaceFrame:
    left, right = eyes
    axis = right - left
    iod = float(np.hypot(*axis))
    if iod < 1.0:
        raise MaskFitError(f"the eye centres are {iod:.2f} px apart: the landmarks have collapsed")
    x_axis = axis / iod
    y_axis = np.array([-x_axis[1], x_axis[0]])
    origin = (left + right) / 2.0
    if (chin - origin) @ y_axis < 0:  # landmarks of an upside-down face: keep y pointing at the chin
        y_axis = -y_axis
    frame = FaceFrame(origin, x_axis, y_axis, iod)
    height = float(frame.to_units(chin)[1])
    if height < 0.5:
        raise MaskFitError(f"the chin lies {height:.2f} eye distances below the eyes (a face has about 1.7)")
    return frame


def _jaw_crossing(jaw_units: np.ndarray, chain: np.ndarray, level: float) -> np.ndarray | None:
    """First point, walking from the ear to the chin, where the jaw chain crosses height `level`."""
    # Nine points: a Python loop over floats is several times cheaper than numpy's calls on them.
    below = [y - level for y in jaw_units[chain, 1].tolist()]
    for i in range(len(below) - 1):
        if below[i] <= 0.0 < below[i + 1]:
            start, end = jaw_units[chain[i]], jaw_units[chain[i + 1]]
            return start + below[i] / (below[i] - below[i + 1]) * (end - start)
    return None


def _anchor_units(
    jaw: np.ndarray, bridge: np.ndarray, bottom_lip: np.ndarray, fallbacks: list[str] | None = None
) -> np.ndarray:
    """The six anchors from face-frame coordinates of the jaw (17), bridge (27, 30) and bottom lip (57)."""
    nose = float(np.hypot(*(bridge[1] - bridge[0])))
    if nose < 0.05:
        nose = _TYPICAL_NOSE
    levels = {"upper": nose, "lower": float(bottom_lip[1])}
    found = {}
    for line, level in levels.items():
        for side, chain, fallback in (("left", _LEFT_JAW, 0), ("right", _RIGHT_JAW, 1)):
            point = _jaw_crossing(jaw, chain, level)
            if point is None:
                if line == "upper" and jaw[chain[0], 1] > level:
                    # Head tilted back: even the ear end of the jaw lies below the line; it is the closest.
                    index = chain[0]
                else:
                    index = (_UPPER_FALLBACK if line == "upper" else _LOWER_FALLBACK)[fallback]
                point = jaw[index]
                if fallbacks is not None:
                    fallbacks.append(f"{line}-{side}")
            found[line, side] = point
    for side, fallback in (("left", 0), ("right", 1)):
        # The upper point must stay above the lower one, or the mask would fold over itself.
        if found["upper", side][1] >= found["lower", side][1] - 0.05:
            found["upper", side] = jaw[_UPPER_FALLBACK[fallback]]
            found["lower", side] = jaw[_LOWER_FALLBACK[fallback]]
            if fallbacks is not None:
                fallbacks.append(f"order-{side}")
    bridge_middle = (bridge[0] + bridge[1]) / 2.0
    return np.array(
        [
            bridge_middle,
            jaw[_CHIN],
            found["upper", "left"],
            found["upper", "right"],
            found["lower", "left"],
            found["lower", "right"],
        ]
    )


def canonical_anchors() -> np.ndarray:
    """The six anchors of the generic face, in face-frame units (what every template carries)."""
    return _anchor_units(CANONICAL_JAW, CANONICAL_BRIDGE, CANONICAL_BOTTOM_LIP)


def _arc_positions(chain: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(arc length along a polyline to its point closest to each of `points`, cumulative arc lengths)."""
    a, seg = chain[:-1], np.diff(chain, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    offsets = points[:, None, :] - a[None]  # (K, S, 2)
    along = offsets[..., 0] * seg[:, 0] + offsets[..., 1] * seg[:, 1]  # einsum's sums of products, unrolled
    t = np.clip(along / np.maximum(lengths**2, 1e-12), 0.0, 1.0)
    gaps = offsets - t[..., None] * seg[None]
    best = np.argmin(gaps[..., 0] * gaps[..., 0] + gaps[..., 1] * gaps[..., 1], axis=1)
    rows = np.arange(len(points))
    return cumulative[best] + t[rows, best] * lengths[best], cumulative


def _points_at(chain: np.ndarray, cumulative: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Points at the given arc lengths along a polyline (clamped to its ends)."""
    at = np.clip(positions, 0.0, cumulative[-1])
    return np.column_stack([np.interp(at, cumulative, chain[:, 0]), np.interp(at, cumulative, chain[:, 1])])


def _jaw_controls(jaw: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Points along the jaw (face-frame units) that the mask's sides must follow: per side, one a little
    above the upper anchor, two between the upper and lower anchors and two between the lower anchor and
    the chin. They are spaced by arc length between anchors, not taken at landmark indices, because dlib
    slides its jaw points along the contour from face to face and index pairs would stretch the mask."""
    points = []
    for chain, upper, lower in ((_LEFT_JAW, anchors[2], anchors[4]), (_RIGHT_JAW, anchors[3], anchors[5])):
        polyline = jaw[chain]
        (s_up, s_low), cumulative = _arc_positions(polyline, np.array([upper, lower]))
        s_chin = cumulative[-1]
        positions = np.array([s_up - _ABOVE_UPPER, s_up + (s_low - s_up) / 3, s_up + 2 * (s_low - s_up) / 3,
                              s_low + (s_chin - s_low) / 3, s_low + 2 * (s_chin - s_low) / 3])  # fmt: skip
        points.append(_points_at(polyline, cumulative, positions))
    return np.vstack(points)


@lru_cache(maxsize=1)
def _canonical_controls() -> np.ndarray:
    anchors = canonical_anchors()
    return np.vstack([anchors, _jaw_controls(CANONICAL_JAW, anchors), CANONICAL_EYES])


def canonical_controls() -> np.ndarray:
    """Template control points (face-frame units): six anchors, ten jaw points, two eye centres."""
    return _canonical_controls().copy()


def _turn_angle(landmarks: np.ndarray) -> float:
    """Signed angle (degrees) from the nose bridge (27 -> 30) to the nose-to-lip line (30 -> 57)."""
    bridge = landmarks[_NOSE_TIP] - landmarks[_BRIDGE_TOP]
    lip = landmarks[_BOTTOM_LIP] - landmarks[_NOSE_TIP]
    if np.hypot(*bridge) < 1e-6 or np.hypot(*lip) < 1e-6:
        return 0.0
    cross = bridge[0] * lip[1] - bridge[1] * lip[0]
    return float(np.degrees(np.arctan2(cross, bridge @ lip)))


def face_geometry(landmarks: np.ndarray) -> FaceGeometry:
    """Anchors, frame and head turn of a face; MaskFitError when the landmarks are degenerate."""
    points = check_landmarks(landmarks)
    eyes = points[36:48].reshape(2, 6, 2).mean(axis=1)  # eye centres, image-left first
    frame = _frame(eyes, points[_CHIN])
    units = frame.to_units(points[_UNITS_NEEDED])
    jaw_units, bridge_units, lip_units = units[:17], units[17:19], units[19]
    fallbacks: list[str] = []
    anchor_units = _anchor_units(jaw_units, bridge_units, lip_units, fallbacks)
    anchors = frame.to_face(anchor_units)
    controls = np.vstack([anchors, frame.to_face(_jaw_controls(jaw_units, anchor_units)), eyes])
    angle = _turn_angle(points)
    # With y pointing down in the image, a positive angle means the nose tip sticks out to the image's right.
    turn = 0 if abs(angle) <= TURN_THRESHOLD_DEG else (1 if angle > 0 else -1)
    return FaceGeometry(
        anchors=anchors,
        frame=frame,
        turn=turn,
        turn_angle=angle,
        jaw=points[_JAW],
        eyes=eyes,
        lower_lids=points[[41, 40, 47, 46]],
        fallbacks=tuple(fallbacks),
        controls=controls,
    )


def face_anchor_points(landmarks: np.ndarray) -> np.ndarray:
    """The six MaskTheFace anchors of a face as a (6, 2) float32 array (see the module docstring for order).

    Raises MaskFitError for landmarks too degenerate to hold a mask (for example all points equal).
    """
    return face_geometry(landmarks).anchors.astype(np.float32)

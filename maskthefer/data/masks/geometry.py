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
    points = _checked_array(landmarks, (68, 2))
    if not np.all(np.isfinite(points)):
        raise MaskFitError("landmarks contain NaN or infinite coordinates")
    return points


def _checked_array(landmarks: np.ndarray, shape: tuple) -> np.ndarray:
    points = np.asarray(landmarks)
    if points.shape[-2:] != (68, 2) or points.ndim != len(shape):
        what = "a (68, 2) array of (x, y)" if len(shape) == 2 else "an (N, 68, 2) array of faces' (x, y)"
        raise MaskInputError(f"landmarks must be {what}, got shape {points.shape}")
    if not np.issubdtype(points.dtype, np.number):
        raise MaskInputError(f"landmarks must be numeric, got dtype {points.dtype}")
    return points.astype(np.float64)


@dataclass
class _Frames:
    """The frames of N faces, stacked: origin, x and y axes (N, 2) and IOD (N,)."""

    origin: np.ndarray
    x_axis: np.ndarray
    y_axis: np.ndarray
    iod: np.ndarray

    def frame(self, i: int) -> FaceFrame:
        return FaceFrame(self.origin[i], self.x_axis[i], self.y_axis[i], float(self.iod[i]))

    def to_units(self, points: np.ndarray) -> np.ndarray:
        """FaceFrame.to_units of every face's (K, 2) points at once, (N, K, 2)."""
        axes = np.stack([self.x_axis, self.y_axis], axis=1).transpose(0, 2, 1) / self.iod[:, None, None]
        return (points - self.origin[:, None]) @ axes  # one gemm per face, as FaceFrame's own

    def to_face(self, points: np.ndarray) -> np.ndarray:
        axes = np.stack([self.x_axis, self.y_axis], axis=1) * self.iod[:, None, None]
        return points @ axes + self.origin[:, None]


def _frames(eyes: np.ndarray, chin: np.ndarray, errors: list) -> _Frames:
    """The frames of N faces from their eye centres (N, 2, 2) and chins (N, 2); a face whose landmarks
    cannot carry a frame gets its MaskFitError in `errors` (its frame is then meaningless)."""
    left, right = eyes[:, 0], eyes[:, 1]
    axis = right - left
    iod = np.hypot(axis[:, 0], axis[:, 1])
    x_axis = axis / iod[:, None]
    y_axis = np.stack([-x_axis[:, 1], x_axis[:, 0]], axis=1)
    origin = (left + right) / 2.0
    to_chin = chin - origin
    upside_down = to_chin[:, 0] * y_axis[:, 0] + to_chin[:, 1] * y_axis[:, 1] < 0  # keep y pointing at the chin
    y_axis[upside_down] = -y_axis[upside_down]
    frames = _Frames(origin, x_axis, y_axis, iod)
    height = frames.to_units(chin[:, None])[:, 0, 1]
    for i in range(len(eyes)):
        if errors[i] is not None:
            continue
        if not iod[i] >= 1.0:
            errors[i] = MaskFitError(f"the eye centres are {iod[i]:.2f} px apart: the landmarks have collapsed")
        elif not height[i] >= 0.5:
            errors[i] = MaskFitError(
                f"the chin lies {height[i]:.2f} eye distances below the eyes (a face has about 1.7)"
            )
    return frames


def _jaw_crossings(jaw: np.ndarray, chain: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per face, the first point, walking from the ear to the chin, where the jaw chain crosses height
    `level` (N,), and whether there is one."""
    below = jaw[:, chain, 1] - level[:, None]
    crosses = (below[:, :-1] <= 0.0) & (0.0 < below[:, 1:])
    first = crosses.argmax(axis=1)
    faces = np.arange(len(jaw))
    start, end = jaw[faces, chain[first]], jaw[faces, chain[first + 1]]
    above, under = below[faces, first], below[faces, first + 1]
    return start + (above / (above - under))[:, None] * (end - start), crosses.any(axis=1)


def _anchor_units(
    jaw: np.ndarray, bridge: np.ndarray, bottom_lip: np.ndarray, fallbacks: list[list[str]] | None = None
) -> np.ndarray:
    """The six anchors (N, 6, 2) of N faces from face-frame coordinates of the jaw (N, 17, 2), bridge (27,
    30; (N, 2, 2)) and bottom lip (57; (N, 2)); per face, the anchors that fell back go into `fallbacks`."""
    faces = np.arange(len(jaw))
    gap = bridge[:, 1] - bridge[:, 0]
    nose = np.hypot(gap[:, 0], gap[:, 1])
    nose = np.where(nose < 0.05, _TYPICAL_NOSE, nose)
    levels = {"upper": nose, "lower": bottom_lip[:, 1]}
    found = {}
    for line, level in levels.items():
        for side, chain, fallback in (("left", _LEFT_JAW, 0), ("right", _RIGHT_JAW, 1)):
            point, hit = _jaw_crossings(jaw, chain, level)
            if not hit.all():
                index = np.full(len(jaw), (_UPPER_FALLBACK if line == "upper" else _LOWER_FALLBACK)[fallback])
                if line == "upper":
                    # Head tilted back: even the ear end of the jaw lies below the line; it is the closest.
                    index[jaw[:, chain[0], 1] > level] = chain[0]
                point = np.where(hit[:, None], point, jaw[faces, index])
                if fallbacks is not None:
                    for i in np.flatnonzero(~hit):
                        fallbacks[i].append(f"{line}-{side}")
            found[line, side] = point
    for side, fallback in (("left", 0), ("right", 1)):
        # The upper point must stay above the lower one, or the mask would fold over itself.
        folded = found["upper", side][:, 1] >= found["lower", side][:, 1] - 0.05
        if folded.any():
            found["upper", side] = np.where(folded[:, None], jaw[:, _UPPER_FALLBACK[fallback]], found["upper", side])
            found["lower", side] = np.where(folded[:, None], jaw[:, _LOWER_FALLBACK[fallback]], found["lower", side])
            if fallbacks is not None:
                for i in np.flatnonzero(folded):
                    fallbacks[i].append(f"order-{side}")
    bridge_middle = (bridge[:, 0] + bridge[:, 1]) / 2.0
    return np.stack(
        [
            bridge_middle,
            jaw[:, _CHIN],
            found["upper", "left"],
            found["upper", "right"],
            found["lower", "left"],
            found["lower", "right"],
        ],
        axis=1,
    )


def canonical_anchors() -> np.ndarray:
    """The six anchors of the generic face, in face-frame units (what every template carries)."""
    return _anchor_units(CANONICAL_JAW[None], CANONICAL_BRIDGE[None], CANONICAL_BOTTOM_LIP[None])[0]


def _arc_positions(chain: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per face, (arc length along a polyline (N, S + 1, 2) to its point closest to each of `points`
    (N, K, 2), cumulative arc lengths (N, S + 1))."""
    a, seg = chain[:, :-1], np.diff(chain, axis=1)
    lengths = np.hypot(seg[..., 0], seg[..., 1])
    cumulative = np.concatenate([np.zeros((len(chain), 1)), np.cumsum(lengths, axis=1)], axis=1)
    offsets = points[:, :, None, :] - a[:, None]  # (N, K, S, 2)
    seg = seg[:, None]
    along = offsets[..., 0] * seg[..., 0] + offsets[..., 1] * seg[..., 1]  # einsum's sums of products, unrolled
    t = np.clip(along / np.maximum(lengths**2, 1e-12)[:, None], 0.0, 1.0)
    gaps = offsets - t[..., None] * seg
    best = np.argmin(gaps[..., 0] * gaps[..., 0] + gaps[..., 1] * gaps[..., 1], axis=2)  # (N, K)
    faces, rows = np.arange(len(chain))[:, None], np.arange(points.shape[1])[None, :]
    return cumulative[faces, best] + t[faces, rows, best] * lengths[faces, best], cumulative


def _points_at(chain: np.ndarray, cumulative: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Points at the given arc lengths along each face's polyline (clamped to its ends), (N, K, 2)."""
    at = np.clip(positions, 0.0, cumulative[:, -1:])
    out = np.empty(positions.shape + (2,))
    for i in range(len(chain)):  # np.interp takes one curve at a time
        out[i, :, 0] = np.interp(at[i], cumulative[i], chain[i, :, 0])
        out[i, :, 1] = np.interp(at[i], cumulative[i], chain[i, :, 1])
    return out


def _jaw_controls(jaw: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Points along the jaw (face-frame units, (N, 10, 2)) that the mask's sides must follow: per side, one
    a little above the upper anchor, two between the upper and lower anchors and two between the lower
    anchor and the chin. They are spaced by arc length between anchors, not taken at landmark indices,
    because dlib slides its jaw points along the contour from face to face and index pairs would stretch
    the mask."""
    points = []
    for chain, upper, lower in ((_LEFT_JAW, anchors[:, 2], anchors[:, 4]), (_RIGHT_JAW, anchors[:, 3], anchors[:, 5])):
        polyline = jaw[:, chain]
        ends, cumulative = _arc_positions(polyline, np.stack([upper, lower], axis=1))
        s_up, s_low, s_chin = ends[:, 0], ends[:, 1], cumulative[:, -1]
        positions = np.stack([s_up - _ABOVE_UPPER, s_up + (s_low - s_up) / 3, s_up + 2 * (s_low - s_up) / 3,
                              s_low + (s_chin - s_low) / 3, s_low + 2 * (s_chin - s_low) / 3], axis=1)  # fmt: skip
        points.append(_points_at(polyline, cumulative, positions))
    return np.concatenate(points, axis=1)


@lru_cache(maxsize=1)
def _canonical_controls() -> np.ndarray:
    anchors = canonical_anchors()
    return np.vstack([anchors, _jaw_controls(CANONICAL_JAW[None], anchors[None])[0], CANONICAL_EYES])


def canonical_controls() -> np.ndarray:
    """Template control points (face-frame units): six anchors, ten jaw points, two eye centres."""
    return _canonical_controls().copy()


def _turn_angles(landmarks: np.ndarray) -> np.ndarray:
    """Signed angles (degrees, (N,)) from the nose bridge (27 -> 30) to the nose-to-lip line (30 -> 57)."""
    bridge = landmarks[:, _NOSE_TIP] - landmarks[:, _BRIDGE_TOP]
    lip = landmarks[:, _BOTTOM_LIP] - landmarks[:, _NOSE_TIP]
    cross = bridge[:, 0] * lip[:, 1] - bridge[:, 1] * lip[:, 0]
    dot = (bridge[:, None, :] @ lip[:, :, None])[:, 0, 0]  # one dot per face, as bridge @ lip
    angle = np.degrees(np.arctan2(cross, dot))
    degenerate = (np.hypot(bridge[:, 0], bridge[:, 1]) < 1e-6) | (np.hypot(lip[:, 0], lip[:, 1]) < 1e-6)
    return np.where(degenerate, 0.0, angle)


def face_geometry(landmarks: np.ndarray) -> FaceGeometry:
    """Anchors, frame and head turn of a face; MaskFitError when the landmarks are degenerate."""
    (geometry,) = face_geometries(check_landmarks(landmarks)[None])
    if isinstance(geometry, MaskFitError):
        raise geometry
    return geometry


def face_geometries(landmarks: np.ndarray) -> list[FaceGeometry | MaskFitError]:
    """`face_geometry` of N faces at once ((N, 68, 2) landmarks): per face its FaceGeometry, or the
    MaskFitError face_geometry would raise for it.

    The arithmetic is face_geometry's element for element, on arrays stacked over the faces (the small
    matrix products still run one face at a time, inside one numpy call), so every number is the same to
    the bit as one face at a time; what N faces at once save is numpy's cost per call, which for a few
    dozen points is most of the cost.
    """
    points = _checked_array(landmarks, (0, 68, 2))
    count = len(points)
    errors: list[MaskFitError | None] = [None] * count
    finite = np.isfinite(points).all(axis=(1, 2))
    for i in np.flatnonzero(~finite):
        errors[i] = MaskFitError("landmarks contain NaN or infinite coordinates")
    if count == 0:
        return []
    with np.errstate(all="ignore"):  # faces with errors compute nonsense alongside the others, then are dropped
        eyes = points[:, 36:48].reshape(count, 2, 6, 2).mean(axis=2)  # eye centres, image-left first
        frames = _frames(eyes, points[:, _CHIN], errors)
        units = frames.to_units(points[:, _UNITS_NEEDED])
        jaw_units, bridge_units, lip_units = units[:, :17], units[:, 17:19], units[:, 19]
        fallbacks: list[list[str]] = [[] for _ in range(count)]
        anchor_units = _anchor_units(jaw_units, bridge_units, lip_units, fallbacks)
        anchors = frames.to_face(anchor_units)
        jaw_controls = frames.to_face(_jaw_controls(jaw_units, anchor_units))
        angles = _turn_angles(points)
    controls = np.concatenate([anchors, jaw_controls, eyes], axis=1)
    out: list[FaceGeometry | MaskFitError] = []
    for i in range(count):
        if errors[i] is not None:
            out.append(errors[i])
            continue
        angle = float(angles[i])
        # With y pointing down in the image, a positive angle means the nose tip sticks out to the image's right.
        turn = 0 if abs(angle) <= TURN_THRESHOLD_DEG else (1 if angle > 0 else -1)
        out.append(
            FaceGeometry(
                anchors=anchors[i],
                frame=frames.frame(i),
                turn=turn,
                turn_angle=angle,
                jaw=points[i, _JAW],
                eyes=eyes[i],
                lower_lids=points[i, [41, 40, 47, 46]],
                fallbacks=tuple(fallbacks[i]),
                controls=controls[i],
            )
        )
    return out


def face_anchor_points(landmarks: np.ndarray) -> np.ndarray:
    """The six MaskTheFace anchors of a face as a (6, 2) float32 array (see the module docstring for order).

    Raises MaskFitError for landmarks too degenerate to hold a mask (for example all points equal).
    """
    return face_geometry(landmarks).anchors.astype(np.float32)

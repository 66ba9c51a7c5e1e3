"""Template -> face mapping: MaskTheFace's homography on the six anchors, refined so the mask hugs the jaw.

A homography alone cannot bend a flat template round a curved jaw, so its leftover error at the anchors and
along the jaw (landmarks 1-7, 9-15) and at the eyes is interpolated with Gaussian radial basis functions
over the face and subtracted. The correction is exact at the control points, fades to the bare homography
away from the face, and is made stiffer (more smoothing) when it would fold the image over itself.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .errors import MaskFitError

_SIGMA_IOD = 0.45  # reach of each control point's correction, in inter-ocular distances
_STIFFNESS = (1e-3, 1e-2, 1e-1, 1.0, 10.0)  # ridge terms tried until the mapping no longer folds
_MIN_JACOBIAN = 0.25  # smallest allowed local area ratio of the correction
_GRID_STEP_IOD = 0.2  # spacing of the grid the inverse mapping is evaluated on before interpolation
_MAX_GRID_STEP = 12  # pixels: on large faces bilinear steps wider than this would be off by a fraction of one


def _apply_homography(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    p = np.asarray(points, np.float64)
    mapped = np.empty(p.shape)
    mapped[..., 0] = p @ h[0, :2] + h[0, 2]
    mapped[..., 1] = p @ h[1, :2] + h[1, 2]
    mapped /= (p @ h[2, :2] + h[2, 2])[..., None]
    return mapped


def _orientation_preserving(h: np.ndarray, at: np.ndarray) -> bool:
    """True when the mapping keeps left and right where they were at point `at` (no mirror, no fold)."""
    j = h[:2, :2] - _apply_homography(h, at[None]).T * h[2, :2]  # minus the outer product of image point and h[2]
    return bool(j[0, 0] * j[1, 1] - j[0, 1] * j[1, 0] > 0)


_SQRT2 = float(np.sqrt(2.0))


def _normaliser(points: np.ndarray) -> np.ndarray:
    """Hartley's conditioning: move the points' centroid to 0 and their mean distance to sqrt(2)."""
    # Sums divided by the count: what np.mean computes, without its per-call cost (a face makes two of these).
    count = len(points)
    centre = points.sum(axis=0) / count
    offsets = points - centre
    scale = _SQRT2 / max(float(np.hypot(offsets[:, 0], offsets[:, 1]).sum()) / count, 1e-12)
    cx, cy = centre.tolist()
    return np.array([[scale, 0.0, -scale * cx], [0.0, scale, -scale * cy], [0.0, 0.0, 1.0]])


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray | None:
    """Least-squares homography src -> dst (normalised DLT: one 12x9 SVD, a fraction of what
    cv2.findHomography spends on six points)."""
    ns, nd = _normaliser(src), _normaliser(dst)
    s = src @ ns[:2, :2].T + ns[:2, 2]
    d = dst @ nd[:2, :2].T + nd[:2, 2]
    n = len(s)
    design = np.zeros((2 * n, 9))  # rows x (top) and y (bottom) of the DLT system, filled block by block
    design[:n, 0:2] = design[n:, 3:5] = -s
    design[:n, 2] = design[n:, 5] = -1.0
    design[:n, 6:8] = d[:, 0, None] * s
    design[n:, 6:8] = d[:, 1, None] * s
    design[:n, 8], design[n:, 8] = d[:, 0], d[:, 1]
    _, _, vt = np.linalg.svd(design)
    h = np.linalg.solve(nd, vt[-1].reshape(3, 3) @ ns)
    if not np.isfinite(h).all() or abs(h[2, 2]) < 1e-12:
        return None
    return h / h[2, 2]


def _affine(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares affine map src -> dst as a 3x3 matrix."""
    design = np.hstack([src, np.ones((len(src), 1))])
    solution, *_ = np.linalg.lstsq(design, dst, rcond=None)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])


def _global_transform(src: np.ndarray, dst: np.ndarray, box: tuple) -> np.ndarray:
    """The homography on the six anchors, or the best affine map when the homography would tear the mask.

    Strongly turned faces have very unequal half-widths, and a homography fitted to them can send part of
    the mask towards the horizon; an affine map plus the jaw correction still places such a mask well.
    """
    left, top, right, bottom = box
    corners = np.array([[left, top], [right, top], [left, bottom], [right, bottom]], np.float64)
    homography = _homography(src, dst)
    if homography is not None:
        # Defined up to scale: make w positive at the anchors so the checks below read simply.
        homography = homography * (np.sign(src[0] @ homography[2, :2] + homography[2, 2]) or 1.0)
        w = np.concatenate((corners, src)) @ homography[2, :2] + homography[2, 2]
        if w.min() > 0.4 * w.max() and _orientation_preserving(homography, src[0]):
            return homography
    affine = _affine(src, dst)
    if not np.all(np.isfinite(affine)) or abs(np.linalg.det(affine[:2, :2])) < 1e-6:
        raise MaskFitError("no mapping places the mask template on these landmarks (the anchors are collinear)")
    if not _orientation_preserving(affine, src[0]):
        raise MaskFitError("the landmarks are mirrored or folded (the face's left and right are swapped)")
    return affine


def _normalisers(points: np.ndarray) -> np.ndarray:
    """`_normaliser` of N point sets (N, K, 2) at once, (N, 3, 3)."""
    count = points.shape[1]
    centre = points.sum(axis=1) / count
    offsets = points - centre[:, None]
    scale = _SQRT2 / np.maximum(np.hypot(offsets[..., 0], offsets[..., 1]).sum(axis=1) / count, 1e-12)
    out = np.zeros((len(points), 3, 3))
    out[:, 0, 0] = out[:, 1, 1] = scale
    out[:, 0, 2], out[:, 1, 2] = -scale * centre[:, 0], -scale * centre[:, 1]
    out[:, 2, 2] = 1.0
    return out


def _homographies(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_homography` of N faces at once ((N, K, 2) each): (N, 3, 3) homographies and whether each exists.
    The same normalised DLT, its SVDs and solves one face at a time inside single numpy calls."""
    ns, nd = _normalisers(src), _normalisers(dst)
    s = src @ ns[:, :2, :2].transpose(0, 2, 1) + ns[:, None, :2, 2]
    d = dst @ nd[:, :2, :2].transpose(0, 2, 1) + nd[:, None, :2, 2]
    n = s.shape[1]
    design = np.zeros((len(s), 2 * n, 9))
    design[:, :n, 0:2] = design[:, n:, 3:5] = -s
    design[:, :n, 2] = design[:, n:, 5] = -1.0
    design[:, :n, 6:8] = d[..., 0, None] * s
    design[:, n:, 6:8] = d[..., 1, None] * s
    design[:, :n, 8], design[:, n:, 8] = d[..., 0], d[..., 1]
    _, _, vt = np.linalg.svd(design)
    h = np.linalg.solve(nd, vt[:, -1].reshape(-1, 3, 3) @ ns)
    exists = np.isfinite(h).all(axis=(1, 2)) & (np.abs(h[:, 2, 2]) >= 1e-12)
    with np.errstate(all="ignore"):
        return h / h[:, 2, 2, None, None], exists


def _apply_homographies(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """`_apply_homography` for N faces: homographies (N, 3, 3), points (N, K, 2)."""
    mapped = np.empty(points.shape)
    mapped[..., 0] = (points @ h[:, 0, :2, None])[..., 0] + h[:, 0, 2, None]
    mapped[..., 1] = (points @ h[:, 1, :2, None])[..., 0] + h[:, 1, 2, None]
    mapped /= ((points @ h[:, 2, :2, None])[..., 0] + h[:, 2, 2, None])[..., None]
    return mapped


def _plain_homographies(src: np.ndarray, dst: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(homographies with w > 0 at the anchors, which of them `_global_transform` keeps): its tests on
    N faces at once; a face whose homography fails them goes through `_global_transform` itself."""
    h, usable = _homographies(src, dst)
    with np.errstate(all="ignore"):
        at = src[:, 0]
        w0 = at[:, 0] * h[:, 2, 0] + at[:, 1] * h[:, 2, 1] + h[:, 2, 2]
        h = h * np.where(w0 < 0, -1.0, 1.0)[:, None, None]
        left, top, right, bottom = boxes.T
        corners = np.stack([np.stack([left, top], 1), np.stack([right, top], 1), np.stack([left, bottom], 1),
                            np.stack([right, bottom], 1)], axis=1)  # fmt: skip
        probe = np.concatenate([corners, src], axis=1)
        w = probe[..., 0] * h[:, 2, 0, None] + probe[..., 1] * h[:, 2, 1, None] + h[:, 2, 2, None]
        usable &= w.min(axis=1) > 0.4 * w.max(axis=1)
        # _orientation_preserving at the first anchor: the Jacobian's determinant (up to w > 0) is positive
        mapped = _apply_homographies(h, at[:, None])[:, 0]
        j = h[:, :2, :2] - mapped[:, :, None] * h[:, None, 2, :2]
        usable &= j[:, 0, 0] * j[:, 1, 1] - j[:, 0, 1] * j[:, 1, 0] > 0
    return h, usable


class FaceWarp:
    """Maps template pixels to image pixels (`forward`) and builds the inverse maps `cv2.remap` needs."""

    def __init__(self, template_points: np.ndarray, face_points: np.ndarray, iod: float, template_box: tuple):
        """`*_points`: (N, 2) correspondences, the first six the anchors; `template_box`: (left, top, right,
        bottom) of the drawn mask on the template canvas, where the mapping has to stay well behaved."""
        (fitted,) = fit_warps(np.asarray(template_points)[None], np.asarray(face_points)[None], [iod], [template_box])
        if isinstance(fitted, MaskFitError):
            raise fitted
        self.__dict__.update(fitted.__dict__)

    @classmethod
    def _fitted(cls, homography, inverse, iod: float, centres: np.ndarray, weights: np.ndarray) -> FaceWarp:
        warp = cls.__new__(cls)
        warp.homography, warp.inverse = homography, inverse
        warp.iod, warp.sigma = iod, _SIGMA_IOD * iod
        warp.centres, warp.weights = centres, weights
        return warp

    def _offsets(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x and y offsets (P, N) of every point from every centre."""
        return points[:, 0, None] - self.centres[None, :, 0], points[:, 1, None] - self.centres[None, :, 1]

    def _kernel(self, points: np.ndarray) -> np.ndarray:
        dx, dy = self._offsets(points)
        return np.exp((dx * dx + dy * dy) * (-0.5 / self.sigma**2))

    def correction(self, points: np.ndarray) -> np.ndarray:
        shape = points.shape
        flat = points.reshape(-1, 2)
        return (self._kernel(flat) @ self.weights).reshape(shape)

    def forward(self, template_points: np.ndarray) -> np.ndarray:
        """Template pixel -> image pixel (the correction is small and smooth, so evaluating it at the
        homography's image of the point is accurate enough for bounding boxes)."""
        mapped = _apply_homography(self.homography, template_points)
        return mapped + self.correction(mapped)

    def inverse_maps(self, left: int, top: int, width: int, height: int) -> np.ndarray:
        """The cv2.remap map of an image window: the template (x, y) of every pixel, (height, width, 2)."""
        # The whole inverse mapping (correction, then homography) is smooth at the scale of a few pixels:
        # computed on a coarse grid `step` pixels apart (one node past each end) and interpolated
        # bilinearly to every pixel by one affine warp.
        step = int(min(max(self.iod * _GRID_STEP_IOD, 1), _MAX_GRID_STEP))
        columns, rows = width // step + 2, height // step + 2
        coarse = np.empty((rows, columns, 2))
        coarse[..., 0] = left + step * np.arange(columns)[None, :]
        coarse[..., 1] = top + step * np.arange(rows)[:, None]
        template = _apply_homography(self.inverse, coarse - self.correction(coarse)).astype(np.float32)
        to_coarse = np.array([[1.0 / step, 0.0, 0.0], [0.0, 1.0 / step, 0.0]])
        dense = cv2.warpAffine(template, to_coarse, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
        return dense


@lru_cache(maxsize=4)
def _identity(size: int) -> np.ndarray:
    eye = np.eye(size)
    eye.flags.writeable = False  # cached: shared by every caller
    return eye


def _probe_axes(centres: np.ndarray, iod: float) -> tuple[np.ndarray, np.ndarray]:
    """Where folds would matter: the x and y coordinates of a grid over the face, a little beyond the
    control points."""
    lo = centres.min(axis=0) - 0.3 * iod
    hi = centres.max(axis=0) + 0.3 * iod
    step = 0.2 * iod  # folds are wider than this: the correction bends over sigma (0.45 IOD)
    return np.arange(lo[0], hi[0] + step, step), np.arange(lo[1], hi[1] + step, step)


def _padded(rows: list[np.ndarray]) -> np.ndarray:
    """1-D arrays of different lengths stacked, each padded with copies of its first value (a probe point
    counted twice leaves a minimum as it is)."""
    out = np.empty((len(rows), max(len(row) for row in rows)))
    for i, row in enumerate(rows):
        out[i, : len(row)], out[i, len(row) :] = row, row[0]
    return out


class _FoldProbe:
    """The smallest Jacobian determinant of x - correction(x) over each face's probe grid, for any weights.

    The Gaussian kernel of a grid point (x, y) and a centre c is exp(f (x - cx)^2) exp(f (y - cy)^2), so over
    a grid it factors into a column and a row term: the correction's derivatives on the whole grid are then
    two small matrix products per face instead of an exponential per grid point and centre (the same maths
    as evaluating the kernel point by point; only rounding, at 1e-16, differs)."""

    def __init__(self, centres: np.ndarray, iods: list[float], factors: np.ndarray, slopes: np.ndarray):
        axes = [_probe_axes(c, iod) for c, iod in zip(centres, iods)]
        xs, ys = _padded([x for x, _ in axes]), _padded([y for _, y in axes])
        self.dx = xs[:, :, None] - centres[:, None, :, 0]  # (N, X, C)
        self.dy = ys[:, :, None] - centres[:, None, :, 1]  # (N, Y, C)
        self.ex = np.exp(self.dx * self.dx * factors)
        self.ey = np.exp(self.dy * self.dy * factors)
        self.slopes = slopes  # (N, 1, 1): d/dx of the kernel is kernel * dx * slope

    def min_jacobian(self, faces: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Per face of `faces` (indices), the smallest determinant with correction weights (F, C, 2)."""
        ex, ey, dx, dy = self.ex[faces], self.ey[faces], self.dx[faces], self.dy[faces]
        slope = self.slopes[faces]
        columns, rows = ex * dx, ey * dy  # the factors of d/dx and d/dy of the kernel

        def grid(row_term, column_term, d):  # sum over centres of row * column * weight: (F, Y, X)
            return row_term @ (column_term * weights[:, None, :, d]).transpose(0, 2, 1) * slope

        a, c = 1.0 - grid(ey, columns, 0), -grid(ey, columns, 1)
        b, d = -grid(rows, ex, 0), 1.0 - grid(rows, ex, 1)
        return (a * d - b * c).min(axis=(1, 2))


def _fit_corrections(centres: np.ndarray, residual: np.ndarray, sigmas: list[float], iods: list[float]) -> np.ndarray:
    """The correction weights (N, C, 2) of N faces: per face, the softest ridge of _STIFFNESS whose
    correction does not fold the mapping over the face, else none (zeros: the bare homography).

    Each ridge is one solve for every face still looking for one, so the weights are those of a loop over
    ridges one face at a time, to the bit."""
    count, points = centres.shape[:2]
    factors = np.array([-0.5 / sigma**2 for sigma in sigmas])[:, None, None]
    dx = centres[:, :, 0, None] - centres[:, None, :, 0]
    dy = centres[:, :, 1, None] - centres[:, None, :, 1]
    k = np.exp((dx * dx + dy * dy) * factors)
    probe = _FoldProbe(centres, iods, factors, np.array([-1.0 / sigma**2 for sigma in sigmas])[:, None, None])
    chosen = np.empty_like(residual)
    looking = np.arange(count)
    for ridge in _STIFFNESS:
        weights = np.linalg.solve(k[looking] + ridge * _identity(points), residual[looking])
        chosen[looking] = weights
        looking = looking[probe.min_jacobian(looking, weights) < _MIN_JACOBIAN]
        if not looking.size:
            return chosen
    chosen[looking] *= 0.0  # even the stiffest correction folds: fall back to the bare homography
    return chosen


def fit_warps(
    template_points: np.ndarray, face_points: np.ndarray, iods, template_boxes
) -> list[FaceWarp | MaskFitError]:
    """FaceWarp of N faces at once: template and face control points (N, C, 2), the first six the anchors,
    each face's IOD and drawn template box. Per face its FaceWarp, or the MaskFitError FaceWarp raises.

    The same fit as one face at a time (same homographies, same corrections, to the bit); the DLT's SVDs,
    the inverses and the ridge solves of all faces are each one numpy call."""
    src = np.asarray(template_points, np.float64)
    dst = np.asarray(face_points, np.float64)
    boxes = np.asarray(template_boxes, np.float64).reshape(-1, 4)
    iods = [float(iod) for iod in iods]
    count = len(src)
    if count == 0:
        return []
    homographies, plain = _plain_homographies(src[:, :6], dst[:, :6], boxes)
    out: list = [None] * count
    for i in np.flatnonzero(~plain):  # rare (strongly turned faces): the affine fallback, one face at a time
        try:
            homographies[i] = _global_transform(src[i, :6], dst[i, :6], tuple(boxes[i]))
        except MaskFitError as exc:
            out[i] = exc
    residual = dst - _apply_homographies(homographies, src)
    for i in range(count):
        if out[i] is None:
            miss = float(np.abs(residual[i]).max())
            if miss > 1.5 * iods[i]:
                out[i] = MaskFitError(
                    "the landmarks are too far from any face shape "
                    f"(mask anchors miss by {miss / iods[i]:.1f} eye distances)"
                )
    good = [i for i in range(count) if out[i] is None]
    if good:
        sigmas = [_SIGMA_IOD * iods[i] for i in good]
        weights = _fit_corrections(dst[good], residual[good], sigmas, [iods[i] for i in good])
        inverses = np.linalg.inv(homographies[good])
        for row, i in enumerate(good):
            out[i] = FaceWarp._fitted(homographies[i], inverses[row], iods[i], dst[i], weights[row])
    return out

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


class FaceWarp:
    """Maps template pixels to image pixels (`forward`) and builds the inverse maps `cv2.remap` needs."""

    def __init__(self, template_points: np.ndarray, face_points: np.ndarray, iod: float, template_box: tuple):
        """`*_points`: (N, 2) correspondences, the first six the anchors; `template_box`: (left, top, right,
        bottom) of the drawn mask on the template canvas, where the mapping has to stay well behaved."""
        src = np.asarray(template_points, np.float64)
        dst = np.asarray(face_points, np.float64)
        self.homography = _global_transform(src[:6], dst[:6], template_box)
        self.inverse = np.linalg.inv(self.homography)
        self.iod = float(iod)
        self.sigma = _SIGMA_IOD * self.iod
        self.centres = dst
        residual = dst - _apply_homography(self.homography, src)
        miss = float(np.abs(residual).max())
        if miss > 1.5 * self.iod:
            raise MaskFitError(
                f"the landmarks are too far from any face shape (mask anchors miss by {miss / self.iod:.1f} eye distances)"
            )
        self.weights = self._fit_correction(residual)

    def _offsets(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x and y offsets (P, N) of every point from every centre."""
        return points[:, 0, None] - self.centres[None, :, 0], points[:, 1, None] - self.centres[None, :, 1]

    def _kernel(self, points: np.ndarray) -> np.ndarray:
        dx, dy = self._offsets(points)
        return np.exp((dx * dx + dy * dy) * (-0.5 / self.sigma**2))

    def _fit_correction(self, residual: np.ndarray) -> np.ndarray:
        k = self._kernel(self.centres)
        # The probe grid's kernel and its derivatives do not depend on the ridge: computed once, each try
        # is then two small matrix products.
        dx, dy = self._offsets(self._probe_grid().reshape(-1, 2))  # (P, N) each
        k_probe = np.exp((dx * dx + dy * dy) * (-0.5 / self.sigma**2))
        dk_dx, dk_dy = k_probe * dx * (-1.0 / self.sigma**2), k_probe * dy * (-1.0 / self.sigma**2)
        weights = np.zeros_like(residual)
        for ridge in _STIFFNESS:
            weights = np.linalg.solve(k + ridge * _identity(len(k)), residual)
            if _min_jacobian(dk_dx @ weights, dk_dy @ weights) >= _MIN_JACOBIAN:
                return weights
        return weights * 0.0  # even the stiffest correction folds: fall back to the bare homography

    def _probe_grid(self) -> np.ndarray:
        """Where folds would matter: over the face, a little beyond the control points."""
        lo = self.centres.min(axis=0) - 0.3 * self.iod
        hi = self.centres.max(axis=0) + 0.3 * self.iod
        step = 0.2 * self.iod  # folds are wider than this: the correction bends over sigma (0.45 IOD)
        xs, ys = np.arange(lo[0], hi[0] + step, step), np.arange(lo[1], hi[1] + step, step)
        grid = np.empty((len(ys), len(xs), 2))
        grid[..., 0], grid[..., 1] = xs[None, :], ys[:, None]
        return grid

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


def _min_jacobian(grad_x: np.ndarray, grad_y: np.ndarray) -> float:
    """Smallest det of d(x - correction(x))/dx over probe points, from the correction's derivatives along x
    and y ((P, 2) each); <= 0 means the mapping folds."""
    a, c = 1.0 - grad_x[:, 0], -grad_x[:, 1]
    b, d = -grad_y[:, 0], 1.0 - grad_y[:, 1]
    return float((a * d - b * c).min())

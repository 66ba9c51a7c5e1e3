"""Template -> face mapping: MaskTheFace's homography on the six anchors, refined so the mask hugs the jaw.

A homography alone cannot bend a flat template round a curved jaw, so its leftover error at the anchors and
along the jaw (landmarks 1-7, 9-15) and at the eyes is interpolated with Gaussian radial basis functions
over the face and subtracted. The correction is exact at the control points, fades to the bare homography
away from the face, and is made stiffer (more smoothing) when it would fold the image over itself.
"""

from __future__ import annotations

import cv2
import numpy as np

from .errors import MaskFitError

_SIGMA_IOD = 0.45  # reach of each control point's correction, in inter-ocular distances
_STIFFNESS = (1e-3, 1e-2, 1e-1, 1.0, 10.0)  # ridge terms tried until the mapping no longer folds
_MIN_JACOBIAN = 0.25  # smallest allowed local area ratio of the correction
_GRID_STEP_IOD = 0.08  # spacing of the grid the correction is evaluated on before interpolation


def _apply_homography(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    p = np.asarray(points, np.float64)
    w = p @ h[2, :2] + h[2, 2]
    return np.stack([p @ h[0, :2] + h[0, 2], p @ h[1, :2] + h[1, 2]], axis=-1) / w[..., None]


def _orientation_preserving(h: np.ndarray, at: np.ndarray) -> bool:
    """True when the mapping keeps left and right where they were at point `at` (no mirror, no fold)."""
    jacobian = h[:2, :2] - np.outer(_apply_homography(h, at[None])[0], h[2, :2])
    return bool(np.linalg.det(jacobian) > 0)


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
    homography, _ = cv2.findHomography(src, dst, 0)
    if homography is not None and np.all(np.isfinite(homography)):
        # Defined up to scale: make w positive at the anchors so the checks below read simply.
        homography = homography * (np.sign(src[0] @ homography[2, :2] + homography[2, 2]) or 1.0)
        w = np.r_[corners, src] @ homography[2, :2] + homography[2, 2]
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
        if np.max(np.abs(residual)) > 1.5 * self.iod:
            raise MaskFitError(
                f"the landmarks are too far from any face shape (mask anchors miss by "
                f"{np.max(np.abs(residual)) / self.iod:.1f} eye distances)"
            )
        self.weights = self._fit_correction(residual)

    def _kernel(self, points: np.ndarray) -> np.ndarray:
        d2 = np.sum((points[:, None, :] - self.centres[None, :, :]) ** 2, axis=-1)
        return np.exp(-d2 / (2.0 * self.sigma**2))

    def _fit_correction(self, residual: np.ndarray) -> np.ndarray:
        k = self._kernel(self.centres)
        probe = self._probe_grid()
        weights = np.zeros_like(residual)
        for ridge in _STIFFNESS:
            weights = np.linalg.solve(k + ridge * np.eye(len(k)), residual)
            if self._min_jacobian(weights, probe) >= _MIN_JACOBIAN:
                return weights
        return weights * 0.0  # even the stiffest correction folds: fall back to the bare homography

    def _probe_grid(self) -> np.ndarray:
        """Where folds would matter: over the face, a little beyond the control points."""
        lo = self.centres.min(axis=0) - 0.3 * self.iod
        hi = self.centres.max(axis=0) + 0.3 * self.iod
        step = 0.12 * self.iod
        xs, ys = np.arange(lo[0], hi[0] + step, step), np.arange(lo[1], hi[1] + step, step)
        return np.stack(np.meshgrid(xs, ys), axis=-1)

    def _min_jacobian(self, weights: np.ndarray, grid: np.ndarray) -> float:
        """Smallest det of d(x - correction(x))/dx over the grid (<= 0 means the mapping folds)."""
        flat = grid.reshape(-1, 2)
        k = self._kernel(flat)  # (P, N)
        diff = (flat[:, None, :] - self.centres[None, :, :]) / self.sigma**2  # (P, N, 2)
        # gradient of correction component c along axis a: -sum_i w_ic k_i diff_ia
        grad = -np.einsum("pn,nc,pna->pca", k, weights, diff)
        jac = np.eye(2)[None] - grad
        return float(np.min(np.linalg.det(jac)))

    def correction(self, points: np.ndarray) -> np.ndarray:
        shape = points.shape
        flat = points.reshape(-1, 2)
        return (self._kernel(flat) @ self.weights).reshape(shape)

    def forward(self, template_points: np.ndarray) -> np.ndarray:
        """Template pixel -> image pixel (the correction is small and smooth, so evaluating it at the
        homography's image of the point is accurate enough for bounding boxes)."""
        mapped = _apply_homography(self.homography, template_points)
        return mapped + self.correction(mapped)

    def inverse_maps(self, left: int, top: int, width: int, height: int, factor: int) -> tuple[np.ndarray, ...]:
        """cv2.remap maps for an image window supersampled `factor` times: template (x, y) of every sample."""
        # Sample u of the supersampled window sits at image x = left + (u + 0.5) / factor - 0.5.
        us = left + (np.arange(width * factor) + 0.5) / factor - 0.5
        vs = top + (np.arange(height * factor) + 0.5) / factor - 0.5
        step = max(1, int(self.iod * _GRID_STEP_IOD * factor))
        cu, cv = us[::step], vs[::step]
        if cu[-1] != us[-1]:
            cu = np.append(cu, us[-1])
        if cv[-1] != vs[-1]:
            cv = np.append(cv, vs[-1])
        coarse = np.stack(np.meshgrid(cu, cv), axis=-1)
        field = self.correction(coarse).astype(np.float32)
        # Bilinear interpolation of the smooth correction from the coarse grid to every sample.
        ix = np.interp(us, cu, np.arange(len(cu))).astype(np.float32)
        iy = np.interp(vs, cv, np.arange(len(cv))).astype(np.float32)
        map_x, map_y = np.meshgrid(ix, iy)
        dense = cv2.remap(field, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        gx, gy = np.meshgrid(us, vs)
        source = np.stack([gx, gy], axis=-1) - dense
        template = _apply_homography(self.inverse, source).astype(np.float32)
        return template[..., 0], template[..., 1]

"""Where a mask sits in MaskTheFER's eye-region crop: its top edge below the eyes and the crop it covers.

The eye-region crop (SPEC §1.3) runs from the face box top to just below the eyes or the nose tip, so the
mask reaches only its bottom rows; how many it hides is the information the classifier loses. Given a
mask's coverage (alpha, e.g. from `mask_coverage` or `masktheface_coverage`) on a face:

- top edge: per column of the face (offsets along the eye line, in inter-ocular distances, IOD), the depth
  below the eye line (the line through the two eye centres) of the first point with alpha > 0.5, found on
  a 0.01 IOD grid and interpolated between its two samples; the same depth in rows of the crop;
- crop coverage: the share of the crop with alpha > 0.5, the alpha cut out by the crop rule exactly as the
  image is, and the crop's mask-free rows (per crop column, the rows above the first covered one).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..crop import CropGeometry, CropSettings, apply_crop
from .geometry import face_geometry

COLUMNS_IOD = np.round(np.arange(-0.75, 0.7501, 0.05), 2)  # across the face, about outer eye corner to corner
PROFILE_IOD = (0.0, 0.5, 0.75)  # |x| at which the top edge is also reported (both sides averaged)
DEPTHS_IOD = np.arange(-0.3, 2.2, 0.01)  # searched from above the eyes to past the chin
COVERED = 0.5


def crop_matrix(geometry: CropGeometry, settings: CropSettings) -> np.ndarray:
    """Image pixel -> crop pixel (2x3): the crop's rotation, then its rectangle scaled to the crop size."""
    sx = settings.width / (geometry.right - geometry.left)
    sy = settings.height / (geometry.bottom - geometry.top)
    scale = np.array([[sx, 0.0, -geometry.left * sx], [0.0, sy, -geometry.top * sy], [0.0, 0.0, 1.0]])
    return (scale @ np.vstack([geometry.rotation, [0.0, 0.0, 1.0]]))[:2]


def top_edge(alpha: np.ndarray, landmarks: np.ndarray, columns: np.ndarray = COLUMNS_IOD) -> tuple[np.ndarray, ...]:
    """(depths, edge points, feet): per column (IOD along the eye line from the point between the eyes), the
    depth in IOD below the eye line of the mask's top edge (NaN where the column is never covered), and the
    image points of that edge and of the column's foot on the eye line, (C, 2) each."""
    frame = face_geometry(landmarks).frame
    columns = np.asarray(columns, np.float64)
    feet = frame.to_face(np.stack([columns, np.zeros_like(columns)], axis=1))
    down = frame.y_axis * frame.iod
    probes = (feet[:, None, :] + DEPTHS_IOD[None, :, None] * down).astype(np.float32)  # (C, D, 2)
    values = cv2.remap(np.ascontiguousarray(alpha, np.float32), probes[..., 0], probes[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=0)  # fmt: skip
    depths = np.full(len(columns), np.nan)
    for c, column in enumerate(values):
        covered = np.flatnonzero(column > COVERED)
        if covered.size == 0:
            continue
        i = covered[0]
        if i == 0:
            depths[c] = DEPTHS_IOD[0]  # covered from the top of the search: the edge is at least this high
            continue
        above, below = float(column[i - 1]), float(column[i])
        depths[c] = DEPTHS_IOD[i - 1] + (COVERED - above) / (below - above) * (DEPTHS_IOD[i] - DEPTHS_IOD[i - 1])
    edge = feet + np.nan_to_num(depths)[:, None] * down
    return depths, edge, feet


def measure_mask(alpha: np.ndarray, landmarks: np.ndarray, geometry: CropGeometry, settings: CropSettings) -> dict:
    """The figures of one mask on one face: top edge on the mid-line and its mean over COLUMNS_IOD (IOD and
    crop rows), the top edge at PROFILE_IOD, the crop's covered share and mask-free rows, and how many
    columns the mask never reaches."""
    depths, edge, feet = top_edge(alpha, landmarks)
    to_crop = crop_matrix(geometry, settings)
    rows = (edge @ to_crop[:, :2].T + to_crop[:, 2])[:, 1] - (feet @ to_crop[:, :2].T + to_crop[:, 2])[:, 1]
    rows[np.isnan(depths)] = np.nan
    mid = int(np.flatnonzero(COLUMNS_IOD == 0.0)[0])
    crop = apply_crop(np.rint(np.clip(alpha, 0.0, 1.0) * 255.0).astype(np.uint8), geometry, settings)
    covered = crop >= 128  # alpha > 0.5 at the 8 bits the crop is cut at
    clear = np.where(covered.any(axis=0), covered.argmax(axis=0), settings.height)
    reached = np.isfinite(depths)
    out = {
        "top_midline_iod": float(depths[mid]),
        "top_midline_crop_px": float(rows[mid]),
        "top_mean_iod": float(depths[reached].mean()) if reached.any() else math.nan,
        "top_mean_crop_px": float(rows[reached].mean()) if reached.any() else math.nan,
        "crop_coverage": float(covered.mean()),
        "crop_clear_rows": float(clear.mean()),
        "columns_uncovered": int((~reached).sum()),
    }
    for x in PROFILE_IOD:
        sides = depths[np.isin(COLUMNS_IOD, (x, -x))]
        out[f"top_at_{x:g}_iod"] = float(np.nanmean(sides)) if np.isfinite(sides).any() else math.nan
    return out

"""Mask coverage: MaskTheFace's placement rule on a face built by hand, `mask_coverage` against the pixels
apply_mask draws, and the crop measurement on real FER2013 faces (bench/mask_coverage.py's figures)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from maskthefer.data.crop import CropSettings, plan_crop
from maskthefer.data.faces import DetectorSettings
from maskthefer.data.masks import MaskFitError, MaskStyle, apply_mask
from maskthefer.data.masks.coverage import mask_coverage
from maskthefer.data.masks.masktheface import masktheface_coverage, masktheface_placement
from maskthefer.data.masks.measure import measure_mask, top_edge

OFFSET = np.array([50.0, 40.0])  # where the hand-built face's eye midpoint lies in its 100x100 image


def hand_built_face(nose_tip=(0.0, 12.0), lip_bottom: float = 30.0) -> np.ndarray:
    """68 landmarks whose MaskTheFace points can be worked out by hand (relative to the eye midpoint):
    eyes at (-10, 0) and (10, 0); bridge 27 at (0, 0); jaw straight down x = -20 / 20 from y = 0 to 28,
    then straight to the chin (0, 40); a symmetric bottom lip whose lowest point (57) is `lip_bottom`."""
    points = np.zeros((68, 2))
    points[36:42], points[42:48] = (-10.0, 0.0), (10.0, 0.0)
    left_jaw = [(-20.0, 0.0), (-20.0, 7.0), (-20.0, 14.0), (-20.0, 21.0), (-20.0, 28.0), (-15.0, 31.0),
                (-10.0, 34.0), (-5.0, 37.0)]  # fmt: skip
    points[0:8] = left_jaw
    points[8] = (0.0, 40.0)
    points[9:17] = [(-x, y) for x, y in reversed(left_jaw)]
    points[27], points[30] = (0.0, 0.0), nose_tip
    points[[48, 54]] = (-8.0, lip_bottom - 4.0), (8.0, lip_bottom - 4.0)
    points[[59, 55]] = (-5.0, lip_bottom - 1.5), (5.0, lip_bottom - 1.5)
    points[[58, 56]] = (-2.0, lip_bottom - 0.5), (2.0, lip_bottom - 0.5)
    points[57] = (0.0, lip_bottom)
    points[[60, 64]] = (-6.0, lip_bottom - 4.0), (6.0, lip_bottom - 4.0)
    points[[67, 65]] = (-3.0, lip_bottom - 3.0), (3.0, lip_bottom - 3.0)
    points[66] = (0.0, lip_bottom - 3.0)
    return points + OFFSET


def test_masktheface_points_of_a_hand_built_face():
    """a, c: the nose-height line y = 12 meets the straight jaw sides at x = -20 / 20; d, f: the bottom-lip
    line y = 30 meets the slanted jaw (-20, 28) -> (-15, 31) at x = -20 + 5 * 2/3; b: the bridge's middle;
    e: both chin lines are x = 0 and meet the chin at (0, 40); nose and lip lines are parallel: frontal."""
    placement = masktheface_placement(hand_built_face())
    expected = np.array([(-20, 12), (0, 6), (20, 12), (50 / 3, 30), (0, 40), (-50 / 3, 30)]) + OFFSET
    np.testing.assert_allclose(placement.points, expected, atol=1e-9)
    assert placement.template == "surgical" and placement.angle == pytest.approx(0.0, abs=1e-9)
    assert placement.fallbacks == ()


@pytest.mark.parametrize("nose_x, template", [(4.0, "surgical_right"), (-4.0, "surgical_left"), (2.0, "surgical")])
def test_masktheface_head_turn_picks_its_template(nose_x, template):
    """The bridge 27 -> 30 at (nose_x, 12) leans atan(nose_x / 12) off the vertical 27-to-lip line:
    18.4 degrees for 4 px (beyond MaskTheFace's 13), 9.5 for 2 px (frontal)."""
    placement = masktheface_placement(hand_built_face(nose_tip=(nose_x, 12.0)))
    assert placement.angle == pytest.approx(-np.degrees(np.arctan2(nose_x, 12.0)), abs=1e-9)
    assert placement.template == template
    np.testing.assert_allclose(placement.points[1], OFFSET + (nose_x / 2, 6.0))


def test_masktheface_fails_where_its_code_stops():
    with pytest.raises(MaskFitError, match="bottom-lip line misses the jaw"):
        masktheface_placement(hand_built_face(lip_bottom=45.0))  # below the chin: the line meets no jaw


def test_masktheface_mask_hangs_from_the_bridge_middle():
    """The template's top-centre anchor lies on its top edge, so the warped mask's mid-line edge is at the
    middle of the bridge (6 px below the eyes here, give or take the least-squares fit), and it covers the
    face down to just above the chin anchor."""
    landmarks = hand_built_face()
    alpha, _ = masktheface_coverage((100, 100), landmarks)
    depths, _, _ = top_edge(alpha, landmarks, np.array([0.0]))
    assert 4.0 <= depths[0] * 20.0 <= 7.0  # IOD 20 px
    cx, cy = OFFSET.astype(int)
    assert alpha[cy + 38, cx] > 0.5 and alpha[cy + 2, cx] == 0.0 and alpha[cy + 45, cx] == 0.0


@pytest.fixture(scope="module")
def real_faces(fer_faces, face_analyzer) -> list[tuple[np.ndarray, np.ndarray, object]]:
    """(image, landmarks, face box) of five real FER2013 faces, found as the builder finds them."""
    found = []
    for _, image, _ in fer_faces[:20]:
        boxes = face_analyzer.detect(image, DetectorSettings(upsample=1, adjust_threshold=-0.5))
        if boxes:
            found.append((image, face_analyzer.landmarks(image, boxes[0]).astype(np.float64), boxes[0]))
        if len(found) == 5:
            return found
    pytest.fail(f"dlib found only {len(found)} of 20 FER2013 faces")


def test_mask_coverage_is_the_alpha_apply_mask_blends_with(real_faces):
    """Two colour images of one face, alike in gray (what apply_mask measures the photo by) but 21 levels
    apart in blue: drawn with the same mask they differ by 21 * (1 - alpha) in blue, which reads the alpha
    out of apply_mask's own pixels (to 1/21 from rounding)."""
    style = MaskStyle("surgical", "grey")  # mid-grey: no blended pixel is clipped at 0 or 255
    for image, landmarks, _ in real_faces:
        gray = np.clip(image, 9, 233).astype(np.int16)  # both images stay inside 1..254
        plain = np.dstack([gray, gray, gray]).astype(np.uint8)
        shifted = np.dstack([gray + 21, gray, gray - 8]).astype(np.uint8)  # 21 * 0.114 = 8 * 0.299 in gray
        np.testing.assert_array_equal(cv2.cvtColor(shifted, cv2.COLOR_BGR2GRAY), plain[..., 0])
        a, b = apply_mask(plain, landmarks, style), apply_mask(shifted, landmarks, style)
        unclipped = (a > 0).all(axis=2) & (a < 255).all(axis=2) & (b > 0).all(axis=2) & (b < 255).all(axis=2)
        read_out = 1.0 - (b[..., 0].astype(float) - a[..., 0]) / 21.0
        coverage = mask_coverage(plain, landmarks, style)
        assert unclipped.mean() > 0.95
        assert np.abs(read_out - coverage)[unclipped].max() <= 1.0 / 21.0 + 1e-3
        assert 0.1 < (coverage > 0.5).mean() < 0.7  # a mask over the lower face, not nothing or everything


def test_crop_coverage_of_real_masked_faces(real_faces):
    """On real faces both masks start below the eye line, fall towards the cheeks, and hide part, not all or
    none, of the 48x96 eye-region crop."""
    settings = CropSettings()
    for image, landmarks, box in real_faces:
        geometry = plan_crop(image.shape, landmarks, box, settings)
        ours = measure_mask(mask_coverage(image, landmarks, MaskStyle("surgical", "white")), landmarks, geometry,
                            settings)  # fmt: skip
        alpha, _ = masktheface_coverage(image.shape, landmarks)
        theirs = measure_mask(alpha, landmarks, geometry, settings)
        for figures in (ours, theirs):
            assert 0.0 < figures["crop_coverage"] < 1.0
            assert 0.0 < figures["top_midline_iod"] < 1.0
            assert 0.0 < figures["top_midline_crop_px"] < settings.height
            assert figures["top_midline_iod"] <= figures["top_mean_iod"]  # the edge falls towards the cheeks

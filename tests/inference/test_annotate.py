"""The drawing of predictions: bars readable on any background and kept inside the frame."""

from __future__ import annotations

import numpy as np

from maskthefer.inference.annotate import MASKED_COLOUR, PANEL_COLOUR, TEXT_COLOUR, UNMASKED_COLOUR, annotate
from maskthefer.inference.recognizer import FacePrediction
from maskthefer.labels import EMOTIONS

PROBABILITIES = dict(zip(EMOTIONS, [0.05, 0.02, 0.10, 0.55, 0.18, 0.07, 0.03]))


def _face(box, masked: bool) -> FacePrediction:
    route = "eye-region" if masked else "full-face"
    return FacePrediction(box, 1.0, 0.9 if masked else 0.1, masked, route, "happy", dict(PROBABILITIES))


def test_bars_at_the_bottom_edge_stay_in_the_frame_on_a_dark_panel(scenes):
    image = scenes[0].image.copy()
    image[:] = UNMASKED_COLOUR  # a wall of the unmasked faces' own colour: the case where green-on-green failed
    height, width = image.shape[:2]
    box = (width - 150.0, height - 160.0, float(width), float(height))  # a face in the bottom-right corner
    out = annotate(image, [_face(box, masked=False)])
    assert out.shape == image.shape and not np.shares_memory(out, image)
    bottom = out[height - 20 :, width - 150 :]
    # the panel's last bar rows are drawn inside the frame: dark panel, light initials, a green bar
    assert (np.abs(bottom.astype(int) - PANEL_COLOUR).sum(axis=2) < 60).mean() > 0.1
    assert (np.abs(bottom.astype(int) - TEXT_COLOUR).sum(axis=2) < 60).any()
    assert (bottom == UNMASKED_COLOUR).all(axis=2).any()


def test_a_masked_face_gets_the_mask_colour_and_its_bar_lengths_follow_the_probabilities(scenes):
    image = scenes[0].image.copy()
    out = annotate(image, [_face((100.0, 100.0, 300.0, 300.0), masked=True)])
    orange = (out == MASKED_COLOUR).all(axis=2)
    assert orange[100:300, 100].any()  # the box's left side
    rows = orange[303:, 100:300]
    lengths = rows.sum(axis=1)[rows.sum(axis=1) > 0]
    assert lengths.max() > 3 * np.median(lengths)  # happy's bar (0.55) is far longer than the others

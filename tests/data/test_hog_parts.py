"""dlib's HOG face detector split into its five filters, and the `hog-frontal` detector built from one of them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from support import CKPLUS48, read_fer_rows

from maskthefer.data.detectors import make_detector
from maskthefer.data.hog_parts import (
    FILTERS,
    HogLayoutError,
    _saved_frontal_detector,
    join_filters,
    split_filters,
    sub_detector,
)
from maskthefer.data.scenes import compose_scene
from maskthefer.errors import MaskTheFERError


@pytest.fixture(scope="module")
def scenes(shared_data, face_analyzer):
    """Six 640x480 frames: real CK+48 faces (frontal, some masked) and FER2013 faces (many turned)."""
    rng = np.random.default_rng(3)
    ck = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in sorted(CKPLUS48.glob("happy/*.png"))[::9][:4]]
    fer = [image for _, image, _ in read_fer_rows(8)]
    frames = [compose_scene(ck[i : i + 2], masked=[True, False], rng=rng, analyzer=face_analyzer) for i in (0, 2)]
    frames += [compose_scene(fer[i : i + 2], rng=rng) for i in range(0, 8, 2)]
    return frames


def test_splitting_and_joining_all_five_filters_gives_back_the_saved_detector_byte_for_byte():
    saved = _saved_frontal_detector()
    header, columns = split_filters(saved)
    assert len(columns) == len(FILTERS) == 5
    assert join_filters(header, columns) == saved


def test_the_five_filters_loaded_from_the_split_find_what_dlibs_detector_finds(scenes):
    import dlib

    full = dlib.get_frontal_face_detector()
    parts = sub_detector(FILTERS)
    found = 0
    for scene in scenes:
        gray = cv2.cvtColor(scene.image, cv2.COLOR_BGR2GRAY) if scene.image.ndim == 3 else scene.image
        want_rects, want_scores, want_index = full.run(gray, 0, 0.0)
        got_rects, got_scores, got_index = parts.run(gray, 0, 0.0)
        assert [(r.left(), r.top(), r.right(), r.bottom()) for r in got_rects] == [
            (r.left(), r.top(), r.right(), r.bottom()) for r in want_rects
        ]
        assert np.allclose(got_scores, want_scores) and list(got_index) == list(want_index)
        found += len(want_rects)
    assert found >= 6  # the comparison covered real detections, not empty frames


def test_hog_frontal_finds_the_frontal_ck_faces_hog_finds(scenes, face_analyzer):
    hog, frontal = make_detector("hog", face_analyzer), make_detector("hog-frontal", face_analyzer)
    for scene in scenes[:2]:  # CK+ faces look straight at the camera
        want, got = hog.detect(scene.image), frontal.detect(scene.image)
        assert len(want) >= 1 and len(got) == len(want)
        for a, b in zip(want, got):
            assert abs(a.left - b.left) <= 2 and abs(a.top - b.top) <= 2 and abs(a.width - b.width) <= 4


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda saved: saved[:-7], "ends in the middle"),
        (lambda saved: saved + b"\x01\x00", "bytes after its 5 filters"),
        (lambda saved: b"\x01\x03" + saved[2:], "version 3"),
    ],
)
def test_a_saved_detector_in_another_layout_is_refused_not_half_read(damage, message):
    with pytest.raises(HogLayoutError, match=message):
        split_filters(damage(_saved_frontal_detector()))


def test_unknown_filter_names_are_refused_with_the_choices():
    with pytest.raises(MaskTheFERError, match="turned_left"):
        sub_detector(("profile",))

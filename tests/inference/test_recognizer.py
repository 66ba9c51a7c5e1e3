"""Recognizer on photo-sized scenes of real faces: boxes, mask routing, probabilities; numpy, RGB and paths."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from support import read_fer_rows

from maskthefer import Recognizer
from maskthefer.data.detectors import PhotoDetectorSettings, make_detector
from maskthefer.data.scenes import match_boxes
from maskthefer.data.faces import Box
from maskthefer.errors import MaskTheFERError
from maskthefer.inference.recognizer import ImageReadError
from maskthefer.labels import EMOTIONS


@pytest.fixture(scope="module")
def recognizer(expression_run, mask_run):
    return Recognizer.load(expression_run, mask_run=mask_run)


def _check_face(face, image_shape):
    left, top, right, bottom = face.box
    assert 0 <= left < right <= image_shape[1] + 1 and 0 <= top < bottom <= image_shape[0] + 1
    assert face.route == "eye-region" and face.label in EMOTIONS
    assert list(face.probabilities) == list(EMOTIONS)
    assert sum(face.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert face.label == max(face.probabilities, key=face.probabilities.get)
    assert 0.0 <= face.masked_probability <= 1.0 and face.masked == (face.masked_probability >= 0.5)


def test_every_unmasked_face_is_found_and_classified(recognizer, scenes):
    found_masked = 0
    for scene in scenes:
        faces = recognizer.predict(scene.image)
        matches = match_boxes(scene.boxes, [Box(*f.box) for f in faces])
        for is_masked, match in zip(scene.masked, matches):
            if not is_masked:
                assert match is not None, f"unmasked face missed in a scene of {len(scene.boxes)} faces"
            found_masked += is_masked and match is not None
        assert len(faces) <= len(scene.boxes)  # no boxes on the background
        for face in faces:
            _check_face(face, scene.image.shape)
    assert found_masked >= 1  # surgical masks: HOG finds some of them at 640x480


def test_numpy_bgr_rgb_gray_and_path_agree(recognizer, scenes, tmp_path):
    image = scenes[3].image
    path = tmp_path / "two.png"
    cv2.imwrite(str(path), image)
    from_bgr = recognizer.predict(image)
    assert len(from_bgr) == 2
    from_rgb = recognizer.predict(image[..., ::-1].copy(), color="rgb")
    from_path = recognizer.predict(path)
    from_gray = recognizer.predict(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    for other in (from_rgb, from_path, from_gray):
        assert [f.box for f in other] == [f.box for f in from_bgr]
        for a, b in zip(other, from_bgr):
            assert np.allclose(list(a.probabilities.values()), list(b.probabilities.values()), atol=1e-5)


def test_small_images_are_searched_upsampled(recognizer, fer_faces):
    # 48x48 FER2013 faces: found thanks to the extra upsampling of small images (most, not all: see README).
    found = sum(len(recognizer.predict(pixels)) == 1 for _, pixels, _ in fer_faces[:20])
    assert found >= 12


def test_without_mask_classifier_the_route_is_still_reported(expression_run, scenes):
    faces = Recognizer.load(expression_run).predict(scenes[0].image)
    assert len(faces) == 1 and faces[0].masked_probability is None and faces[0].masked is None
    assert faces[0].route == "eye-region"


def test_cnn_detector_finds_the_faces(scenes, face_analyzer):
    detector = make_detector(PhotoDetectorSettings("cnn", upsample=0), face_analyzer)
    boxes = detector.detect(scenes[3].image)
    assert all(m is not None for m in match_boxes(scenes[3].boxes, boxes))


def test_bad_images_name_the_problem(recognizer, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    with pytest.raises(ImageReadError, match="broken.jpg"):
        recognizer.predict(broken)
    with pytest.raises(ImageReadError, match="missing.png"):
        recognizer.predict(tmp_path / "missing.png")
    with pytest.raises(MaskTheFERError, match="uint8"):
        recognizer.predict(np.zeros((40, 40), np.float32))
    assert recognizer.predict(np.full((480, 640, 3), 128, np.uint8)) == []


def test_a_run_without_a_model_or_of_the_wrong_kind(expression_run, mask_run, tmp_path):
    import shutil

    empty = tmp_path / "run"
    empty.mkdir()
    shutil.copy(expression_run / "config.json", empty / "config.json")
    with pytest.raises(MaskTheFERError, match="has no best.keras"):
        Recognizer.load(empty)
    with pytest.raises(MaskTheFERError, match="mask classifier"):
        Recognizer.load(mask_run)
    with pytest.raises(MaskTheFERError, match="--mask-run needs a mask classifier"):
        Recognizer.load(expression_run, mask_run=expression_run)

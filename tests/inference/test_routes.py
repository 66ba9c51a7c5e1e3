"""Routing between the eye-region and the full-face model on real faces, and bundles that carry both."""

from __future__ import annotations

import importlib.util
import json

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from maskthefer import Recognizer
from maskthefer.cli import main
from maskthefer.data.crop import apply_crop, plan_crop
from maskthefer.data.faces import Box
from maskthefer.inference import BundleError, export_bundle, read_bundle
from maskthefer.inference.recognizer import ROUTE_EYE_REGION, ROUTE_FULL_FACE
from maskthefer.inference.runners import KerasRunner
from maskthefer.labels import EMOTIONS

HAS_ONNX = all(importlib.util.find_spec(name) for name in ("onnx", "onnxruntime", "tf2onnx"))


def _face_crops(recognizer, image, faces):
    """The face crops of `faces`, cut independently of the recognizer's routing code."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    crops = []
    for face in faces:
        box = Box(*face.box, face.detector_score)
        landmarks = recognizer.analyzer.landmarks(gray, box)
        crops.append(apply_crop(gray, plan_crop(gray.shape, landmarks, box, recognizer.face.crop), recognizer.face.crop))
    return np.stack(crops)


def test_unmasked_faces_take_the_full_face_model(expression_run, mask_run, face_run, scenes):
    recognizer = Recognizer.load(expression_run, mask_run=mask_run, face_run=face_run)
    seen = set()
    for scene in scenes:
        for face in recognizer.predict(scene.image):
            assert face.route == (ROUTE_EYE_REGION if face.masked else ROUTE_FULL_FACE)
            assert list(face.probabilities) == list(EMOTIONS)
            assert sum(face.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
            seen.add(face.route)
    # Thresholds at the ends force each route, whatever the tiny mask classifier thinks.
    image = scenes[2].image
    all_eyes = Recognizer.load(expression_run, mask_run=mask_run, face_run=face_run, mask_threshold=0.0).predict(image)
    all_face = Recognizer.load(expression_run, mask_run=mask_run, face_run=face_run, mask_threshold=1.0).predict(image)
    assert all_eyes and {f.route for f in all_eyes} == {ROUTE_EYE_REGION}
    assert {f.route for f in all_face} == {ROUTE_FULL_FACE}
    assert [f.box for f in all_eyes] == [f.box for f in all_face]
    # The full-face answers are the face model's on the face crops; the eye-region ones are not.
    expected = KerasRunner.load(recognizer.face.path).predict(_face_crops(recognizer, image, all_face))
    got = np.array([list(f.probabilities.values()) for f in all_face])
    assert np.allclose(got, expected, atol=1e-5)
    eyes = np.array([list(f.probabilities.values()) for f in all_eyes])
    assert not np.allclose(eyes, expected, atol=1e-3)


def test_without_a_mask_classifier_every_face_takes_the_eye_route(expression_run, face_run, scenes):
    faces = Recognizer.load(expression_run, face_run=face_run).predict(scenes[3].image)
    assert len(faces) == 2 and {f.route for f in faces} == {ROUTE_EYE_REGION}


def test_face_run_must_be_a_face_crop_expression_run(expression_run, mask_run, face_run, tmp_path):
    with pytest.raises(BundleError, match="--face-run needs a run trained on"):
        Recognizer.load(expression_run, face_run=expression_run)
    with pytest.raises(BundleError, match="mask classifier"):
        export_bundle(expression_run, tmp_path / "b", face_run=mask_run)


FORMATS = ["keras", pytest.param("onnx", marks=pytest.mark.skipif(not HAS_ONNX, reason="the [onnx] extra (onnx, onnxruntime, tf2onnx) is not installed"))]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bundle_with_both_expression_models(fmt, expression_run, mask_run, face_run, scenes, tmp_path):
    bundle = export_bundle(expression_run, tmp_path / fmt, mask_run=mask_run, face_run=face_run, fmt=fmt)
    document, entries = read_bundle(bundle)
    assert set(entries) == {"expression", "mask", "face"} and document["format"] == fmt
    assert document["models"]["face"]["crop"]["mode"] == "face" and document["models"]["face"]["input_shape"] == [48, 48, 1]
    assert "mode" not in document["models"]["expression"]["crop"]  # the eye region, at its default
    for model in document["models"].values():
        assert model["max_abs_difference"] <= 1e-4 and model["checked_on_crops"] > 0

    for threshold in (0.0, 1.0):  # every face on one route, then on the other
        from_runs = Recognizer.load(expression_run, mask_run=mask_run, face_run=face_run, mask_threshold=threshold)
        from_bundle = Recognizer.load(bundle, mask_threshold=threshold)
        a, b = from_bundle.predict(scenes[2].image), from_runs.predict(scenes[2].image)
        assert a and [f.box for f in a] == [f.box for f in b] and [f.route for f in a] == [f.route for f in b]
        for x, y in zip(a, b):
            assert np.allclose(list(x.probabilities.values()), list(y.probabilities.values()), atol=1e-4)


def test_export_and_predict_cli_with_a_face_run(expression_run, mask_run, face_run, scenes, tmp_path):
    bundle = tmp_path / "bundle"
    result = CliRunner().invoke(
        main,
        ["export", "--run", str(expression_run), "--mask-run", str(mask_run), "--face-run", str(face_run), "--out", str(bundle)],
    )
    assert result.exit_code == 0, result.output
    assert "face: vgg-lite" in result.output
    cv2.imwrite(str(tmp_path / "scene.png"), scenes[3].image)
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main, ["predict", str(tmp_path / "scene.png"), "--run", str(bundle), "--mask-threshold", "1", "--out", str(out), "--csv"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and {row["route"] for row in rows} == {ROUTE_FULL_FACE}
    assert "full-face" in (out / "predictions.csv").read_text()


@pytest.mark.skipif(not HAS_ONNX, reason="the [onnx] extra (onnx, onnxruntime, tf2onnx) is not installed")
def test_an_int8_onnx_bundle_records_how_far_it_moves(expression_run, scenes, tmp_path):
    bundle = export_bundle(expression_run, tmp_path / "int8", fmt="onnx", quantize="int8")
    document, _ = read_bundle(bundle)
    model = document["models"]["expression"]
    assert document["quantization"] == "int8" and model["max_abs_difference"] <= 0.05
    assert 0.0 <= model["top_label_agreement"] <= 1.0
    faces = Recognizer.load(bundle).predict(scenes[0].image)
    assert len(faces) == 1 and sum(faces[0].probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(BundleError, match="offered for --format onnx only"):
        export_bundle(expression_run, tmp_path / "bad", fmt="tflite", quantize="int8")

"""The face crop (`--crop face`), unmasked builds (`--no-masks`) and the 24x48 resampling ablation, on real faces."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from support import FER_CSV, build_small

from maskthefer.cli import main
from maskthefer.data.crop import CropSettings, apply_crop, plan_crop, resample_crop
from maskthefer.data.pipeline import FacePipeline, PipelineSettings
from maskthefer.data.records import load_split
from maskthefer.errors import MaskTheFERError

FACE = CropSettings(height=48, width=48, mode="face")


def test_the_face_crop_of_a_fer2013_face_is_the_image(fer_faces, face_analyzer):
    # Unrotated, a face whose box has the reference width (44 px) fills the 48x48 frame: the crop is the image.
    unrotated = CropSettings(height=48, width=48, mode="face", align=False)
    checked = 0
    for _, pixels, _ in fer_faces[:40]:
        boxes = face_analyzer.detect(pixels, PipelineSettings().detect)
        if len(boxes) != 1 or round(boxes[0].width) < 44:
            continue
        landmarks = face_analyzer.landmarks(pixels, boxes[0])
        geometry = plan_crop(pixels.shape, landmarks, boxes[0], unrotated)
        assert (geometry.left, geometry.top, geometry.right, geometry.bottom) == pytest.approx((0, 0, 48, 48))
        assert np.array_equal(apply_crop(pixels, geometry, unrotated), pixels)
        checked += 1
    assert checked >= 10


def test_the_face_crop_is_a_square_about_the_box_on_a_photo(fer_faces, face_analyzer):
    # A FER2013 face enlarged 5x in a wide frame: the square is face_scale box widths, centred on the box.
    _, pixels, _ = fer_faces[0]
    photo = cv2.copyMakeBorder(cv2.resize(pixels, (240, 240)), 100, 100, 300, 200, cv2.BORDER_CONSTANT, value=128)
    box = face_analyzer.detect(photo, PipelineSettings().detect)[0]
    landmarks = face_analyzer.landmarks(photo, box)
    settings = CropSettings(height=48, width=48, mode="face", align=False)
    geometry = plan_crop(photo.shape, landmarks, box, settings)
    side = geometry.right - geometry.left
    assert side == pytest.approx(geometry.bottom - geometry.top) == pytest.approx(box.width * 48 / 44)
    assert (geometry.left + geometry.right) / 2 == pytest.approx(box.center[0])
    assert apply_crop(photo, geometry, settings).shape == (48, 48)
    # The whole face is inside: every one of the 68 landmarks, jaw line included.
    assert (landmarks[:, 0] >= geometry.left).all() and (landmarks[:, 0] <= geometry.right).all()
    assert (landmarks[:, 1] >= geometry.top).all() and (landmarks[:, 1] <= geometry.bottom).all()


def test_aligned_face_crops_level_the_eyes(fer_faces, face_analyzer):
    pipeline = FacePipeline(PipelineSettings(crop=FACE, masks=False), face_analyzer)
    tilted = 0
    for _, pixels, _ in fer_faces[:30]:
        try:
            face = pipeline.process(pixels, add_mask=False)
        except MaskTheFERError:
            continue
        assert face.crop.shape == (48, 48) and face.crop is face.unmasked_crop
        geometry = plan_crop(pixels.shape, face.landmarks, face.box, FACE)
        tilted += abs(geometry.angle_degrees) > 3
    assert tilted >= 3  # some FER2013 faces lean, and those were rotated


def test_resampling_keeps_the_size_and_removes_the_fine_detail(fer_faces, face_analyzer):
    _, pixels, _ = fer_faces[1]
    box = face_analyzer.detect(pixels, PipelineSettings().detect)[0]
    landmarks = face_analyzer.landmarks(pixels, box)
    plain = CropSettings()
    coarse = CropSettings(resample=(24, 48))
    sharp = apply_crop(pixels, plan_crop(pixels.shape, landmarks, box, plain), plain)
    soft = apply_crop(pixels, plan_crop(pixels.shape, landmarks, box, coarse), coarse)
    assert soft.shape == sharp.shape == (48, 96)
    assert np.array_equal(soft, resample_crop(sharp, (24, 48)))
    assert cv2.Laplacian(soft, cv2.CV_64F).var() < 0.5 * cv2.Laplacian(sharp, cv2.CV_64F).var()


def test_settings_round_trip_and_old_manifests_still_match():
    # Builds made before these options exist must still be reused: at their defaults they are left out.
    assert set(PipelineSettings().to_dict()) == {"detect", "redetect", "crop", "mask_types"}
    assert set(PipelineSettings().to_dict()["crop"]) == {
        "height", "width", "margin_below_eyes", "margin_left", "margin_right", "reference_face_width", "align",
        "min_region",
    }
    settings = PipelineSettings(crop=CropSettings(mode="face", height=48, width=48, resample=(24, 24)), masks=False)
    assert PipelineSettings.from_dict(settings.to_dict()) == settings
    with pytest.raises(MaskTheFERError, match="crop mode 'mouth'"):
        CropSettings(mode="mouth")
    with pytest.raises(MaskTheFERError, match="resample"):
        CropSettings(resample=(1, 48))


def test_an_unmasked_face_build_trains_as_it_is(shared_data, tmp_path):
    pipeline = PipelineSettings(crop=FACE, masks=False)
    manifest = build_small(tmp_path / "face", limit=60, pipeline=pipeline, workers=1)
    assert manifest["crop"] == {"height": 48, "width": 48, "mode": "face", "masked": False, "resample": None}
    assert "no_face_after_mask" not in manifest["rejections"] and manifest["totals"]["accepted"] >= 45
    split = load_split(tmp_path / "face", "train", unmasked=True)
    assert split.images.shape[1:] == (48, 48) and np.array_equal(split.images, split.unmasked)

    from maskthefer.models import model_spec
    from maskthefer.training import TrainConfig, train

    tiny = dict(model_spec("vgg-lite").tiny_config)
    run = train(TrainConfig(data=tmp_path / "face", model="vgg-lite", model_args=tiny, epochs=1, batch_size=16,
                            run_dir=tmp_path / "run", verbose=0))
    assert run.read_config()["input_shape"] == [48, 48, 1]


def test_build_cli_crop_options(shared_data, tmp_path):
    out = tmp_path / "resampled"
    args = ["build-dataset", "--source", "fer2013", "--input", str(FER_CSV), "--limit", "30", "--workers", "1",
            "--quiet", "--preview", "0", "--crop-resample", "24x48", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "eyes crops 48x96 resampled through 24x48" in result.output
    assert load_split(out, "train").images.shape[1:] == (48, 96)

    bad = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "bad"), "--crop-resample", "96x24"])
    assert bad.exit_code == 2 and "--crop-resample" in bad.output and "48x96" in bad.output
    face = CliRunner().invoke(main, [*args[:-4], "--crop", "face", "--no-masks", "--out", str(tmp_path / "face")])
    assert face.exit_code == 0, face.output
    assert "face crops 48x48, unmasked" in face.output

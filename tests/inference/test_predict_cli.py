"""`maskthefer predict` and `maskthefer export` end to end on scenes of real faces, with every kind of bad input."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from maskthefer import Recognizer
from maskthefer.cli import main
from maskthefer.inference import export_bundle, predict_inputs, read_bundle
from maskthefer.labels import EMOTIONS

REPO = Path(__file__).resolve().parents[2]


def _write_video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> None:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()


@pytest.fixture
def inputs(scenes, tmp_path) -> dict[str, Path]:
    """A folder of two scenes plus a faceless picture and a corrupt one; a video; a truncated video; a text file."""
    folder = tmp_path / "photos"
    (folder / "group").mkdir(parents=True)
    cv2.imwrite(str(folder / "one.png"), scenes[0].image)
    cv2.imwrite(str(folder / "group" / "three.jpg"), scenes[2].image)
    gradient = np.tile(np.linspace(30, 220, 640, dtype=np.uint8), (480, 1))
    cv2.imwrite(str(folder / "wall.png"), gradient)
    (folder / "broken.png").write_bytes(b"\x89PNG but not really")
    video = tmp_path / "clip.mp4"
    frames = [scenes[3].image] * 4 + [scenes[1].image] * 4
    _write_video(video, frames)
    broken_video = tmp_path / "cut.mp4"
    _write_video(broken_video, [scenes[0].image] * 30)
    data = broken_video.read_bytes()
    broken_video.write_bytes(data[: len(data) // 2])  # mp4 keeps its index at the end: nothing plays
    truncated = tmp_path / "short.avi"
    writer = cv2.VideoWriter(str(truncated), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (640, 480))
    for _ in range(20):
        writer.write(scenes[0].image)
    writer.release()
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])  # AVI's header keeps announcing 20 frames; about 10 remain
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    return {"folder": folder, "video": video, "broken_video": broken_video, "truncated": truncated, "notes": notes}


def test_predict_folder_video_and_bad_inputs(expression_run, mask_run, inputs, tmp_path):
    out = tmp_path / "out"
    args = [
        "predict", str(inputs["folder"]), str(inputs["video"]), str(inputs["broken_video"]),
        str(inputs["truncated"]), str(inputs["notes"]),
        str(tmp_path / "missing.jpg"), "--run", str(expression_run), "--mask-run", str(mask_run),
        "--out", str(out), "--csv", "--every", "2",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    by_source = {}
    for row in rows:
        by_source.setdefault(Path(row["source"]).name, []).append(row)
        assert sum(row["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
        assert row["route"] == "eye-region" and row["label"] in EMOTIONS
        assert 0 <= row["masked_probability"] <= 1
    assert len(by_source["one.png"]) == 1
    assert 1 <= len(by_source["three.jpg"]) <= 3
    assert {r["frame"] for r in by_source["clip.mp4"]} <= {0, 2, 4, 6}
    assert sum(r["frame"] in (0, 2) for r in by_source["clip.mp4"]) == 4  # two unmasked faces, frames 0 and 2
    assert "wall.png" not in by_source and "broken.png" not in by_source
    short = by_source["short.avi"]
    assert short and max(r["frame"] for r in short) < 12  # the frames that survived, every second one

    with open(out / "predictions.csv") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(rows) and set(f"p_{name}" for name in EMOTIONS) <= set(table[0])
    annotated = out / "annotated"
    assert (annotated / "photos" / "one.png").is_file() and (annotated / "photos" / "group" / "three.png").is_file()
    capture = cv2.VideoCapture(str(annotated / "clip.mp4"))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 8  # every frame kept, not only the analysed ones

    text = result.output
    assert "broken.png" in text and "missing.jpg" in text and "notes.txt" in text and "cut.mp4" in text
    assert "truncated: ends after" in text and "of the 20 frames its header announces" in text
    assert "one.png: 1 face" in text and "clip.mp4: 8 frames, 4 analysed" in text
    summary = text.strip().splitlines()[-1]
    # processed: one.png, three.jpg, wall.png (no face), clip.mp4, short.avi; problems named and counted
    assert summary.startswith("5 of 9 inputs processed")
    for reason in ("missing 1", "no_face 1", "unreadable_file 1", "unreadable_image 1", "corrupt_video 1",
                   "truncated_video 1"):
        assert reason in summary, summary


def test_nothing_processed_is_an_error_and_stderr_has_no_framework_chatter(expression_run, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "maskthefer", "predict", str(tmp_path / "absent.png"), "--run", str(expression_run),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[0] == f"{tmp_path / 'absent.png'}: no such file or folder"
    assert lines[-1].startswith("Error: nothing could be processed: 0 of 1 inputs processed")
    assert len(lines) == 2, done.stderr  # no absl / oneDNN / CUDA lines


def test_a_missing_camera_is_counted(expression_run, tmp_path):
    recognizer = Recognizer.load(expression_run)
    summary = predict_inputs(recognizer, [], camera=9, out_dir=tmp_path, progress=False, say=lambda text: None)
    assert summary.processed == 0 and summary.problem_counts == {"camera_unavailable": 1}
    result = CliRunner().invoke(main, ["predict", "--camera", "9", "--run", str(expression_run), "--out", str(tmp_path)])
    assert result.exit_code == 1 and "camera 9" in result.output


@pytest.mark.parametrize("fmt", ["keras", "saved_model", "tflite"])
def test_exported_bundle_gives_the_runs_probabilities(fmt, expression_run, mask_run, scenes, tmp_path):
    bundle = export_bundle(expression_run, tmp_path / fmt, mask_run=mask_run, fmt=fmt)
    document, entries = read_bundle(bundle)
    assert set(entries) == {"expression", "mask"} and document["format"] == fmt
    assert document["models"]["expression"]["class_names"] == list(EMOTIONS)
    assert document["models"]["mask"]["class_names"] == ["unmasked", "masked"]
    assert document["models"]["expression"]["test_accuracy"] is not None and "keras" in document["versions"]
    for model in document["models"].values():
        assert model["max_abs_difference"] <= 1e-4 and model["checked_on_crops"] > 0

    from_run = Recognizer.load(expression_run, mask_run=mask_run).predict(scenes[2].image)
    from_bundle = Recognizer.load(bundle).predict(scenes[2].image)
    assert [f.box for f in from_bundle] == [f.box for f in from_run] and from_run
    for a, b in zip(from_bundle, from_run):
        assert np.allclose(list(a.probabilities.values()), list(b.probabilities.values()), atol=1e-4)
        assert a.masked_probability == pytest.approx(b.masked_probability, abs=1e-4)


def test_export_cli_and_predict_from_the_bundle(expression_run, mask_run, scenes, tmp_path):
    bundle = tmp_path / "bundle"
    result = CliRunner().invoke(main, ["export", "--run", str(expression_run), "--mask-run", str(mask_run), "--out", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "expression: vgg-lite" in result.output and "mask: masknet" in result.output
    again = CliRunner().invoke(main, ["export", "--run", str(expression_run), "--out", str(bundle)])
    assert again.exit_code == 1 and "not empty" in again.output
    assert json.loads((bundle / "bundle.json").read_text())["detector"]["max_side"] == 640
    cv2.imwrite(str(tmp_path / "scene.png"), scenes[0].image)
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "scene.png"), "--run", str(bundle), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "o" / "predictions.jsonl").read_text().splitlines()) == 1


def test_export_detect_side_travels_with_the_bundle(expression_run, tmp_path):
    bundle = tmp_path / "bundle"
    result = CliRunner().invoke(main, ["export", "--run", str(expression_run), "--out", str(bundle), "--detect-side", "400"])
    assert result.exit_code == 0, result.output
    assert json.loads((bundle / "bundle.json").read_text())["detector"]["max_side"] == 400
    assert Recognizer.load(bundle).detector_settings.max_side == 400
    assert Recognizer.load(bundle, detect_max_side=320).detector_settings.max_side == 320  # predict --detect-side
    bad = CliRunner().invoke(main, ["export", "--run", str(expression_run), "--out", str(tmp_path / "b2"), "--detect-side", "8"])
    assert bad.exit_code == 2 and "--detect-side" in bad.output

"""`build_dataset` end to end on slices of the real data: counts, determinism, resume, bad inputs."""

from __future__ import annotations

import csv
import gzip
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from support import CKPLUS48, FER_CSV, REPO, build_small

from maskthefer.cli import main
from maskthefer.data.build import BuildError
from maskthefer.data.records import iter_split, load_split, read_manifest


def _shard_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.tfrecord"))}


def _without_timing(manifest: dict) -> dict:
    return {k: v for k, v in manifest.items() if k != "timing"}


def test_manifest_counts_equal_records(fer_dataset):
    manifest = read_manifest(fer_dataset)
    totals = manifest["totals"]
    assert totals["source_images"] == 400
    assert totals["accepted"] + totals["rejected"] == 400
    assert 0.45 < totals["yield"] < 0.95  # the paper kept 65 % of FER2013
    assert sum(manifest["rejections"].values()) == totals["rejected"]
    with open(fer_dataset / "rejected.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == totals["rejected"]
    assert {row["reason"] for row in rows} <= set(manifest["rejections"])
    records = 0
    for split, info in manifest["splits"].items():
        data = load_split(fer_dataset, split, unmasked=True)
        assert len(data) == info["records"] == sum(s["records"] for s in info["shards"])
        counts = np.bincount(data.labels, minlength=len(data.class_names))
        assert dict(zip(data.class_names, counts.tolist())) == info["class_counts"]
        assert data.images.shape[1:] == (48, 96) and data.unmasked.shape == data.images.shape
        records += len(data)
    assert records == totals["accepted"]
    assert set(manifest["splits"]) == {"train", "test"}
    assert 0.1 < manifest["splits"]["test"]["records"] / records < 0.2  # the paper's 85/15
    assert sum(manifest["mask_types"].values()) == records and len(manifest["mask_types"]) >= 3
    code = manifest["versions"]["code"]  # the commit that built it, so results can be traced to it
    assert len(code["commit"]) == 40 and isinstance(code["modified"], bool)


def test_records_are_readable_with_tf_data(fer_dataset):
    from maskthefer.data.records import tf_dataset

    ours = load_split(fer_dataset, "test")
    theirs = list(tf_dataset(fer_dataset, "test").as_numpy_iterator())
    assert len(theirs) == len(ours)
    for i, (image, label) in enumerate(theirs):
        assert label == ours.labels[i]
        assert np.array_equal((image[:, :, 0] * 255).round().astype(np.uint8), ours.images[i])


def test_masked_and_unmasked_crops_are_pairs(fer_dataset):
    data = load_split(fer_dataset, "train", unmasked=True)
    # Same face and geometry: the top rows (forehead, brows) agree; the bottom rows (the mask's upper edge
    # over the nose) differ.
    top = np.abs(data.images[:, :16].astype(float) - data.unmasked[:, :16]).mean()
    bottom = np.abs(data.images[:, -12:].astype(float) - data.unmasked[:, -12:]).mean()
    assert top < 3 and bottom > 3 * top


def test_preview_sheet(fer_dataset):
    manifest = read_manifest(fer_dataset)
    sheet = cv2.imread(str(fer_dataset / manifest["preview"]["file"]))
    assert sheet is not None and sheet.shape[0] > 4 * 128 and sheet.shape[1] > 2 * (2 * 128 + 2 * 256)
    assert len(manifest["preview"]["source_ids"]) == 8


def test_same_seed_gives_identical_records_whatever_the_workers(tmp_path, shared_data):
    first = build_small(tmp_path / "a", limit=120, workers=1, chunk_size=50)
    second = build_small(tmp_path / "b", limit=120, workers=2, chunk_size=16)
    assert _shard_bytes(tmp_path / "a") == _shard_bytes(tmp_path / "b")
    assert (tmp_path / "a" / "rejected.csv").read_bytes() == (tmp_path / "b" / "rejected.csv").read_bytes()
    assert _without_timing(first) == _without_timing(second)  # workers and chunking are not parameters
    build_small(tmp_path / "c", limit=120, seed=1)
    assert _shard_bytes(tmp_path / "c") != _shard_bytes(tmp_path / "a")


def test_rebuilding_is_a_no_op_and_other_parameters_need_overwrite(tmp_path, shared_data):
    out = tmp_path / "d"
    manifest = build_small(out, limit=40)
    assert build_small(out, limit=40) == manifest
    with pytest.raises(BuildError, match="other parameters.*--overwrite"):
        build_small(out, limit=41)
    rebuilt = build_small(out, limit=41, overwrite=True)
    assert rebuilt["totals"]["source_images"] == 41


def test_a_class_subset_keeps_those_labels_and_counts_the_others_as_excluded(tmp_path, shared_data):
    """The attention paper's 4-class setting: only angry, happy, neutral and surprise faces are kept; every
    image of another class has a row in rejected.csv, and the label set is the subset in the source's order."""
    from maskthefer.labels import FER2013_CODES

    four = ("surprise", "angry", "happy", "neutral")
    manifest = build_small(tmp_path / "four", limit=80, workers=1, classes=four)
    assert manifest["class_names"] == ["angry", "happy", "neutral", "surprise"]
    with gzip.open(FER_CSV, "rt") as handle:
        labels = [FER2013_CODES[int(row["emotion"])] for _, row in zip(range(80), csv.DictReader(handle))]
    with open(tmp_path / "four" / "rejected.csv") as handle:
        excluded = [row for row in csv.DictReader(handle) if row["reason"] == "excluded_label"]
    assert len(excluded) == sum(label not in four for label in labels) > 0
    assert manifest["totals"]["source_images"] == 80
    for split in manifest["splits"]:
        assert set(load_split(tmp_path / "four", split).labels.tolist()) <= {0, 1, 2, 3}
    with pytest.raises(BuildError, match="classes contempt are not labels of this source"):
        build_small(tmp_path / "bad", limit=10, workers=1, classes=("happy", "contempt"))
    code, output = _run_cli("build-dataset", "--source", "fer2013", "--classes", "happiness,joy", "--limit", "5",
                            "--out", str(tmp_path / "one"))
    assert code != 0 and "keep at least two different labels" in output and "Traceback" not in output


RESUME_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from support import build_small
build_small(__import__("pathlib").Path({out!r}), limit=600, workers=1, chunk_size=20)
"""


@pytest.mark.slow
def test_resume_after_kill_matches_an_uninterrupted_build(tmp_path, shared_data):
    out = tmp_path / "killed"
    script = RESUME_SCRIPT.format(tests=str(REPO / "tests"), out=str(out))
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    scratch = out / ".build"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(scratch.glob("chunk-*.json"))) < 5:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = len(list(scratch.glob("chunk-*.json")))
    assert 5 <= done < 30, "the kill should land mid-build"
    assert not (out / "manifest.json").exists()
    assert not list(out.glob("*.tfrecord")), "no final shard may exist before the build completes"

    resumed = build_small(out, limit=600, workers=1, chunk_size=20)
    assert resumed["timing"]["images_processed"] <= 600 - 20 * done
    reference = build_small(tmp_path / "clean", limit=600, workers=2)
    assert _shard_bytes(out) == _shard_bytes(tmp_path / "clean")
    assert _without_timing(resumed) == _without_timing(reference)
    assert not scratch.exists()


def test_ckplus_build_keeps_subjects_on_one_side(tmp_path, shared_data):
    manifest = build_small(tmp_path / "ck", source="ckplus")
    assert manifest["dataset_kind"] == "ckplus"
    subjects = {split: {r["subject"] for r in iter_split(tmp_path / "ck", split, decode_images=False)} for split in ("train", "test")}
    assert subjects["train"] and subjects["test"] and not subjects["train"] & subjects["test"]
    test_share = manifest["splits"]["test"]["records"] / manifest["totals"]["accepted"]
    assert 0.2 < test_share < 0.45  # the paper's 66.7 / 33.3, as close as whole subjects allow
    assert manifest["totals"]["source_images"] == 327


def test_ckplus_mix_subjects_is_the_papers_class_stratified_split(tmp_path, shared_data):
    manifest = build_small(tmp_path / "mixed", source="ckplus", mix_subjects=True)
    subjects = {split: {r["subject"] for r in iter_split(tmp_path / "mixed", split, decode_images=False)} for split in ("train", "test")}
    assert subjects["train"] & subjects["test"]  # people may now appear on both sides
    for name, count in manifest["splits"]["test"]["class_counts"].items():
        total = count + manifest["splits"]["train"]["class_counts"][name]
        assert abs(count - total / 3) <= 1  # and every class is split 66.7 / 33.3


def _run_cli(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_cli_bad_inputs_give_one_line_errors(tmp_path, shared_data):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("label,image\n1,0 0 0\n")
    code, output = _run_cli("build-dataset", "--source", "fer2013", "--input", str(wrong), "--out", str(tmp_path / "o"))
    assert code != 0 and "missing column(s)" in output and "Traceback" not in output
    empty = tmp_path / "empty"
    empty.mkdir()
    code, output = _run_cli("build-dataset", "--source", "folder", "--input", str(empty), "--out", str(tmp_path / "o"))
    assert code != 0 and "no label sub-folders" in output
    code, output = _run_cli("build-dataset", "--source", "folder", "--input", str(tmp_path / "nope"))
    assert code != 0 and "does not exist" in output
    code, output = _run_cli("build-dataset", "--source", "fer2013", "--mask-types", "surgical,bogus", "--limit", "5")
    assert code != 0 and "unknown mask type(s) ['bogus']" in output
    code, output = _run_cli("build-dataset", "--source", "fer2013", "--crop-size", "48by96")
    assert code != 0 and "HEIGHTxWIDTH" in output


def test_cli_counts_non_faces_and_corrupt_files(tmp_path, shared_data):
    photos = tmp_path / "photos"
    for label, folder in (("happy", "happy"), ("surprise", "surprise")):
        (photos / label).mkdir(parents=True)
        for frame in sorted((CKPLUS48 / folder).glob("*.png"))[:4]:
            (photos / label / frame.name).write_bytes(frame.read_bytes())
    cv2.imwrite(str(photos / "happy" / "wall.png"), np.full((200, 200), 120, np.uint8))
    noise = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    cv2.imwrite(str(photos / "surprise" / "noise.jpg"), noise)
    (photos / "surprise" / "truncated.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    out = tmp_path / "out"
    code, output = _run_cli("build-dataset", "--source", "folder", "--input", str(photos), "--out", str(out),
                            "--workers", "1", "--quiet")
    assert code == 0, output
    manifest = read_manifest(out)
    assert manifest["totals"]["source_images"] == 11
    assert manifest["rejections"]["no_face"] >= 2 and manifest["rejections"]["corrupt_image"] == 1
    with open(out / "rejected.csv") as handle:
        rejected = {row["source_id"]: row["reason"] for row in csv.DictReader(handle)}
    assert rejected["happy/wall.png"] == "no_face" and rejected["surprise/truncated.jpg"] == "corrupt_image"
    assert "accepted" in output and "no_face" in output


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


ORPHAN_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from support import build_small
build_small(__import__("pathlib").Path({out!r}), limit=300, workers=2, chunk_size=10)
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent_and_the_rerun_resumes(tmp_path, shared_data):
    out = tmp_path / "orphaned"
    process = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT.format(tests=str(REPO / "tests"), out=str(out))])
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / ".build").glob("chunk-*.json"))) < 3:
        time.sleep(0.01)
    workers = _children(process.pid)
    assert len(workers) >= 2, "the build should be running its worker processes"
    process.send_signal(signal.SIGKILL)  # the parent alone, not its process group
    process.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    # Leftovers of the kill: a half-written chunk; the re-run discards it and redoes that chunk.
    (out / ".build" / "chunk-00999.tfrecord.12345.partial").write_bytes(b"half a record")
    resumed = build_small(out, limit=300, workers=2, chunk_size=10)
    reference = build_small(tmp_path / "clean", limit=300, workers=1)
    assert _shard_bytes(out) == _shard_bytes(tmp_path / "clean")
    assert _without_timing(resumed) == _without_timing(reference)


def test_cli_names_a_truncated_csv_gz_and_counts_unread_folder_files(tmp_path, shared_data):
    truncated = tmp_path / "fer2013.csv.gz"
    with open(FER_CSV, "rb") as handle:
        truncated.write_bytes(handle.read(200_000))
    code, output = _run_cli("build-dataset", "--source", "fer2013", "--input", str(truncated), "--out",
                            str(tmp_path / "o"), "--quiet")
    assert code == 1 and "Aborted" not in output and "Traceback" not in output
    assert f"{truncated} is truncated" in output and "download it again" in output

    photos = tmp_path / "photos"
    (photos / "happy").mkdir(parents=True)
    for frame in sorted((CKPLUS48 / "happy").glob("*.png"))[:3]:
        (photos / "happy" / frame.name).write_bytes(frame.read_bytes())
    (photos / "happy" / "party.gif").write_bytes(b"GIF89a" + bytes(32))
    (photos / "stray.jpg").write_bytes((photos / "happy" / frame.name).read_bytes())
    out = tmp_path / "out"
    code, output = _run_cli("build-dataset", "--source", "folder", "--input", str(photos), "--out", str(out),
                            "--workers", "1", "--quiet")
    assert code == 0, output
    with open(out / "rejected.csv") as handle:
        rejected = {row["source_id"]: row["reason"] for row in csv.DictReader(handle)}
    assert rejected["happy/party.gif"] == "unsupported_file" and rejected["stray.jpg"] == "outside_label_folder"
    assert read_manifest(out)["totals"]["source_images"] == 5


def test_cli_numeric_options_are_checked_where_parsed(tmp_path):
    for option, value, message in (
        ("--seed", "-1", "not in the range 0<=x<=4294967295"),
        ("--threshold", "nan", "'nan' is not a finite number"),
        ("--redetect-threshold", "-inf", "-inf is not in the range -3<=x<=3"),
        ("--test-fraction", "nan", "'nan' is not a finite number"),
        ("--upsample", "9", "not in the range 0<=x<=3"),
    ):
        code, output = _run_cli("build-dataset", "--source", "fer2013", option, value, "--out", str(tmp_path / "o"))
        assert code == 2 and f"Invalid value for '{option}'" in output and message in output, output
    assert not (tmp_path / "o").exists()

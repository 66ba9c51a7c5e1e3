"""Every source layout on real images, and the errors and rejections of bad inputs."""

from __future__ import annotations

import gzip
import zipfile
from collections import Counter

import cv2
import numpy as np
import pytest
from support import CKPLUS48, FER_CSV, read_fer_rows

from maskthefer.data.sources import ImageProblem, SourceError, open_source
from maskthefer.labels import EMOTIONS, FER2013_CODES


def _write_csv(path, lines):
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(lines) + "\n")


def _fer_lines(n):
    with gzip.open(FER_CSV, "rt") as handle:
        return [next(handle).rstrip("\n") for _ in range(n + 1)]


def test_fer_csv_reads_real_rows(shared_data):
    source = open_source("fer2013", FER_CSV)
    first = []
    for item in source:
        first.append(item)
        if len(first) == 20:
            break
    assert [item.source_id for item in first[:2]] == ["row-00000", "row-00001"]
    for item, (code, pixels, usage) in zip(first, read_fer_rows(20)):
        assert item.label == FER2013_CODES[code]
        assert item.usage == usage
        assert (item.decode() == pixels).all()


def test_fer_csv_bad_rows_become_counted_problems(tmp_path, shared_data):
    header, *rows = _fer_lines(3)
    good = rows[0]
    short = "3," + " ".join(["10"] * 100) + ",Training"
    words = "3," + " ".join(["x"] * 2304) + ",Training"
    unknown = "9," + good.split(",")[1] + ",Training"
    path = tmp_path / "bad.csv.gz"
    _write_csv(path, [header, good, short, words, unknown, "1,2"])
    items = list(open_source("fer2013", path))
    assert len(open_source("fer2013", path)) == len(items) == 5
    assert items[0].decode().shape == (48, 48)
    outcomes = []
    for item in items[1:]:
        with pytest.raises(ImageProblem) as error:
            item.decode()
        outcomes.append(error.value.reason)
    assert outcomes == ["bad_pixels", "bad_pixels", "unknown_label", "bad_row"]


def test_fer_csv_with_wrong_columns_is_an_error(tmp_path):
    path = tmp_path / "wrong.csv.gz"
    _write_csv(path, ["label,image,Usage", "1,0 0,Training"])
    with pytest.raises(SourceError, match=r"missing column\(s\) \['emotion', 'pixels'\].*found \['label', 'image', 'Usage'\]"):
        open_source("fer2013", path)


def _kaggle_folder(root, rows):
    for i, (code, pixels, usage) in enumerate(rows):
        folder = root / ("train" if usage == "Training" else "test") / FER2013_CODES[code]
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / f"im{i}.jpg"), pixels)
    (root / "README.txt").write_text("not an image")


def test_fer_kaggle_folder_and_zip(tmp_path, shared_data):
    rows = read_fer_rows(30)
    root = tmp_path / "fer"
    _kaggle_folder(root, rows)
    folder = open_source("fer2013", root)
    assert len(folder) == 31  # 30 images and a .txt, which is read as a counted rejection
    assert folder.describe()["skipped_non_images"] == {".txt": 1}
    items = [i for i in folder if i.problem is None]
    assert [i.problem[0] for i in folder if i.problem] == ["outside_label_folder"]
    assert Counter(i.label for i in items) == Counter(FER2013_CODES[c] for c, _, _ in rows)
    assert {i.usage for i in items} == {"Training"}
    assert items[0].decode().shape == (48, 48)  # gray JPEGs decode as one channel

    archive = tmp_path / "fer.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, "fer2013/" + path.relative_to(root).as_posix())
    zipped = [i for i in open_source("fer2013", archive) if i.problem is None]
    assert [i.label for i in zipped] == [i.label for i in items]
    assert all((a.decode() == b.decode()).all() for a, b in zip(zipped, items))


def test_ckplus48_peak_frames_match_the_paper(shared_data):
    source = open_source("ckplus", CKPLUS48)
    items = list(source)
    assert len(items) == 327  # one peak frame per labelled sequence
    counts = Counter(i.label for i in items)
    # SPEC Table I (MaskedCK+) for the six CK+ emotions, before masking losses: within a face or two.
    for label, paper in {"angry": 45, "disgust": 58, "fear": 25, "happy": 68, "sad": 27, "surprise": 82}.items():
        assert abs(counts[label] - paper) <= 1
    assert counts["neutral"] == 18  # the contempt sequences, relabelled as the paper did
    assert all(i.subject.startswith("S") for i in items)
    assert len(list(open_source("ckplus", CKPLUS48, frames="last3"))) == 981


def test_ckplus_contempt_options(shared_data):
    dropped = list(open_source("ckplus", CKPLUS48, contempt="drop"))
    problems = [i for i in dropped if i.problem]
    assert len(problems) == 18 and {p.problem[0] for p in problems} == {"excluded_label"}
    kept = open_source("ckplus", CKPLUS48, contempt="keep")
    assert kept.class_names == EMOTIONS + ("contempt",)
    assert Counter(i.label for i in kept)["contempt"] == 18
    with pytest.raises(SourceError, match="contempt handling"):
        open_source("ckplus", CKPLUS48, contempt="maybe")


def test_ckplus_full_sequences_layout(tmp_path, shared_data):
    # Rebuild the full-CK+ layout from real CK+48 frames: S<subj>/<seq>/ frames and an Emotion label file.
    root = tmp_path / "CK+"
    sequences = {}
    for folder, code in (("happy", 5), ("surprise", 7), ("contempt", 2)):
        for frame in sorted((CKPLUS48 / folder).glob("*.png"))[:6]:
            subject, sequence, _ = frame.stem.split("_")
            sequences.setdefault((subject, sequence), (code, []))[1].append(frame)
    for (subject, sequence), (code, frames) in sequences.items():
        image_dir = root / "cohn-kanade-images" / subject / sequence
        image_dir.mkdir(parents=True)
        for frame in frames:
            (image_dir / frame.name).write_bytes(frame.read_bytes())
        label_dir = root / "Emotion" / subject / sequence
        label_dir.mkdir(parents=True)
        (label_dir / f"{frames[-1].stem}_emotion.txt").write_text(f"   {code:.7e}\n")
    (root / "Emotion" / "S999" / "001").mkdir(parents=True)
    (root / "Emotion" / "S999" / "001" / "S999_001_00000001_emotion.txt").write_text("3.0")  # no images
    source = open_source("ckplus", root, neutral_first_frames=2)
    items = list(source)
    labels = Counter(i.label for i in items if not i.problem)
    assert labels["happy"] == labels["surprise"] == 2 and labels["neutral"] == 2 + 2  # contempt + first frames
    assert [i.problem[0] for i in items if i.problem] == ["missing_image"]
    assert all(i.decode().shape == (48, 48) for i in items if not i.problem)
    with pytest.raises(SourceError, match="full\\s+CK\\+ sequences"):
        open_source("ckplus", CKPLUS48, neutral_first_frames=3)


def test_generic_folder_labels_errors_and_corrupt_files(tmp_path, shared_data):
    root = tmp_path / "photos"
    for folder, src in (("Happiness", "happy"), ("anger", "anger")):
        (root / folder).mkdir(parents=True)
        for frame in sorted((CKPLUS48 / src).glob("*.png"))[:3]:
            (root / folder / frame.name).write_bytes(frame.read_bytes())
    (root / "anger" / "broken.jpg").write_bytes(b"\xff\xd8 definitely not a jpeg")
    (root / "anger" / "notes.txt").write_text("skip me")
    source = open_source("folder", root)
    assert source.class_names == ("angry", "happy")
    assert source.describe()["skipped_non_images"] == {".txt": 1}
    items = list(source)
    assert len(items) == len(source) == 8  # the .txt is yielded too, as a counted rejection
    broken = next(i for i in items if i.source_id.endswith("broken.jpg"))
    with pytest.raises(ImageProblem, match="corrupt_image"):
        broken.decode()
    notes = next(i for i in items if i.source_id == "anger/notes.txt")
    assert notes.problem[0] == "unsupported_file" and notes.label == "angry"

    (root / "happpy").mkdir()
    with pytest.raises(SourceError, match=r"\['happpy'\] are not emotions"):
        open_source("folder", root)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="no label sub-folders"):
        open_source("folder", empty)
    (empty / "happy").mkdir()
    with pytest.raises(SourceError, match="hold no images"):
        open_source("folder", empty)
    with pytest.raises(SourceError, match="does not exist"):
        open_source("folder", tmp_path / "missing")


def _fer_gz_prefix(tmp_path, size: int):
    """The first `size` bytes of the real FER2013 .csv.gz, copied to a scratch file."""
    path = tmp_path / "fer2013.csv.gz"
    with open(FER_CSV, "rb") as handle:
        path.write_bytes(handle.read(size))
    return path


def test_truncated_and_corrupted_csv_gz_are_named_errors(tmp_path, shared_data):
    truncated = _fer_gz_prefix(tmp_path, 300_000)  # cut mid-stream, as an interrupted download leaves it
    with pytest.raises(SourceError, match=r"fer2013\.csv\.gz is truncated \(the compressed data ends early\)"):
        len(open_source("fer2013", truncated))
    data = bytearray(truncated.read_bytes())
    data[150_000:150_200] = bytes(200)  # a damaged block in the middle
    corrupted = tmp_path / "corrupted.csv.gz"
    corrupted.write_bytes(bytes(data))
    with pytest.raises(SourceError, match=r"corrupted\.csv\.gz is (corrupted|truncated)"):
        list(open_source("fer2013", corrupted))
    not_gzip = tmp_path / "text.csv.gz"
    not_gzip.write_text("emotion,pixels,Usage\n")
    with pytest.raises(SourceError, match=r"text\.csv\.gz is not gzip-compressed .*name it \.csv"):
        open_source("fer2013", not_gzip)


def test_folder_files_that_are_not_read_are_counted_and_huge_images_rejected_unread(tmp_path, shared_data):
    root = tmp_path / "photos"
    (root / "happy").mkdir(parents=True)
    frame = sorted((CKPLUS48 / "happy").glob("*.png"))[0]
    (root / "happy" / frame.name).write_bytes(frame.read_bytes())
    (root / "loose.png").write_bytes(frame.read_bytes())  # at the top level: no label
    gray = cv2.imread(str(frame), cv2.IMREAD_GRAYSCALE)
    cv2.imwrite(str(root / "happy" / "face.gif.png"), gray)
    (root / "happy" / "animated.gif").write_bytes(b"GIF89a" + bytes(32))
    huge = np.zeros((9000, 6000), np.uint8)  # 54 megapixels: its header is read, its pixels never decoded
    cv2.imwrite(str(root / "happy" / "huge.png"), huge)
    source = open_source("folder", root)
    items = {item.source_id: item for item in source}
    assert len(items) == len(source) == 5
    assert items["loose.png"].problem[0] == "outside_label_folder"
    assert items["happy/animated.gif"].problem[0] == "unsupported_file"
    with pytest.raises(ImageProblem, match="image_too_large: 54 megapixels"):
        items["happy/huge.png"].decode()
    assert items["happy/face.gif.png"].decode().shape == gray.shape

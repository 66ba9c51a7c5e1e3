"""TFRecord framing and tf.train.Example encoding, checked against TensorFlow's own reader and parser."""

from __future__ import annotations

import numpy as np
import pytest

from maskthefer.data.records import (
    CorruptRecordError,
    FaceRecord,
    RecordWriter,
    count_records,
    decode_example,
    encode_example,
    iter_records,
    parse_record,
    serialize_record,
)
from maskthefer.data.records.crc32c import crc32c, crc32c_python


def test_crc32c_known_vector():
    assert crc32c_python(b"123456789") == 0xE3069283
    assert crc32c(b"123456789") == 0xE3069283


def test_example_round_trip_and_tensorflow_agrees():
    tf = pytest.importorskip("tensorflow")
    features = {"b": b"\x00\xffbytes", "s": "text é", "i": [-5, 0, 2**40], "f": [1.5, -0.25]}
    payload = encode_example(features)
    assert decode_example(payload) == {
        "b": [b"\x00\xffbytes"],
        "s": ["text é".encode()],
        "i": [-5, 0, 2**40],
        "f": [1.5, -0.25],
    }
    parsed = tf.train.Example.FromString(payload).features.feature
    assert list(parsed["i"].int64_list.value) == [-5, 0, 2**40]
    assert list(parsed["f"].float_list.value) == [1.5, -0.25]
    assert parsed["b"].bytes_list.value[0] == b"\x00\xffbytes"
    # And our decoder reads what TensorFlow serialises.
    assert decode_example(tf.train.Example.FromString(payload).SerializeToString()) == decode_example(payload)


def _face_record(i: int) -> FaceRecord:
    rng = np.random.default_rng(i)
    return FaceRecord(
        image=rng.integers(0, 256, (48, 96), dtype=np.uint8),
        image_unmasked=rng.integers(0, 256, (48, 96), dtype=np.uint8),
        label=i % 7,
        label_name="happy",
        source_id=f"row-{i:05d}",
        subject="S001",
        mask_type="surgical",
        mask_style="surgical/white/plain",
    )


def test_records_read_back_by_tf_data_equal_what_was_written(tmp_path):
    tf = pytest.importorskip("tensorflow")
    path = tmp_path / "x.tfrecord"
    records = [_face_record(i) for i in range(5)]
    with RecordWriter(path) as writer:
        for record in records:
            writer.write(serialize_record(record))
    assert count_records(path) == 5
    ours = [parse_record(p) for p in iter_records(path)]
    theirs = []
    for raw in tf.data.TFRecordDataset(str(path)):
        parsed = tf.io.parse_single_example(
            raw, {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}
        )
        theirs.append((tf.io.decode_png(parsed["image"]).numpy()[:, :, 0], int(parsed["label"])))
    for record, mine, (image, label) in zip(records, ours, theirs):
        assert np.array_equal(mine["image"], record.image)
        assert np.array_equal(mine["image_unmasked"], record.image_unmasked)
        assert np.array_equal(image, record.image)
        assert label == mine["label"] == record.label
        assert mine["source_id"] == record.source_id and mine["mask_style"] == record.mask_style


def test_interrupted_writer_leaves_no_file(tmp_path):
    path = tmp_path / "shard.tfrecord"
    with pytest.raises(RuntimeError), RecordWriter(path) as writer:
        writer.write(b"payload")
        raise RuntimeError("killed")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_corruption_is_reported_with_file_and_offset(tmp_path):
    path = tmp_path / "x.tfrecord"
    with RecordWriter(path) as writer:
        writer.write(b"first record")
        writer.write(b"second record")
    data = bytearray(path.read_bytes())
    flipped = tmp_path / "flipped.tfrecord"
    data[16 + 12 + 14] ^= 0xFF  # inside the second payload
    flipped.write_bytes(bytes(data))
    with pytest.raises(CorruptRecordError, match="flipped.tfrecord.*byte 28.*payload checksum"):
        list(iter_records(flipped))
    truncated = tmp_path / "truncated.tfrecord"
    truncated.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(CorruptRecordError, match="ends inside a record"):
        list(iter_records(truncated))
    with pytest.raises(CorruptRecordError, match="truncated"):
        count_records(truncated)

"""Reading and writing maskthefer's TFRecord datasets (no TensorFlow needed)."""

from .dataset import (
    DatasetError,
    SplitData,
    class_names,
    crop_shape,
    iter_split,
    load_split,
    read_manifest,
    shard_paths,
    split_names,
    tf_dataset,
)
from .example import ExampleDecodeError, decode_example, encode_example
from .schema import FaceRecord, parse_record, serialize_record
from .tfrecord import CorruptRecordError, RecordWriter, count_records, iter_records

__all__ = [
    "CorruptRecordError",
    "DatasetError",
    "ExampleDecodeError",
    "FaceRecord",
    "RecordWriter",
    "SplitData",
    "class_names",
    "count_records",
    "crop_shape",
    "decode_example",
    "encode_example",
    "iter_records",
    "iter_split",
    "load_split",
    "parse_record",
    "read_manifest",
    "serialize_record",
    "shard_paths",
    "split_names",
    "tf_dataset",
]

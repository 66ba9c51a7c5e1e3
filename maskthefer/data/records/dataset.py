"""Load a built dataset (manifest + TFRecord shards) into numpy arrays, without TensorFlow.

This is what training and evaluation use on every Keras backend; `tf_dataset` offers the same records as a
`tf.data.Dataset` where TensorFlow is installed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import MaskTheFERError
from . import schema
from .tfrecord import iter_records


class DatasetError(MaskTheFERError):
    """A data directory that is missing, incomplete or inconsistent with its manifest."""


@dataclass
class SplitData:
    """One split of a built dataset held in memory."""

    images: np.ndarray  # (N, H, W) uint8 masked crops
    labels: np.ndarray  # (N,) int64
    class_names: tuple[str, ...]
    source_ids: list[str] = field(default_factory=list)
    mask_types: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    unmasked: np.ndarray | None = None  # (N, H, W) uint8 when requested

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def image_shape(self) -> tuple[int, int]:
        return tuple(self.images.shape[1:3])  # type: ignore[return-value]

    def subset(self, index: np.ndarray) -> SplitData:
        """A new SplitData holding the rows in `index` (used for validation hold-outs)."""
        index = np.asarray(index)
        return SplitData(
            images=self.images[index],
            labels=self.labels[index],
            class_names=self.class_names,
            source_ids=[self.source_ids[i] for i in index] if self.source_ids else [],
            mask_types=[self.mask_types[i] for i in index] if self.mask_types else [],
            subjects=[self.subjects[i] for i in index] if self.subjects else [],
            unmasked=None if self.unmasked is None else self.unmasked[index],
        )


def read_manifest(data_dir: os.PathLike | str) -> dict:
    """Read `manifest.json`, explaining what to do when the directory is not a finished dataset."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DatasetError(f"data directory {data_dir} does not exist; build one with `maskthefer build-dataset`")
    path = data_dir / schema.MANIFEST_NAME
    if not path.is_file():
        raise DatasetError(
            f"{data_dir} has no {schema.MANIFEST_NAME}: it is not a finished maskthefer dataset "
            "(an interrupted build is finished by running the same build-dataset command again)"
        )
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != schema.FORMAT_NAME:
        raise DatasetError(f"{path} is not a maskthefer manifest (format={manifest.get('format')!r})")
    return manifest


def class_names(manifest: dict) -> tuple[str, ...]:
    return tuple(manifest["class_names"])


def crop_shape(manifest: dict) -> tuple[int, int]:
    """(height, width) of the crops stored in the dataset."""
    return int(manifest["crop"]["height"]), int(manifest["crop"]["width"])


def split_names(manifest: dict) -> list[str]:
    return list(manifest["splits"])


def shard_paths(data_dir: os.PathLike | str, split: str, manifest: dict | None = None) -> list[Path]:
    data_dir = Path(data_dir)
    manifest = manifest or read_manifest(data_dir)
    if split not in manifest["splits"]:
        raise DatasetError(f"{data_dir} has no split {split!r}; it has {split_names(manifest)}")
    paths = [data_dir / shard["file"] for shard in manifest["splits"][split]["shards"]]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise DatasetError(f"shards listed in the manifest are missing: {missing}")
    return paths


def iter_split(data_dir: os.PathLike | str, split: str, decode_images: bool = True) -> Iterator[dict]:
    """Yield every record of a split as a dict of decoded fields (see `schema.parse_record`)."""
    for path in shard_paths(data_dir, split):
        for payload in iter_records(path):
            yield schema.parse_record(payload, decode_images=decode_images)


def load_split(data_dir: os.PathLike | str, split: str = "train", *, unmasked: bool = False) -> SplitData:
    """Load a split into memory as uint8 arrays; checks the count against the manifest."""
    manifest = read_manifest(data_dir)
    names = class_names(manifest)
    height, width = crop_shape(manifest)
    records = list(iter_split(data_dir, split))
    expected = manifest["splits"][split]["records"]
    if len(records) != expected:
        raise DatasetError(f"{data_dir}/{split}: manifest promises {expected} records, shards hold {len(records)}")
    images = np.zeros((len(records), height, width), np.uint8)
    masks = np.zeros_like(images) if unmasked else None
    labels = np.zeros(len(records), np.int64)
    for i, rec in enumerate(records):
        if rec[schema.IMAGE].shape != (height, width):
            raise DatasetError(
                f"{data_dir}/{split}: record {rec[schema.SOURCE_ID]} has shape {rec[schema.IMAGE].shape}, "
                f"manifest says {(height, width)}"
            )
        images[i] = rec[schema.IMAGE]
        labels[i] = rec[schema.LABEL]
        if masks is not None:
            if schema.IMAGE_UNMASKED not in rec:
                raise DatasetError(f"{data_dir}/{split}: record {rec[schema.SOURCE_ID]} has no unmasked crop")
            masks[i] = rec[schema.IMAGE_UNMASKED]
    if labels.size and (labels.min() < 0 or labels.max() >= len(names)):
        raise DatasetError(f"{data_dir}/{split}: labels outside 0..{len(names) - 1}")
    return SplitData(
        images=images,
        labels=labels,
        class_names=names,
        source_ids=[r[schema.SOURCE_ID] for r in records],
        mask_types=[r[schema.MASK_TYPE] for r in records],
        subjects=[r[schema.SUBJECT] for r in records],
        unmasked=masks,
    )


def tf_dataset(data_dir: os.PathLike | str, split: str, unmasked: bool = False):
    """The split as a `tf.data.Dataset` of (image float32 [0,1] HxWx1, label) pairs (needs TensorFlow)."""
    try:
        import tensorflow as tf
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DatasetError("tf_dataset needs TensorFlow; use load_split on other backends") from exc
    key = schema.IMAGE_UNMASKED if unmasked else schema.IMAGE
    spec = {key: tf.io.FixedLenFeature([], tf.string), schema.LABEL: tf.io.FixedLenFeature([], tf.int64)}

    def parse(payload):
        parsed = tf.io.parse_single_example(payload, spec)
        image = tf.io.decode_png(parsed[key], channels=1)
        return tf.cast(image, tf.float32) / 255.0, parsed[schema.LABEL]

    files = [str(p) for p in shard_paths(data_dir, split)]
    return tf.data.TFRecordDataset(files).map(parse)

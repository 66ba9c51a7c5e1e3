"""Fixtures for the evaluation tests: the project's small real dataset and a tiny VGG-lite trained on it.

`tiny_run` is trained for real with `maskthefer.training.train` (two epochs of the registry's tiny VGG-lite
configuration) on `fer_dataset`, the session dataset built by the real masking pipeline from FER2013 rows.
`write_dataset` / `read_records` derive small datasets from it (a class removed, another label set, another
crop size) for the error-path tests.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from maskthefer.data.records import (
    FaceRecord,
    RecordWriter,
    iter_split,
    read_manifest,
    serialize_record,
)

TINY_EPOCHS = 2


def write_dataset(
    out: Path,
    splits: dict[str, Sequence[FaceRecord]],
    class_names: Sequence[str],
    *,
    like: Path | None = None,
    crop: tuple[int, int] = (48, 96),
) -> Path:
    """Write records and a manifest.json in the maskthefer-records layout (one shard per split).

    With `like`, the dataset kind and build parameters are copied from that dataset's manifest.
    """
    out.mkdir(parents=True, exist_ok=True)
    manifest_splits = {}
    for split, records in splits.items():
        shard = f"{split}-00000-of-00001.tfrecord"
        with RecordWriter(out / shard) as writer:
            for record in records:
                writer.write(serialize_record(record))
        counts = {name: 0 for name in class_names}
        for record in records:
            counts[class_names[record.label]] += 1
        manifest_splits[split] = {
            "records": len(records),
            "class_counts": counts,
            "shards": [{"file": shard, "records": len(records)}],
        }
    source = read_manifest(like) if like is not None else {}
    manifest = {
        "format": "maskthefer-records",
        "format_version": 1,
        "dataset_kind": source.get("dataset_kind", "fer2013"),
        "class_names": list(class_names),
        "crop": {"height": crop[0], "width": crop[1]},
        "splits": manifest_splits,
    }
    if "parameters" in source:
        manifest["parameters"] = source["parameters"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return out


def read_records(data_dir: Path, split: str) -> list[FaceRecord]:
    """The records of a split as FaceRecords (to derive datasets from a built one)."""
    return [
        FaceRecord(
            image=r["image"],
            image_unmasked=r["image_unmasked"],
            label=r["label"],
            label_name=r["label_name"],
            source_id=r["source_id"],
            subject=r["subject"],
            mask_type=r["mask_type"],
            mask_style=r["mask_style"],
        )
        for r in iter_split(data_dir, split)
    ]


@pytest.fixture(scope="session")
def eval_dataset(fer_dataset) -> Path:
    """The project's session dataset (real FER2013 faces, masked and cropped by the real pipeline)."""
    return fer_dataset


@pytest.fixture(scope="session")
def tiny_run(eval_dataset, tmp_path_factory) -> Path:
    """A run directory of the tiny VGG-lite trained with `train()` on `eval_dataset`. Tests must not modify it."""
    from maskthefer.models import model_spec
    from maskthefer.training import TrainConfig, train

    run = train(
        TrainConfig(
            data=eval_dataset,
            model="vgg-lite",
            model_args=dict(model_spec("vgg-lite").tiny_config),
            epochs=TINY_EPOCHS,
            batch_size=32,
            run_dir=tmp_path_factory.mktemp("runs") / "tiny",
            verbose=0,
        )
    )
    return run.path


@pytest.fixture
def run_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the tiny run, for tests that write evaluation/ or explain/ into it."""
    return Path(shutil.copytree(tiny_run, tmp_path / "run"))

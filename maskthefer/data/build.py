"""`build_dataset`: a source of labelled faces -> masked, aligned eye-region crops in TFRecord shards.

The build runs in two phases so that it can be interrupted at any moment and resumed with the same result:

1. *Chunks.* Source items are taken in their fixed order in chunks of `chunk_size`. Worker processes run
   the face pipeline on a chunk and write `OUT/.build/chunk-NNNNN.tfrecord` plus a `.json` listing every
   item's outcome; the `.json` is written last and marks the chunk done. A resumed build skips done chunks.
   Every item's randomness (mask style) comes from `seed` and the item's own id, so neither the chunking
   nor the number of workers changes the output.
2. *Assembly.* Accepted faces are split (stratified; by subject for CK+), copied into
   `OUT/<split>-NNNNN-of-NNNNN.tfrecord` shards in source order, and `rejected.csv`, `preview.png` and finally
   `manifest.json` are written. The manifest exists only once everything else is complete.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import math
import multiprocessing
import os
import platform
import shutil
import signal
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import MaskTheFERError
from ..runs import write_json
from .pipeline import FacePipeline, FaceRejected, PipelineSettings
from .records import schema
from .records.tfrecord import RecordWriter, iter_records
from .sources import ImageProblem, SourceImage, open_source
from .splits import assign_splits

log = logging.getLogger(__name__)

SCRATCH_DIR = ".build"
PARAMS_FILE = "params.json"
LOCK_FILE = "lock"
SPLIT_ORDER = ("train", "test", "private_test")


class BuildError(MaskTheFERError):
    pass


@dataclass
class BuildOptions:
    """Everything `build_dataset` needs; only the fields in `output_parameters()` change the output."""

    source: str
    input_path: Path
    out_dir: Path
    seed: int = 0
    split: str = "paper"
    test_fraction: float | None = None
    mix_subjects: bool = False  # allow a person on both sides of the split (the paper's CK+ split did)
    limit: int | None = None
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    contempt: str = "neutral"
    frames: str = "peak"
    neutral_first_frames: int = 0
    classes: tuple[str, ...] | None = None  # keep only these labels (e.g. a 4-class setting); others are rejected
    workers: int | None = None
    chunk_size: int = 256
    shard_size: int = 4096
    preview_count: int = 24
    overwrite: bool = False
    progress: bool = True

    def source_options(self) -> dict:
        if self.source != "ckplus":
            return {}
        return {"contempt": self.contempt, "frames": self.frames, "neutral_first_frames": self.neutral_first_frames}

    def output_parameters(self) -> dict:
        """The parameters that determine the built records (compared when resuming)."""
        return {
            "source": self.source,
            "input": str(Path(self.input_path).resolve()),
            "source_options": self.source_options(),
            "limit": self.limit,
            "seed": self.seed,
            "split": self.split,
            "test_fraction": self.test_fraction,
            "mix_subjects": self.mix_subjects,
            "shard_size": self.shard_size,
            "pipeline": self.pipeline.to_dict(),
            "maskthefer_version": __version__,
            # only when given, so that datasets built before the option existed keep their parameters
            **({"classes": list(self.classes)} if self.classes else {}),
        }


# ----------------------------------------------------------------------------- phase 1: chunks (workers)

_worker_pipeline: FacePipeline | None = None


def _die_with_parent(parent_pid: int) -> None:
    """End this worker as soon as the build process that started it is gone (even killed with SIGKILL).

    Otherwise a killed build leaves its workers running for ever, and a re-run finds them still writing.
    Linux delivers SIGKILL to the worker at once (prctl PR_SET_PDEATHSIG); elsewhere, and in case the
    parent died before the call, a watchdog thread notices the parent change within half a second.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # no usable libc: the watchdog below still ends the worker

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _init_worker(settings: dict, parent_pid: int | None = None) -> None:
    global _worker_pipeline
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    # Workers share the cores already; stop OpenCV from starting a thread pool of its own in each one.
    import cv2

    cv2.setNumThreads(1)
    _worker_pipeline = FacePipeline(PipelineSettings.from_dict(settings))


def item_rng(seed: int, source_id: str) -> np.random.Generator:
    """The random stream of one item: depends only on the build seed and the item's id."""
    return np.random.default_rng([seed, zlib.crc32(source_id.encode("utf-8"))])


def process_item(pipeline: FacePipeline, item: SourceImage, seed: int, class_index: dict[str, int]):
    """(FaceRecord, None) for an accepted face, (None, (reason, detail)) for a rejection."""
    (outcome,) = process_items(pipeline, [item], seed, class_index)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def process_items(pipeline: FacePipeline, items: list[SourceImage], seed: int, class_index: dict[str, int]):
    """`process_item` for each of `items`, run through the pipeline together (`FacePipeline.process_batch`:
    the same records, less CPU). An exception that is not a rejection (a bug) is handed back in place of
    that item's pair, for the caller to count; it does not stop the others."""
    outcomes: list = [None] * len(items)
    images, placed = [], []
    for i, item in enumerate(items):
        # A label left out with `classes` is counted, never decoded; an item that already carries its own
        # problem (an unreadable file, one outside every label folder) keeps that reason.
        if item.problem is None and item.label not in class_index:
            kept = ", ".join(class_index)
            outcomes[i] = (None, ("excluded_label", f"{item.label!r} is not among the classes kept ({kept})"))
            continue
        try:
            images.append(item.decode())
            placed.append(i)
        except ImageProblem as exc:
            outcomes[i] = (None, (exc.reason, exc.detail))
        except Exception as exc:  # noqa: BLE001 - a bug: counted by the caller for this item alone
            outcomes[i] = exc
    rngs = [item_rng(seed, items[i].source_id) for i in placed]
    faces = pipeline.process_batch(images, add_mask=pipeline.settings.masks, rngs=rngs)
    for i, face in zip(placed, faces):
        item = items[i]
        if isinstance(face, FaceRejected):
            outcomes[i] = (None, (face.reason, face.detail))
        elif isinstance(face, Exception):
            outcomes[i] = face
        else:
            record = schema.FaceRecord(
                image=face.crop,
                image_unmasked=face.unmasked_crop,
                label=class_index[item.label],
                label_name=item.label,
                source_id=item.source_id,
                subject=item.subject,
                mask_type=face.mask_type,
                mask_style=face.mask_style,
            )
            outcomes[i] = (record, None)
    return outcomes


def _chunk_paths(scratch: Path, index: int) -> tuple[Path, Path]:
    return scratch / f"chunk-{index:05d}.tfrecord", scratch / f"chunk-{index:05d}.json"


PIPELINE_GROUP = 32  # images a worker runs through the pipeline together (see FacePipeline.process_batch)


def _grouped_outcomes(items: list[SourceImage], seed: int, class_index: dict[str, int]):
    """`process_items` over a chunk, PIPELINE_GROUP items at a time, one outcome per item in order."""
    for start in range(0, len(items), PIPELINE_GROUP):
        yield from process_items(_worker_pipeline, items[start : start + PIPELINE_GROUP], seed, class_index)


def _process_chunk(index: int, items: list[SourceImage], scratch: str, seed: int, class_names: list[str]) -> dict:
    """Run the pipeline over one chunk and write its records and outcome list; returns outcome counts."""
    assert _worker_pipeline is not None, "worker not initialised"
    class_index = {name: i for i, name in enumerate(class_names)}
    records_path, outcome_path = _chunk_paths(Path(scratch), index)
    outcomes = []
    with RecordWriter(records_path) as writer:
        for item, outcome in zip(items, _grouped_outcomes(items, seed, class_index)):
            entry = {"source_id": item.source_id, "label": item.label, "usage": item.usage, "subject": item.subject}
            if isinstance(outcome, Exception):  # a bug, not bad data: keep going but count and log it loudly
                log.error("internal error on %s", item.source_id, exc_info=outcome)
                record, rejection = None, ("internal_error", f"{type(outcome).__name__}: {outcome}")
            else:
                record, rejection = outcome
            if record is not None:
                writer.write(schema.serialize_record(record))
                entry["accepted"] = True
                entry["mask_type"] = record.mask_type
            else:
                entry["accepted"] = False
                entry["reason"], entry["detail"] = rejection
            outcomes.append(entry)
    write_json(outcome_path, {"chunk": index, "items": outcomes})
    accepted = sum(e["accepted"] for e in outcomes)
    return {"chunk": index, "items": len(outcomes), "accepted": accepted}


def _chunks(items: Iterable[SourceImage], size: int) -> Iterator[list[SourceImage]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _run_chunks(source, options: BuildOptions, scratch: Path, class_names: list[str], total: int | None) -> int:
    """Process every chunk not yet done; returns how many items were processed in this invocation."""
    from tqdm import tqdm

    items = islice(iter(source), options.limit) if options.limit else iter(source)
    workers = max(1, options.workers or os.cpu_count() or 1)
    bar = tqdm(total=total, unit="img", desc="masking", disable=not options.progress, smoothing=0.05)
    processed = 0

    def pending() -> Iterator[tuple[int, list[SourceImage]]]:
        for index, chunk in enumerate(_chunks(items, options.chunk_size)):
            if _chunk_paths(scratch, index)[1].is_file():
                bar.update(len(chunk))  # done by an earlier, interrupted run
                continue
            yield index, chunk

    def finished(summary: dict) -> None:
        nonlocal processed
        processed += summary["items"]
        bar.update(summary["items"])

    args = (str(scratch), options.seed, class_names)
    try:
        if workers == 1:
            _init_worker(options.pipeline.to_dict())
            for index, chunk in pending():
                finished(_process_chunk(index, chunk, *args))
        else:
            # Workers are spawned, not forked: a fork of a process that already runs TensorFlow's (or any
            # other library's) threads can deadlock in the child. A bounded window of chunks in flight keeps
            # memory flat on sources larger than RAM.
            context = multiprocessing.get_context("spawn")
            init = (options.pipeline.to_dict(), os.getpid())
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=init) as pool:
                in_flight: set[Future] = set()
                for index, chunk in pending():
                    in_flight.add(pool.submit(_process_chunk, index, chunk, *args))
                    if len(in_flight) >= 2 * workers:
                        done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                        for future in done:
                            finished(future.result())
                for future in in_flight:
                    finished(future.result())
    finally:
        bar.close()
    return processed


# ----------------------------------------------------------------------------- phase 2: assembly


def _read_outcomes(scratch: Path) -> list[tuple[int, list[dict]]]:
    import json

    chunks = []
    for path in sorted(scratch.glob("chunk-*.json")):
        data = json.loads(path.read_text())
        chunks.append((data["chunk"], data["items"]))
    chunks.sort()
    indices = [c for c, _ in chunks]
    if indices != list(range(len(indices))):
        raise BuildError(f"{scratch}: chunk outcomes are not contiguous ({indices[:5]}...); rerun the build")
    return chunks


def _shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.tfrecord"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_shards(
    out_dir: Path, scratch: Path, chunks: list[tuple[int, list[dict]]], split_of: dict[str, str], shard_size: int
) -> dict[str, list[dict]]:
    """Copy every accepted record, in source order, into the shards of its split."""
    totals = Counter(split_of.values())
    shard_counts = {split: max(1, math.ceil(n / shard_size)) for split, n in totals.items()}
    written: dict[str, list[dict]] = {split: [] for split in totals}
    writers: dict[str, RecordWriter] = {}

    def close(split: str) -> None:
        writer = writers.pop(split)
        writer.close()
        written[split].append({"file": writer.path.name, "records": writer.count, "sha256": _sha256(writer.path)})

    try:
        for index, items in chunks:
            accepted = [item for item in items if item["accepted"]]
            payloads = list(iter_records(_chunk_paths(scratch, index)[0]))
            if len(payloads) != len(accepted):
                raise BuildError(f"chunk {index}: {len(payloads)} records for {len(accepted)} accepted faces")
            for item, payload in zip(accepted, payloads):
                split = split_of[item["source_id"]]
                if split in writers and writers[split].count >= shard_size:
                    close(split)
                if split not in writers:
                    name = _shard_name(split, len(written[split]), shard_counts[split])
                    writers[split] = RecordWriter(out_dir / name)
                writers[split].write(payload)
        for split in list(writers):
            close(split)
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    return written


def _write_rejected(path: Path, chunks: list[tuple[int, list[dict]]]) -> Counter:
    reasons: Counter = Counter()
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_id", "label", "reason", "detail"])
        for _, items in chunks:
            for item in items:
                if not item["accepted"]:
                    writer.writerow([item["source_id"], item["label"], item["reason"], item["detail"]])
                    reasons[item["reason"]] += 1
    os.replace(tmp, path)
    return reasons


def _versions() -> dict:
    import cv2
    import dlib

    from ..provenance import code_version

    return {
        "maskthefer": __version__,
        "code": code_version(),  # the commit that built the dataset
        "python": platform.python_version(),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "dlib": dlib.__version__,
    }


# ----------------------------------------------------------------------------- the whole build


def _prepare_out_dir(options: BuildOptions, params: dict) -> tuple[Path, dict | None]:
    """Create the output folder, or find it already built; refuse to mix two different builds."""
    import json

    out_dir, scratch = Path(options.out_dir), Path(options.out_dir) / SCRATCH_DIR
    manifest_path = out_dir / schema.MANIFEST_NAME
    if options.overwrite:
        _remove_build_outputs(out_dir)
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("parameters", {}).get("build") == params:
            return scratch, manifest
        raise BuildError(
            f"{out_dir} already holds a dataset built with other parameters; choose another --out or pass --overwrite"
        )
    params_path = scratch / PARAMS_FILE
    if params_path.is_file() and json.loads(params_path.read_text()) != params:
        raise BuildError(
            f"{out_dir} holds an interrupted build with other parameters; rerun it with the same options to "
            "resume, or pass --overwrite to start again"
        )
    scratch.mkdir(parents=True, exist_ok=True)
    write_json(params_path, params)
    return scratch, None


@contextmanager
def _exclusive(scratch: Path):
    """Hold the build's lock: a second build writing into the same folder at once is refused, not mixed in.

    The lock is the kernel's (flock), so it is released however the holder ends, SIGKILL included.
    """
    handle = open(scratch / LOCK_FILE, "a+")
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass  # no flock on this platform: builds are trusted not to overlap
        except OSError:
            raise BuildError(f"another build is writing into {scratch.parent} right now; wait for it to finish") from None
        _discard_unfinished_chunks(scratch)
        yield
    finally:
        handle.close()


def _discard_unfinished_chunks(scratch: Path) -> None:
    """Remove what an interrupted run left half-done: temporary files, and records of chunks without outcomes
    (a chunk counts as done only once its .json exists), so every unfinished chunk is simply done again."""
    for path in [*scratch.glob("*.partial"), *scratch.parent.glob("*.tfrecord*.partial")]:
        path.unlink(missing_ok=True)
    for path in scratch.glob("*.tmp"):
        path.unlink(missing_ok=True)
    for path in scratch.glob("chunk-*.tfrecord"):
        if not path.with_suffix(".json").is_file():
            path.unlink(missing_ok=True)


def _remove_build_outputs(out_dir: Path) -> None:
    """Delete what a build writes (never anything else that may live in the folder)."""
    if not out_dir.is_dir():
        return
    shutil.rmtree(out_dir / SCRATCH_DIR, ignore_errors=True)
    for pattern in ("*.tfrecord", "*.tfrecord*.partial", schema.MANIFEST_NAME, schema.REJECTED_NAME, schema.PREVIEW_NAME):
        for path in out_dir.glob(pattern):
            path.unlink()


def kept_classes(source_classes, wanted: tuple[str, ...] | None) -> list[str]:
    """The dataset's label set: the source's, or the `wanted` subset of it in the source's order."""
    names = list(source_classes)
    if not wanted:
        return names
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise BuildError(f"classes {', '.join(unknown)} are not labels of this source; it has {', '.join(names)}")
    if len(set(wanted)) < 2:
        raise BuildError(f"classes: keep at least two different labels, not {', '.join(wanted)}")
    return [name for name in names if name in wanted]


def build_dataset(options: BuildOptions) -> dict:
    """Run (or resume) a build and return its manifest."""
    started = time.perf_counter()
    source = open_source(options.source, options.input_path, **options.source_options())
    class_names = kept_classes(source.class_names, options.classes)
    params = options.output_parameters()
    scratch, existing = _prepare_out_dir(options, params)
    if existing is not None:
        log.info("%s is already built with these parameters", options.out_dir)
        return existing

    total = len(source) if hasattr(source, "__len__") else None
    if total is not None and options.limit:
        total = min(total, options.limit)
    with _exclusive(scratch):
        processed = _run_chunks(source, options, scratch, class_names, total)

        chunks = _read_outcomes(scratch)
        all_items = [item for _, items in chunks for item in items]
        if not all_items:
            raise BuildError(f"{options.input_path}: the source yielded no images")
        accepted = [item for item in all_items if item["accepted"]]
        if not accepted:
            raise BuildError(
                f"no face survived the pipeline out of {len(all_items)} images; see {options.out_dir}/.build for reasons"
            )
        splits = assign_splits(
            [item["label"] for item in accepted],
            method=options.split,
            dataset_kind=source.kind,
            seed=options.seed,
            usages=[item["usage"] for item in accepted],
            subjects=[] if options.mix_subjects else [item["subject"] for item in accepted],
            test_fraction=options.test_fraction,
        )
        split_of = {item["source_id"]: split for item, split in zip(accepted, splits)}
        out_dir = Path(options.out_dir)
        shards = _write_shards(out_dir, scratch, chunks, split_of, options.shard_size)
        reasons = _write_rejected(out_dir / schema.REJECTED_NAME, chunks)

        from .preview import write_preview

        preview = write_preview(
            out_dir / schema.PREVIEW_NAME, source, accepted, options, class_names, limit_items=len(all_items)
        )
        manifest = _manifest(options, source, class_names, params, all_items, accepted, split_of, shards, reasons)
        manifest["preview"] = preview
        elapsed = time.perf_counter() - started
        manifest["timing"] = {  # this invocation only; the one part of the manifest that differs on a resume
            "seconds": round(elapsed, 2),
            "images_processed": processed,
            "images_per_second": round(processed / elapsed, 2) if elapsed > 0 else None,
            "workers": max(1, options.workers or os.cpu_count() or 1),
        }
        write_json(out_dir / schema.MANIFEST_NAME, manifest)
        shutil.rmtree(scratch, ignore_errors=True)
        return manifest


def _crop_summary(pipeline: PipelineSettings) -> dict:
    """What a reader needs to know about the crops: size, which crop, whether masked, any resampling."""
    crop = pipeline.crop
    return {
        "height": crop.height,
        "width": crop.width,
        "mode": crop.mode,
        "masked": pipeline.masks,
        "resample": list(crop.resample) if crop.resample else None,
    }


def _manifest(options, source, class_names, params, all_items, accepted, split_of, shards, reasons) -> dict:
    source_counts = Counter(item["label"] for item in all_items if item["label"])
    accepted_counts = Counter(item["label"] for item in accepted)
    splits = {}
    for split in [s for s in SPLIT_ORDER if s in shards] + sorted(set(shards) - set(SPLIT_ORDER)):
        counts = Counter(item["label"] for item in accepted if split_of[item["source_id"]] == split)
        splits[split] = {
            "records": sum(s["records"] for s in shards[split]),
            "class_counts": {name: counts.get(name, 0) for name in class_names},
            "shards": shards[split],
        }
    return {
        "format": schema.FORMAT_NAME,
        "format_version": schema.FORMAT_VERSION,
        "dataset_kind": source.kind,
        "source": source.describe(),
        "class_names": class_names,
        "crop": _crop_summary(options.pipeline),
        "splits": splits,
        "totals": {
            "source_images": len(all_items),
            "accepted": len(accepted),
            "rejected": len(all_items) - len(accepted),
            "yield": round(len(accepted) / len(all_items), 4),
        },
        "class_counts": {
            name: {
                "source": source_counts.get(name, 0),
                "accepted": accepted_counts.get(name, 0),
                "yield": round(accepted_counts.get(name, 0) / source_counts[name], 4) if source_counts.get(name) else None,
            }
            for name in class_names
        },
        "rejections": dict(sorted(reasons.items())),
        "mask_types": dict(sorted(Counter(item["mask_type"] for item in accepted).items())),
        "parameters": {"build": params, "pipeline": options.pipeline.to_dict(), "seed": options.seed},
        "versions": _versions(),
    }

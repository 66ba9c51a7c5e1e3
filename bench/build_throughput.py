"""Benchmark of the dataset builder on real FER2013 rows: CPU time per pipeline stage, images per CPU-second,
and the wall-clock speed-up of several worker processes.

    python bench/build_throughput.py [--rows 1000] [--build-rows 4000] [--workers N] [--csv PATH]

1. Stages, in this process, on the first `--rows` rows: every stage of `FacePipeline.process` (decode,
   detect, landmarks, mask, re-detect, both crops, the record's PNGs) is timed
   in CPU time of this thread, so other load on the machine does not inflate it. The per-stage table is over
   the same images (those that pass every stage); the totals count every row, rejected ones included.
2. Builds: `build_dataset` on `--build-rows` rows with 1 worker and with N, wall seconds and CPU seconds
   (this process and its workers), so the speed-up is measured on work long enough to dwarf start-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from itertools import islice
from pathlib import Path

import numpy as np

from maskthefer.data.build import BuildOptions, build_dataset, item_rng
from maskthefer.data.faces import FaceAnalyzer
from maskthefer.data.masks import apply_mask, sample_style
from maskthefer.data.pipeline import FacePipeline, FaceRejected, PipelineSettings
from maskthefer.data.records import schema
from maskthefer.data.sources import open_source
from maskthefer.paths import default_input

STAGES = ("decode", "detect", "landmarks", "mask", "redetect", "crop", "record")


def stage_times(csv: Path, rows: int) -> tuple[dict[str, float], dict[str, float]]:
    """(CPU ms per stage over the faces that pass every stage, totals over every row).

    The mask stage draws each mask type, head turn and texture layout once per process and reuses it, so
    its first pass over a few hundred faces pays for most of those drawings; `totals["mask_reused"]` is
    the mask stage again over the same faces, what a long build pays per face once they are drawn."""
    import cv2

    cv2.setNumThreads(1)  # as in the build's workers
    settings = PipelineSettings()
    pipeline = FacePipeline(settings, FaceAnalyzer())
    analyzer = pipeline.analyzer
    per_face: list[dict[str, float]] = []
    masked_again: list[tuple] = []
    started = time.thread_time()
    source_rows = 0
    for item in islice(open_source("fer2013", csv), rows):
        source_rows += 1
        spent: dict[str, float] = {}
        clock = time.thread_time()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.thread_time()
            spent[stage] = now - clock
            clock = now

        try:
            image = item.decode()
            lap("decode")
            box = pipeline._single_face(image, settings.detect, "no_face", None)
            lap("detect")
            points = analyzer.landmarks(image, box)
            lap("landmarks")
            style = sample_style(item_rng(0, item.source_id), settings.mask_types)
            masked = apply_mask(image, points, style)
            lap("mask")
            masked_again.append((image, points, style))
            pipeline._single_face(masked, settings.redetect, "no_face_after_mask", "multiple_faces_after_mask")
            lap("redetect")
            crop = pipeline._crop(masked, masked, points, box)  # planned on the first pass, as the pipeline does
            twin = pipeline._crop(image, masked, points, box)
            lap("crop")
            schema.encode_png(crop), schema.encode_png(twin)
            lap("record")
        except FaceRejected:
            continue
        per_face.append(spent)
    total = time.thread_time() - started
    again = time.thread_time()
    for image, points, style in masked_again:
        apply_mask(image, points, style)
    reused = 1000.0 * (time.thread_time() - again) / max(1, len(masked_again))
    mean = {stage: 1000.0 * float(np.mean([face[stage] for face in per_face])) for stage in STAGES}
    totals = {
        "rows": source_rows,
        "accepted": len(per_face),
        "cpu_s": total,
        "ms_per_row": 1000.0 * total / source_rows,
        "rows_per_cpu_s": source_rows / total,
        "accepted_per_cpu_s": len(per_face) / total,
        "mask_reused": reused,
    }
    return mean, totals


def landmark_agreement(csv: Path, rows: int) -> dict[str, float]:
    """How far the masked face's re-detected landmarks fall from the same face's unmasked ones (px, on the
    points the crop uses: outer eye corners 36/45 and the nose tip 30, which the mask hides)."""
    settings = PipelineSettings()
    pipeline = FacePipeline(settings, FaceAnalyzer())
    gaps = {36: [], 45: [], 30: []}
    for item in islice(open_source("fer2013", csv), rows):
        image = item.decode()
        boxes = pipeline.analyzer.detect(image, settings.detect)
        if not boxes:
            continue
        points = pipeline.analyzer.landmarks(image, boxes[0])
        masked = apply_mask(image, points, sample_style(item_rng(0, item.source_id)))
        again = pipeline.analyzer.detect(masked, settings.redetect)
        if len(again) != 1:
            continue
        masked_points = pipeline.analyzer.landmarks(masked, again[0])
        for index, values in gaps.items():
            values.append(float(np.hypot(*(masked_points[index] - points[index]))))
    return {f"landmark {i}": float(np.median(v)) for i, v in gaps.items()} | {"faces": len(gaps[30])}


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def end_to_end(csv: Path, rows: int, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        options = BuildOptions("fer2013", csv, Path(out), limit=rows, workers=workers, progress=False, preview_count=0)
        cpu, wall = _cpu_seconds(), time.perf_counter()
        manifest = build_dataset(options)
        wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    return {"wall_s": wall, "cpu_s": cpu, "rows_per_s": rows / wall, "yield": manifest["totals"]["yield"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000, help="rows timed stage by stage [1000]")
    parser.add_argument("--build-rows", type=int, default=4000, help="rows of each end-to-end build [4000]")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers of the second build")
    parser.add_argument("--csv", type=Path, default=None, help="FER2013 CSV [../shared/data]")
    parser.add_argument("--skip-builds", action="store_true", help="only the per-stage table")
    parser.add_argument("--landmarks", action="store_true", help="also compare re-detected and first landmarks")
    args = parser.parse_args()
    csv = args.csv or default_input("fer2013")
    print(f"FER2013 rows from {csv}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")

    mean, totals = stage_times(csv, args.rows)
    print(f"\nCPU ms per stage, mean over the {totals['accepted']} of {totals['rows']} rows that pass every stage:")
    for stage, ms in mean.items():
        print(f"  {stage:<11} {ms:6.2f}")
    print(f"  {'sum':<11} {sum(mean.values()):6.2f}")
    print(f"  mask again over the same faces, its drawings made: {totals['mask_reused']:.2f} ms")
    print(
        f"every row, rejected ones included: {totals['ms_per_row']:.2f} CPU ms per row, "
        f"{totals['rows_per_cpu_s']:.0f} rows and {totals['accepted_per_cpu_s']:.0f} accepted faces per CPU-second"
    )
    if args.landmarks:
        print("\nre-detected vs first-pass landmarks, median distance (px):", landmark_agreement(csv, args.rows))
    if args.skip_builds:
        return
    print(f"\nbuild_dataset on {args.build_rows} rows:")
    for workers in sorted({1, args.workers}):
        result = end_to_end(csv, args.build_rows, workers)
        print(
            f"  {workers:>2} worker(s): {result['wall_s']:7.1f} s wall, {result['cpu_s']:7.1f} CPU s, "
            f"{result['rows_per_s']:6.1f} rows/s, {args.build_rows / result['cpu_s']:6.1f} rows per CPU-second, "
            f"yield {result['yield']:.3f}"
        )


if __name__ == "__main__":
    main()

"""Benchmark of the dataset builder on real FER2013 rows: CPU time per pipeline stage, images per CPU-second,
and the wall-clock speed-up of several worker processes.

    python bench/build_throughput.py [--rows 2000] [--build-rows 4000] [--workers N] [--csv PATH]

1. Stages, in this process, on the first `--rows` rows, twice: every stage of the pipeline (decode,
   detect, landmarks, mask, re-detect, both crops, the record's PNGs), run as the build's workers run it
   (`--group` images at a time, stage by stage; `--group 1` for one image at a time), is timed per image
   in CPU time of this thread (the mask stage draws a group's masks in one call, as the pipeline does, and
   charges each image an equal share), so other load on the machine inflates it little (run it under
   `chrt -f 10` for figures to quote). The per-stage table is over the same images (those that pass every stage); the totals count
   every row, rejected ones included. The first pass pays for drawing every mask template and texture it
   meets, as a build's first rows do; the second pass finds them drawn, as the rest of a long build does.
   The three dlib calls (detect, landmarks, re-detect) are printed apart: they bound what the rest can save.
2. Builds: `build_dataset` on `--build-rows` rows with 1 worker and with N, wall seconds and CPU seconds
   (this process and its workers), so the speed-up is measured on work long enough to dwarf start-up; from
   the N-worker build, the time all of FER2013 would take on N equally free cores (an estimate).
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

from maskthefer.data.build import PIPELINE_GROUP, BuildOptions, build_dataset, item_rng
from maskthefer.data.faces import FaceAnalyzer
from maskthefer.data.masks import MaskFitError, apply_mask, apply_masks, sample_style
from maskthefer.data.pipeline import FacePipeline, FaceRejected, PipelineSettings
from maskthefer.data.records import schema
from maskthefer.data.sources import open_source
from maskthefer.paths import default_input

STAGES = ("decode", "detect", "landmarks", "mask", "redetect", "crop", "record")


FER2013_ROWS = 32_298  # rows of the CSV the builder reads (PrivateTest is withheld)
DLIB_STAGES = ("detect", "landmarks", "redetect")


def stage_times(
    csv: Path, rows: int, pipeline: FacePipeline, group: int = PIPELINE_GROUP
) -> tuple[dict[str, float], dict[str, float]]:
    """(CPU ms per stage over the faces that pass every stage, totals over every row) of one pass, run as
    the build's workers run it: `group` images at a time, stage by stage (group 1: one image at a time)."""
    settings = pipeline.settings
    analyzer = pipeline.analyzer
    per_face: list[dict[str, float]] = []
    started = time.thread_time()
    source_rows = 0
    items = islice(open_source("fer2013", csv), rows)
    while chunk := list(islice(items, group)):
        source_rows += len(chunk)
        spent = [{} for _ in chunk]
        state: list[dict] = [{"item": item} for item in chunk]

        def run(stage: str, work) -> None:
            """`work(state)` on every image still in play, each timed on its own; a rejection drops it."""
            for i, entry in enumerate(state):
                if entry is None:
                    continue
                clock = time.thread_time()
                try:
                    work(entry)
                except (FaceRejected, MaskFitError):
                    state[i] = None
                spent[i][stage] = time.thread_time() - clock

        def run_group(stage: str, work) -> None:
            """`work(entries)` once on every image still in play, as the pipeline draws a group's masks in one
            call: each image is charged an equal share of the call's CPU time; a rejection drops it."""
            alive = [i for i, entry in enumerate(state) if entry is not None]
            clock = time.thread_time()
            results = work([state[i] for i in alive])
            share = (time.thread_time() - clock) / max(len(alive), 1)
            for i, result in zip(alive, results):
                spent[i][stage] = share
                if isinstance(result, Exception):
                    state[i] = None

        def masks(entries: list[dict]) -> list:
            styles = [sample_style(item_rng(0, e["item"].source_id), settings.mask_types) for e in entries]
            drawn = apply_masks([e["image"] for e in entries], [e["points"] for e in entries], styles)
            for e, masked in zip(entries, drawn):
                e["masked"] = masked
            return drawn

        def redetect(e: dict) -> None:
            pipeline._masked_face_found(e["masked"], e["box"])

        def crop(e: dict) -> None:  # both crops planned on the first pass's landmarks, as the pipeline does
            masked, points, box = e["masked"], e["points"], e["box"]
            e["crops"] = (pipeline._crop(masked, masked, points, box), pipeline._crop(e["image"], masked, points, box))

        run("decode", lambda e: e.update(image=e["item"].decode()))
        run("detect", lambda e: e.update(box=pipeline._single_face(e["image"], settings.detect, "no_face", None)))
        run("landmarks", lambda e: e.update(points=analyzer.landmarks(e["image"], e["box"])))
        run_group("mask", masks)
        run("redetect", redetect)
        run("crop", crop)
        run("record", lambda e: [schema.encode_png(crop) for crop in e["crops"]])
        per_face.extend(times for times, entry in zip(spent, state) if entry is not None)
    total = time.thread_time() - started
    mean = {stage: 1000.0 * float(np.mean([face[stage] for face in per_face])) for stage in STAGES}
    totals = {
        "rows": source_rows,
        "accepted": len(per_face),
        "cpu_s": total,
        "ms_per_row": 1000.0 * total / source_rows,
        "rows_per_cpu_s": source_rows / total,
        "accepted_per_cpu_s": len(per_face) / total,
    }
    return mean, totals


def print_stages(title: str, mean: dict[str, float], totals: dict[str, float]) -> None:
    print(f"\n{title}: CPU ms per stage,")
    print(f"mean over the {totals['accepted']} of {totals['rows']} rows that pass every stage")
    for stage, ms in mean.items():
        print(f"  {stage:<11} {ms:6.2f}")
    dlib = sum(mean[stage] for stage in DLIB_STAGES)
    print(f"  {'sum':<11} {sum(mean.values()):6.2f}   (dlib's detect + landmarks + re-detect: {dlib:.2f}; the rest: "
          f"{sum(mean.values()) - dlib:.2f})")
    print(
        f"  every row, rejected ones included: {totals['ms_per_row']:.2f} CPU ms per row, "
        f"{totals['rows_per_cpu_s']:.0f} rows and {totals['accepted_per_cpu_s']:.0f} accepted faces per CPU-second"
    )


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
    parser.add_argument("--rows", type=int, default=2000, help="rows timed stage by stage [2000]")
    parser.add_argument("--build-rows", type=int, default=4000, help="rows of each end-to-end build [4000]")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers of the second build")
    parser.add_argument("--csv", type=Path, default=None, help="FER2013 CSV [../shared/data]")
    group_help = f"images run through the stages together, as the build does [{PIPELINE_GROUP}]; 1: one at a time"
    parser.add_argument("--group", type=int, default=PIPELINE_GROUP, help=group_help)
    parser.add_argument("--skip-builds", action="store_true", help="only the per-stage table")
    parser.add_argument("--landmarks", action="store_true", help="also compare re-detected and first landmarks")
    args = parser.parse_args()
    if args.rows < 1 or args.build_rows < 1 or args.workers < 1 or args.group < 1:
        parser.error("--rows, --build-rows, --workers and --group must be at least 1")
    csv = args.csv or default_input("fer2013")
    print(f"FER2013 rows from {csv}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")

    import cv2

    cv2.setNumThreads(1)  # as in the build's workers
    pipeline = FacePipeline(PipelineSettings(), FaceAnalyzer())
    how = f"groups of {args.group}, stage by stage" if args.group > 1 else "one image at a time"
    for title in ("first pass", "second pass over the same rows"):
        drawn = "templates and textures drawn as they are met" if title == "first pass" else "all drawn already"
        print_stages(f"{title}, {how} ({drawn})", *stage_times(csv, args.rows, pipeline, args.group))
    if args.landmarks:
        print("\nre-detected vs first-pass landmarks, median distance (px):", landmark_agreement(csv, args.rows))
    if args.skip_builds:
        return
    print(f"\nbuild_dataset on {args.build_rows} rows:")
    if args.build_rows < 2000:
        print("  (fewer than 2,000 rows: process start-up and model loading dominate these figures)")
    walls = {}
    for workers in sorted({1, args.workers}):
        result = end_to_end(csv, args.build_rows, workers)
        walls[workers] = result["wall_s"]
        print(
            f"  {workers:>2} worker(s): {result['wall_s']:7.1f} s wall, {result['cpu_s']:7.1f} CPU s, "
            f"{result['rows_per_s']:6.1f} rows/s, {args.build_rows / result['cpu_s']:6.1f} rows per CPU-second, "
            f"yield {result['yield']:.3f}"
        )
    workers = max(walls)
    if workers > 1:
        print(f"  speed-up of {workers} workers over 1: {walls[1] / walls[workers]:.2f}x")
    print(
        f"  all {FER2013_ROWS:,} FER2013 rows at this {workers}-worker rate: about "
        f"{FER2013_ROWS * walls[workers] / args.build_rows:.0f} s (an estimate: start-up counted once per "
        f"{args.build_rows} rows, and the load on the machine as it was)"
    )


if __name__ == "__main__":
    main()

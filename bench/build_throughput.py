"""Benchmark of the dataset builder on real FER2013 rows: time per pipeline stage and images/second.

    python bench/build_throughput.py [--rows 500] [--csv ../shared/data/fer2013/fer2013.csv.gz]

Prints milliseconds per image for each stage (detect, landmarks, mask, re-detect, crop) in one process,
then end-to-end images/second of `build_dataset` with 1 worker and with all cores.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from itertools import islice
from pathlib import Path

from maskthefer.data.build import BuildOptions, build_dataset, item_rng
from maskthefer.data.crop import apply_crop, plan_crop
from maskthefer.data.faces import FaceAnalyzer
from maskthefer.data.masks import apply_mask, sample_style
from maskthefer.data.pipeline import PipelineSettings
from maskthefer.data.sources import open_source
from maskthefer.paths import default_input


def stage_times(csv: Path, rows: int) -> dict[str, float]:
    settings = PipelineSettings()
    analyzer = FaceAnalyzer()
    totals = dict.fromkeys(["decode", "detect", "landmarks", "mask", "redetect", "crop"], 0.0)
    counts = dict.fromkeys(totals, 0)

    def timed(stage, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        totals[stage] += time.perf_counter() - start
        counts[stage] += 1
        return result

    for item in islice(open_source("fer2013", csv), rows):
        image = timed("decode", item.decode)
        boxes = timed("detect", analyzer.detect, image, settings.detect)
        if not boxes:
            continue
        landmarks = timed("landmarks", analyzer.landmarks, image, boxes[0])
        style = sample_style(item_rng(0, item.source_id))
        masked = timed("mask", apply_mask, image, landmarks, style)
        again = timed("redetect", analyzer.detect, masked, settings.redetect)
        if len(again) != 1:
            continue
        points = analyzer.landmarks(masked, again[0])
        geometry = plan_crop(masked.shape, points, again[0], settings.crop)
        timed("crop", lambda: (apply_crop(masked, geometry, settings.crop), apply_crop(image, geometry, settings.crop)))
    return {stage: 1000 * totals[stage] / max(1, counts[stage]) for stage in totals}


def end_to_end(csv: Path, rows: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        options = BuildOptions("fer2013", csv, Path(out), limit=rows, workers=workers, progress=False, preview_count=0)
        start = time.perf_counter()
        build_dataset(options)
        return rows / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args()
    csv = args.csv or default_input("fer2013")
    print(f"{args.rows} FER2013 rows from {csv}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for stage, ms in stage_times(csv, args.rows).items():
        print(f"  {stage:<10} {ms:6.2f} ms/img")
    for workers in sorted({1, os.cpu_count() or 1}):
        print(f"build_dataset, {workers} worker(s): {end_to_end(csv, args.rows, workers):6.1f} img/s")


if __name__ == "__main__":
    main()

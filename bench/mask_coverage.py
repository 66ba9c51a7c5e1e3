"""Where the synthetic mask sits in MaskTheFER's eye-region crop: maskthefer's masks against MaskTheFace's
own surgical mask, on the same real FER2013 faces.

    python bench/mask_coverage.py                       # the first 300 Training rows of FER2013
    python bench/mask_coverage.py --limit 1000 --out results/measurements/mask_coverage.json
    python bench/mask_coverage.py --masktheface ~/src/MaskTheFace   # its template pictures, not the outlines

Every face goes through the builder's first steps (dlib HOG at the build's settings, 68 landmarks, the crop
rule of SPEC §1.3 planned on them) and then gets three masks' coverage (alpha), each on the same landmarks:

- ours, surgical: the style the builder draws for the row with `mask_types=("surgical",)` (the paper-style
  ablation, maskthefer_fer2013_paper_masks);
- ours, default mix: the style the builder draws by default (all five mask types), seed `--seed`;
- MaskTheFace, surgical: its surgical template placed by its own rule (maskthefer.data.masks.masktheface).

Ours comes from `mask_coverage` (the alpha apply_mask blends with); MaskTheFace's from its template's alpha
warped by its homography. Per face and mask:

- top edge on the mid-line: the highest covered point (alpha > 0.5) on the face's vertical mid-line (the
  perpendicular to the eye line through the point midway between the eye centres), as a depth below the
  eye line in inter-ocular distances (IOD) and in rows of the 48x96 crop;
- mean top edge: the same depth averaged over 31 columns from 0.75 IOD left of the mid-line to 0.75 right
  (about the outer eye corners), columns the mask does not reach left out and counted;
- crop coverage: the share of the 48x96 crop with alpha > 0.5 (the crop cut from the alpha as from the
  image), and the crop's mask-free rows (per column, the rows above the first covered one, averaged).

Figures are over the faces every mask could be placed on; faces without one (no face found, crop rule or a
mask placement failed) are counted by reason and printed, never dropped silently. Depths are positive
below the eye line. Figures, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from itertools import islice
from pathlib import Path

import cv2
import numpy as np

from maskthefer.data.build import item_rng
from maskthefer.data.crop import CropRejected, plan_crop
from maskthefer.data.faces import FaceAnalyzer
from maskthefer.data.masks import MaskFitError, sample_style
from maskthefer.data.masks.coverage import mask_coverage
from maskthefer.data.masks.masktheface import TEMPLATE_ANCHORS, load_template_alpha, masktheface_coverage
from maskthefer.data.masks.measure import PROFILE_IOD, measure_mask
from maskthefer.data.pipeline import PipelineSettings
from maskthefer.data.sources import open_source
from maskthefer.data.sources.base import ImageProblem
from maskthefer.paths import default_input
from maskthefer.errors import MaskTheFERError
from maskthefer.provenance import code_version

MASKS = ("ours_surgical", "ours_default_mix", "masktheface_surgical")
TEMPLATES = tuple(TEMPLATE_ANCHORS)  # MaskTheFace's surgical template, frontal and turned
METRICS = ("top_midline_iod", "top_mean_iod", "top_midline_crop_px", "top_mean_crop_px", "crop_coverage",
           "crop_clear_rows")  # fmt: skip


def summary(values: list[float]) -> dict:
    """Median, quartiles and mean of the finite values, and how many there were."""
    finite = np.array([v for v in values if np.isfinite(v)], np.float64)
    if finite.size == 0:
        return {"n": 0}
    q1, median, q3 = np.percentile(finite, [25, 50, 75])
    return {"n": int(finite.size), "median": round(float(median), 4), "q1": round(float(q1), 4),
            "q3": round(float(q3), 4), "mean": round(float(finite.mean()), 4)}  # fmt: skip


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=positive_int, default=300, help="FER2013 rows of --usage to read")
    parser.add_argument("--usage", default="Training", choices=("Training", "PublicTest", "PrivateTest"),
                        help="FER2013 split to read rows of (its Usage column)")  # fmt: skip
    parser.add_argument("--csv", type=Path, default=None, help="FER2013 CSV (default: under $MASKTHEFER_DATA)")
    parser.add_argument("--seed", type=int, default=0, help="build seed the mask styles are drawn with")
    parser.add_argument(
        "--masktheface", type=Path, default=None,
        help="a MaskTheFace checkout: warp its template pictures instead of the traced outlines",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args()
    try:
        csv = args.csv or default_input("fer2013")
        if not Path(csv).is_file():
            parser.error(f"--csv {csv} is not a file")
        templates = None
        if args.masktheface is not None:
            templates = {name: load_template_alpha(args.masktheface, name) for name in TEMPLATES}
    except MaskTheFERError as exc:
        parser.error(str(exc))

    cv2.setNumThreads(1)
    pipeline_settings = PipelineSettings()
    crop_settings = pipeline_settings.crop
    analyzer = FaceAnalyzer()
    # Rows of other splits are not faces of this measurement; damaged rows are counted (whatever their split).
    rows = (item for item in open_source("fer2013", csv) if item.problem is not None or item.usage == args.usage)
    skipped: Counter = Counter()
    failed: dict[str, Counter] = {name: Counter() for name in MASKS}
    per_face: list[dict[str, dict]] = []
    templates_used: Counter = Counter()
    fallbacks: Counter = Counter()
    mix_types: Counter = Counter()
    read = 0
    started = time.perf_counter()
    for item in islice(rows, args.limit):
        read += 1
        try:
            image = item.decode()
        except ImageProblem as exc:
            skipped[exc.reason] += 1
            continue
        boxes = analyzer.detect(image, pipeline_settings.detect)
        if not boxes:
            skipped["no_face"] += 1
            continue
        landmarks = analyzer.landmarks(image, boxes[0]).astype(np.float64)
        try:
            geometry = plan_crop(image.shape, landmarks, boxes[0], crop_settings)
        except CropRejected:
            skipped["crop_failed"] += 1
            continue
        surgical = sample_style(item_rng(args.seed, item.source_id), ("surgical",))
        mixed = sample_style(item_rng(args.seed, item.source_id), None)
        figures: dict[str, dict] = {}
        for name in MASKS:
            try:
                if name == "masktheface_surgical":
                    alpha, placement = masktheface_coverage(image.shape, landmarks, templates)
                    templates_used[placement.template] += 1
                    fallbacks.update(placement.fallbacks)
                else:
                    alpha = mask_coverage(image, landmarks, surgical if name == "ours_surgical" else mixed)
            except MaskFitError as exc:
                failed[name][str(exc)] += 1
                continue
            figures[name] = measure_mask(alpha, landmarks, geometry, crop_settings)
        if len(figures) < len(MASKS):
            skipped["a_mask_could_not_be_placed"] += 1
            continue
        mix_types[mixed.mask_type] += 1
        per_face.append(figures)
    seconds = time.perf_counter() - started

    results = {
        name: {metric: summary([face[name][metric] for face in per_face]) for metric in METRICS} for name in MASKS
    }
    for name in MASKS:
        results[name]["profile_median_iod"] = {
            f"{x:g}": summary([face[name][f"top_at_{x:g}_iod"] for face in per_face]).get("median") for x in PROFILE_IOD
        }
        results[name]["faces_with_uncovered_columns"] = sum(face[name]["columns_uncovered"] > 0 for face in per_face)
    paired = {
        metric: summary([face["ours_surgical"][metric] - face["masktheface_surgical"][metric] for face in per_face])
        for metric in METRICS
    }
    document = {
        "measurement": "mask_coverage",
        "what": __doc__.splitlines()[0] + " " + __doc__.splitlines()[1],
        "command": " ".join(["python", "bench/mask_coverage.py", *sys.argv[1:]]),
        "code": code_version(),
        "source": {"csv": Path(csv).name, "usage": args.usage, "rows_read": read, "seed": args.seed},
        "masktheface_templates": "pictures" if templates else "traced outlines",
        "faces_used": len(per_face),
        "faces_skipped": dict(skipped),
        "placement_failures": {name: dict(counts) for name, counts in failed.items() if counts},
        "masktheface_templates_used": dict(templates_used),
        "masktheface_fallbacks": dict(fallbacks),
        "default_mix_types": dict(mix_types),
        "figures": results,
        "ours_surgical_minus_masktheface": paired,
        "seconds": round(seconds, 1),
    }
    print_report(document)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document, indent=2) + "\n")
        print(f"wrote {args.out}")


def print_report(document: dict) -> None:
    source = document["source"]
    print(f"{source['rows_read']} FER2013 {source['usage']} rows: {document['faces_used']} faces measured, "
          f"skipped {document['faces_skipped'] or 'none'}")  # fmt: skip
    if document["placement_failures"]:
        print(f"placement failures: {document['placement_failures']}")
    print(f"MaskTheFace templates {document['masktheface_templates_used']} ({document['masktheface_templates']}), "
          f"fallbacks {document['masktheface_fallbacks'] or 'none'}")  # fmt: skip
    print(f"default mix of mask types: {document['default_mix_types']}")
    header = f"{'median [q1, q3]':<26}" + "".join(f"{name:>26}" for name in MASKS)
    print(header)
    labels = {
        "top_midline_iod": "top edge, mid-line (IOD)",
        "top_mean_iod": "top edge, mean (IOD)",
        "top_midline_crop_px": "top edge, mid-line (px)",
        "top_mean_crop_px": "top edge, mean (px)",
        "crop_coverage": "crop covered (share)",
        "crop_clear_rows": "crop rows above mask",
    }
    for metric, label in labels.items():
        cells = []
        for name in MASKS:
            s = document["figures"][name][metric]
            cells.append(f"{s['median']:.3f} [{s['q1']:.3f}, {s['q3']:.3f}]" if s.get("n") else "-")
        print(f"{label:<26}" + "".join(f"{cell:>26}" for cell in cells))
    profile = "  ".join(
        f"{name}: " + " / ".join(f"{v:.2f}" for v in document["figures"][name]["profile_median_iod"].values())
        for name in MASKS
    )
    print(f"median top edge at |x| = {' / '.join(f'{x:g}' for x in PROFILE_IOD)} IOD -> {profile}")
    diff = document["ours_surgical_minus_masktheface"]
    print("ours surgical - MaskTheFace, per face (median [q1, q3]):")
    for metric, d in diff.items():
        if d.get("n"):
            print(f"  {labels[metric]:<26}{d['median']:+.3f} [{d['q1']:+.3f}, {d['q3']:+.3f}]")
    print(f"{document['seconds']} s")


if __name__ == "__main__":
    main()

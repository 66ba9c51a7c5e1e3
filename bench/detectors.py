"""Face detection on photo-sized scenes: found rate on masked and unmasked real faces, and ms per frame.

    python bench/detectors.py                  # 60 scenes of 640x480, 1-3 CK+48 faces each, half masked
    python bench/detectors.py --scenes 20 --configs hog:0,cnn:0

Each scene pastes real CK+48 faces (enlarged to 140-200 px) onto a background and masks some of them with
the package's masker (`maskthefer.data.scenes`). A face counts as found when a detected box overlaps its
true box with IoU >= 0.5. Time is one thread, per 640x480 frame, detection only. Prints one row per
detector setting; figures, not a test.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from maskthefer.data.detectors import PhotoDetectorSettings, make_detector
from maskthefer.data.faces import Box, FaceAnalyzer
from maskthefer.data.scenes import compose_scene, match_boxes
from maskthefer.paths import default_input



def scenes(count: int, seed: int, analyzer: FaceAnalyzer):
    """`count` scenes of 1-3 real CK+48 faces (one frame per sequence, every emotion), about half masked."""
    rng = np.random.default_rng(seed)
    files = sorted(Path(default_input("ckplus")).glob("*/*_00000*.png"))[::3]
    out = []
    for i in range(count):
        n = int(rng.integers(1, 4))
        picks = rng.choice(len(files), n, replace=False)
        faces = [cv2.imread(str(files[k]), cv2.IMREAD_GRAYSCALE) for k in picks]
        masked = [bool(m) for m in rng.integers(0, 2, n)]
        out.append(compose_scene(faces, masked=masked, rng=rng, analyzer=analyzer))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--configs", default="hog:0,hog:1,cnn:0,cnn:0:320", help="name:upsample[:max side searched][,...]"
    )
    parser.add_argument(
        "--route", metavar="RUN_OR_BUNDLE", default=None,
        help="also score a bundle's (or run's, with --mask-run) mask classifier on the faces HOG finds",
    )
    parser.add_argument("--mask-run", default=None)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    analyzer = FaceAnalyzer()
    data = scenes(args.scenes, args.seed, analyzer)
    masked_total = sum(sum(s.masked) for s in data)
    plain_total = sum(len(s.masked) - sum(s.masked) for s in data)
    print(f"{len(data)} scenes of 640x480: {masked_total} masked and {plain_total} unmasked CK+48 faces")
    print(f"{'detector':<14} {'masked found':>13} {'unmasked found':>15} {'false boxes':>12} {'ms/frame':>9}")
    for config in args.configs.split(","):
        name, upsample, *side = config.split(":")
        settings = PhotoDetectorSettings(name, upsample=int(upsample), max_side=int(side[0]) if side else 640)
        detector = make_detector(settings, analyzer)
        found = {True: 0, False: 0}
        false_boxes, seconds = 0, 0.0
        for scene in data:
            start = time.perf_counter()
            boxes = detector.detect(scene.image)
            seconds += time.perf_counter() - start
            matches = match_boxes(scene.boxes, boxes)
            for is_masked, match in zip(scene.masked, matches):
                found[is_masked] += match is not None
            false_boxes += len(boxes) - len({m for m in matches if m is not None})
        print(
            f"{config:<14} {found[True] / masked_total:>13.3f} {found[False] / plain_total:>15.3f} "
            f"{false_boxes:>12d} {1000 * seconds / len(data):>9.1f}"
        )
    if args.route:
        route_accuracy(args.route, args.mask_run, data)


def route_accuracy(path: str, mask_run: str | None, data) -> None:
    """How often the mask classifier's masked/unmasked call is right on the faces the default detector finds."""
    from maskthefer import Recognizer

    recognizer = Recognizer.load(path, mask_run=mask_run)
    right = {True: 0, False: 0}
    seen = {True: 0, False: 0}
    for scene in data:
        faces = recognizer.predict(scene.image)
        matches = match_boxes(scene.boxes, [Box(*f.box) for f in faces])
        for is_masked, match in zip(scene.masked, matches):
            if match is not None and faces[match].masked is not None:
                seen[is_masked] += 1
                right[is_masked] += faces[match].masked == is_masked
    for is_masked in (True, False):
        name = "masked" if is_masked else "unmasked"
        print(f"mask classifier on found {name} faces: {right[is_masked]}/{seen[is_masked]} right")


if __name__ == "__main__":
    main()

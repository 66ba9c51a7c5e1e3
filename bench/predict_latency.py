"""Per-stage latency of `maskthefer predict` on one CPU core: decode, detect, landmarks, crop, mask, expression.

    python bench/predict_latency.py --run RUN --mask-run MASK_RUN            # 40 JPEG frames of 640x480, HOG
    python bench/predict_latency.py --run BUNDLE --detect-side 320 --faces 2 # an (ONNX) bundle, 2 faces a frame
    taskset -c 1 chrt -f 10 python bench/predict_latency.py --run BUNDLE     # the README's figures

Frames are scenes of real CK+48 faces (enlarged to 140-200 px, every other face masked with a surgical
mask, `maskthefer.data.scenes`) written as JPEG and read back through `Recognizer.predict(path)`, so decoding
is timed too. The process is pinned to one core (the first it may use, or the one taskset gives) and every
library is held to one thread. The first frames warm the models up and are not counted. Prints ms per frame
and per face found for each stage and in total, how many faces were found and which routes they took, and
the scheduling it ran under (SCHED_FIFO under `chrt -f`, which keeps the rest of a busy machine off the
core); figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from maskthefer.data.detectors import DETECTORS

WARM_UP_FRAMES = 3


def single_core() -> int:
    core = sorted(os.sched_getaffinity(0))[0] if hasattr(os, "sched_getaffinity") else -1
    if core >= 0:
        os.sched_setaffinity(0, {core})
    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from maskthefer.quiet import quiet_tensorflow_startup

    quiet_tensorflow_startup()
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    return core


def scheduling() -> str:
    if not hasattr(os, "sched_getscheduler"):
        return "unknown scheduling"
    policy = os.sched_getscheduler(0)
    if policy == getattr(os, "SCHED_FIFO", -1):
        return f"SCHED_FIFO priority {os.sched_getparam(0).sched_priority}"
    return f"normal scheduling (nice {os.nice(0)}), load average {os.getloadavg()[0]:.1f}"


def frames(count: int, faces_per_frame: int, seed: int) -> list[np.ndarray]:
    from maskthefer.data.faces import FaceAnalyzer
    from maskthefer.data.scenes import compose_scene
    from maskthefer.paths import default_input

    files = sorted(Path(default_input("ckplus")).glob("*/*_00000*.png"))[::5]
    rng = np.random.default_rng(seed)
    analyzer = FaceAnalyzer()
    out, k = [], 0
    for i in range(count):
        faces = [cv2.imread(str(files[(k + j) % len(files)]), cv2.IMREAD_GRAYSCALE) for j in range(faces_per_frame)]
        masked = [(k + j) % 2 == 1 for j in range(faces_per_frame)]
        k += faces_per_frame
        out.append(compose_scene(faces, masked=masked, rng=rng, analyzer=analyzer, mask_types=["surgical"]).image)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="expression run or bundle")
    parser.add_argument("--mask-run", default=None, help="mask classifier run (when --run is not a bundle with one)")
    parser.add_argument("--face-run", default=None, help="full-face run (when --run is not a bundle with one)")
    parser.add_argument("--detector", choices=DETECTORS, default=None)
    parser.add_argument("--detect-side", type=int, default=None, help="largest side the detector searches")
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--faces", type=int, default=1, help="faces per frame (every other one masked)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--mask-threshold", type=float, default=None,
        help="masked probability from which a face counts as masked (1 sends every face to the full-face model)",
    )
    args = parser.parse_args()
    core = single_core()

    from maskthefer import Recognizer
    from maskthefer.inference.recognizer import STAGES, StageTimes

    recognizer = Recognizer.load(
        args.run, mask_run=args.mask_run, face_run=args.face_run, detector=args.detector,
        detect_max_side=args.detect_side, mask_threshold=args.mask_threshold,
    )
    images = frames(args.frames + WARM_UP_FRAMES, args.faces, args.seed)
    routes: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, image in enumerate(images):
            paths.append(Path(tmp) / f"frame{i:03d}.jpg")
            cv2.imwrite(str(paths[-1]), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        for path in paths[:WARM_UP_FRAMES]:  # first calls build graphs, fill caches
            recognizer.predict(path)
        recognizer.times = StageTimes()
        for path in paths[WARM_UP_FRAMES:]:
            routes.update(face.route for face in recognizer.predict(path))
    times = recognizer.times
    faces = max(times.faces, 1)
    detector = recognizer.detector_settings
    models = [f"expression {recognizer.expression.info.get('model')} ({recognizer.expression.fmt})"]
    if recognizer.mask:
        models.append(f"mask classifier {recognizer.mask.info.get('model')} ({recognizer.mask.fmt})")
    if recognizer.face:
        models.append(f"full-face {recognizer.face.info.get('model')} ({recognizer.face.fmt})")
    print(
        f"{times.images} frames of 640x480 with {args.faces} face(s) each, {times.faces} faces found "
        f"({', '.join(f'{n} {route}' for route, n in sorted(routes.items()))}); detector {detector.name} "
        f"(upsample {detector.upsample}, searched side {detector.max_side}); {'; '.join(models)}"
    )
    print(f"core {core}, {scheduling()}")
    print(f"{'stage':<11} {'ms/frame':>9} {'ms/face':>8}")
    for stage in STAGES:
        seconds = times.seconds.get(stage, 0.0)
        print(f"{stage:<11} {1000 * seconds / times.images:>9.2f} {1000 * seconds / faces:>8.2f}")
    total = sum(times.seconds.values())
    print(f"{'total':<11} {1000 * total / times.images:>9.2f} {1000 * total / faces:>8.2f}")


if __name__ == "__main__":
    main()

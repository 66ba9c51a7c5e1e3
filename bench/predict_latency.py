"""Per-stage latency of `maskthefer predict` on one CPU core: decode, detect, landmarks, crop, mask, expression.

    python bench/predict_latency.py --run RUN --mask-run MASK_RUN            # 40 JPEG frames of 640x480, HOG
    python bench/predict_latency.py --run BUNDLE --detector cnn --frames 10

Frames are scenes of one real CK+48 face (enlarged to 140-200 px, half of them masked, `maskthefer.data.scenes`)
written as JPEG and read back through `Recognizer.predict(path)`, so decoding is timed too. The process is
pinned to one core and every library is held to one thread. The first frame warms the models up and is not
counted. Prints milliseconds per frame and per face for each stage and in total; figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np


def single_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from maskthefer.quiet import quiet_tensorflow_startup

    quiet_tensorflow_startup()
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="expression run or bundle")
    parser.add_argument("--mask-run", default=None, help="mask classifier run (when --run is not a bundle with one)")
    parser.add_argument("--detector", choices=["hog", "cnn"], default=None)
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    single_core()

    from maskthefer import Recognizer
    from maskthefer.data.faces import FaceAnalyzer
    from maskthefer.data.scenes import compose_scene
    from maskthefer.inference.recognizer import STAGES, StageTimes
    from maskthefer.paths import default_input

    recognizer = Recognizer.load(args.run, mask_run=args.mask_run, detector=args.detector)
    files = sorted(Path(default_input("ckplus")).glob("*/*_00000*.png"))[::5]
    rng = np.random.default_rng(args.seed)
    analyzer = FaceAnalyzer()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.frames + 1):
            face = cv2.imread(str(files[i % len(files)]), cv2.IMREAD_GRAYSCALE)
            scene = compose_scene([face], masked=[i % 2 == 1], rng=rng, analyzer=analyzer, mask_types=["surgical"])
            paths.append(Path(tmp) / f"frame{i:03d}.jpg")
            cv2.imwrite(str(paths[-1]), scene.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        recognizer.predict(paths[0])  # warm-up: first calls build the models' graphs
        recognizer.times = StageTimes()
        for path in paths[1:]:
            recognizer.predict(path)
    times = recognizer.times
    faces = max(times.faces, 1)
    print(
        f"{times.images} frames of 640x480, {times.faces} faces; detector {recognizer.detector_settings.name} "
        f"(upsample {recognizer.detector_settings.upsample}); expression model {recognizer.expression.info.get('model')}; "
        f"mask classifier {recognizer.mask.info.get('model') if recognizer.mask else 'none'}; one core"
    )
    print(f"{'stage':<11} {'ms/frame':>9} {'ms/face':>8}")
    for stage in STAGES:
        seconds = times.seconds.get(stage, 0.0)
        print(f"{stage:<11} {1000 * seconds / times.images:>9.2f} {1000 * seconds / faces:>8.2f}")
    total = sum(times.seconds.values())
    print(f"{'total':<11} {1000 * total / times.images:>9.2f} {1000 * total / faces:>8.2f}")


if __name__ == "__main__":
    main()

"""Score a run on its validation split under each test-time augmentation, and say which one to use.

    python scripts/choose_tta.py RUN_DIR                        # prints the table
    python scripts/choose_tta.py RUN_DIR --out results/measurements/tta-NAME.json

Test-time augmentation is a setting like any other, so it is chosen on the faces the run held out of its
training split, never on the test split. The choice is the mode with the highest validation accuracy; a tie
goes to the mode with fewer views (cheaper to predict). The JSON records the commit, the command, the faces
and each mode's accuracy, so the choice can be traced. The model and the faces are loaded once and each view
predicted once: every mode averages the first views of flip-shift's ten.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from maskthefer.quiet import quiet_tensorflow_startup

    quiet_tensorflow_startup()  # before anything imports TensorFlow
    import numpy as np

    from maskthefer.errors import MaskTheFERError
    from maskthefer.evaluation.evaluate import load_run_faces
    from maskthefer.evaluation.loading import TTA_MODES, predict_views, tta_view_count
    from maskthefer.provenance import code_version, machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, help="a training run folder (its best model is scored)")
    parser.add_argument("--out", type=Path, help="write the measurement here as JSON")
    args = parser.parse_args(argv)

    try:
        loaded, data = load_run_faces(args.run_dir, split="validation")
        views = predict_views(loaded.model, data.images, tta="flip-shift")  # every view of every mode
    except MaskTheFERError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    faces = len(data)
    scores: dict[str, float] = {}
    for mode in TTA_MODES:
        predicted = views[: tta_view_count(mode)].mean(axis=0).argmax(axis=1)
        scores[mode] = round(float(np.mean(predicted == data.labels)), 4)
        print(f"{mode:<11} validation accuracy {scores[mode]:.4f}  ({faces} faces)", flush=True)
    chosen = max(TTA_MODES, key=lambda mode: (scores[mode], -TTA_MODES.index(mode)))
    print(f"chosen on validation: {chosen}")
    if args.out:
        document = {
            "measurement": "test-time augmentation chosen on the validation split",
            "run": str(args.run_dir),
            "command": "python scripts/choose_tta.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
            "code": code_version(),
            "machine": machine(),
            "split": "validation",
            "faces": faces,
            "validation_accuracy": scores,
            "chosen": chosen,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document, indent=2) + "\n")
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

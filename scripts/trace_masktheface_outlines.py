"""Trace MaskTheFace's surgical templates into the outline module the coverage measurement uses.

    python scripts/trace_masktheface_outlines.py /path/to/MaskTheFace > maskthefer/data/masks/masktheface_outlines.py

MaskTheFace (github.com/aqeelanwar/MaskTheFace, MIT licence) ships its masks as RGBA pictures. Only where a
template is opaque matters for where its mask sits, so the package keeps the outline of each template's
alpha > 0.5 region (its largest contour, simplified to within EPSILON template pixels, about a fiftieth of a
face pixel on FER2013) instead of the pictures themselves.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

TEMPLATES = ("surgical", "surgical_left", "surgical_right")
EPSILON = 2.5  # template pixels; the templates are ~600 px wide and land ~40 px wide on a FER2013 face


def outline(path: Path) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    picture = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if picture is None or picture.ndim != 3 or picture.shape[2] != 4:
        raise SystemExit(f"{path}: not an RGBA picture")
    opaque = (picture[..., 3] > 127).astype(np.uint8)
    contours, _ = cv2.findContours(opaque, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    largest = max(contours, key=cv2.contourArea)
    simplified = cv2.approxPolyDP(largest, EPSILON, True).reshape(-1, 2)
    height, width = opaque.shape
    return (width, height), [tuple(int(v) for v in point) for point in simplified]


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.splitlines()[2].strip())
    root = Path(sys.argv[1])
    print('"""Outlines of MaskTheFace\'s surgical templates (alpha > 0.5), in template pixels.')
    print()
    print("Traced by scripts/trace_masktheface_outlines.py from masks/templates/<name>.png of")
    print("github.com/aqeelanwar/MaskTheFace (MIT licence, (c) 2020 Aqeel Anwar); data, not code.")
    print('"""')
    print()
    print("# name: ((width, height) of the template picture, outline vertices (x, y))")
    print("OUTLINES: dict[str, tuple[tuple[int, int], tuple[tuple[int, int], ...]]] = {")
    for name in TEMPLATES:
        size, points = outline(root / "masks" / "templates" / f"{name}.png")
        print(f'    "{name}": (')
        print(f"        {size},")
        print("        (")
        for start in range(0, len(points), 8):
            print("            " + " ".join(f"({x}, {y})," for x, y in points[start : start + 8]))
        print("        ),")
        print("    ),")
    print("}  # fmt: skip")


if __name__ == "__main__":
    main()

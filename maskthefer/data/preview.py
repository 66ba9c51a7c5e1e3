"""A contact sheet of sample faces: original -> masked -> masked crop -> unmasked crop.

Samples are taken round-robin over the classes (the first accepted faces of each), re-run through the
pipeline with their own seeds (so they match the records exactly) and laid out in a grid.
"""

from __future__ import annotations

import logging
from itertools import islice
from pathlib import Path

import cv2
import numpy as np

from .pipeline import FacePipeline, FaceRejected

log = logging.getLogger(__name__)

PANEL = 128  # side of the square panels for full images; crops keep their aspect ratio at this height
CAPTION = 18
GROUPS_PER_ROW = 2


def pick_samples(accepted: list[dict], class_names: list[str], count: int) -> list[dict]:
    """Up to `count` accepted items, taking classes in turn so every class shows up."""
    by_class = {name: [item for item in accepted if item["label"] == name] for name in class_names}
    picked: list[dict] = []
    depth = 0
    while len(picked) < count and any(len(items) > depth for items in by_class.values()):
        for name in class_names:
            if len(by_class[name]) > depth and len(picked) < count:
                picked.append(by_class[name][depth])
        depth += 1
    return picked


def _fit(image: np.ndarray, height: int, width: int) -> np.ndarray:
    bgr = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image
    interpolation = cv2.INTER_AREA if bgr.shape[0] > height else cv2.INTER_NEAREST
    return cv2.resize(bgr, (width, height), interpolation=interpolation)


def _group(original: np.ndarray, face, caption: str) -> np.ndarray:
    crop_w = int(round(PANEL * face.crop.shape[1] / face.crop.shape[0]))
    panels = [
        _fit(original, PANEL, PANEL),
        _fit(face.masked_image if face.masked_image is not None else original, PANEL, PANEL),
        _fit(face.crop, PANEL, crop_w),
        _fit(face.unmasked_crop, PANEL, crop_w),
    ]
    gap = np.full((PANEL, 4, 3), 255, np.uint8)
    row = np.hstack([p for panel in panels for p in (panel, gap)][:-1])
    bar = np.full((CAPTION, row.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, caption[:60], (2, CAPTION - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([bar, row])


def write_preview(path: Path, source, accepted: list[dict], options, class_names: list[str], limit_items: int) -> dict:
    """Write the sheet to `path`; returns {"file", "source_ids"} for the manifest."""
    from .build import item_rng

    samples = pick_samples(accepted, class_names, options.preview_count)
    if not samples:
        return {"file": None, "source_ids": []}
    wanted = {item["source_id"] for item in samples}
    found = {}
    for item in islice(iter(source), limit_items):
        if item.source_id in wanted:
            found[item.source_id] = item
            if len(found) == len(wanted):
                break
    pipeline = FacePipeline(options.pipeline)
    groups, shown = [], []
    for sample in samples:
        item = found[sample["source_id"]]
        image = item.decode()
        try:
            face = pipeline.process(image, add_mask=options.pipeline.masks, rng=item_rng(options.seed, item.source_id))
        except FaceRejected as exc:
            # Records are built by the same code with the same seed, so this means the code changed between
            # an interrupted run and its resume. The records stand; the sheet just leaves the face out.
            log.warning("preview: %s no longer reproduces (%s); left off the sheet", item.source_id, exc)
            continue
        groups.append(_group(image, face, f"{item.label}  {face.mask_style}  [{item.source_id}]"))
        shown.append(item.source_id)
    if not groups:
        return {"file": None, "source_ids": []}
    width = max(g.shape[1] for g in groups)
    groups = [np.pad(g, ((0, 6), (0, width - g.shape[1] + 10), (0, 0)), constant_values=255) for g in groups]
    while len(groups) % GROUPS_PER_ROW:
        groups.append(np.full_like(groups[0], 255))
    rows = [np.hstack(groups[i : i + GROUPS_PER_ROW]) for i in range(0, len(groups), GROUPS_PER_ROW)]
    sheet = np.vstack(rows)
    tmp = path.with_name(path.name + ".tmp.png")
    cv2.imwrite(str(tmp), sheet)
    tmp.replace(path)
    return {"file": path.name, "source_ids": shown}

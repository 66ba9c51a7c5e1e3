"""Evaluating a run on a folder of labelled photos (`<label>/<image>`, any size): detect, mask, crop, classify.

The photos go through the same face pipeline as the training data (detector thresholds, alignment and crop
settings are read from the dataset's manifest), optionally with a synthetic mask drawn on first. Photos the
pipeline cannot use are never dropped silently: each is counted under its rejection reason ("no_face",
"multiple_faces", "corrupt_image", ... and "label_not_in_model" for a label the run was not trained on),
listed in rejected.csv, and the counts go into metrics.json and the printed report.
"""

from __future__ import annotations

import csv
import logging
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data.records import DatasetError, read_manifest
from ..runs import RunDir, write_json
from . import reference
from .evaluate import (
    EvaluationReport,
    attach_impact,
    evaluate_arrays,
    provenance,
    resolve_data_dir,
)
from .loading import EvaluationError, LoadedRun, load_run

log = logging.getLogger(__name__)

REJECTED_CSV = "rejected.csv"
LABEL_NOT_IN_MODEL = "label_not_in_model"


@dataclass
class PhotoFaces:
    """Crops of the photos the pipeline accepted, and a record of every photo it did not."""

    crops: np.ndarray  # (N, H, W) uint8: masked when a mask was added
    unmasked: np.ndarray | None  # (N, H, W) uint8 paired crops when a mask was added, else None
    labels: np.ndarray  # (N,) int64 indices into class_names
    source_ids: list[str]
    mask_styles: list[str]
    rejected: list[dict[str, str]] = field(default_factory=list)  # source_id, label, reason, detail

    @property
    def total(self) -> int:
        return len(self.source_ids) + len(self.rejected)

    @property
    def rejections(self) -> dict[str, int]:
        return dict(sorted(Counter(r["reason"] for r in self.rejected).items()))


def pipeline_settings(loaded: LoadedRun, data_dir: os.PathLike | str | None):
    """The pipeline settings the run's dataset was built with; defaults sized to the model when unavailable."""
    from ..data.pipeline import PipelineSettings

    height, width, _ = loaded.input_shape
    try:
        manifest = read_manifest(resolve_data_dir(loaded, data_dir))
        settings = PipelineSettings.from_manifest(manifest)
    except (DatasetError, EvaluationError, KeyError, TypeError) as exc:
        log.warning("using default pipeline settings for the photos (%s)", exc)
        return PipelineSettings().with_crop_size(height, width), "defaults (dataset manifest unavailable)"
    return settings.with_crop_size(height, width), "dataset manifest"


def collect_faces(
    images_dir: os.PathLike | str,
    class_names: Sequence[str],
    settings,
    *,
    add_mask: bool = False,
    seed: int = 0,
    pipeline=None,
) -> PhotoFaces:
    """Run every photo of `<label>/<image>` folders through the face pipeline."""
    from ..data.pipeline import FacePipeline, FaceRejected
    from ..data.sources import ImageProblem, open_source

    source = open_source("folder", images_dir)
    pipe = pipeline or FacePipeline(settings)
    index = {name: k for k, name in enumerate(class_names)}
    crops, unmasked, labels, ids, styles, rejected = [], [], [], [], [], []
    for i, item in enumerate(source):
        def reject(reason: str, detail: str) -> None:
            rejected.append({"source_id": item.source_id, "label": item.label, "reason": reason, "detail": detail})
            log.info("rejected %s: %s %s", item.source_id, reason, detail)

        if item.label not in index:
            reject(LABEL_NOT_IN_MODEL, f"{item.label!r} is not one of the run's classes")
            continue
        try:
            image = item.decode()
            # One generator per photo, seeded by its position, so a photo's mask does not depend on the others.
            face = pipe.process(image, add_mask=add_mask, rng=np.random.default_rng((seed, i)))
        except ImageProblem as exc:
            reject(exc.reason, exc.detail)
            continue
        except FaceRejected as exc:
            reject(exc.reason, exc.detail)
            continue
        crops.append(face.crop)
        unmasked.append(face.unmasked_crop)
        labels.append(index[item.label])
        ids.append(item.source_id)
        styles.append(face.mask_style)
    height, width = settings.crop.height, settings.crop.width
    stack = lambda arrays: np.stack(arrays) if arrays else np.zeros((0, height, width), np.uint8)
    return PhotoFaces(
        crops=stack(crops),
        unmasked=stack(unmasked) if add_mask else None,
        labels=np.asarray(labels, np.int64),
        source_ids=ids,
        mask_styles=styles,
        rejected=rejected,
    )


def write_rejected(path: Path, rejected: list[dict[str, str]]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["source_id", "label", "reason", "detail"])
        writer.writeheader()
        writer.writerows(rejected)


def evaluate_images(
    run_dir: RunDir | os.PathLike | str,
    images_dir: os.PathLike | str,
    *,
    data_dir: os.PathLike | str | None = None,
    add_mask: bool = False,
    seed: int = 0,
    which: str = "best",
    confusion: bool = True,
    out_dir: os.PathLike | str | None = None,
    batch_size: int = 256,
) -> EvaluationReport:
    """Evaluate a run on photos it never saw; with `add_mask`, also on the same faces without the mask."""
    loaded = load_run(run_dir, which)
    images_dir = Path(images_dir)
    settings, settings_from = pipeline_settings(loaded, data_dir)
    faces = collect_faces(images_dir, loaded.class_names, settings, add_mask=add_mask, seed=seed)

    label = f"images-{images_dir.resolve().name}" + ("-masked" if add_mask else "")
    target = Path(out_dir) if out_dir else loaded.run.evaluation_dir / label
    target.mkdir(parents=True, exist_ok=True)
    write_rejected(target / REJECTED_CSV, faces.rejected)
    if len(faces.labels) == 0:
        raise EvaluationError(
            f"no usable face in the {faces.total} images of {images_dir} "
            f"(rejections: {faces.rejections}; see {target / REJECTED_CSV})"
        )
    extra = provenance(
        loaded,
        images=str(images_dir),
        add_mask=add_mask,
        seed=seed,
        pipeline_settings=settings.to_dict(),
        pipeline_settings_from=settings_from,
        images_total=faces.total,
        faces_classified=len(faces.labels),
        rejections=faces.rejections,
        rejected_file=REJECTED_CSV,
    )
    paper = reference.paper_per_class(loaded.class_names, reference.PAPER_MASKED_PER_CLASS) if add_mask else None
    main = evaluate_arrays(
        loaded,
        faces.crops,
        faces.labels,
        faces.source_ids,
        target,
        label="masked" if add_mask else "as photographed",
        confusion=confusion,
        extra=extra,
        paper_column=paper,
        batch_size=batch_size,
    )
    report = EvaluationReport(
        loaded,
        str(images_dir),
        "photos",
        target,
        main,
        rejections=faces.rejections,
        images_total=faces.total,
        show_confusion=confusion,
    )
    report.main.document["files"].append(REJECTED_CSV)
    if add_mask and faces.unmasked is not None:
        report.unmasked = evaluate_arrays(
            loaded,
            faces.unmasked,
            faces.labels,
            faces.source_ids,
            target / "unmasked",
            label="unmasked",
            confusion=confusion,
            extra=extra,
            paper_column=reference.paper_per_class(loaded.class_names, reference.PAPER_UNMASKED_PER_CLASS),
            batch_size=batch_size,
        )
        attach_impact(report, f"{loaded.model_name}: impact of the mask ({images_dir.name})")
    else:
        write_json(target / "metrics.json", report.main.document)  # now listing rejected.csv too
    return report

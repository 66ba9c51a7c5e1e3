"""`explain_run`: what a run's model looks at, how it separates the classes, and how it trained.

    from maskthefer.evaluation import explain_run
    report = explain_run("runs/demo", method="gradcam", count=16)

Writes, under RUN/explain/<split>/ (or RUN/explain/images-<folder>[-masked]/ for a photo folder):
    <method>_masked.png, <method>_unmasked.png   heat-map grids over the masked crops and, when the records
                                                 carry them, the unmasked crops of the same faces
    <method>_panels.csv                          which face is in which panel, true / predicted class
    tsne.png, tsne.csv                           t-SNE of the penultimate features, coloured by true class
    explain.json                                 what was produced and why anything was skipped
and RUN/explain/curves.png from the run's history.csv.

Grad-CAM and saliency need TensorFlow (tf-keras-vis); `method=None` produces the t-SNE and the curves on
any backend.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...data.records import load_split, read_manifest
from ...runs import RunDir, write_json
from ..evaluate import check_compatible, provenance, resolve_data_dir, split_has_pairs
from ..loading import (
    EvaluationError,
    feature_model,
    load_run,
    predict_features,
    predict_proba,
)
from . import curves as curves_mod
from . import grids, tsne
from .attribution import METHODS, attribution_maps, require_tensorflow


@dataclass
class ExplainReport:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)

    def summary_text(self) -> str:
        lines = [f"wrote {p}" for p in self.files]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


@dataclass
class _Faces:
    images: np.ndarray
    unmasked: np.ndarray | None
    labels: np.ndarray
    ids: list[str]
    masked: bool  # whether `images` carry a (synthetic) mask


def choose_examples(labels: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Up to `count` indices, taking classes in turn (random faces within a class) so every class shows."""
    rng = np.random.default_rng(seed)
    pools = [list(rng.permutation(np.flatnonzero(labels == k))) for k in np.unique(labels)]
    chosen: list[int] = []
    while len(chosen) < count and any(pools):
        for pool in pools:
            if pool and len(chosen) < count:
                chosen.append(int(pool.pop()))
    return np.asarray(chosen, np.int64)


def _load_faces(loaded, data_dir, split, images_dir, add_mask, seed, target: Path, document: dict) -> _Faces:
    if images_dir is not None:
        from ..photos import (
            REJECTED_CSV,
            collect_faces,
            pipeline_settings,
            write_rejected,
        )

        settings, _ = pipeline_settings(loaded, data_dir)
        faces = collect_faces(images_dir, loaded.class_names, settings, add_mask=add_mask, seed=seed)
        write_rejected(target / REJECTED_CSV, faces.rejected)
        document.update(images_total=faces.total, faces_found=len(faces.labels), rejections=faces.rejections)
        if len(faces.labels) == 0:
            raise EvaluationError(f"no usable face in {images_dir} (rejections: {faces.rejections})")
        return _Faces(faces.crops, faces.unmasked, faces.labels, faces.source_ids, add_mask)
    data_path = resolve_data_dir(loaded, data_dir)
    check_compatible(loaded, read_manifest(data_path), data_path)
    data = load_split(data_path, split, unmasked=split_has_pairs(data_path, split))
    if len(data) == 0:
        raise EvaluationError(f"{data_path}/{split} holds no faces")
    return _Faces(data.images, data.unmasked, data.labels, data.source_ids, True)


def explain_run(
    run_dir: RunDir | os.PathLike | str,
    *,
    method: str | None = "gradcam",
    data_dir: os.PathLike | str | None = None,
    split: str = "test",
    images_dir: os.PathLike | str | None = None,
    add_mask: bool = False,
    count: int = 16,
    seed: int = 0,
    which: str = "best",
    tsne_samples: int = 1000,
    curves: bool = True,
    out_dir: os.PathLike | str | None = None,
) -> ExplainReport:
    """Heat-map grids, t-SNE and training curves of a run (see the module docstring for the files)."""
    if method is not None:
        if method not in METHODS:
            raise EvaluationError(f"unknown explanation method {method!r}; choose one of {', '.join(METHODS)}")
        require_tensorflow(method)  # fail before any slow work
    if count < 1:
        raise EvaluationError(f"--count must be at least 1, got {count}")
    loaded = load_run(run_dir, which)
    if images_dir is not None:
        name = f"images-{Path(images_dir).resolve().name}" + ("-masked" if add_mask else "")
    else:
        name = split
    target = Path(out_dir) if out_dir else loaded.run.explain_dir / name
    target.mkdir(parents=True, exist_ok=True)
    report = ExplainReport(target)
    document = provenance(loaded, method=method, split=split, images=str(images_dir) if images_dir else None)
    faces = _load_faces(loaded, data_dir, split, images_dir, add_mask, seed, target, document)
    names = loaded.class_names

    if method is not None:
        chosen = choose_examples(faces.labels, count, seed)
        sets = [("masked" if faces.masked else "photos", faces.images)]
        if faces.unmasked is not None:
            sets.append(("unmasked", faces.unmasked))
        panel_rows = []
        for set_name, images in sets:
            crops = images[chosen]
            probs = predict_proba(loaded.model, crops)
            preds = probs.argmax(axis=1)
            maps = attribution_maps(loaded, crops, preds, method)
            true_names = [names[k] for k in faces.labels[chosen]]
            pred_names = [names[k] for k in preds]
            path = target / f"{method}_{set_name}.png"
            rows, cols = grids.heatmap_grid(
                crops,
                maps,
                true_names,
                pred_names,
                probs.max(axis=1),
                path,
                title=f"{loaded.model_name}: {method} on {set_name} crops (heat map of the predicted class)",
            )
            report.files.append(path)
            document[f"{method}_{set_name}"] = {"panels": len(chosen), "rows": rows, "columns": cols}
            for i, index in enumerate(chosen):
                confidence = f"{probs[i].max():.4f}"
                panel_rows.append([set_name, i, faces.ids[index], true_names[i], pred_names[i], confidence])
        panels_path = target / f"{method}_panels.csv"
        with open(panels_path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["set", "panel", "source_id", "true", "predicted", "confidence"])
            writer.writerows(panel_rows)
        report.files.append(panels_path)

    if tsne_samples:
        _tsne(loaded, faces, tsne_samples, seed, target, report, document)
    if curves:
        curves_path = loaded.run.explain_dir / "curves.png"
        try:
            document["curves_columns"] = curves_mod.plot_curves(
                loaded.run.history_path, curves_path, f"{loaded.model_name} training curves ({loaded.run.path.name})"
            )
            report.files.append(curves_path)
        except EvaluationError as exc:
            report.notes.append(f"training curves skipped: {exc}")
    document["files"] = [str(p) for p in report.files]
    document["notes"] = report.notes
    write_json(target / "explain.json", document)
    report.files.append(target / "explain.json")
    report.document = document
    return report


def _tsne(loaded, faces: _Faces, samples: int, seed: int, target: Path, report: ExplainReport, document) -> None:
    chosen = np.sort(choose_examples(faces.labels, samples, seed))
    if len(chosen) < 5:
        report.notes.append(f"t-SNE skipped: only {len(chosen)} faces (needs 5)")
        return
    features = predict_features(feature_model(loaded), faces.images[chosen])
    points = tsne.embed(features, seed)
    labels = faces.labels[chosen]
    path = target / "tsne.png"
    layer = getattr(loaded.full_model, "feature_layer_name", "features")
    tsne.tsne_plot(
        points,
        labels,
        loaded.class_names,
        path,
        title=f"{loaded.model_name}: t-SNE of '{layer}' features ({len(chosen)} faces)",
    )
    tsne.write_points(target / "tsne.csv", points, labels, loaded.class_names, [faces.ids[i] for i in chosen])
    report.files += [path, target / "tsne.csv"]
    document["tsne"] = {"faces": len(chosen), "feature_layer": layer, "feature_dim": int(features.shape[1])}

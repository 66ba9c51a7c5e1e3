"""`evaluate_run`: a run's classifier on a split of a built dataset, masked and (from the pairs) unmasked.

    from maskthefer.evaluation import evaluate_run
    report = evaluate_run("runs/demo", split="test", confusion=True)
    print(report.summary_text())

Results go to RUN/evaluation/<split>/ (see `writers` for the files). When the records carry the unmasked crop
of each face (every dataset built by `maskthefer build-dataset` does), the same model is also evaluated on
those crops, into RUN/evaluation/<split>/unmasked/, and the per-class "impact of the mask" (masked minus
unmasked accuracy) is written to mask_impact.csv/.png and into metrics.json, together with the masked,
unmasked and average accuracy side by side (MSD-E Table 5 layout, `paired_accuracy` in metrics.json). `unmasked="auto"` does this
whenever the pairs exist; True demands them; False skips them.

`split="validation"` evaluates the faces the run held out of the train split for validation (its own
`validation_fraction` and `validation_seed`, drawn as training drew them), the split on which settings are
chosen; `tta="flip"` averages each crop's probabilities with its mirror image's, and `tta="flip-shift"` with
those of both moved 2 pixels up, down, left and right as well (loading.TTA_MODES).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..data.records import SplitData, iter_split, load_split, read_manifest
from ..data.records import schema as record_schema
from ..data.splits import stratified_split
from ..labels import MASK_CLASSES, MASKED, UNMASKED
from ..runs import RunDir, write_json
from . import reference, tables
from .loading import TTA_MODES, EvaluationError, LoadedRun, load_run, predict_views
from .metrics import ClassificationMetrics, compute_metrics, mask_impact
from .paired import paired_accuracy, paired_table
from .writers import write_evaluation, write_mask_impact

UnmaskedChoice = Literal["auto"] | bool

# CSV column names for the paper's Table V rows, so a reader can tell them from measured numbers.
PAPER_COLUMN_NAMES = {"masked": "paper_table_v_maskthefer_masked", "unmasked": "paper_table_v_vggnet_unmasked"}
CKPLUS_PAPER_COLUMN = "paper_ckplus_maskthefer_masked"
VALIDATION = "validation"  # not a stored split: the run's own hold-out of the train split


@dataclass
class SetEvaluation:
    """Metrics of one evaluated set of crops and where they were written."""

    label: str  # "masked", "unmasked", or a description of an image folder
    metrics: ClassificationMetrics
    probabilities: np.ndarray
    out_dir: Path
    document: dict[str, Any]
    paper_column: list[float | None] | None = None  # the paper's per-class figures shown beside ours
    accuracy_without_tta: float | None = None  # with test-time augmentation: the plain accuracy, for comparison


@dataclass
class EvaluationReport:
    """Everything `maskthefer evaluate` computed for one run and one data source."""

    loaded: LoadedRun
    source: str  # data directory or image folder
    split: str
    out_dir: Path
    main: SetEvaluation
    unmasked: SetEvaluation | None = None
    impact: list[dict[str, Any]] | None = None
    paired: dict[str, Any] | None = None  # masked / unmasked / average accuracy (MSD-E Table 5 layout)
    dataset_kind: str | None = None
    rejections: dict[str, int] | None = None  # photos only: faces not found, per reason
    images_total: int | None = None
    show_confusion: bool = False
    notes: list[str] = field(default_factory=list)

    def summary_text(self) -> str:
        """A readable report for the terminal."""
        return format_report(self)


def resolve_data_dir(loaded: LoadedRun, data_dir: os.PathLike | str | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    configured = loaded.config.get("data")
    if not configured:
        raise EvaluationError(f"{loaded.run.config_path} names no dataset; pass --data DIR")
    return Path(configured)


def check_compatible(loaded: LoadedRun, manifest: dict, data_dir: Path) -> None:
    """The dataset must use the run's label set (same names, same order) and the model's crop size."""
    data_names = tuple(manifest.get("class_names", ()))
    if data_names != loaded.class_names:
        same_set = sorted(data_names) == sorted(loaded.class_names)
        raise EvaluationError(
            f"{data_dir} has classes ({', '.join(data_names)}) but run {loaded.run.path} was trained on "
            f"({', '.join(loaded.class_names)})"
            + ("; same names in another order, so label indices would not match" if same_set else "")
            + "; evaluate on a dataset built with the run's label set"
        )
    check_crop_size(loaded, manifest, data_dir)


def check_crop_size(loaded: LoadedRun, manifest: dict, data_dir: Path) -> None:
    """The dataset's crops must be the size the model takes."""
    height, width = int(manifest["crop"]["height"]), int(manifest["crop"]["width"])
    model_h, model_w, _ = loaded.input_shape
    if (height, width) != (model_h, model_w):
        raise EvaluationError(
            f"{data_dir} holds {height}x{width} crops but {loaded.model_path} expects {model_h}x{model_w} input"
        )


def split_has_pairs(data_dir: Path, split: str) -> bool:
    """Whether the split's records carry the unmasked crop of each face (checked on the first record)."""
    for record in iter_split(data_dir, "train" if split == VALIDATION else split, decode_images=False):
        return record_schema.IMAGE_UNMASKED in record
    return False


def check_split(manifest: dict, data_dir: Path, split: str) -> None:
    """`split` must be stored in the dataset, or be "validation" of a dataset with a train split."""
    stored = list(manifest.get("splits", {}))
    known = [*stored, VALIDATION] if "train" in stored else stored
    if split not in known:
        raise EvaluationError(f"{data_dir} has no split {split!r}; it has: {', '.join(known)}")


def load_eval_split(loaded: LoadedRun, data_dir: Path, manifest: dict, split: str, *, unmasked: bool):
    """The faces of `split`; for "validation", the run's own hold-out of the train split."""
    check_split(manifest, data_dir, split)
    if split != VALIDATION:
        return load_split(data_dir, split, unmasked=unmasked)
    fraction, seed = loaded.config.get("validation_fraction"), loaded.config.get("validation_seed")
    if fraction is None or seed is None:
        raise EvaluationError(f"{loaded.run.config_path} records no validation hold-out to evaluate")
    if Path(str(loaded.config.get("data", ""))).resolve() != data_dir.resolve():
        raise EvaluationError(
            f"the validation split is run {loaded.run.path}'s hold-out of its own dataset "
            f"({loaded.config.get('data')}), not of {data_dir}"
        )
    full = load_split(data_dir, "train", unmasked=unmasked)
    return full.subset(np.flatnonzero(stratified_split(full.labels, float(fraction), int(seed))))


def load_faces(
    loaded: LoadedRun, data_path: Path, manifest: dict, split: str, unmasked: UnmaskedChoice
) -> tuple[SplitData, bool]:
    """The faces of `split` that an expression classifier is scored on, and whether the split stores pairs.

    The faces carry their unmasked crops when `unmasked` is True (an error if the split has none) or "auto" and
    the split has them.
    """
    check_compatible(loaded, manifest, data_path)
    check_split(manifest, data_path, split)
    pairs = split_has_pairs(data_path, split)
    if unmasked is True and not pairs:
        raise EvaluationError(f"{data_path}/{split} has no unmasked crops, so the mask's impact cannot be measured")
    data = load_eval_split(loaded, data_path, manifest, split, unmasked=pairs and unmasked is not False)
    if len(data) == 0:
        raise EvaluationError(f"{data_path}/{split} holds no faces")
    return data, pairs


def load_run_faces(
    run_dir: RunDir | os.PathLike | str,
    *,
    split: str,
    data_dir: os.PathLike | str | None = None,
    which: str = "best",
    unmasked: UnmaskedChoice = False,
) -> tuple[LoadedRun, SplitData]:
    """A run's expression classifier and the faces of `split` to score it on, loaded once.

    For work that scores the same faces several ways (scripts/choose_tta.py); `evaluate_run` does this and
    writes the report.
    """
    loaded = load_run(run_dir, which)
    data_path = resolve_data_dir(loaded, data_dir)
    manifest = read_manifest(data_path)
    if loaded.config.get("task") == "mask":
        raise EvaluationError(f"run {loaded.run.path} is a mask classifier, not an expression classifier")
    data, _ = load_faces(loaded, data_path, manifest, split, unmasked)
    return loaded, data


def provenance(loaded: LoadedRun, **extra: Any) -> dict[str, Any]:
    import keras

    return {
        "run": str(loaded.run.path),
        "model": loaded.model_name,
        "model_file": loaded.model_path.name,
        "class_names": list(loaded.class_names),
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "evaluated_at": _dt.datetime.now().isoformat(timespec="seconds"),
        **extra,
    }


def evaluate_arrays(
    loaded: LoadedRun,
    images: np.ndarray,
    labels: np.ndarray,
    source_ids: list[str],
    out_dir: Path,
    *,
    label: str,
    confusion: bool,
    extra: dict[str, Any],
    paper_column: list[float | None] | None = None,
    batch_size: int = 256,
    tta: str = "none",
) -> SetEvaluation:
    """Predict (with test-time augmentation `tta`), score and write one set of crops."""
    views = predict_views(loaded.model, images, batch_size=batch_size, tta=tta)
    probabilities = views.mean(axis=0)
    predicted = probabilities.argmax(axis=1) if len(probabilities) else np.zeros(0, np.int64)
    metrics = compute_metrics(labels, predicted, loaded.class_names)
    plain = None
    if tta != "none":  # the first view is the crop itself, so the plain figure costs no second prediction
        plain = float(np.mean(views[0].argmax(axis=1) == labels)) if len(labels) else None
        extra = {**extra, "accuracy_without_tta": plain}
    title = f"{loaded.model_name} - {label}"
    document = write_evaluation(
        out_dir,
        metrics,
        probabilities,
        source_ids,
        confusion=confusion,
        title=title,
        extra={**extra, "set": label},
        paper_column=paper_column,
        paper_name=CKPLUS_PAPER_COLUMN if extra.get("dataset_kind") == "ckplus" else PAPER_COLUMN_NAMES.get(label, "paper"),
    )
    return SetEvaluation(label, metrics, probabilities, out_dir, document, paper_column, plain)


def evaluate_run(
    run_dir: RunDir | os.PathLike | str,
    data_dir: os.PathLike | str | None = None,
    *,
    split: str = "test",
    which: str = "best",
    confusion: bool = True,
    unmasked: UnmaskedChoice = "auto",
    out_dir: os.PathLike | str | None = None,
    batch_size: int = 256,
    tta: str = "none",
) -> EvaluationReport:
    """Evaluate a run's model on `split` of a built dataset (default: the dataset it was trained on).

    `split` is a stored split ("test", "train") or "validation" (the run's hold-out); `tta` is one of
    loading.TTA_MODES ("none", "flip", "flip-shift"). A mask classifier (task "mask": MCN, MaskNet) is scored
    on each face's masked and unmasked crop.
    """
    if tta not in TTA_MODES:
        raise EvaluationError(f"test-time augmentation must be one of {', '.join(TTA_MODES)}, not {tta!r}")
    loaded = load_run(run_dir, which)
    data_path = resolve_data_dir(loaded, data_dir)
    manifest = read_manifest(data_path)
    if loaded.config.get("task") == "mask":
        if split == VALIDATION or tta != "none":
            raise EvaluationError("a mask classifier is evaluated on a stored split without test-time augmentation")
        return _evaluate_mask_classifier(loaded, data_path, manifest, split, confusion, out_dir, batch_size)
    data, pairs = load_faces(loaded, data_path, manifest, split, unmasked)
    want_pairs = data.unmasked is not None
    kind = manifest.get("dataset_kind")

    target = Path(out_dir) if out_dir else loaded.run.evaluation_dir / split
    extra = provenance(loaded, data=str(data_path), split=split, dataset_kind=kind, tta=tta)
    paper_masked = reference.dataset_per_class(loaded.class_names, kind, "masked")
    if paper_masked is not None:
        extra["paper_reference"] = paper_reference_block(loaded.class_names, kind)

    main = evaluate_arrays(
        loaded,
        data.images,
        data.labels,
        data.source_ids,
        target,
        label="masked",
        confusion=confusion,
        extra=extra,
        paper_column=paper_masked,
        batch_size=batch_size,
        tta=tta,
    )
    report = EvaluationReport(loaded, str(data_path), split, target, main, dataset_kind=kind, show_confusion=confusion)
    if want_pairs:
        paper_unmasked = reference.dataset_per_class(loaded.class_names, kind, "unmasked")
        report.unmasked = evaluate_arrays(
            loaded,
            data.unmasked,
            data.labels,
            data.source_ids,
            target / "unmasked",
            label="unmasked",
            confusion=confusion,
            extra=extra,
            paper_column=paper_unmasked,
            batch_size=batch_size,
            tta=tta,
        )
        attach_impact(report, f"{loaded.model_name}: impact of the mask ({split})")
    elif not pairs:
        report.notes.append(f"{data_path}/{split} has no unmasked crops: no mask-impact table")
    return report


def _evaluate_mask_classifier(loaded, data_path: Path, manifest, split, confusion, out_dir, batch_size):
    """Masked-or-not accuracy on the split's faces: every face's masked crop and its unmasked crop."""
    if tuple(loaded.class_names) != MASK_CLASSES:
        raise EvaluationError(f"run {loaded.run.path} is a mask classifier with classes {loaded.class_names}, "
                              f"expected {MASK_CLASSES}")
    check_crop_size(loaded, manifest, data_path)
    if not split_has_pairs(data_path, split):
        raise EvaluationError(f"{data_path}/{split} has no unmasked crops, so a mask classifier cannot be scored")
    data = load_split(data_path, split, unmasked=True)
    if len(data) == 0:
        raise EvaluationError(f"{data_path}/{split} holds no faces")
    images = np.concatenate([data.images, data.unmasked])
    labels = np.concatenate([np.full(len(data), MASK_CLASSES.index(MASKED)),
                             np.full(len(data), MASK_CLASSES.index(UNMASKED))]).astype(np.int64)
    source_ids = [f"{i}/{MASKED}" for i in data.source_ids] + [f"{i}/{UNMASKED}" for i in data.source_ids]
    target = Path(out_dir) if out_dir else loaded.run.evaluation_dir / split
    extra = provenance(loaded, data=str(data_path), split=split, dataset_kind=manifest.get("dataset_kind"))
    main = evaluate_arrays(loaded, images, labels, source_ids, target, label="masked and unmasked crops",
                           confusion=confusion, extra=extra, batch_size=batch_size)
    report = EvaluationReport(loaded, str(data_path), split, target, main, dataset_kind=manifest.get("dataset_kind"),
                              show_confusion=confusion)
    report.notes.append(f"mask classifier: {len(data)} faces, each as its masked and its unmasked crop")
    return report


def attach_impact(report: EvaluationReport, title: str) -> None:
    """Compute the masked-vs-unmasked table, write it, and add it to the main metrics.json."""
    assert report.unmasked is not None
    report.impact = mask_impact(report.main.metrics, report.unmasked.metrics)
    report.paired = paired_accuracy(report.main.metrics, report.unmasked.metrics)
    files = write_mask_impact(report.out_dir, report.impact, title)
    document = report.main.document
    document["mask_impact"] = report.impact
    document["paired_accuracy"] = report.paired
    document["files"] = document["files"] + files
    write_json(report.out_dir / "metrics.json", document)


def paper_reference_block(class_names, dataset_kind: str | None) -> dict[str, Any]:
    """The paper's numbers stored next to ours in metrics.json, clearly marked as the paper's."""
    unmasked = reference.dataset_per_class(class_names, dataset_kind, "unmasked")
    return {
        "note": "published figures of the MaskTheFER paper, not measured here",
        "source": reference.dataset_source(dataset_kind, "masked"),
        "masked_per_class": reference.dataset_per_class(class_names, dataset_kind, "masked"),
        "unmasked_vggnet_per_class": unmasked,
        "masked_overall": reference.paper_overall(dataset_kind),
        "unmasked_vggnet_overall": reference.PAPER_UNMASKED_OVERALL if unmasked is not None else None,
    }


def format_report(report: EvaluationReport) -> str:
    main = report.main.metrics
    names = report.loaded.class_names
    paper = report.main.paper_column
    lines = [
        f"run {report.loaded.run.path}  model {report.loaded.model_name} ({report.loaded.model_path.name})",
        f"data {report.source}  split {report.split}  faces {main.n}",
    ]
    if report.rejections is not None:
        rejected = sum(report.rejections.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(report.rejections.items())) or "none"
        lines.append(f"images {report.images_total}: {main.n} classified, {rejected} rejected ({detail})")
    overall = f"overall accuracy {_f(main.accuracy)}   macro F1 {_f(main.macro_f1)}"
    paper_overall = reference.paper_overall(report.dataset_kind) if paper is not None else None
    if paper_overall is not None:
        overall += f"   [paper, MaskTheFER on masked {report.dataset_kind}: {paper_overall:.4f}]"
    if report.main.accuracy_without_tta is not None:
        tta = report.main.document.get("tta", "flip")
        overall += f"   ({tta} test-time augmentation; without it {_f(report.main.accuracy_without_tta)})"
    lines += ["", report.main.label.upper(), overall, ""]
    table = "T.V" if report.dataset_kind != "ckplus" else "CK+"
    paper_label = f"paper MaskTheFER ({table})" if report.main.label == "masked" else f"paper ({table})"
    lines.append(tables.per_class_table(main, paper, paper_label))
    if main.absent_classes:
        lines.append(f"(no faces of: {', '.join(main.absent_classes)})")
    if report.show_confusion:
        lines += ["", "confusion matrix (rows true, columns predicted), counts:"]
        lines.append(tables.confusion_table(main.confusion, names, normalized=False))
        lines += ["", "row-normalised:"]
        lines.append(tables.confusion_table(main.confusion_normalized, names, normalized=True))
    if report.impact is not None and report.unmasked is not None:
        lines += ["", "IMPACT OF THE MASK (same faces, same model; difference = masked - unmasked)"]
        # The paper measured the mask's impact on FER2013 only (Table V); other datasets get no paper columns.
        paper_cols = None
        paper_unmasked = reference.dataset_per_class(names, report.dataset_kind, "unmasked")
        if paper is not None and paper_unmasked is not None:
            paper_cols = {
                "masked": paper + [reference.paper_overall(report.dataset_kind)],
                "unmasked": paper_unmasked + [reference.PAPER_UNMASKED_OVERALL],
            }
        lines.append(tables.mask_impact_table(report.impact, paper_cols))
        if paper_cols is not None:
            lines.append("paper columns: published FER2013 figures (Table V), not measured here")
    if report.paired is not None:
        lines += ["", "MASKED AND UNMASKED SIDE BY SIDE (MSD-E Table 5 layout; same faces, same model)"]
        lines.append(paired_table({method_label(report.loaded.config, report.loaded.model_name): report.paired}))
    lines += ["", "classification report:", main.report_text.rstrip()]
    lines += [*report.notes, f"written to {report.out_dir}"]
    return "\n".join(lines)


def method_label(config: dict[str, Any], model_name: str) -> str:
    """The model and how it was trained, as MSD-E names its rows: baseline (masked), Mix, CL, KD."""
    paradigm = config.get("paradigm", "standard")
    if paradigm != "standard":
        how = paradigm.upper()
    elif config.get("pairs"):
        how = "Mix: masked + unmasked"
    else:
        how = f"{config.get('crops', 'masked')} crops"
    return f"{model_name} ({how})"


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"

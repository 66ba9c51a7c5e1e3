"""`maskthefer build-dataset`: mask, align and crop a face dataset into TFRecord shards."""

from __future__ import annotations

from pathlib import Path

import click

from ..workspace import DATASETS_DIR
from .options import SEED, FiniteFloat


def _parse_crop_size(value: str) -> tuple[int, int]:
    try:
        height, width = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{value!r}: use HEIGHTxWIDTH, e.g. 48x96") from None
    if height < 8 or width < 8:
        raise click.BadParameter(f"{value!r}: crops smaller than 8 px are not useful")
    return height, width


def _parse_resample(value: str | None, crop: tuple[int, int]) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        height, width = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{value!r}: use HEIGHTxWIDTH, e.g. 24x48", param_hint="--crop-resample") from None
    if not (2 <= height <= crop[0] and 2 <= width <= crop[1]):
        raise click.BadParameter(
            f"{value!r}: each side must be from 2 px to the crop's {crop[0]}x{crop[1]}", param_hint="--crop-resample"
        )
    return height, width


def _parse_mask_types(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    from ..data.masks import MASK_TYPES

    names = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [n for n in names if n not in MASK_TYPES]
    if unknown:
        raise click.BadParameter(f"unknown mask type(s) {unknown}; choose from {', '.join(MASK_TYPES)}")
    return names


def _parse_classes(value: str | None) -> tuple[str, ...] | None:
    """--classes: comma-separated label names; emotion spellings such as 'anger' or 'happiness' are mapped to
    their canonical names, other names (a folder source's own labels) are kept as written."""
    if not value:
        return None
    from ..labels import UnknownLabelError, canonical_label

    def name(text: str) -> str:
        try:
            return canonical_label(text)
        except UnknownLabelError:
            return text

    return tuple(dict.fromkeys(name(v.strip()) for v in value.split(",") if v.strip())) or None


@click.command("build-dataset")
@click.option("--source", type=click.Choice(["fer2013", "ckplus", "folder"]), required=True,
              help="fer2013: CSV(.gz), Kaggle train|test/<emotion>/ folder or its .zip. ckplus: CK+48 folders or "
                   "full CK+ (cohn-kanade-images/ + Emotion/). folder: any <label>/<image> photos.")
@click.option("--input", "input_path", type=click.Path(path_type=Path),
              help="Dataset location. Default for fer2013/ckplus: ../shared/data (or $MASKTHEFER_DATA).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Output folder for shards, manifest.json, rejected.csv, preview.png [datasets/<source>].")
@click.option("--split", type=click.Choice(["paper", "usage"]), default="paper", show_default=True,
              help="paper: stratified 85/15 (CK+: 66.7/33.3, subject-disjoint). usage: FER2013's own Usage split.")
@click.option("--test-fraction", type=FiniteFloat(0, 1, min_open=True, max_open=True),
              help="Override the paper's test fraction.")
@click.option("--mix-subjects", is_flag=True,
              help="CK+: let a person's sequences fall on both sides of the split, as the paper's class-stratified "
                   "split did (easier, leaks identity); default keeps every subject on one side.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Mask styles and splits; same seed, same records.")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="Use only the first N source images (0: all) - for quick runs.")
@click.option("--workers", type=click.IntRange(1, 1024), help="Processes for masking [all cores].")
@click.option("--mask-types", help="Comma-separated subset of mask types (default: all, for variety).")
@click.option("--upsample", type=click.IntRange(0, 3), default=1, show_default=True,
              help="dlib upsampling when detecting faces (1 finds 48x48 faces; each step doubles the searched size).")
@click.option("--threshold", type=FiniteFloat(-3, 3), default=-0.5, show_default=True,
              help="dlib adjust_threshold for the first detection (negative: more lenient).")
@click.option("--redetect-threshold", type=FiniteFloat(-3, 3), default=-1.0, show_default=True,
              help="adjust_threshold for re-detecting the masked face (the paper's confidence filter; the paper "
                   "used -0.7 with plainer masks; with ours -0.7 keeps about 52 % of FER2013, -1.0 about 72 %).")
@click.option("--crop", "crop_mode", type=click.Choice(["eyes", "face"]), default="eyes", show_default=True,
              help="eyes: the paper's eye-region crop (48x96). face: the whole aligned face, a square about the "
                   "face box (48x48; on FER2013 the image itself), for a full-face model.")
@click.option("--crop-size", default=None, help="Crop HEIGHTxWIDTH [48x96 for --crop eyes, 48x48 for --crop face].")
@click.option("--crop-resample", default=None,
              help="Store each crop resized to HEIGHTxWIDTH and back to --crop-size, e.g. 24x48: the published "
                   "code's 24x48 crops upsampled 2x (an ablation; recorded in the manifest).")
@click.option("--no-masks", is_flag=True,
              help="Leave the faces unmasked: both crops of a record are the face as it is (training data for the "
                   "model that judges unmasked faces, e.g. with --crop face).")
@click.option("--no-align", is_flag=True, help="Skip the eye-level rotation (the paper's ablation).")
@click.option("--contempt", type=click.Choice(["neutral", "drop", "keep"]), default="neutral", show_default=True,
              help="CK+ contempt: relabel as neutral (the paper), drop (counted rejections) or keep as an 8th class.")
@click.option("--classes", default=None, metavar="NAMES",
              help="Keep only these labels, comma-separated (e.g. angry,happy,neutral,surprise: the attention "
                   "paper's 4-class setting); faces of the others are counted in rejected.csv as excluded_label.")
@click.option("--ckplus-frames", type=click.Choice(["peak", "last3"]), default="peak", show_default=True,
              help="CK+: one peak frame per sequence (no near-duplicates) or the last three.")
@click.option("--ckplus-neutrals", type=click.IntRange(min=0), default=0, show_default=True,
              help="Full CK+ only: add the first frame of up to N subjects' sequences as neutral.")
@click.option("--preview", "preview_count", type=click.IntRange(min=0), default=24, show_default=True,
              help="Faces on the preview.png contact sheet.")
@click.option("--overwrite", is_flag=True, help="Delete an earlier build in --out first.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build_dataset(**kw) -> None:
    """Put synthetic masks on faces, align by the eyes, crop the eye region (or the face), and write TFRecords.

    \b
    Examples:
      maskthefer build-dataset --source fer2013                      # all of FER2013 -> datasets/fer2013
      maskthefer build-dataset --source fer2013 --limit 2000 --out datasets/fer-small
      maskthefer build-dataset --source ckplus --out datasets/ckplus
      maskthefer build-dataset --source folder --input my_photos/ --out datasets/mine
      maskthefer build-dataset --source fer2013 --crop face --no-masks --out datasets/fer2013-face

    An interrupted build resumes where it stopped when the same command is run again.
    """
    from ..data.build import BuildOptions
    from ..data.build import build_dataset as run_build
    from ..data.crop import CropSettings
    from ..data.faces import DetectorSettings
    from ..data.pipeline import PipelineSettings
    from ..paths import default_input

    from ..data.crop import DEFAULT_CROP_SIZES

    mode = kw["crop_mode"]
    height, width = _parse_crop_size(kw["crop_size"]) if kw["crop_size"] else DEFAULT_CROP_SIZES[mode]
    resample = _parse_resample(kw["crop_resample"], (height, width))
    source = kw["source"]
    input_path = kw["input_path"] or default_input(source)
    pipeline = PipelineSettings(
        detect=DetectorSettings(upsample=kw["upsample"], adjust_threshold=kw["threshold"]),
        redetect=DetectorSettings(upsample=kw["upsample"], adjust_threshold=kw["redetect_threshold"]),
        crop=CropSettings(height=height, width=width, align=not kw["no_align"], mode=mode, resample=resample),
        mask_types=_parse_mask_types(kw["mask_types"]),
        masks=not kw["no_masks"],
    )
    options = BuildOptions(
        source=source,
        input_path=Path(input_path),
        out_dir=kw["out_dir"] or DATASETS_DIR / source,
        seed=kw["seed"],
        split=kw["split"],
        test_fraction=kw["test_fraction"],
        mix_subjects=kw["mix_subjects"],
        limit=kw["limit"] or None,
        pipeline=pipeline,
        contempt=kw["contempt"],
        frames=kw["ckplus_frames"],
        neutral_first_frames=kw["ckplus_neutrals"],
        classes=_parse_classes(kw["classes"]),
        workers=kw["workers"],
        preview_count=kw["preview_count"],
        overwrite=kw["overwrite"],
        progress=not kw["quiet"],
    )
    try:
        manifest = run_build(options)
    except KeyboardInterrupt:
        raise click.ClickException(
            f"interrupted; finished chunks are kept in {options.out_dir} - run the same command to resume"
        ) from None
    click.echo(format_summary(manifest, options.out_dir))


def format_summary(manifest: dict, out_dir: Path) -> str:
    """A plain-text report of a manifest: counts per split and class, yield, rejections, speed."""
    names = manifest["class_names"]
    crop = manifest["crop"]
    kind = f"{crop.get('mode', 'eyes')} crops {crop['height']}x{crop['width']}"
    if crop.get("resample"):
        kind += f" resampled through {crop['resample'][0]}x{crop['resample'][1]}"
    if crop.get("masked") is False:
        kind += ", unmasked"
    lines = [f"dataset: {out_dir}  ({manifest['dataset_kind']}, {kind})"]
    header = "split".ljust(10) + "".join(n[:8].rjust(9) for n in names) + "total".rjust(9)
    lines += ["", header]
    for split, info in manifest["splits"].items():
        counts = [info["class_counts"][n] for n in names]
        lines.append(split.ljust(10) + "".join(str(c).rjust(9) for c in counts) + str(info["records"]).rjust(9))
    yields = [manifest["class_counts"][n]["yield"] for n in names]
    lines.append("yield".ljust(10) + "".join((f"{y:.2f}" if y is not None else "-").rjust(9) for y in yields)
                 + f"{manifest['totals']['yield']:.2f}".rjust(9))
    totals = manifest["totals"]
    lines += ["", f"source images {totals['source_images']}, accepted {totals['accepted']}, rejected {totals['rejected']}"]
    for reason, count in manifest["rejections"].items():
        lines.append(f"  {reason}: {count}")
    timing = manifest.get("timing", {})
    if timing.get("images_per_second"):
        lines.append(f"{timing['images_processed']} images masked in {timing['seconds']} s "
                     f"({timing['images_per_second']} img/s, {timing['workers']} workers)")
    return "\n".join(lines)

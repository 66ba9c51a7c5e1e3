"""The working folders the CLI uses when a command is given no path: `datasets/` and `runs/` under the
current directory.

So the three commands chain with their defaults alone:

    maskthefer build-dataset --source fer2013      # -> datasets/fer2013
    maskthefer train --model vgg-lite              # -> runs/vgg-lite-fer2013, from datasets/fer2013
    maskthefer evaluate --confusion                # the run trained last
"""

from __future__ import annotations

from pathlib import Path

from .errors import MaskTheFERError

DATASETS_DIR = Path("datasets")
RUNS_DIR = Path("runs")
MANIFEST = "manifest.json"
RUN_CONFIG = "config.json"
PREFERRED_DATASET = "fer2013"  # what `build-dataset --source fer2013` writes by default


def built_datasets(root: Path = DATASETS_DIR) -> list[Path]:
    """Finished builds under `root` (a build writes its manifest last, so an unfinished one has none)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())


def default_dataset(root: Path = DATASETS_DIR) -> Path:
    """`root/fer2013` when built, else the only finished build under `root`; an error naming the choices else."""
    found = built_datasets(root)
    preferred = [p for p in found if p.name == PREFERRED_DATASET]
    if preferred:
        return preferred[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise MaskTheFERError(
            f"--data not given and no built dataset in {root}/: run `maskthefer build-dataset --source fer2013` "
            f"first, or pass --data DIR"
        )
    names = ", ".join(str(p) for p in found)
    raise MaskTheFERError(f"--data not given and {len(found)} datasets are built ({names}); pass one with --data")


def latest_run(root: Path = RUNS_DIR) -> Path:
    """The run under `root` whose files changed last (its state after the latest epoch, or its config)."""
    runs = [p for p in root.iterdir() if (p / RUN_CONFIG).is_file()] if root.is_dir() else []
    if not runs:
        raise MaskTheFERError(
            f"--run not given and no run in {root}/: train one with `maskthefer train`, or pass --run DIR"
        )
    return max(runs, key=_last_change)


def _last_change(run: Path) -> float:
    return max(p.stat().st_mtime for p in run.iterdir() if p.is_file())

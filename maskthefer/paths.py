"""Where maskthefer looks for datasets when no `--input` is given.

Order: the MASKTHEFER_DATA environment variable, then a `shared/data` folder beside the current directory or
beside the checkout this package was imported from (the layout `../shared/data` of the project's machines).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import MaskTheFERError

DATA_ENV = "MASKTHEFER_DATA"

# source name -> (path under the data root, how to obtain it)
DEFAULT_INPUTS: dict[str, tuple[str, str]] = {
    "fer2013": (
        "fer2013/fer2013.csv.gz",
        "download FER2013 (Kaggle 'challenges-in-representation-learning-facial-expression-recognition-challenge', "
        "fer2013.csv, or the 'msambare/fer2013' folder layout) and pass it with --input",
    ),
    "ckplus": (
        "ckplus/CK+48",
        "obtain CK+ from its authors (or the CK+48 crops) and pass the folder with --input",
    ),
}


def data_roots() -> list[Path]:
    """Candidate data roots, most specific first."""
    roots = []
    if os.environ.get(DATA_ENV):
        roots.append(Path(os.environ[DATA_ENV]))
    roots.append(Path.cwd().parent / "shared" / "data")
    roots.append(Path(__file__).resolve().parents[2] / "shared" / "data")
    return roots


def default_input(source: str) -> Path:
    """The default input for `source`, or an error that says where to put the dataset."""
    if source not in DEFAULT_INPUTS:
        raise MaskTheFERError(f"--input is required for --source {source}")
    relative, how = DEFAULT_INPUTS[source]
    for root in data_roots():
        candidate = root / relative
        if candidate.exists():
            return candidate
    searched = ", ".join(str(r / relative) for r in data_roots())
    raise MaskTheFERError(
        f"no {source} dataset found (looked in {searched}); {how}, "
        f"or set {DATA_ENV} to a folder holding {relative}"
    )

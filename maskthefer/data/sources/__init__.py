"""Readers for every supported dataset layout, behind one factory:

    from maskthefer.data.sources import open_source
    source = open_source("fer2013", "fer2013.csv.gz")     # or the Kaggle folder / .zip
    source = open_source("ckplus", "CK+48", contempt="neutral", frames="peak")
    source = open_source("folder", "my_photos/")          # <label>/<image>
    for item in source: item.source_id, item.label, item.decode()
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import (
    IMAGE_EXTENSIONS,
    ImageProblem,
    Source,
    SourceError,
    SourceImage,
    decode_image_bytes,
)
from .ckplus import (
    CONTEMPT_CHOICES,
    FRAME_CHOICES,
    CkPlus48,
    CkPlusSequences,
    open_ckplus,
)
from .fer2013 import Fer2013Csv, Fer2013Folder, open_fer2013
from .folder import LabelledFolder

SOURCE_KINDS = ("fer2013", "ckplus", "folder")


def open_source(kind: str, path: os.PathLike | str, **options) -> Source:
    """Open a dataset of the given kind; options are passed to the reader (CK+: contempt, frames, ...)."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"input {path} does not exist")
    if kind == "fer2013":
        return open_fer2013(path)
    if kind == "ckplus":
        return open_ckplus(path, **options)
    if kind == "folder":
        return LabelledFolder(path)
    raise SourceError(f"unknown source {kind!r}; choose one of {', '.join(SOURCE_KINDS)}")


__all__ = [
    "CONTEMPT_CHOICES",
    "FRAME_CHOICES",
    "IMAGE_EXTENSIONS",
    "SOURCE_KINDS",
    "CkPlus48",
    "CkPlusSequences",
    "Fer2013Csv",
    "Fer2013Folder",
    "ImageProblem",
    "LabelledFolder",
    "Source",
    "SourceError",
    "SourceImage",
    "decode_image_bytes",
    "open_source",
]

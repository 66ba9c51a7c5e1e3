"""Class names shared by every package: emotion label sets, their spellings, and the masked/unmasked classes.

Every dataset built by maskthefer stores labels as indices into a *label set*: an ordered tuple of class
names written into the dataset's manifest. The default set is the seven FER2013 emotions in the order of
the paper's tables (alphabetical), which is *not* the order of FER2013's CSV codes.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import MaskTheFERError

#: The seven basic emotions in the order used by the MaskTheFER tables (Table I, V).
EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")

#: The two classes of the masked/unmasked task (MCN, MaskNet), in label order: 0 unmasked, 1 masked.
UNMASKED, MASKED = "unmasked", "masked"
MASK_CLASSES: tuple[str, str] = (UNMASKED, MASKED)

#: FER2013 CSV code -> canonical name (0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral).
FER2013_CODES: dict[int, str] = {
    0: "angry",
    1: "disgust",
    2: "fear",
    3: "happy",
    4: "sad",
    5: "surprise",
    6: "neutral",
}

#: CK+ Emotion-file code -> canonical name (CK+ README: 0 neutral ... 7 surprise).
CKPLUS_CODES: dict[int, str] = {
    0: "neutral",
    1: "angry",
    2: "contempt",
    3: "disgust",
    4: "fear",
    5: "happy",
    6: "sad",
    7: "surprise",
}

# Folder and file spellings seen in the wild (CK+48, Kaggle FER2013, RAF-DB style folders).
_ALIASES: dict[str, str] = {
    "anger": "angry",
    "angry": "angry",
    "mad": "angry",
    "contempt": "contempt",
    "disgust": "disgust",
    "disgusted": "disgust",
    "fear": "fear",
    "fearful": "fear",
    "afraid": "fear",
    "scared": "fear",
    "happy": "happy",
    "happiness": "happy",
    "joy": "happy",
    "neutral": "neutral",
    "calm": "neutral",
    "sad": "sad",
    "sadness": "sad",
    "surprise": "surprise",
    "surprised": "surprise",
}


class UnknownLabelError(MaskTheFERError):
    """A label spelling that maps to no known emotion."""


def canonical_label(name: str) -> str:
    """Map a dataset's spelling of an emotion ("anger", "Sadness", "happiness") to its canonical name."""
    key = name.strip().lower()
    if key not in _ALIASES:
        known = ", ".join(sorted(set(_ALIASES)))
        raise UnknownLabelError(f"unknown emotion label {name!r}; known spellings: {known}")
    return _ALIASES[key]


def validate_label_set(names: Iterable[str]) -> tuple[str, ...]:
    """Return `names` as a tuple after checking it is non-empty and free of duplicates."""
    label_set = tuple(names)
    if not label_set:
        raise ValueError("a label set needs at least one class")
    duplicates = sorted({n for n in label_set if label_set.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate class names in label set: {duplicates}")
    return label_set

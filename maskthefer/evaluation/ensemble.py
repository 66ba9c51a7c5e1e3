"""Several runs' class probabilities on the same faces, averaged into one prediction: a probability ensemble.

Two models that are right on different faces (the eye region and the full face, say) can be combined without
training anything: `evaluate` keeps every face's class probabilities in predictions.csv, so the ensemble is
the mean of those rows, face by face. Whether to combine is a setting like any other, so score the ensemble on
the validation split first (`maskthefer evaluate --split validation` for each run), and on test only after.

    from maskthefer.evaluation.ensemble import ensemble_predictions
    result = ensemble_predictions(["runs/a/evaluation/validation", "runs/b/evaluation/validation"])
    print(result.accuracy, result.member_accuracies)

Which runs to combine is chosen the same way: `choose_members` scores every combination of the candidates on
the validation faces they all share, and keeps the most accurate (a tie goes to fewer members).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .compare import ComparisonError, read_prediction_rows

PROBABILITY_PREFIX = "p_"


@dataclass(frozen=True)
class ScoredFaces:
    """One predictions.csv: the faces, their true labels and the class probabilities the model gave them."""

    path: Path
    source_ids: list[str]
    true: list[str]
    class_names: list[str]
    probabilities: np.ndarray  # (faces, classes)


@dataclass(frozen=True)
class EnsembleResult:
    """The mean of the members' probabilities on the faces all of them scored."""

    members: list[str]
    class_names: list[str]
    faces: int
    faces_left_out: list[int]  # per member: faces it scored that some other member did not
    accuracy: float
    member_accuracies: list[float]  # each member alone, on the same common faces
    per_class: dict[str, float]  # the ensemble's accuracy per true class (NaN-free: absent classes left out)
    source_ids: list[str]
    predicted: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "members": self.members,
            "class_names": self.class_names,
            "faces": self.faces,
            "faces_left_out": self.faces_left_out,
            "accuracy": round(self.accuracy, 6),
            "member_accuracies": [round(a, 6) for a in self.member_accuracies],
            "per_class": {name: round(value, 4) for name, value in self.per_class.items()},
        }


def read_scored_faces(path: os.PathLike | str) -> ScoredFaces:
    """A predictions.csv written by `evaluate`, with its p_<class> columns."""
    path, columns, rows = read_prediction_rows(path, {"source_id", "true"})
    class_names = [c[len(PROBABILITY_PREFIX):] for c in columns if c.startswith(PROBABILITY_PREFIX)]
    if not class_names:
        raise ComparisonError(f"{path} has no p_<class> probabilities; is it `evaluate`'s predictions.csv?")
    probabilities = []
    for line, row in rows:
        try:
            values = [float(row[PROBABILITY_PREFIX + name]) for name in class_names]
        except (TypeError, ValueError):
            raise ComparisonError(f"{path}, line {line}: a probability is missing or not a number") from None
        if not all(np.isfinite(values)):
            raise ComparisonError(f"{path}, line {line}: a probability is not finite")
        probabilities.append(values)
    return ScoredFaces(
        path,
        [row["source_id"] for _, row in rows],
        [row["true"] for _, row in rows],
        class_names,
        np.asarray(probabilities, np.float64),
    )


def read_members(sources: Sequence[os.PathLike | str]) -> list[ScoredFaces]:
    """The predictions files to combine, checked to score the same classes."""
    members = [read_scored_faces(source) for source in sources]
    for member in members[1:]:
        if member.class_names != members[0].class_names:
            raise ComparisonError(f"{member.path} scores classes {member.class_names}, but {members[0].path} scores "
                                  f"{members[0].class_names}: not the same task")
    return members


def shared_faces(members: Sequence[ScoredFaces]) -> list[str]:
    """The faces every member scored, in the first member's order."""
    common = set(members[0].source_ids).intersection(*(m.source_ids for m in members[1:]))
    ids = [face for face in members[0].source_ids if face in common]
    if not ids:
        raise ComparisonError(f"{', '.join(str(m.path) for m in members)} share no face")
    return ids


def restrict(member: ScoredFaces, ids: Sequence[str]) -> ScoredFaces:
    """`member` on the faces `ids` only, in that order."""
    index = {face: i for i, face in enumerate(member.source_ids)}
    order = [index[face] for face in ids]
    return ScoredFaces(member.path, list(ids), [member.true[i] for i in order], member.class_names,
                       member.probabilities[order])


def combine(members: Sequence[ScoredFaces]) -> EnsembleResult:
    """The mean of the members' probabilities on the faces all of them scored (one member: that member)."""
    first = members[0]
    ids = shared_faces(members)
    true = restrict(first, ids).true
    rows = []
    for member in members:
        on_shared = restrict(member, ids)
        if on_shared.true != true:
            k = next(i for i, (a, b) in enumerate(zip(on_shared.true, true)) if a != b)
            raise ComparisonError(f"face {ids[k]!r} is {true[k]!r} in {first.path} but {on_shared.true[k]!r} in "
                                  f"{member.path}: not the same labels")
        rows.append(on_shared.probabilities)
    names = first.class_names
    labels = np.array([names.index(t) if t in names else -1 for t in true])
    if (labels < 0).any():
        raise ComparisonError(f"{first.path}: true label {true[int(np.argmin(labels))]!r} is not one of {names}")
    mean = np.mean(rows, axis=0)
    predicted = mean.argmax(axis=1)
    per_class = {
        name: float(np.mean(predicted[labels == k] == k)) for k, name in enumerate(names) if (labels == k).any()
    }
    return EnsembleResult(
        members=[str(m.path) for m in members],
        class_names=names,
        faces=len(ids),
        faces_left_out=[len(m.source_ids) - len(ids) for m in members],
        accuracy=float(np.mean(predicted == labels)),
        member_accuracies=[float(np.mean(r.argmax(axis=1) == labels)) for r in rows],
        per_class=per_class,
        source_ids=ids,
        predicted=[names[k] for k in predicted],
    )


def ensemble_predictions(sources: Sequence[os.PathLike | str]) -> EnsembleResult:
    """Average the class probabilities of two or more predictions files on the faces all of them scored."""
    if len(sources) < 2:
        raise ComparisonError("an ensemble needs at least two predictions files or runs")
    return combine(read_members(sources))


# Every combination of the candidates is scored, so their number is capped: 12 candidates are 4,095 ensembles.
MAX_CANDIDATES = 12


@dataclass(frozen=True)
class MemberChoice:
    """Every combination of the candidates scored on the same faces, and the one chosen."""

    candidates: list[str]
    faces: int  # the faces every candidate scored; each combination is scored on exactly these
    scores: list[tuple[tuple[int, ...], float]]  # (indices into candidates, accuracy), most accurate first
    chosen: EnsembleResult

    @property
    def chosen_indices(self) -> tuple[int, ...]:
        return self.scores[0][0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": self.candidates,
            "faces": self.faces,
            "combinations": [{"members": list(indices), "accuracy": round(acc, 6)} for indices, acc in self.scores],
            "chosen": list(self.chosen_indices),
            "chosen_result": self.chosen.to_dict(),
        }


def choose_members(sources: Sequence[os.PathLike | str]) -> MemberChoice:
    """Score every combination of one or more of `sources` and choose the most accurate.

    All combinations are scored on the faces every candidate scored, so their accuracies compare; a tie goes to
    the combination with fewer members, then to the one whose members come first in `sources`. Use it on the
    validation split only: the choice is a setting.
    """
    if len(sources) < 2:
        raise ComparisonError("choosing an ensemble needs at least two candidate predictions files or runs")
    if len(sources) > MAX_CANDIDATES:
        raise ComparisonError(f"{len(sources)} candidates are {2 ** len(sources) - 1:,} combinations to score; "
                              f"give at most {MAX_CANDIDATES}")
    members = read_members(sources)
    ids = shared_faces(members)
    members = [restrict(member, ids) for member in members]
    scored = []
    for size in range(1, len(members) + 1):  # smaller combinations first, so a tie keeps the smaller
        for indices in itertools.combinations(range(len(members)), size):
            scored.append((indices, combine([members[i] for i in indices]).accuracy))
    scored.sort(key=lambda item: -item[1])  # a stable sort keeps the tie order above
    best = scored[0][0]
    return MemberChoice(
        candidates=[str(m.path) for m in members],
        faces=len(ids),
        scores=scored,
        chosen=combine([members[i] for i in best]),
    )

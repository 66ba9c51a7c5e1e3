"""Two runs scored face by face on the test faces they share: the paired difference of their accuracies.

An ablation and its baseline are scored on test splits that hold the same faces, or nearly (a build that
masks differently keeps a slightly different set). Set side by side as two independent samples, 1.5 points
on 3,423 faces is barely more than one standard error; but both models get most faces right or wrong
together, and only the faces on which they disagree say which one is better (McNemar's test). Paired, the
standard error of the difference is much smaller, so real effects of that size are seen as such.

    from maskthefer.evaluation.compare import compare_predictions
    result = compare_predictions("runs/no_align", "runs/baseline")   # run folders or predictions.csv files
    print(result.difference, result.standard_error, result.p_value)
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import MaskTheFERError

PREDICTIONS = Path("evaluation") / "test" / "predictions.csv"  # where `evaluate` writes a run's test predictions


class ComparisonError(MaskTheFERError):
    """Prediction files that cannot be compared face by face."""


@dataclass(frozen=True)
class PairedComparison:
    """`a` against `b` on the faces both scored. Accuracies and the difference are over those faces only."""

    faces: int  # test faces in both files
    faces_only_a: int  # in a's file only (a build that kept other faces)
    faces_only_b: int
    accuracy_a: float
    accuracy_b: float
    right_only_a: int  # faces a classifies correctly and b does not
    right_only_b: int
    difference: float  # accuracy_a - accuracy_b
    standard_error: float  # of the paired difference
    p_value: float  # exact two-sided McNemar test: the discordant faces split as a fair coin would split them

    def to_dict(self) -> dict[str, Any]:
        # Six decimals for the rates; the p-value to three significant digits (it can be far below 1e-6).
        document = {key: round(value, 6) if isinstance(value, float) else value for key, value in asdict(self).items()}
        document["p_value"] = float(f"{self.p_value:.3g}")
        return document


def predictions_file(path: os.PathLike | str) -> Path:
    """A predictions.csv itself, or the one `evaluate` wrote in a run folder or an evaluation folder."""
    path = Path(path)
    for candidate in (path, path / PREDICTIONS, path / "predictions.csv"):
        if candidate.is_file():
            return candidate
    raise ComparisonError(f"no predictions at {path}: give a predictions.csv, or a run folder that "
                          f"`maskthefer evaluate` has scored ({PREDICTIONS})")


def read_prediction_rows(path: os.PathLike | str, required: set[str]) -> tuple[Path, list[str], list[tuple[int, dict]]]:
    """The rows of a predictions.csv written by `evaluate` (path, columns, (line, row) pairs), checked once for
    every reader: the `required` columns are there, no face appears twice, and there is at least one row."""
    path = predictions_file(path)
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or ())
        missing = ({"source_id"} | set(required)) - set(columns)
        if missing:
            raise ComparisonError(f"{path} has no column(s) {', '.join(sorted(missing))}; is it `evaluate`'s "
                                  "predictions.csv?")
        rows: list[tuple[int, dict]] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            face = row["source_id"]
            if face in seen:
                raise ComparisonError(f"{path}, line {line}: face {face!r} appears twice, so faces cannot be paired")
            seen.add(face)
            rows.append((line, row))
    if not rows:
        raise ComparisonError(f"{path} holds no predictions")
    return path, columns, rows


def read_predictions(path: os.PathLike | str) -> dict[str, tuple[str, str]]:
    """source id -> (true label, predicted label) from a predictions.csv written by `evaluate`."""
    _, _, rows = read_prediction_rows(path, {"source_id", "true", "predicted"})
    return {row["source_id"]: (row["true"], row["predicted"]) for _, row in rows}


def compare_predictions(a: os.PathLike | str, b: os.PathLike | str) -> PairedComparison:
    """Compare two runs' test predictions on their common faces (see the module docstring)."""
    a, b = predictions_file(a), predictions_file(b)  # found once, named in every message below
    first, second = read_predictions(a), read_predictions(b)
    common = [face for face in first if face in second]
    if not common:
        raise ComparisonError(f"{a} and {b} share no test face")
    relabelled = [face for face in common if first[face][0] != second[face][0]]
    if relabelled:
        face = relabelled[0]
        raise ComparisonError(f"face {face!r} is {first[face][0]!r} in {a} but {second[face][0]!r} "
                              f"in {b} ({len(relabelled)} such faces): not the same labels")
    right_a = {face for face in common if first[face][1] == first[face][0]}
    right_b = {face for face in common if second[face][1] == second[face][0]}
    only_a, only_b, n = len(right_a - right_b), len(right_b - right_a), len(common)
    difference = (only_a - only_b) / n
    # Var of the mean of per-face differences d in {-1, 0, 1}: (E[d^2] - E[d]^2) / n.
    standard_error = math.sqrt(max((only_a + only_b) / n - difference**2, 0.0) / n)
    return PairedComparison(
        faces=n,
        faces_only_a=len(first) - n,
        faces_only_b=len(second) - n,
        accuracy_a=len(right_a) / n,
        accuracy_b=len(right_b) / n,
        right_only_a=only_a,
        right_only_b=only_b,
        difference=difference,
        standard_error=standard_error,
        p_value=mcnemar_exact(only_a, only_b),
    )


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: the chance that a fair coin splits b + c discordant faces at least as
    unevenly as b and c."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)

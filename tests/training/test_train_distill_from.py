"""--distill-from RUN: another run's softened predictions on the unmasked crops, blended into the labels.

The arithmetic (`soften`, `blend`) is checked by hand; real tiny runs on real masked FER2013 faces check that
the targets a run trains on are the teacher's own predictions on each face's unmasked crop, matched by source
id across datasets of different crop sizes, that a resumed run trains on the same targets, and that bad
requests are refused before anything is written.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.data.records import load_split
from maskthefer.training import TrainConfig, TrainingError, train
from maskthefer.training.curves import read_history
from maskthefer.training.data import load_training_data
from maskthefer.training.soft_targets import blend, soften

from .conftest import TINY_VGG


def tiny(data, run_dir, **kw) -> TrainConfig:
    kw.setdefault("model_args", dict(TINY_VGG))
    return TrainConfig(data=data, run_dir=run_dir, verbose=0, steps_per_epoch=2, batch_size=16,
                       mixed_precision="none", **kw)


def test_soften_and_blend_worked_out_by_hand():
    # T = 2 takes square roots: (0.8, 0.2) -> (sqrt .8, sqrt .2) / sum = (2/3, 1/3).
    teacher = soften(np.array([[0.8, 0.2], [0.5, 0.5]], np.float32), 2.0)
    np.testing.assert_allclose(teacher, [[2 / 3, 1 / 3], [0.5, 0.5]], atol=1e-6)
    np.testing.assert_allclose(soften(np.array([[0.8, 0.2]]), 1.0), [[0.8, 0.2]], atol=1e-6)
    targets = blend(np.array([1, 0]), teacher, known=np.array([True, False]), weight=0.5)
    np.testing.assert_allclose(targets, [[1 / 3, 2 / 3], [1.0, 0.0]], atol=1e-6)  # an unknown face keeps its label
    assert targets.dtype == np.float32


@pytest.fixture(scope="module")
def teacher_run(crop24_dataset, tmp_path_factory):
    """A 1-epoch tiny VGG-lite on the 24x48 crops of the first 40 FER2013 rows: another crop, fewer faces."""
    return train(tiny(crop24_dataset, tmp_path_factory.mktemp("teacher") / "run", epochs=1, pairs=True))


def teacher_predictions(teacher_run, crop24_dataset) -> dict[str, np.ndarray]:
    """What the teacher says about each face, computed here without the module under test."""
    split = load_split(crop24_dataset, "train", unmasked=True)
    model = keras.saving.load_model(teacher_run.best_model_path, compile=False)
    x = split.unmasked.astype(np.float32)[..., None] / 255.0
    p = (model.predict(x, verbose=0) + model.predict(x[:, :, ::-1], verbose=0)) / 2
    return dict(zip(split.source_ids, p))


def test_the_training_targets_are_the_teachers_softened_predictions(teacher_run, crop24_dataset, fer_dataset,
                                                                     tmp_path, capsys):
    run = train(tiny(fer_dataset, tmp_path / "student", epochs=1, pairs=True, distill_from=teacher_run.path,
                     distill_weight=0.4, distill_temperature=3.0))
    config = run.read_config()
    assert (config["distill_from"], config["distill_weight"], config["distill_temperature"]) == (
        str(teacher_run.path.resolve()), 0.4, 3.0)

    data = load_training_data(fer_dataset, "expression", config, say=print)
    train_rows = data.train
    faces = len(train_rows) // 2  # --pairs: every face's masked crop, then its unmasked crop
    assert train_rows.source_ids[:faces] == train_rows.source_ids[faces:]
    np.testing.assert_array_equal(train_rows.targets[:faces], train_rows.targets[faces:])
    np.testing.assert_allclose(train_rows.targets.sum(axis=1), 1.0, atol=1e-5)

    expected = teacher_predictions(teacher_run, crop24_dataset)
    known = np.array([face in expected for face in train_rows.source_ids])
    assert 0 < known.sum() < len(known)  # the teacher's 40 rows are a part of the student's 400
    for row in np.flatnonzero(known)[:10]:
        p = expected[train_rows.source_ids[row]] ** (1 / 3.0)
        want = 0.6 * np.eye(7)[train_rows.labels[row]] + 0.4 * p / p.sum()
        np.testing.assert_allclose(train_rows.targets[row], want, atol=1e-4)
    np.testing.assert_array_equal(train_rows.targets[~known], np.eye(7, dtype=np.float32)[train_rows.labels[~known]])
    assert data.validation.targets is None and data.test.targets is None  # scored against the labels
    out = capsys.readouterr().out
    assert f"warning: {int((~known).sum()):,} of {len(known):,} training rows have no face in the teacher's" in out


def test_a_resumed_run_trains_on_the_same_targets(teacher_run, fer_dataset, tmp_path):
    common = dict(distill_from=teacher_run.path)
    full = train(tiny(fer_dataset, tmp_path / "full", epochs=2, **common))
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=1, **common))
    train(TrainConfig(run_dir=run.path, resume=True, epochs=2, verbose=0))
    rows, expected = read_history(run.history_path), read_history(full.history_path)
    assert [r["epoch"] for r in rows] == [1, 2]
    for key in ("loss", "val_loss", "val_accuracy"):
        assert [r[key] for r in rows] == pytest.approx([r[key] for r in expected], rel=1e-4, abs=1e-6), key
        assert all(math.isfinite(r[key]) for r in rows)
    with pytest.raises(TrainingError, match="distill_weight 0.9 differs from the run's saved 0.5"):
        train(TrainConfig(run_dir=run.path, resume=True, epochs=3, distill_weight=0.9, verbose=0))


def test_bad_distillation_requests_are_refused_before_anything_is_written(teacher_run, fer_dataset, tmp_path):
    cases = [
        (dict(distill_weight=0.5), "--distill-weight applies only with --distill-from RUN"),
        (dict(distill_from=teacher_run.path, distill_weight=0.0), r"--distill-weight must be in \(0, 1\], not 0.0"),
        (dict(distill_from=teacher_run.path, distill_temperature=float("nan")), "--distill-temperature must be a finite number"),
        (dict(distill_from=teacher_run.path, distill_temperature=-1), r"--distill-temperature must be in \(0, inf\), not -1"),
        (dict(distill_from=teacher_run.path, paradigm="cl"), "--paradigm cl has its own teacher"),
        (dict(distill_from=tmp_path / "absent"), "--distill-from .*absent"),
    ]
    for index, (options, message) in enumerate(cases):
        with pytest.raises(TrainingError, match=message):
            train(tiny(fer_dataset, tmp_path / f"run{index}", epochs=1, **options))
        assert not (tmp_path / f"run{index}").exists(), options


def test_the_cli_checks_the_distillation_options():
    runner = CliRunner()
    result = runner.invoke(main, ["train", "--distill-weight", "1.5"])
    assert result.exit_code == 2 and "--distill-weight" in result.output
    result = runner.invoke(main, ["train", "--help"])
    assert "--distill-from RUN" in result.output and "--distill-temperature" in result.output

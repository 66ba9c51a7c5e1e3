"""Test-time augmentation's views: what each mode averages, and that the CLI offers exactly those modes."""

import numpy as np
import pytest

from maskthefer.evaluation.loading import (
    TTA_MODES,
    TTA_SHIFT_PIXELS,
    EvaluationError,
    predict_proba,
    predict_views,
    shifted,
    tta_view_count,
    tta_views,
)


def _crops() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(3, 6, 8), dtype=np.uint8)


def test_shifted_moves_the_crop_and_repeats_the_edge_it_uncovers():
    crops = _crops()
    down = shifted(crops, 2, 0)
    assert down.shape == crops.shape and down.dtype == np.uint8
    assert np.array_equal(down[:, 2:], crops[:, :-2])
    assert np.array_equal(down[:, 0], crops[:, 0]) and np.array_equal(down[:, 1], crops[:, 0])
    left = shifted(crops, 0, -3)
    assert np.array_equal(left[:, :, :-3], crops[:, :, 3:])
    assert all(np.array_equal(left[:, :, -k], crops[:, :, -1]) for k in (1, 2, 3))
    assert np.array_equal(shifted(crops, 0, 0), crops)


def test_each_mode_has_its_views():
    crops = _crops()
    assert [v.shape for v in tta_views(crops, "none")] == [crops.shape]
    flip = tta_views(crops, "flip")
    assert len(flip) == 2 and np.array_equal(flip[1], crops[:, :, ::-1])
    views = tta_views(crops, "flip-shift")
    assert len(views) == 10 and all(v.shape == crops.shape for v in views)
    assert np.array_equal(views[2], shifted(crops, -TTA_SHIFT_PIXELS, 0))
    assert np.array_equal(views[9], shifted(crops[:, :, ::-1], 0, TTA_SHIFT_PIXELS))
    assert len({v.tobytes() for v in views}) == 10  # no view repeated


def test_each_mode_averages_the_first_views_of_the_next():
    crops = _crops()
    widest = tta_views(crops, "flip-shift")
    for mode in TTA_MODES:
        views = tta_views(crops, mode)
        assert len(views) == tta_view_count(mode)
        assert all(np.array_equal(view, first) for view, first in zip(views, widest))
    with pytest.raises(EvaluationError, match="flip-shift"):
        tta_view_count("rotate")


def _tiny_model():
    keras = pytest.importorskip("keras")
    inputs = keras.Input((6, 8, 1))
    outputs = keras.layers.Dense(4, activation="softmax")(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, outputs)


def test_predict_views_gives_each_views_probabilities_in_order():
    model, crops = _tiny_model(), _crops()
    views = predict_views(model, crops, batch_size=2, tta="flip-shift")
    assert views.shape == (10, len(crops), 4)
    for got, view in zip(views, tta_views(crops, "flip-shift")):
        assert np.allclose(got, predict_proba(model, view), atol=1e-6)
    assert predict_views(model, crops[:0], tta="flip").shape == (2, 0, 4)


def test_flip_shift_averages_the_probabilities_of_all_ten_views():
    model, crops = _tiny_model(), _crops()
    averaged = predict_proba(model, crops, batch_size=2, tta="flip-shift")
    each = [predict_proba(model, view) for view in tta_views(crops, "flip-shift")]
    assert np.allclose(averaged, np.mean(each, axis=0), atol=1e-6)
    assert not np.allclose(averaged, predict_proba(model, crops, tta="flip"), atol=1e-4)


def test_the_cli_offers_exactly_the_modes_predict_proba_knows():
    from maskthefer.cli.evaluate import evaluate

    tta_option = next(p for p in evaluate.params if p.name == "tta")
    assert tuple(tta_option.type.choices) == TTA_MODES


def test_choose_tta_scores_every_mode_on_validation_and_records_the_best(run_copy, tmp_path, capsys):
    import importlib.util
    import json

    from support import REPO

    from maskthefer.evaluation import evaluate_run

    spec = importlib.util.spec_from_file_location("choose_tta", REPO / "scripts" / "choose_tta.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "tta.json"
    assert script.main([str(run_copy), "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    scores = document["validation_accuracy"]
    assert tuple(scores) == TTA_MODES and document["split"] == "validation"
    assert document["chosen"] == max(TTA_MODES, key=lambda m: (scores[m], -TTA_MODES.index(m)))
    plain = evaluate_run(run_copy, split="validation", unmasked=False, confusion=False, out_dir=tmp_path / "plain")
    assert scores["none"] == pytest.approx(plain.main.metrics.accuracy, abs=5e-5)
    shifted_run = evaluate_run(run_copy, split="validation", unmasked=False, confusion=False, tta="flip-shift",
                               out_dir=tmp_path / "flip-shift")
    assert scores["flip-shift"] == pytest.approx(shifted_run.main.metrics.accuracy, abs=5e-5)
    assert shifted_run.main.accuracy_without_tta == pytest.approx(plain.main.metrics.accuracy)
    assert document["faces"] == plain.main.metrics.n
    assert f"chosen on validation: {document['chosen']}" in capsys.readouterr().out
    assert not (run_copy / "evaluation" / "validation").exists()  # scratch scoring leaves the run as it was
    assert script.main([str(tmp_path / "no-run")]) == 1

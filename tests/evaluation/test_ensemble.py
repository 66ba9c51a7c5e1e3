"""`maskthefer ensemble`: stored class probabilities averaged face by face."""

import json

import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.errors import MaskTheFERError
from maskthefer.evaluation.ensemble import MAX_CANDIDATES, choose_members, ensemble_predictions

CLASSES = ["happy", "sad", "surprise"]


def write_scored(path, rows, classes=CLASSES):
    """rows: (source id, true, probabilities), in `evaluate`'s predictions.csv layout."""
    header = ["source_id", "true", "predicted", *(f"p_{c}" for c in classes)]
    lines = [",".join(header)]
    for face, true, probabilities in rows:
        predicted = classes[max(range(len(classes)), key=lambda k: probabilities[k])]
        lines.append(",".join([face, true, predicted, *map(str, probabilities)]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_mean_of_the_probabilities_decides_on_the_common_faces(tmp_path):
    # Each model alone gets one of f1/f2 wrong; their mean gets both right. f9 is in a only and is left out.
    a = write_scored(tmp_path / "a.csv", [("f1", "happy", [0.4, 0.5, 0.1]), ("f2", "sad", [0.1, 0.8, 0.1]),
                                          ("f3", "surprise", [0.3, 0.3, 0.4]), ("f9", "happy", [1, 0, 0])])
    b = write_scored(tmp_path / "b.csv", [("f2", "sad", [0.5, 0.4, 0.1]), ("f1", "happy", [0.9, 0.05, 0.05]),
                                          ("f3", "surprise", [0.2, 0.1, 0.7])])
    result = ensemble_predictions([a, b])
    assert result.faces == 3 and result.faces_left_out == [1, 0]
    assert result.source_ids == ["f1", "f2", "f3"] and result.predicted == ["happy", "sad", "surprise"]
    assert result.member_accuracies == pytest.approx([2 / 3, 2 / 3]) and result.accuracy == pytest.approx(1.0)
    assert result.per_class == {"happy": 1.0, "sad": 1.0, "surprise": 1.0}


def test_files_that_cannot_be_combined_are_named(tmp_path):
    a = write_scored(tmp_path / "a.csv", [("f1", "happy", [0.6, 0.2, 0.2])])
    with pytest.raises(MaskTheFERError, match="at least two"):
        ensemble_predictions([a])
    other_classes = write_scored(tmp_path / "c.csv", [("f1", "happy", [0.5, 0.5])], classes=["happy", "sad"])
    with pytest.raises(MaskTheFERError, match="c.csv scores classes .* not the same task"):
        ensemble_predictions([a, other_classes])
    relabelled = write_scored(tmp_path / "r.csv", [("f1", "sad", [0.6, 0.2, 0.2])])
    with pytest.raises(MaskTheFERError, match="'f1' is 'happy' in .*a.csv but 'sad' in .*r.csv"):
        ensemble_predictions([a, relabelled])
    elsewhere = write_scored(tmp_path / "e.csv", [("g1", "happy", [0.6, 0.2, 0.2])])
    with pytest.raises(MaskTheFERError, match="share no face"):
        ensemble_predictions([a, elsewhere])
    (tmp_path / "bare.csv").write_text("source_id,true,predicted\nf1,happy,happy\n")
    with pytest.raises(MaskTheFERError, match="bare.csv has no p_<class> probabilities"):
        ensemble_predictions([a, tmp_path / "bare.csv"])
    (tmp_path / "nan.csv").write_text("source_id,true,predicted,p_happy,p_sad,p_surprise\nf1,happy,happy,nan,0,0\n")
    with pytest.raises(MaskTheFERError, match="nan.csv, line 2: a probability is not finite"):
        ensemble_predictions([a, tmp_path / "nan.csv"])
    (tmp_path / "text.csv").write_text("source_id,true,predicted,p_happy,p_sad,p_surprise\nf1,happy,happy,x,0,0\n")
    with pytest.raises(MaskTheFERError, match="text.csv, line 2: a probability is missing or not a number"):
        ensemble_predictions([a, tmp_path / "text.csv"])


def test_the_command_reads_run_folders_by_split_and_records_the_result(tmp_path):
    for run, p in (("a", [0.4, 0.5, 0.1]), ("b", [0.9, 0.05, 0.05])):
        write_scored(tmp_path / run / "evaluation" / "validation" / "predictions.csv", [("f1", "happy", p)])
    out = tmp_path / "ensemble.json"
    done = CliRunner().invoke(main, ["ensemble", str(tmp_path / "a"), str(tmp_path / "b"), "--split", "validation",
                                     "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "0.0000  " in done.output and "1.0000  ensemble (mean of the probabilities) on 1 common faces" in done.output
    document = json.loads(out.read_text())
    assert document["split"] == "validation" and document["accuracy"] == 1.0 and document["faces"] == 1
    assert document["member_accuracies"] == [0.0, 1.0] and document["command"].startswith("maskthefer ensemble")
    bad = CliRunner().invoke(main, ["ensemble", str(tmp_path / "a")])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    # A run scored on validation only is not read for test: its test predictions are asked for by name.
    unscored = CliRunner().invoke(main, ["ensemble", str(tmp_path / "a"), str(tmp_path / "b")])
    assert unscored.exit_code != 0 and "has no predictions on the test split" in unscored.output


def _three_candidates(tmp_path):
    # a alone: f1 f2 right, f3 f4 wrong; b alone: f3 right; c alone: f4 right. a+b gets f1 f2 f3 right; a+c gets
    # f1 f2 f4 right; a+b+c gets all four. f9, scored by a only, is left out of every combination.
    a = write_scored(tmp_path / "a.csv", [("f1", "happy", [0.6, 0.3, 0.1]), ("f2", "sad", [0.2, 0.7, 0.1]),
                                          ("f3", "surprise", [0.5, 0.1, 0.4]), ("f4", "sad", [0.5, 0.4, 0.1]),
                                          ("f9", "happy", [1, 0, 0])])
    b = write_scored(tmp_path / "b.csv", [("f1", "happy", [0.4, 0.5, 0.1]), ("f2", "sad", [0.6, 0.3, 0.1]),
                                          ("f3", "surprise", [0.1, 0.1, 0.8]), ("f4", "sad", [0.6, 0.1, 0.3])])
    c = write_scored(tmp_path / "c.csv", [("f1", "happy", [0.3, 0.3, 0.4]), ("f2", "sad", [0.1, 0.4, 0.5]),
                                          ("f3", "surprise", [0.6, 0.3, 0.1]), ("f4", "sad", [0.1, 0.8, 0.1])])
    return a, b, c


def test_choose_members_scores_every_combination_on_the_shared_faces(tmp_path):
    a, b, c = _three_candidates(tmp_path)
    choice = choose_members([a, b, c])
    assert choice.faces == 4 and len(choice.scores) == 7
    accuracy = dict(choice.scores)
    assert accuracy[(0,)] == pytest.approx(0.5) and accuracy[(1,)] == pytest.approx(0.25)
    assert accuracy[(0, 1)] == pytest.approx(0.75) and accuracy[(0, 2)] == pytest.approx(0.75)
    assert accuracy[(0, 1, 2)] == pytest.approx(1.0)
    assert choice.chosen_indices == (0, 1, 2) and choice.chosen.accuracy == pytest.approx(1.0)
    assert [acc for _, acc in choice.scores] == sorted(accuracy.values(), reverse=True)
    # The same file twice: all three combinations tie, so the one with fewer members, then the earlier, wins.
    alone = choose_members([a, tmp_path / "a.csv"])
    assert alone.chosen_indices == (0,) and alone.chosen.accuracy == pytest.approx(0.6)  # f9 is shared here
    with pytest.raises(MaskTheFERError, match="at least two candidate"):
        choose_members([a])
    with pytest.raises(MaskTheFERError, match=f"give at most {MAX_CANDIDATES}"):
        choose_members([a] * (MAX_CANDIDATES + 1))


def test_the_command_chooses_on_validation_only_and_records_every_combination(tmp_path):
    runs = []
    for name, path in zip("abc", _three_candidates(tmp_path)):
        target = tmp_path / name / "evaluation" / "validation" / "predictions.csv"
        target.parent.mkdir(parents=True)
        target.write_text(path.read_text())
        runs.append(str(tmp_path / name))
    out = tmp_path / "choice.json"
    done = CliRunner().invoke(main, ["ensemble", *runs, "--split", "validation", "--choose", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "7 combinations on 4 faces all candidates share" in done.output
    assert f"chosen: {' '.join(runs)} (1.0000)" in done.output
    document = json.loads(out.read_text())
    assert document["chosen"] == [0, 1, 2] and document["chosen_sources"] == runs
    assert len(document["combinations"]) == 7 and "--choose" in document["command"]
    implied = CliRunner().invoke(main, ["ensemble", *runs, "--choose"])  # validation unless told otherwise
    assert implied.exit_code == 0 and "chosen:" in implied.output, implied.output
    on_test = CliRunner().invoke(main, ["ensemble", *runs, "--split", "test", "--choose"])
    assert on_test.exit_code != 0 and "validation split, not on 'test'" in on_test.output
    assert "Traceback" not in on_test.output

"""--init-from (weights from another run, by layer name and shape) and --trainable (which layers train)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from maskthefer.cli import main
from maskthefer.models import create_model
from maskthefer.models.facechannel import FaceChannel, set_trainable as facechannel_set_trainable
from maskthefer.training import TrainConfig, TrainingError, set_trainable, train
from maskthefer.training.init_from import transfer_weights
from maskthefer.training.trainable import frozen_layers

from .conftest import TINY_VGG

CONVS = [f"block{b}_conv{c}" for b in (1, 2, 3, 4) for c in (1, 2)]
BATCH_NORMS = [f"block{b}_bn{c}" for b in (1, 2, 3, 4) for c in (1, 2)]


def tiny(data, run_dir, **kw) -> TrainConfig:
    kw.setdefault("model_args", dict(TINY_VGG))
    return TrainConfig(data=data, run_dir=run_dir, verbose=0, steps_per_epoch=2, **kw)


def weights(path, names) -> dict[str, list[np.ndarray]]:
    model = keras.saving.load_model(path, compile=False)
    return {name: model.get_layer(name).get_weights() for name in names}


@pytest.fixture(scope="module")
def source_run(fer_dataset, tmp_path_factory):
    """A 1-epoch tiny VGG-lite run on 48x96 crops: the weights the other runs start from."""
    return train(tiny(fer_dataset, tmp_path_factory.mktemp("source") / "run", epochs=1))


def test_matching_layers_load_and_a_resized_dense_layer_is_reinitialised(source_run, crop24_dataset, tmp_path,
                                                                         capfd):
    """24x48 crops: every conv and batch norm comes from the source, the first dense layer (its flatten is a
    quarter the size) cannot and trains from scratch; with --trainable head the loaded layers stay exact."""
    run = train(tiny(crop24_dataset, tmp_path / "run", epochs=1, init_from=source_run.path, trainable="head"))
    report = run.read_config()["init_report"]
    assert report["source"] == str(source_run.best_model_path.resolve())
    assert (report["source_epochs_done"], report["source_schedule_epochs"], report["source_best_epoch"]) == (1, 1, 1)
    assert set(CONVS + BATCH_NORMS) <= set(report["loaded"])
    assert list(report["reinitialised"]) == ["fc1"] and "x16" in report["reinitialised"]["fc1"]
    assert "layer 'fc1' re-initialised" in capfd.readouterr().err
    assert run.read_config()["trainable"] == "head"

    before = weights(source_run.best_model_path, CONVS + BATCH_NORMS)
    after = weights(run.last_model_path, CONVS + BATCH_NORMS)
    for name in CONVS + BATCH_NORMS:  # frozen: kernels, and batch-norm moving statistics (inference mode)
        for a, b in zip(before[name], after[name]):
            np.testing.assert_array_equal(a, b, err_msg=name)
    trained = keras.saving.load_model(run.last_model_path, compile=False).get_layer("predictions").get_weights()
    loaded = weights(source_run.best_model_path, ["predictions"])["predictions"]
    assert not np.allclose(trained[0], loaded[0])  # the head did train


def test_a_resumed_run_keeps_its_frozen_layers_and_does_not_reload_the_source(source_run, fer_dataset, tmp_path,
                                                                             monkeypatch):
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=1, init_from=source_run.path, trainable="last-conv"))
    assert run.read_config()["init_report"]["reinitialised"] == {}

    import maskthefer.training.session as session

    def refuse(*args, **kwargs):
        raise AssertionError("--resume loaded the --init-from weights over the checkpoint")

    monkeypatch.setattr(session, "initialise_from", refuse)
    train(TrainConfig(run_dir=run.path, epochs=2, resume=True, verbose=0))
    state = run.read_state()
    assert state["epochs_done"] == 2 and state["optimizer_iterations"] == 4  # optimizer state came back
    frozen = CONVS[:-1] + BATCH_NORMS[:-1]  # last-conv: block4_conv2, its batch norm and the head train
    before, after = weights(source_run.best_model_path, frozen), weights(run.last_model_path, frozen)
    for name in frozen:
        for a, b in zip(before[name], after[name]):
            np.testing.assert_array_equal(a, b, err_msg=name)
    moved = weights(run.last_model_path, ["block4_conv2"])["block4_conv2"][0]
    assert not np.allclose(moved, weights(source_run.best_model_path, ["block4_conv2"])["block4_conv2"][0])
    with pytest.raises(TrainingError, match="trainable 'all' differs"):
        train(TrainConfig(run_dir=run.path, epochs=3, resume=True, trainable="all", verbose=0))


def test_another_class_count_reinitialises_the_head_only():
    seven = create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1), **TINY_VGG)
    six = create_model("vgg-lite", num_classes=6, input_shape=(48, 96, 1), **TINY_VGG)
    report = transfer_weights(six, seven)
    assert list(report["reinitialised"]) == ["predictions"]
    assert "16x7 7 in the source, 16x6 6 here" in report["reinitialised"]["predictions"]
    np.testing.assert_array_equal(six.get_layer("features").get_weights()[0],
                                  seven.get_layer("features").get_weights()[0])


def test_clear_errors_for_sources_that_cannot_initialise(source_run, fer_dataset, tmp_path):
    (tmp_path / "empty-run").mkdir()
    with pytest.raises(TrainingError, match="holds no best.keras or last.keras"):
        train(tiny(fer_dataset, tmp_path / "a", epochs=1, init_from=tmp_path / "empty-run"))
    result = CliRunner().invoke(main, [
        "train", "--data", str(fer_dataset), "--model", "masknet", "--init-from", str(source_run.path),
        "--run-dir", str(tmp_path / "b"), "--epochs", "1", "--quiet",
    ])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "holds a 'VGGLite' model and this run trains 'MaskNet'" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_schemes_match_facechannels_own_and_keep_batch_norms_of_frozen_layers_out():
    tiny_groups = {"groups": ((8, 8), (8, 8, 8, 8, 8), (16, 16, 16)), "dense_units": 16}
    for ours, theirs in (("last-conv", "last_conv"), ("head", "none"), ("all", "all")):
        model = FaceChannel(input_shape=(48, 96, 1), **tiny_groups)
        expected = set(facechannel_set_trainable(model, theirs))
        assert set(set_trainable(FaceChannel(input_shape=(48, 96, 1), **tiny_groups), ours)) == expected, ours

    vgg = create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1), **TINY_VGG)
    assert set(set_trainable(vgg, "last-conv")) == {"block4_conv2", "block4_bn2", "fc1", "features", "predictions"}
    assert set(frozen_layers(vgg)) == set(CONVS[:-1] + BATCH_NORMS[:-1])
    assert set(set_trainable(vgg, "head")) == {"fc1", "features", "predictions"}


def test_a_head_trained_on_other_classes_is_not_taken_over(source_run, tmp_path):
    """Same shapes, other meaning: CK+ with contempt kept has 7 classes, but not FER2013's 7."""
    from maskthefer.training.init_from import initialise_from

    ours = ["angry", "contempt", "disgust", "fear", "happy", "sad", "surprise"]
    target = create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1), **TINY_VGG)
    before = target.get_layer("predictions").get_weights()[0].copy()
    report = initialise_from(target, source_run.path, class_names=ours, say=lambda _: None)
    assert list(report["reinitialised"]) == ["predictions"]
    assert "this run has angry, contempt" in report["reinitialised"]["predictions"]
    np.testing.assert_array_equal(target.get_layer("predictions").get_weights()[0], before)
    # the same classes in the same order: the head is taken over
    same = create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1), **TINY_VGG)
    names = source_run.read_config()["class_names"]
    assert initialise_from(same, source_run.path, class_names=names, say=lambda _: None)["reinitialised"] == {}

"""MSD-E's paradigms: contrastive learning (`--paradigm cl`) and knowledge distillation (`--paradigm kd`).

The losses are checked on a two-pixel network whose features and probabilities can be worked out by hand;
the selection of the student's crop on real pairs; short real runs (tiny ResNet-18, real masked FER2013
pairs) for finite loss terms, tied branches, a frozen teacher, the plain saved classifier and an exact resume.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from maskthefer.data.records import read_manifest
from maskthefer.models import model_spec
from maskthefer.training import TrainConfig, TrainingError, set_trainable, train
from maskthefer.training.curves import read_history
from maskthefer.training.data import prepare_data
from maskthefer.training.paradigms.branches import BRANCH, TEACHER
from maskthefer.training.paradigms.contrastive import build_contrastive_model
from maskthefer.training.paradigms.data import PairBatches, student_sees_masked
from maskthefer.training.paradigms.distillation import build_distillation_model
from maskthefer.training.paradigms.session import Paradigm

TINY_RESNET = dict(model_spec("resnet18").tiny_config)
LN2 = math.log(2.0)
SGD = {"optimizer": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True, "legacy_decay": 0.0}


def two_pixel_net(feature_scale: float, features: int = 2, name: str = "net") -> keras.Model:
    """(1, 2, 1) image -> features = feature_scale * pixels (no bias) -> uniform probabilities over 2 classes."""
    image = keras.Input((1, 2, 1), name="image")
    x = keras.layers.Flatten()(image)
    x = keras.layers.Dense(features, use_bias=False, name="features",
                           kernel_initializer=keras.initializers.Identity(feature_scale))(x)
    probs = keras.layers.Dense(2, activation="softmax", name="predictions", kernel_initializer="zeros")(x)
    return keras.Model(image, probs, name=name)


# One face: masked crop (0, 255), unmasked crop (255, 255), stacked on the channel axis; label 0.
PAIR = np.array([[[[0, 255], [255, 255]]]], np.uint8)  # (1, 1, 2, 2): pixel, then (masked, unmasked)
LABEL = np.array([[1.0, 0.0]], np.float32)


def evaluate(model, paradigm: Paradigm) -> dict:
    paradigm.compile(model, SGD, jit_compile=False)
    return model.evaluate(PAIR, {name: LABEL for name in paradigm.targets}, return_dict=True, verbose=0)


@pytest.mark.parametrize("cl_lambda, cl_alpha", [(0.2, 1.0), (1.0, 2.0)])
def test_contrastive_loss_worked_out_by_hand(cl_lambda, cl_alpha):
    # Features are the scaled pixels: masked (0, 1), unmasked (1, 1) -> MSE = ((1 - 0)^2 + (1 - 1)^2) / 2 = 0.5.
    # Both probabilities are (0.5, 0.5) -> each cross-entropy is ln 2.
    net = two_pixel_net(1.0)
    model = build_contrastive_model(net, input_dtype="uint8")
    logs = evaluate(model, Paradigm({"paradigm": "cl", "cl_lambda": cl_lambda, "cl_alpha": cl_alpha}))
    assert logs["feature_distance_loss"] == pytest.approx(0.5, abs=1e-6)
    assert logs["predictions_loss"] == pytest.approx(LN2, abs=1e-6)
    assert logs["loss"] == pytest.approx(cl_lambda * 0.5 + cl_alpha * 2 * LN2, abs=1e-5)  # 1.48629 at 0.2 / 1
    # One network, not two: the wrapper trains exactly the classifier's variables.
    assert {id(v) for v in model.trainable_weights} == {id(v) for v in net.trainable_weights}


def test_distillation_loss_worked_out_by_hand():
    # Teacher features 2 * unmasked = (2, 2); student features on the masked crop (0, 1):
    # MSE = ((2 - 0)^2 + (2 - 1)^2) / 2 = 2.5; CE = ln 2; loss = ln 2 + 100 * 2.5.
    student, teacher = two_pixel_net(1.0, name="student"), two_pixel_net(2.0, name="teacher_net")
    model = build_distillation_model(student, teacher, input_dtype="uint8")
    logs = evaluate(model, Paradigm({"paradigm": "kd", "kd_lambda": 100.0, "kd_p": 0.5}))
    assert logs["feature_distance_loss"] == pytest.approx(2.5, abs=1e-6)
    assert logs["loss"] == pytest.approx(LN2 + 250.0, abs=1e-4)
    assert {id(v) for v in model.trainable_weights} == {id(v) for v in student.trainable_weights}
    assert not model.get_layer(TEACHER).trainable


def test_distillation_refuses_features_of_another_size():
    student, teacher = two_pixel_net(1.0, name="student"), two_pixel_net(1.0, features=3, name="wide")  # (3,) vs (2,)
    with pytest.raises(TrainingError, match=r"features \(wide layer 'features'\) have shape \(3,\), the student's "
                                            r"\(student layer 'features'\) \(2,\)"):
        build_distillation_model(student, teacher, input_dtype="uint8", teacher_name="the teacher")
    with pytest.raises(TrainingError, match="has no layer 'penultimate' .*its layers: image, flatten"):
        build_contrastive_model(student, input_dtype="uint8", feature_layer="penultimate")


def test_the_student_crop_is_drawn_per_face_with_probability_p(fer_dataset):
    data = prepare_data(fer_dataset, read_manifest(fer_dataset), task="expression", validation_fraction=0.08,
                        validation_seed=0, stacked_pairs=True)
    pairs = data.train.images
    assert pairs.shape[1:] == (48, 96, 2) and data.validation.images.shape[-1] == 2 and data.test.images.ndim == 3
    assert all(not np.array_equal(p[..., 0], p[..., 1]) for p in pairs[:20])  # the mask changes every crop
    common = dict(num_classes=len(data.class_names), batch_size=32, repeat=True, seed=5)
    batches = PairBatches(data.train, masked_probability=0.5, **common)
    shown_masked = []
    for index in range(3 * batches.batches_per_epoch):  # three epochs
        x, _ = batches[index]
        epoch, position = batches.locate(index)
        rows = batches.epoch_order(epoch)[position * 32 : (position + 1) * 32]
        assert np.array_equal(x[..., 1], pairs[rows, ..., 1])  # the teacher always sees the unmasked crop
        masked = np.array([np.array_equal(a, b) for a, b in zip(x[..., 0], pairs[rows, ..., 0])])
        unmasked = np.array([np.array_equal(a, b) for a, b in zip(x[..., 0], pairs[rows, ..., 1])])
        assert np.all(masked ^ unmasked)  # each face's student crop is exactly one of its two crops
        draw = student_sees_masked(len(rows), 0.5, seed=5, epoch=epoch, batch=position)
        assert np.array_equal(masked, draw)
        shown_masked.extend(masked)
        assert np.array_equal(batches[index][0], x)  # the same batch on a second request (resume, prefetch)
    assert 0.45 < np.mean(shown_masked) < 0.55, np.mean(shown_masked)  # 651 draws with p = 0.5
    assert np.mean(student_sees_masked(100_000, 0.5, seed=0, epoch=0, batch=0)) == pytest.approx(0.5, abs=0.01)
    always = PairBatches(data.train, masked_probability=1.0, **common)[0][0]
    never = PairBatches(data.train, masked_probability=0.0, **common)[0][0]
    first = batches.epoch_order(0)[:32]
    assert np.array_equal(always[..., 0], pairs[first, ..., 0]) and np.array_equal(never[..., 0], pairs[first, ..., 1])
    with pytest.raises(TrainingError, match="validation sees masked"):
        PairBatches(data.validation, masked_probability=0.5, num_classes=7, batch_size=32, repeat=False)


# ----------------------------------------------------------------------------------------------- real runs


def tiny(data, run_dir, **kw) -> TrainConfig:
    # float32: under bf16 the wrapper computes in bf16 while best/last.keras are float32 twins, and the tied-
    # weights checks below compare the two to 1e-5.
    return TrainConfig(data=data, run_dir=run_dir, model="resnet18", model_args=TINY_RESNET, batch_size=16,
                       steps_per_epoch=2, mixed_precision="none", verbose=0, **kw)


@pytest.fixture(scope="module")
def cl_run(fer_dataset, tmp_path_factory):
    return train(tiny(fer_dataset, tmp_path_factory.mktemp("cl") / "run", paradigm="cl", epochs=2))


@pytest.fixture(scope="module")
def teacher_run(fer_dataset, tmp_path_factory):
    return train(tiny(fer_dataset, tmp_path_factory.mktemp("teacher") / "run", crops="unmasked", epochs=1))


def finite_terms(run, terms):
    rows = read_history(run.history_path)
    assert [row["epoch"] for row in rows] == [1, 2]
    for row in rows:
        for key in ("loss", "val_loss", *terms, *(f"val_{t}" for t in terms)):
            assert math.isfinite(row[key]), (key, row)
    return rows


def masked_and_unmasked(data_dir, count=8):
    from maskthefer.data.records import load_split

    split = load_split(data_dir, "test", unmasked=True)
    return split.images[:count], split.unmasked[:count]


def test_contrastive_run_trains_one_shared_network_and_saves_the_plain_classifier(cl_run, fer_dataset):
    config = cl_run.read_config()
    assert (config["paradigm"], config["cl_lambda"], config["cl_alpha"]) == ("cl", 0.2, 1.0)
    assert config["counts"]["train"] == 217  # faces, each with its pair (a Mix run would count 2 crops per face)
    rows = finite_terms(cl_run, ["feature_distance_loss", "predictions_loss", "unmasked_predictions_loss"])
    for row in rows:  # Keras logs each term unweighted and sums them with the weights alpha, alpha, lambda
        total = row["predictions_loss"] + row["unmasked_predictions_loss"] + 0.2 * row["feature_distance_loss"]
        assert row["loss"] == pytest.approx(total, rel=1e-3)
        assert 0 <= row["unmasked_predictions_accuracy"] <= 1

    wrapper = keras.saving.load_model(cl_run.checkpoint_path)
    last = keras.saving.load_model(cl_run.last_model_path)
    assert last.name == "resnet18" and len(last.inputs) == 1 and tuple(last.inputs[0].shape[1:]) == (48, 96, 1)
    assert len(last.outputs) == 1
    masked, unmasked = masked_and_unmasked(fer_dataset)
    out = wrapper(np.stack([masked, unmasked], axis=-1), training=False)
    # Tied: the saved classifier is the network both branches ran.
    expected_masked = last(masked[..., None].astype("float32") / 255.0, training=False)
    expected_unmasked = last(unmasked[..., None].astype("float32") / 255.0, training=False)
    assert np.allclose(out["predictions"], expected_masked, atol=1e-5)
    assert np.allclose(out["unmasked_predictions"], expected_unmasked, atol=1e-5)
    # The same crop in both branches: identical outputs and no distance at all.
    same = wrapper(np.stack([masked, masked], axis=-1), training=False)
    assert np.array_equal(same["predictions"], same["unmasked_predictions"])
    assert np.all(np.asarray(same["feature_distance"]) == 0) and np.all(np.asarray(out["feature_distance"]) > 0)
    assert len(wrapper.get_layer(BRANCH).trainable_weights) == len(wrapper.trainable_weights)


def test_distillation_run_keeps_its_teacher_frozen(teacher_run, fer_dataset, tmp_path):
    assert teacher_run.read_config()["crops"] == "unmasked"
    run = train(tiny(fer_dataset, tmp_path / "kd", paradigm="kd", teacher=teacher_run.path, epochs=2))
    config = run.read_config()
    assert (config["kd_lambda"], config["kd_p"], config["teacher"]) == (100.0, 0.5, str(teacher_run.path.resolve()))
    finite_terms(run, ["feature_distance_loss", "predictions_loss"])
    wrapper = keras.saving.load_model(run.checkpoint_path)
    teacher = keras.saving.load_model(teacher_run.best_model_path)
    frozen = wrapper.get_layer(TEACHER)
    for layer in frozen.layers:
        if layer.weights:
            for a, b in zip(layer.get_weights(), teacher.get_layer(layer.name).get_weights()):
                assert np.array_equal(a, b), layer.name  # batch-norm statistics included
    last = keras.saving.load_model(run.last_model_path)
    assert len(last.inputs) == 1 and last.name == "resnet18"


@pytest.mark.parametrize("paradigm", ["cl", "kd"])
def test_a_resumed_paradigm_run_keeps_its_trainable_scheme(paradigm, teacher_run, fer_dataset, tmp_path):
    """--trainable last-conv through a resume: the frozen layers stay as they were, the optimizer state lines up
    with the trainable variables, the history equals two epochs in a row, and (cl) the saved classifier
    follows the wrapper that kept training."""
    extra = {"teacher": teacher_run.path} if paradigm == "kd" else {}
    common = dict(paradigm=paradigm, trainable="last-conv", **extra)
    full = train(tiny(fer_dataset, tmp_path / "full", epochs=2, **common))
    run = train(tiny(fer_dataset, tmp_path / "run", epochs=1, **common))
    first = keras.saving.load_model(run.last_model_path)
    trained = set(set_trainable(first, "last-conv"))
    frozen = [layer.name for layer in first.layers if layer.weights and layer.name not in trained]
    assert len(frozen) > 10, frozen
    train(TrainConfig(run_dir=run.path, resume=True, epochs=2, verbose=0))

    resumed = keras.saving.load_model(run.last_model_path)
    for name in frozen:  # batch-norm statistics included: frozen layers run in inference mode
        for a, b in zip(first.get_layer(name).get_weights(), resumed.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert not np.allclose(first.get_layer("predictions").get_weights()[0],
                           resumed.get_layer("predictions").get_weights()[0])
    wrapper = keras.saving.load_model(run.checkpoint_path)
    assert len(wrapper.trainable_weights) == len(keras.saving.load_model(full.checkpoint_path).trainable_weights)
    assert run.read_state()["optimizer_iterations"] == full.read_state()["optimizer_iterations"] == 4
    rows, expected = read_history(run.history_path), read_history(full.history_path)
    for key in ("loss", "feature_distance_loss", "val_loss", "val_accuracy"):
        assert [r[key] for r in rows] == pytest.approx([r[key] for r in expected], rel=1e-4, abs=1e-6), key
    if paradigm == "cl":  # the contrastive wrapper runs the saved classifier on both crops
        masked, unmasked = masked_and_unmasked(fer_dataset)
        out = wrapper(np.stack([masked, unmasked], axis=-1), training=False)["predictions"]
        assert np.allclose(out, resumed(masked[..., None].astype("float32") / 255.0, training=False), atol=1e-5)


def test_bad_paradigm_options_are_refused_before_anything_is_written(fer_dataset, teacher_run, tmp_path):
    cases = [
        (dict(paradigm="simclr"), "paradigm must be one of standard, cl, kd, not 'simclr'"),
        (dict(paradigm="kd"), "--paradigm kd needs --teacher RUN"),
        (dict(paradigm="kd", teacher=teacher_run.path, cl_lambda=1.0), "--cl-lambda applies to --paradigm cl, not"),
        (dict(cl_alpha=1.0), "--cl-alpha applies to --paradigm cl, not to --paradigm standard"),
        (dict(teacher=teacher_run.path), "--teacher applies to --paradigm kd"),
        (dict(paradigm="cl", cl_lambda=float("nan")), "--cl-lambda must be a finite number"),
        (dict(paradigm="cl", cl_alpha=0.0), r"--cl-alpha must be in \(0, inf\)"),
        (dict(paradigm="kd", teacher=teacher_run.path, kd_p=1.5), r"--kd-p must be in \[0, 1\], not 1.5"),
        (dict(paradigm="kd", teacher=teacher_run.path, kd_lambda=-1.0), r"--kd-lambda must be in \[0, inf\)"),
        (dict(paradigm="cl", pairs=True), "uses both crops of every face by construction; drop --pairs"),
        (dict(paradigm="cl", crops="unmasked"), "drop --crops unmasked"),
        (dict(crops="unmasked", pairs=True), "pass one of them"),
        (dict(crops="eyes"), "crops must be one of masked, unmasked, not 'eyes'"),
        (dict(paradigm="cl", feature_layer="nope"), "model resnet18 has no layer 'nope' \\(--feature-layer\\)"),
        (dict(paradigm="kd", teacher=tmp_path / "absent"), "--teacher .*absent does not exist"),
    ]
    for index, (options, message) in enumerate(cases):
        with pytest.raises(TrainingError, match=message):
            train(tiny(fer_dataset, tmp_path / f"run{index}", epochs=1, **options))
        assert not (tmp_path / f"run{index}").exists(), options


def test_a_teacher_with_features_of_another_size_is_refused(fer_dataset, teacher_run, tmp_path):
    wide = dict(TINY_RESNET, base_filters=8)  # the teacher's 32 feature channels against 64
    with pytest.raises(TrainingError, match=r"--teacher .*'s features \(resnet18 layer 'features'\) have shape "
                                            r"\(32,\), the student's \(resnet18 layer 'features'\) \(64,\)"):
        train(TrainConfig(data=fer_dataset, run_dir=tmp_path / "kd", model="resnet18", model_args=wide,
                          paradigm="kd", teacher=teacher_run.path, verbose=0))
    assert not (tmp_path / "kd").exists()


def test_paired_evaluation_prints_masked_unmasked_and_average(cl_run):
    from maskthefer.evaluation import evaluate_run

    report = evaluate_run(cl_run.path, split="test", confusion=False)
    paired = report.paired
    assert paired["masked"] == report.main.metrics.accuracy and paired["unmasked"] == report.unmasked.metrics.accuracy
    assert paired["average"] == pytest.approx((paired["masked"] + paired["unmasked"]) / 2)
    text = report.summary_text()
    assert "MSD-E Table 5 layout" in text
    line = next(line for line in text.splitlines() if line.startswith("resnet18 (CL)"))
    assert line.split()[-3:] == [f"{paired[k]:.4f}" for k in ("masked", "unmasked", "average")]
    import json

    assert json.loads((report.out_dir / "metrics.json").read_text())["paired_accuracy"] == pytest.approx(paired)


def test_the_msde_experiments_ship_the_papers_gains_over_their_baseline():
    from dataclasses import fields

    from support import REPO

    from maskthefer.experiments import load_experiment

    shipped = REPO / "experiments"
    base = load_experiment("resnet18_fer2013", shipped).expected
    gains = {"resnet18_fer2013_cl": (0.0309, 0.0413), "resnet18_fer2013_kd": (0.0215, 0.0138)}  # SPEC §2
    for name, (masked, unmasked) in gains.items():
        expected = load_experiment(name, shipped).expected
        assert expected["accuracy"] == pytest.approx(base["accuracy"] + masked, abs=1e-9)
        assert expected["unmasked_accuracy"] == pytest.approx(base["unmasked_accuracy"] + unmasked, abs=1e-9)
    known = {f.name for f in fields(TrainConfig)}
    runs = {name: load_experiment(name, shipped).train for name in
            ("resnet18_fer2013", "resnet18_fer2013_mix", "resnet18_fer2013_cl", "resnet18_fer2013_teacher",
             "resnet18_fer2013_kd")}
    for name, settings in runs.items():
        assert set(settings) <= known and settings["model"] == "resnet18", name
    assert runs["resnet18_fer2013_mix"]["pairs"] and runs["resnet18_fer2013_teacher"]["crops"] == "unmasked"
    assert runs["resnet18_fer2013_kd"]["teacher"] == "@resnet18_fer2013_teacher"

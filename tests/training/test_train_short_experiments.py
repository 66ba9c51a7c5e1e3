"""The short-schedule comparisons of issue 10: every arm of one comparison trains on the same slice with the
same schedule, model (or width) and seed, and differs only in what the comparison is about."""

from __future__ import annotations

from dataclasses import fields

import pytest
from support import REPO

from maskthefer.experiments import load_experiment
from maskthefer.models import create_model
from maskthefer.training import TrainConfig

SHIPPED = REPO / "experiments"
SLICE = {"source": "fer2013", "limit": 6000}
FOUR_CLASSES = ["angry", "happy", "neutral", "surprise"]

# comparison -> {arm: the TRAIN settings that set it apart from the comparison's other arms}
COMPARISONS = {
    "msde": {
        "msde_fer2013_short_baseline": {},
        "msde_fer2013_short_mix": {"pairs": True},
        "msde_fer2013_short_cl": {"paradigm": "cl", "cl_lambda": 0.2, "cl_alpha": 1.0},
        "msde_fer2013_short_teacher": {"crops": "unmasked"},
        "msde_fer2013_short_kd": {"paradigm": "kd", "teacher": "@msde_fer2013_short_teacher", "kd_lambda": 100.0,
                                  "kd_p": 0.5},
    },
    "facechannel": {
        "facechannel_fer2013_short_unmasked": {"crops": "unmasked"},
        "facechannel_fer2013_short_scratch": {},
        "facechannel_fer2013_short_last_conv": {"init_from": "@facechannel_fer2013_short_unmasked",
                                                "trainable": "last-conv"},
        "facechannel_fer2013_short_all": {"init_from": "@facechannel_fer2013_short_unmasked", "trainable": "all"},
    },
    "ran-scan": {"ran_fer2013_short": {"model": "ran"}, "scan_fer2013_short": {"model": "scan"}},
    "4class": {
        "vgg11_fer2013_4class_short": {"model": "vgg11"},
        "abn_fer2013_4class_short": {"model": "abn"},
        "fecn_fer2013_4class_short": {"model": "fecn", "attention_from": "@mcn_fer2013_4class_short"},
    },
}
# The BUILD every arm of a comparison shares.
BUILDS = {"msde": SLICE, "facechannel": SLICE, "ran-scan": SLICE, "4class": {**SLICE, "classes": FOUR_CLASSES}}


@pytest.mark.parametrize("comparison", sorted(COMPARISONS))
def test_the_arms_of_a_short_comparison_differ_only_in_what_it_compares(comparison):
    arms = {name: load_experiment(name, SHIPPED) for name in COMPARISONS[comparison]}
    known = {f.name for f in fields(TrainConfig)}
    shared = None
    for name, experiment in arms.items():
        own = COMPARISONS[comparison][name]
        assert experiment.build == BUILDS[comparison], name
        assert set(experiment.train) <= known, name
        assert {k: experiment.train[k] for k in own} == own, name
        rest = {k: v for k, v in experiment.train.items() if k not in own}
        shared = rest if shared is None else shared
        assert rest == shared, name  # same model (or width), schedule, recipe and seed
        assert "short schedule" in experiment.doc.lower() and experiment.title.startswith("Short schedule"), name
        assert f"maskthefer experiment {name}" in experiment.doc, name
    assert shared["epochs"] < 150 and "seed" in shared
    if any("model" in own for own in COMPARISONS[comparison].values()):  # different models, one width
        assert shared["model_args"]


def test_the_short_mcn_is_fecns_stage_one_on_the_same_slice_and_recipe():
    fecn = load_experiment("fecn_fer2013_4class_short", SHIPPED)
    mcn = load_experiment(fecn.train["attention_from"].lstrip("@"), SHIPPED)
    assert mcn.build == fecn.build
    assert mcn.train["model"] == "mcn" and mcn.train["model_args"] == fecn.train["model_args"]
    differ = {"model", "epochs", "attention_from"}
    same = {k: v for k, v in fecn.train.items() if k not in differ}
    assert {k: mcn.train[k] for k in same} == same
    assert mcn.train["epochs"] <= fecn.train["epochs"]


@pytest.mark.parametrize("name, num_classes, params", [
    ("ran_fer2013_short", 7, 705_113),
    ("scan_fer2013_short", 7, 4_416_739),
])
def test_the_reduced_ran_and_scan_have_the_parameter_counts_their_docstrings_give(name, num_classes, params):
    experiment = load_experiment(name, SHIPPED)
    model = create_model(experiment.train["model"], num_classes=num_classes, input_shape=(48, 96, 1),
                         **experiment.train["model_args"])
    assert model.count_params() == params
    assert f"{params:,}" in experiment.doc

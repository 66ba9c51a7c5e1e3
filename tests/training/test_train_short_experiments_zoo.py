"""The short-schedule zoo comparisons of issue 10 (RAN against SCAN, and the attention paper's 4-class set):
every arm trains on the same slice with the same schedule, width and seed, and differs only in its model."""

from __future__ import annotations

from dataclasses import fields

import pytest
from support import REPO

from maskthefer.experiments import load_experiment
from maskthefer.models import create_model
from maskthefer.training import TrainConfig

SHIPPED = REPO / "experiments"
FOUR_CLASSES = ["angry", "happy", "neutral", "surprise"]

# comparison -> (the BUILD every arm shares, {arm: the TRAIN settings that set it apart})
COMPARISONS = {
    "ran-scan": (
        {"source": "fer2013", "limit": 6000},
        {"ran_fer2013_short": {"model": "ran"}, "scan_fer2013_short": {"model": "scan"}},
    ),
    "4class": (
        {"source": "fer2013", "limit": 6000, "classes": FOUR_CLASSES},
        {
            "vgg11_fer2013_4class_short": {"model": "vgg11"},
            "abn_fer2013_4class_short": {"model": "abn"},
            "fecn_fer2013_4class_short": {"model": "fecn", "attention_from": "@mcn_fer2013_4class_short"},
        },
    ),
}


@pytest.mark.parametrize("comparison", sorted(COMPARISONS))
def test_the_arms_of_a_short_zoo_comparison_differ_only_in_their_model(comparison):
    build, arms = COMPARISONS[comparison]
    known = {f.name for f in fields(TrainConfig)}
    shared = None
    for name, own in arms.items():
        experiment = load_experiment(name, SHIPPED)
        assert experiment.build == build, name
        assert set(experiment.train) <= known, name
        assert {k: experiment.train[k] for k in own} == own, name
        rest = {k: v for k, v in experiment.train.items() if k not in own}
        shared = rest if shared is None else shared
        assert rest == shared, name  # same width, schedule, recipe and seed
        assert "short schedule" in experiment.doc.lower() and experiment.title.startswith("Short schedule"), name
        assert f"maskthefer experiment {name}" in experiment.doc, name
    assert shared["epochs"] < 150 and "seed" in shared and shared["model_args"]


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

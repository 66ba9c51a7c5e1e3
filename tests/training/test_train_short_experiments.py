"""The short-schedule comparisons of issue 10: every arm of one comparison trains on the same slice with the
same schedule, model and seed, and differs only in what the comparison is about."""

from __future__ import annotations

from dataclasses import fields

import pytest
from support import REPO

from maskthefer.experiments import load_experiment
from maskthefer.training import TrainConfig

SHIPPED = REPO / "experiments"

# comparison -> {arm: the TRAIN settings that set it apart from the comparison's first arm}
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
}


@pytest.mark.parametrize("comparison", sorted(COMPARISONS))
def test_the_arms_of_a_short_comparison_differ_only_in_what_it_compares(comparison):
    arms = {name: load_experiment(name, SHIPPED) for name in COMPARISONS[comparison]}
    known = {f.name for f in fields(TrainConfig)}
    shared = None
    for name, experiment in arms.items():
        own = COMPARISONS[comparison][name]
        assert experiment.build == {"source": "fer2013", "limit": 6000}, name
        assert set(experiment.train) <= known, name
        assert {k: experiment.train[k] for k in own} == own, name
        rest = {k: v for k, v in experiment.train.items() if k not in own}
        shared = rest if shared is None else shared
        assert rest == shared, name  # same model, schedule, recipe and seed
        assert "short schedule" in experiment.doc.lower() and experiment.title.startswith("Short schedule"), name
        assert f"maskthefer experiment {name}" in experiment.doc, name
    assert shared["epochs"] < 150 and "seed" in shared

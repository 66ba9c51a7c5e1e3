"""Paper defaults per dataset kind, explicit overrides, and readable errors for impossible requests."""

from __future__ import annotations

import pytest

from maskthefer.training import TrainConfig, TrainingError, parse_model_args
from maskthefer.training.config import resolve


def manifest(kind: str, crop=(48, 96)) -> dict:
    crop_size = {"height": crop[0], "width": crop[1]}
    return {"dataset_kind": kind, "crop": crop_size, "class_names": ["a", "b"], "splits": {}}


def test_fer2013_defaults_are_the_papers():
    r = resolve(TrainConfig(data="d"), manifest("fer2013"), task="expression")
    assert (r["batch_size"], r["plateau_patience"], r["validation_fraction"], r["validation_seed"]) == (64, 5, 0.08, 0)
    assert (r["epochs"], r["lr"], r["momentum"], r["nesterov"]) == (150, 0.01, 0.9, True)
    assert (r["plateau_factor"], r["min_lr"], r["legacy_decay"]) == (0.75, 1e-4, 1e-4)
    assert r["augment"] == "layers" and r["loss"] == "categorical_crossentropy"
    assert r["augmentation"] == {
        "horizontal_flip": True, "rotation_degrees": 15.0, "zoom": 0.1, "width_shift": 0.08, "height_shift": 0.08,
        "shear_degrees": 0.1, "fill_mode": "nearest",
    }
    assert r["input_shape"] == [48, 96, 1]


def test_ckplus_defaults_are_the_papers():
    r = resolve(TrainConfig(data="d"), manifest("ckplus"), task="expression")
    holdout = (r["validation_fraction"], r["validation_seed"])
    assert (r["batch_size"], r["plateau_patience"], holdout) == (16, 10, (0.25, 15))
    aug = r["augmentation"]
    assert (aug["zoom"], aug["width_shift"], aug["height_shift"], aug["shear_degrees"]) == (0.15, 0.15, 0.15, 0.15)
    assert aug["rotation_degrees"] == 15.0


def test_explicit_settings_win_over_defaults():
    config = TrainConfig(data="d", batch_size=8, epochs=3, lr=0.05, legacy_decay=0.0, plateau_patience=2, augment="idg")
    r = resolve(config, manifest("ckplus"), task="expression")
    assert (r["batch_size"], r["epochs"], r["lr"], r["legacy_decay"], r["plateau_patience"], r["augment"]) == (
        8, 3, 0.05, 0.0, 2, "idg"
    )


@pytest.mark.parametrize(
    "config, message",
    [
        (TrainConfig(data="d", augment="fancy"), "augment must be one of"),
        (TrainConfig(data="d", validation_fraction=1.5), "validation fraction"),
        (TrainConfig(data="d", input_shape=(24, 48, 1)), "does not match the 48x96 crops"),
        (TrainConfig(data="d", input_shape="48,96,2"), "C must be 1"),
        (TrainConfig(data="d", mixed_precision="fp8"), "mixed precision"),
    ],
)
def test_impossible_settings_are_refused_by_name(config, message):
    with pytest.raises(TrainingError, match=message):
        resolve(config, manifest("fer2013"), task="expression")


def test_unknown_dataset_kind_is_refused():
    with pytest.raises(TrainingError, match="dataset_kind 'imagenet'"):
        resolve(TrainConfig(data="d"), manifest("imagenet"), task="expression")


def test_model_args_parse_json_values_and_keep_plain_strings():
    args = parse_model_args(["filters=[4,8,8,8]", "dropout=0.5", "trunk=vgg11", "mcn_config={\"width\": 0.25}"])
    assert args == {"filters": [4, 8, 8, 8], "dropout": 0.5, "trunk": "vgg11", "mcn_config": {"width": 0.25}}
    with pytest.raises(TrainingError, match="key=value"):
        parse_model_args(["dropout"])

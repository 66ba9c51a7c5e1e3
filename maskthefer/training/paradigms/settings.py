"""The paradigm settings of a run (`--paradigm`, `--cl-*`, `--kd-*`, `--teacher`, `--crops`), checked and resolved.

Framework-free: the trainer adds `resolve_paradigm`'s result to the settings `training.config.resolve` gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import TrainingError, number_setting

PARADIGMS = ("standard", "cl", "kd")
TRAIN_CROPS = ("masked", "unmasked")

# MSD-E's published settings (SPEC §2; its code defaults to lambda = alpha = 1 for CL, the paper uses 0.2 / 1).
CL_LAMBDA, CL_ALPHA = 0.2, 1.0
KD_LAMBDA, KD_P = 100.0, 0.5

# What config.json holds for a run trained before these settings existed: the standard paradigm on masked crops.
PARADIGM_DEFAULTS: dict[str, Any] = {
    "paradigm": "standard",
    "crops": "masked",
    "cl_lambda": None,
    "cl_alpha": None,
    "kd_lambda": None,
    "kd_p": None,
    "teacher": None,
    "feature_layer": None,
}

# Each paradigm's own options (field -> command-line spelling, for messages).
OWN_OPTIONS: dict[str, dict[str, str]] = {
    "standard": {},
    "cl": {"cl_lambda": "--cl-lambda", "cl_alpha": "--cl-alpha", "feature_layer": "--feature-layer"},
    "kd": {"kd_lambda": "--kd-lambda", "kd_p": "--kd-p", "teacher": "--teacher", "feature_layer": "--feature-layer"},
}


def resolve_paradigm(config, *, task: str, pairs: bool) -> dict[str, Any]:
    """The concrete paradigm settings of `config` (a TrainConfig); options of another paradigm are refused.

    Settings that do not apply stay None in config.json, so a reader sees at a glance which ones trained.
    """
    paradigm = config.paradigm or "standard"
    if paradigm not in PARADIGMS:
        raise TrainingError(f"paradigm must be one of {', '.join(PARADIGMS)}, not {paradigm!r}")
    crops = config.crops or "masked"
    if crops not in TRAIN_CROPS:
        raise TrainingError(f"crops must be one of {', '.join(TRAIN_CROPS)}, not {crops!r}")

    for options in OWN_OPTIONS.values():
        for name, option in options.items():
            if getattr(config, name) is not None and name not in OWN_OPTIONS[paradigm]:
                users = " or ".join(f"--paradigm {p}" for p, own in OWN_OPTIONS.items() if name in own)
                raise TrainingError(f"{option} applies to {users}, not to --paradigm {paradigm}")

    resolved = dict(PARADIGM_DEFAULTS, paradigm=paradigm, crops=crops)
    if paradigm == "standard":
        if crops == "unmasked" and pairs:
            raise TrainingError("--pairs adds the unmasked crops to the masked ones; --crops unmasked trains on the "
                                "unmasked crops alone; pass one of them")
        if crops == "unmasked" and task == "mask":
            raise TrainingError("--crops is for expression models; mask models (task 'mask') always use both crops")
        return resolved

    if task != "expression":
        raise TrainingError(f"--paradigm {paradigm} trains expression models, not a model for task {task!r}")
    if pairs:
        raise TrainingError(f"--paradigm {paradigm} uses both crops of every face by construction; drop --pairs")
    if crops != "masked":
        raise TrainingError(f"--paradigm {paradigm} chooses which crop each branch sees; drop --crops {crops}")
    if config.feature_layer is not None and not str(config.feature_layer).strip():
        raise TrainingError("--feature-layer needs a layer name (e.g. features)")
    resolved["feature_layer"] = config.feature_layer
    if paradigm == "cl":
        resolved["cl_lambda"] = number_setting("--cl-lambda", config.cl_lambda, CL_LAMBDA, low=0.0)
        resolved["cl_alpha"] = number_setting("--cl-alpha", config.cl_alpha, CL_ALPHA, low=0.0, low_open=True)
    else:
        if config.teacher is None:
            raise TrainingError("--paradigm kd needs --teacher RUN: a run trained on unmasked crops "
                                "(maskthefer train --crops unmasked ...)")
        resolved["kd_lambda"] = number_setting("--kd-lambda", config.kd_lambda, KD_LAMBDA, low=0.0)
        resolved["kd_p"] = number_setting("--kd-p", config.kd_p, KD_P, low=0.0, high=1.0)
        resolved["teacher"] = str(Path(config.teacher).resolve())
    return resolved

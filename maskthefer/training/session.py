"""A run ready to fit (`Session`), and how a new one is put together from a classifier and the data.

`start_session` is epoch 0 of every run, whether the classifier comes from the registry (`train`) or from the
user (`fit`): it applies `--init-from` and `--trainable`, wraps the classifier in the training model,
compiles it and writes config.json. `maskthefer.training.resume` builds the same `Session` from a checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..runs import RunDir, write_json
from .augment import image_data_generator
from .backend import dtype_policy, seed_everything
from .callbacks import save_model_atomically
from .config import Augmentation
from .data import BatchSequence, IDGTransform, TrainingData
from .distribute import check_batch_size, current_plan
from .init_from import initialise_from
from .model import build_training_model, compile_training_model, fit_targets
from .paradigms.session import paradigm_of
from .run_folder import clear_run, run_config
from .schedule import PlateauState
from .trainable import frozen_layers, set_trainable
from .zoo import is_zoo_model


@dataclass
class Session:
    """A run ready to fit: its configuration, data, models and where it stands."""

    run: RunDir
    config: dict[str, Any]
    data: TrainingData
    training_model: Any
    classifier: Any
    save_classifier: Callable[[Path], None]
    initial_epoch: int
    plateau: PlateauState
    history: list[dict[str, Any]]
    best: dict[str, Any]
    train_batches: BatchSequence
    transform: IDGTransform | None = None  # host-side ImageDataGenerator for --augment idg


def host_transform(resolved: dict[str, Any]) -> IDGTransform | None:
    if resolved["augment"] != "idg":
        return None
    return IDGTransform(image_data_generator(Augmentation(**resolved["augmentation"])), resolved["seed"])


def make_train_batches(data: TrainingData, resolved: dict[str, Any], classifier, first_epoch: int, transform):
    """The endless, reproducible stream of training batches (see `BatchSequence`)."""
    check_batch_size(resolved["batch_size"])
    paradigm = paradigm_of(resolved)
    make = BatchSequence if paradigm is None else paradigm.train_batches  # cl/kd: stacked crop pairs
    return make(
        data.train, num_classes=len(data.class_names), batch_size=resolved["batch_size"], repeat=True,
        seed=resolved["seed"], first_epoch=first_epoch,
        targets=fit_targets(classifier) if paradigm is None else paradigm.targets,
        max_batches=resolved["steps_per_epoch"], transform=transform, workers=resolved["workers"],
        batch_multiple=current_plan().batch_multiple,
    )


def plateau_state(resolved: dict[str, Any]) -> PlateauState:
    return PlateauState(
        lr=resolved["lr"], factor=resolved["plateau_factor"], patience=resolved["plateau_patience"],
        min_lr=resolved["min_lr"], min_delta=resolved["plateau_min_delta"],
    )


def prepare_classifier(classifier, resolved: dict[str, Any], say, class_names=None) -> dict[str, Any]:
    """`--init-from` then `--trainable` on a freshly built classifier; returns what config.json records."""
    record: dict[str, Any] = {}
    if resolved.get("init_from"):
        record["init_report"] = initialise_from(classifier, resolved["init_from"], class_names=class_names, say=say)
    scheme = resolved.get("trainable", "all")
    set_trainable(classifier, scheme)
    if scheme != "all":
        frozen = frozen_layers(classifier)
        say(f"trainable {scheme}: {len(frozen)} layers with weights frozen")
    return record


def start_session(
    run: RunDir,
    *,
    model_record: dict[str, Any],
    build: Callable[[], Any],
    resolved: dict[str, Any],
    data: TrainingData,
    data_dir,
    overwrite: bool,
    say,
) -> Session:
    """Build the classifier (`build()`, under the run's dtype policy), wrap and compile it, write config.json."""
    transform = host_transform(resolved)  # fails early when --augment idg has no TensorFlow
    seed_everything(resolved["seed"])
    with dtype_policy(resolved["mixed_precision"]):
        classifier = build()
        record = {**model_record, **prepare_classifier(classifier, resolved, say, data.class_names)}
        input_dtype = "float32" if resolved["augment"] == "idg" else "uint8"
        augmentation = resolved["augmentation"] if resolved["augment"] == "layers" else None
        batches = make_train_batches(data, resolved, classifier, 0, transform)
        paradigm = paradigm_of(resolved)
        if paradigm is not None:  # MSD-E's contrastive learning or distillation: a wrapper around the classifier
            training_model = paradigm.build(classifier, resolved, class_names=data.class_names,
                                            input_dtype=input_dtype, augmentation=augmentation, say=say)
            paradigm.compile(training_model, resolved, steps_per_epoch=batches.batches_per_epoch)
        else:
            training_model = build_training_model(
                classifier, input_dtype=input_dtype, augmentation=augmentation, seed=resolved["seed"]
            )
            compile_training_model(
                training_model, classifier, resolved, steps_per_epoch=batches.batches_per_epoch, jit_compile="auto"
            )

    if overwrite:
        clear_run(run)  # only now: a request that fails above leaves the old run untouched
    run.path.mkdir(parents=True, exist_ok=True)
    full = run_config(record, data, data_dir, resolved, classifier)
    write_json(run.config_path, full)
    return Session(
        run, full, data, training_model, classifier, classifier_saver(classifier, resolved["mixed_precision"]),
        0, plateau_state(resolved), [], {"val_accuracy": None, "epoch": None}, batches, transform,
    )


def classifier_saver(classifier, mixed_precision: str | None) -> Callable[[Path], None]:
    """How best/last.keras are written: the bare classifier, as a float32 model for zoo models.

    Under mixed precision the live classifier computes in bf16; a float32 twin (rebuilt from the zoo model's
    constructor arguments) receives its weights before each save, so evaluation loads a plain float32 model
    on any device. A model given to `fit` is saved as it was built.
    """
    if not mixed_precision or not is_zoo_model(classifier):
        return lambda path: save_model_atomically(classifier, path)
    with dtype_policy(None):
        twin = type(classifier).from_config(classifier.get_config())

    def save(path: Path) -> None:
        twin.set_weights(classifier.get_weights())
        save_model_atomically(twin, path)

    return save

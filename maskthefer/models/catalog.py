"""What `maskthefer models` shows: one row per registered model, with its parameter count measured by building it.

    from maskthefer.models.catalog import describe_model, catalog
    catalog()                      # every model, built one at a time at its default input
    describe_model("resnet18")     # one row

Building is the only honest way to count a Keras model's parameters (counts depend on the input channels and the
number of classes), so rows are computed on demand and nothing is cached to disk.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..labels import EMOTIONS, MASK_CLASSES
from .registry import create_model, list_models, model_spec

MASK_TASK_CLASSES = len(MASK_CLASSES)  # masked vs unmasked, for models registered with task="mask"


@dataclass(frozen=True)
class CatalogRow:
    name: str
    params: int | None  # None when not counted
    published_params: int | None
    input_shape: tuple[int, int, int]
    num_classes: int
    input_note: str
    paper: str
    description: str
    task: str

    @property
    def params_vs_published(self) -> float | None:
        """Relative difference of the measured count from the published figure (0.01 = 1 % more)."""
        if self.params is None or not self.published_params:
            return None
        return self.params / self.published_params - 1.0


def default_num_classes(name: str) -> int:
    """7 emotion classes, or 2 for the masked/unmasked task."""
    return MASK_TASK_CLASSES if model_spec(name).task == "mask" else len(EMOTIONS)


def build_default(name: str, input_shape: Sequence[int] | None = None, **kwargs):
    """The model at its registered default input and default class count (kwargs override its arguments)."""
    return create_model(name, num_classes=default_num_classes(name), input_shape=input_shape, **kwargs)


def describe_model(name: str, count: bool = True, input_shape: Sequence[int] | None = None) -> CatalogRow:
    """One catalog row; with `count`, builds the model (weights included), counts and discards it."""
    spec = model_spec(name)
    shape = tuple(input_shape) if input_shape is not None else spec.default_input_shape
    params = None
    if count:
        model = build_default(name, input_shape=shape)
        params = int(model.count_params())
        del model
        gc.collect()  # the largest models hold ~0.5 GB of weights; free them before building the next
    return CatalogRow(
        name=name,
        params=params,
        published_params=spec.published_params,
        input_shape=shape,
        num_classes=default_num_classes(name),
        input_note=spec.input_note,
        paper=spec.paper,
        description=spec.description,
        task=spec.task,
    )


def catalog(names: Iterable[str] | None = None, count: bool = True) -> list[CatalogRow]:
    """Rows for `names` (default: every registered model, sorted)."""
    return [describe_model(name, count=count) for name in (names if names is not None else list_models())]


def format_params(count: int | None) -> str:
    """11,180,871 -> '11.18 M'; None -> '-'."""
    if count is None:
        return "-"
    if count >= 1_000_000:
        return f"{count / 1e6:.2f} M"
    if count >= 1_000:
        return f"{count / 1e3:.1f} k"
    return str(count)

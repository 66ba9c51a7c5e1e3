"""Name -> constructor registry for every architecture in the zoo (timm's `create_model` pattern).

Families register themselves when `maskthefer.models` is imported:

    @register_model("vgg-lite", description=..., published_params=36_900_000, paper="MaskTheFER (DICTA 2023)")
    class VGGLite(ZooModel): ...

`create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1))` then builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import MaskTheFERError

CROP_SHAPE: tuple[int, int, int] = (48, 96, 1)  # the masked eye-region crops of the MaskTheFER pipeline


@dataclass(frozen=True)
class ModelSpec:
    """What the registry knows about a model without building it."""

    name: str
    constructor: Callable[..., Any]
    description: str
    paper: str = ""
    default_input_shape: tuple[int, int, int] = CROP_SHAPE
    published_params: int | None = None  # the figure the literature gives, for comparison
    input_note: str = ""  # how inputs that do not suit the architecture are handled (resize, padding)
    tiny_config: dict = field(default_factory=dict)  # small constructor arguments for fast tests
    task: str = "expression"  # "expression" (emotion classes) or "mask" (masked vs unmasked, MCN)


_REGISTRY: dict[str, ModelSpec] = {}


class UnknownModelError(MaskTheFERError):
    """A model name that is not in the registry."""


def register_model(
    name: str,
    *,
    description: str,
    paper: str = "",
    default_input_shape: tuple[int, int, int] = CROP_SHAPE,
    published_params: int | None = None,
    input_note: str = "",
    tiny_config: dict | None = None,
    task: str = "expression",
) -> Callable:
    """Class or function decorator adding a constructor to the registry under `name`."""

    def decorator(constructor: Callable) -> Callable:
        if name in _REGISTRY and _REGISTRY[name].constructor is not constructor:
            raise ValueError(f"model name {name!r} registered twice")
        _REGISTRY[name] = ModelSpec(
            name=name,
            constructor=constructor,
            description=description,
            paper=paper,
            default_input_shape=tuple(default_input_shape),
            published_params=published_params,
            input_note=input_note,
            tiny_config=dict(tiny_config or {}),
            task=task,
        )
        return constructor

    return decorator


def list_models() -> list[str]:
    """Registered model names, sorted."""
    return sorted(_REGISTRY)


def model_spec(name: str) -> ModelSpec:
    if name not in _REGISTRY:
        raise UnknownModelError(f"unknown model {name!r}; available: {', '.join(list_models())}")
    return _REGISTRY[name]


def create_model(
    name: str,
    num_classes: int = 7,
    input_shape: tuple[int, int, int] | None = None,
    **kwargs: Any,
):
    """Build a registered model: `create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1))`."""
    spec = model_spec(name)
    shape = tuple(input_shape) if input_shape is not None else spec.default_input_shape
    return spec.constructor(num_classes=num_classes, input_shape=shape, **kwargs)

"""The model zoo: every architecture of the research as a registered Keras 3 model.

    from maskthefer.models import create_model, list_models
    model = create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1))

Importing this package registers every family (and their custom layers with Keras serialisation).
"""

from . import (
    attention,  # noqa: F401  (abn, mcn, fecn)
    cbam,  # noqa: F401  (cbam-resnet50)
    facechannel,  # noqa: F401
    masknet,  # noqa: F401  (the mask classifier predict routes by)
    mobilenet,  # noqa: F401
    ran,  # noqa: F401  (region attention network)
    resmaskingnet,  # noqa: F401
    resnet,  # noqa: F401  (resnet18)
    scan,  # noqa: F401  (SCAN + CCI)
    vgg,  # noqa: F401  (vgg11, vgg16, vgg19)
    vgg_lite,  # noqa: F401  (registers its models)
)
from .base import PREDICTIONS, ZooModel
from .registry import (
    CROP_SHAPE,
    ModelSpec,
    UnknownModelError,
    create_model,
    list_models,
    model_spec,
    register_model,
)

__all__ = [
    "CROP_SHAPE",
    "PREDICTIONS",
    "ModelSpec",
    "UnknownModelError",
    "ZooModel",
    "create_model",
    "list_models",
    "model_spec",
    "register_model",
]

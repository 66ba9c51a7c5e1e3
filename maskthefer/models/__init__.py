"""The model zoo: every architecture of the research as a registered Keras 3 model.

    from maskthefer.models import create_model, list_models
    model = create_model("vgg-lite", num_classes=7, input_shape=(48, 96, 1))

Importing this package registers every family (and their custom layers with Keras serialisation).
"""

from . import vgg_lite  # noqa: F401  (registers its models)
from . import vgg  # noqa: F401  (vgg11, vgg16, vgg19)
from . import mobilenet  # noqa: F401
from . import resnet  # noqa: F401  (resnet18)
from . import cbam  # noqa: F401  (cbam-resnet50)
from . import resmaskingnet  # noqa: F401
from . import attention  # noqa: F401  (abn, mcn, fecn)
from . import facechannel  # noqa: F401
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

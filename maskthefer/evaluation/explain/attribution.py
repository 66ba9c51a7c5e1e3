"""Grad-CAM and saliency maps with tf-keras-vis (which is written on TensorFlow: TensorFlow backend only).

Both are computed for the class the model predicted, on a copy of the classifier whose final softmax is
replaced by a linear activation: gradients of a saturated softmax vanish, which blanks the maps
(tf-keras-vis recommends the same). Grad-CAM reads the model's `last_conv_layer_name` (falling back to
tf-keras-vis's search for the last convolution); saliency is SmoothGrad over the input pixels.
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from ..loading import EvaluationError, LoadedRun, classifier_model, to_model_input

METHODS = ("gradcam", "saliency")


class ExplainError(EvaluationError):
    """An explanation that cannot be produced here (method needs TensorFlow, model has no conv layer...)."""


def tensorflow_problem() -> str | None:
    """Why tf-keras-vis cannot run in this process, or None when it can."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return f"the Keras backend is {keras.backend.backend()!r}"
    for module in ("tensorflow", "tf_keras_vis"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} is not installed"
        except (ImportError, ValueError):
            return f"{module} cannot be imported"
    return None


def require_tensorflow(method: str) -> None:
    problem = tensorflow_problem()
    if problem:
        raise ExplainError(
            f"--method {method} uses tf-keras-vis, which needs TensorFlow with KERAS_BACKEND=tensorflow "
            f"({problem}); use --method none for the t-SNE and training curves alone"
        )


def _linear_head_model(loaded: LoadedRun):
    """A fresh copy of the classifier whose output layer has a linear activation instead of softmax."""
    import keras

    import maskthefer.models  # noqa: F401

    copy = classifier_model(keras.models.load_model(loaded.model_path, compile=False))
    output_layer = copy.get_layer(copy.output_names[0]) if getattr(copy, "output_names", None) else copy.layers[-1]
    if hasattr(output_layer, "activation"):
        output_layer.activation = keras.activations.linear
    # tf-keras-vis always calls models with a list of inputs; give it a model whose inputs are a list.
    return keras.Model(inputs=list(copy.inputs), outputs=copy.outputs[0], name=copy.name)


def attribution_maps(
    loaded: LoadedRun,
    images: np.ndarray,
    targets: np.ndarray,
    method: str,
    *,
    smooth_samples: int = 20,
    smooth_noise: float = 0.2,
) -> np.ndarray:
    """(N, H, W) maps in [0, 1] explaining class `targets[i]` on uint8 crop `images[i]`."""
    if method not in METHODS:
        raise ExplainError(f"unknown explanation method {method!r}; choose one of {', '.join(METHODS)}")
    require_tensorflow(method)
    with warnings.catch_warnings():
        # tf-keras-vis 0.8 imports scipy.ndimage.interpolation, deprecated in SciPy; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        from tf_keras_vis.gradcam import Gradcam
        from tf_keras_vis.saliency import Saliency
        from tf_keras_vis.utils.scores import CategoricalScore

    model = _linear_head_model(loaded)
    x = to_model_input(images, loaded.input_shape)
    score = CategoricalScore([int(t) for t in targets])
    if method == "gradcam":
        layer = getattr(loaded.full_model, "last_conv_layer_name", None)
        try:
            maps = Gradcam(model, clone=False)(score, x, penultimate_layer=layer, seek_penultimate_conv_layer=True)
        except ValueError as exc:
            raise ExplainError(f"Grad-CAM on {loaded.model_name} failed: {exc}") from exc
    else:
        maps = Saliency(model, clone=False)(score, x, smooth_samples=smooth_samples, smooth_noise=smooth_noise)
    maps = np.asarray(maps, np.float32).reshape(len(images), *images.shape[1:3])
    return np.nan_to_num(maps)

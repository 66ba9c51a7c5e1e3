"""maskthefer: facial expression recognition on faces that wear masks.

The package is split into one-way layers:

- `maskthefer.data`: sources -> faces -> masks -> crops -> records (no deep-learning framework needed);
- `maskthefer.models`: the Keras 3 model zoo behind `create_model` / `list_models`;
- `maskthefer.training`: the paper's training recipe on any Keras backend;
- `maskthefer.evaluation`: metrics, confusion matrices and explanations of a trained run.

Importing `maskthefer` itself is cheap: no TensorFlow, JAX or dlib is loaded until a layer needs it.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `from maskthefer import Recognizer` without making `import maskthefer` load Keras and dlib.
    if name == "Recognizer":
        from .inference import Recognizer

        return Recognizer
    raise AttributeError(f"module 'maskthefer' has no attribute {name!r}")

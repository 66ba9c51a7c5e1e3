"""Keep TensorFlow's C++ start-up lines off stderr.

TensorFlow 2.19+ logs through absl before absl is initialised, and those lines ("All log messages before
absl::InitializeLog() ...", "oneDNN custom operations are on", "Could not find cuda drivers", "failed call to
cuInit") ignore TF_CPP_MIN_LOG_LEVEL (tensorflow/tensorflow#100442). They come from native code writing to file
descriptor 2, so the only switch is the descriptor itself: while `tensorflow` is first imported (and its
devices first listed, which is when cuInit complains), fd 2 points at a temporary file. If the import fails,
what was written there is replayed so the real error is not lost.

    from maskthefer.quiet import quiet_tensorflow_startup
    quiet_tensorflow_startup()   # once, before anything imports keras or tensorflow
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
import tempfile
from collections.abc import Iterator

_QUIET_MODULES = ("tensorflow",)


@contextlib.contextmanager
def native_stderr_captured() -> Iterator[None]:
    """Send fd 2 to a temporary file for the duration; replay it to the real stderr if the body raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                sink.seek(0)
                sys.stderr.write(sink.read().decode(errors="replace"))


@contextlib.contextmanager
def native_stderr_discarded() -> Iterator[None]:
    """Point fd 2 at /dev/null for the duration (for native libraries such as ffmpeg that log per frame)."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class _QuietLoader(importlib.abc.Loader):
    """Runs the real loader of `tensorflow` with fd 2 captured, then lists its devices the same way."""

    def __init__(self, loader: importlib.abc.Loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        with native_stderr_captured():
            self._loader.exec_module(module)
            # Device discovery (cuInit) logs its own error on machines without a GPU; do it here, quietly.
            with contextlib.suppress(Exception):
                module.config.list_physical_devices()


class _QuietFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name not in _QUIET_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _QuietLoader(spec.loader)
        return spec


def quiet_tensorflow_startup() -> None:
    """Silence TensorFlow's native start-up chatter in this process (no effect once TensorFlow is imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # what TF's own (non-absl) logger still honours
    if not any(isinstance(finder, _QuietFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietFinder())

"""The `maskthefer` command line: a thin layer over the Python API.

Subcommands live in their own modules and are imported only when invoked, so `maskthefer --help` and
`maskthefer build-dataset` never pay for (or require) a deep-learning framework.
"""

from __future__ import annotations

import importlib
import logging

import click

from .. import __version__
from ..errors import MaskTheFERError
from ..quiet import quiet_tensorflow_startup

# Subcommand modules are imported while click parses the command line, before `main` runs, so the switch that
# keeps TensorFlow's native start-up lines off stderr is set here, at import.
quiet_tensorflow_startup()

# command name -> (module, attribute, one-line help shown by `maskthefer --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build-dataset": ("maskthefer.cli.build", "build_dataset", "Mask, align and crop faces into TFRecords."),
    "train": ("maskthefer.cli.train", "train", "Train a registered model on a built dataset."),
    "evaluate": ("maskthefer.cli.evaluate", "evaluate", "Accuracy, per-class table and confusion matrix of a run."),
    "explain": ("maskthefer.cli.explain", "explain", "Grad-CAM / saliency maps, t-SNE and curves of a run."),
    "models": ("maskthefer.cli.models", "models", "List the model zoo with parameters and input shapes."),
    "experiment": ("maskthefer.cli.experiment", "experiment", "Build, train and evaluate an experiments/ config."),
    "compare": ("maskthefer.cli.compare", "compare", "Two runs face by face: paired difference and McNemar test."),
    "ensemble": ("maskthefer.cli.ensemble", "ensemble", "Several runs' probabilities averaged face by face."),
    "predict": ("maskthefer.cli.predict", "predict", "Expressions of every face in photos, videos or a camera."),
    "export": ("maskthefer.cli.export", "export", "Write a run's models and settings as a portable bundle."),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name][0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not self._available(name):
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MaskTheFERError as exc:
            # Expected failures (bad paths, bad values) are reported as one sentence, not a traceback.
            raise click.ClickException(str(exc)) from exc


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="maskthefer")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """maskthefer: facial expression recognition on masked faces (MaskTheFER, DICTA 2023, and beyond).

    \b
    A typical session:
      maskthefer build-dataset --source fer2013 --limit 2000 --out datasets/fer-small
      maskthefer train --model vgg-lite --data datasets/fer-small --epochs 5 --run-dir runs/demo
      maskthefer evaluate --run runs/demo --confusion
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")

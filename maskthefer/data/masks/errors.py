"""Errors of the mask drawer, each with a sentence that says what was wrong."""

from __future__ import annotations

from ...errors import MaskTheFERError


class MaskFitError(MaskTheFERError):
    """The landmarks are too degenerate to place a mask on (collapsed points, impossible geometry)."""


class MaskStyleError(MaskTheFERError):
    """A mask style was asked for that does not exist (unknown mask type, colour or texture)."""


class MaskInputError(MaskTheFERError):
    """The image or landmark array handed to the mask drawer has the wrong shape or type."""

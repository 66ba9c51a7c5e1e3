"""The base class of every error maskthefer raises on purpose.

Anything derived from `MaskTheFERError` carries a sentence meant for the user (naming the bad file, value or
option); the CLI prints it without a traceback. Anything else is a bug and keeps its traceback.
"""


class MaskTheFERError(ValueError):
    """An expected failure with a message written for the user."""

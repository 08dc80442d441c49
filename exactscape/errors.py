"""The one exceptions module of exactscape.

Input problems, certificate problems, backend failures and "not covered"
are kept apart, so that nothing undecided is ever reported as "no".
Every exception carries a one-line message naming what failed and where.
"""

from __future__ import annotations


class ExactscapeError(Exception):
    """Base class of every error exactscape raises on purpose."""

    exit_code = 4


class InputError(ExactscapeError):
    """The user's input is malformed: bad JSON, a float where an exact value
    is required, NaN/Inf, wrong shapes, unknown format or version."""

    exit_code = 2

    def __init__(self, message: str, where: str | None = None, *, field: str | None = None) -> None:
        self.where = where
        # The offending parameter of the Python API ("neuron", "sample", "zero", ...), so
        # that a caller (the CLI) can name it in its own words (an option flag); the message
        # itself says what is wrong with which value and names no flag.
        self.field = field
        super().__init__(f"{show_path(where)}: {message}" if where else message)


class OutputError(ExactscapeError):
    """An output cannot be written, or writing it would overwrite an input."""

    exit_code = 3


class BackendError(ExactscapeError):
    """An exact backend (flint, cdd) failed or returned an unusable answer.
    Backend exceptions are converted to this at the adapter that calls them."""

    exit_code = 4


class NotCovered(ExactscapeError):
    """The question lies outside the hypotheses the tool decides.
    This is never a "no": callers report it as "not covered"."""

    exit_code = 0


class InternalError(ExactscapeError):
    """A self-check of the producer failed (for example a certificate that the
    independent checker rejects). Always a bug; never a verdict."""

    exit_code = 4


def one_line(text: str) -> str:
    """``text`` with every control character (newline, carriage return, tab,
    escape, ...) written as a Python escape, so that a message stays one line
    whatever a path or an option value contains."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def clip(text: str, limit: int = 40) -> str:
    """A user's value as a message quotes it: ``repr(text)`` up to ``limit``
    characters; a longer one by its first 20 and its length, so that a
    100,000-character option value never fills the error line."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:20]!r}... ({len(text)} characters)"


def show_path(path: object) -> str:
    """A path as it appears in a message: unchanged when printable, else in
    the quoted ``ascii()`` form the checker uses (``'a\\nb'``), so that a path
    with a newline never splits a message."""
    text = str(path)
    return text if text.isprintable() else ascii(text)

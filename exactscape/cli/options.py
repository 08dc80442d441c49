"""Argument types of the numeric command-line options.

Each function here and the float ones in :mod:`exactscape.floats.options` (the
float side) is an ``argparse`` ``type=``: it returns the parsed value or
raises :class:`argparse.ArgumentTypeError` with a one-line reason, which
:class:`exactscape.cli.Parser` prints as ``exactscape CMD: error: argument
--OPT: REASON`` (exit code 2). Ranges (docs/manual.md, "Option values"):

- counts: ``--N`` in [2, 100000], ``--d0`` in [1, 10000], ``--K`` in [1, 64],
  ``--trials`` in [1, 100000], ``--max-steps`` in [0, 10^9], ``--seed`` in
  [0, 2^63), ``--neuron``/``--sample``/``--max-denominator`` as stated, and
  the counts of ``gaussian1d``, ``spurious``, ``atlas`` and ``cells``, each
  with its range in ``--help``;
- ``cells --box``: an exact rational > 0; ``cell --budget``: seconds in
  (0, 10^9] or ``none``;
- floats (``--lr``, ``--grad-tol``, ``--locations``, ``--tols``): finite
  decimal numbers; ``--lr`` > 0, ``--grad-tol`` >= 0; lists non-empty and
  without repeats;
- ``--tol`` (crosscheck): an exact rational >= 0.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from fractions import Fraction

from ..core.numbers import parse_rational
from ..errors import InputError, one_line

MAX_INT_TEXT = 40
"""Longest integer option text read (digits and sign)."""


def _int(text: str) -> int:
    s = text.strip()
    if len(s) > MAX_INT_TEXT:
        raise argparse.ArgumentTypeError(f"integer too long ({len(s)} characters)")
    try:
        return int(s, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {one_line(repr(text))}") from None


def int_range(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """An integer in [lo, hi] (hi None: no upper bound)."""

    def parse(text: str) -> int:
        v = _int(text)
        if v < lo or (hi is not None and v > hi):
            span = f">= {lo}" if hi is None else f"in {lo}..{hi}"
            raise argparse.ArgumentTypeError(f"must be an integer {span}, got {v}")
        return v

    parse.__name__ = "integer"
    return parse


SEED = int_range(0, 2**63 - 1)
"""``--seed`` of every command: 0..2^63-1 (NumPy's generators refuse negative seeds)."""
SEED_HELP = "0..2^63-1"


def positive_rational(text: str) -> Fraction:
    """An exact rational > 0 (``--box``)."""
    try:
        v = parse_rational(text, "")
    except InputError as exc:
        raise argparse.ArgumentTypeError(one_line(str(exc))) from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a rational number > 0, got {text.strip()[:40]}")
    return v


def seconds_or_none(text: str) -> Fraction | None:
    """A positive number of seconds, at most 10^9 (``--budget``), or 'none'."""
    if text.strip().lower() == "none":
        return None
    try:
        v = parse_rational(text, "")
    except InputError:
        raise argparse.ArgumentTypeError("expected a positive number of seconds (at most 10^9) or 'none'") from None
    if not 0 < v <= 10**9:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds (at most 10^9) or 'none', got {v}")
    return v


def tolerance(text: str) -> Fraction:
    """An exact rational >= 0 (``"1/1000"``, ``"0.001"``, ``"1e-3"``)."""
    try:
        v = parse_rational(text, "")
    except InputError as exc:
        raise argparse.ArgumentTypeError(one_line(str(exc))) from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {v}")
    return v

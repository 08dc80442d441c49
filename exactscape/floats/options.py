"""Float values of command-line options: finite floats from text, and the float defaults.

Each parser is an ``argparse`` ``type=``: it returns the value or raises
:class:`argparse.ArgumentTypeError` with a one-line reason (see
:mod:`exactscape.cli.options` for the exact ones). The float commands
(``crosscheck``, ``compare``, ``experiment``) take their float defaults from here,
so the CLI package itself never makes a float.
"""

from __future__ import annotations

import argparse
import math

from ..errors import one_line

MAX_OPTION_TEXT = 40
"""Longest numeric option text read."""


def _float(text: str) -> float:
    s = text.strip()
    if len(s) > MAX_OPTION_TEXT:
        raise argparse.ArgumentTypeError(f"number too long ({len(s)} characters)")
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {one_line(repr(text))}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {one_line(repr(text))}")
    return v


def positive_float(text: str) -> float:
    """A finite float > 0."""
    v = _float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {v!r}")
    return v


def nonnegative_float(text: str) -> float:
    """A finite float >= 0."""
    v = _float(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {v!r}")
    return v


def float_list(text: str) -> tuple[float, ...]:
    """Comma-separated finite floats: at least one, none repeated."""
    parts = [t for t in text.split(",") if t.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected comma-separated numbers, got none")
    vals = tuple(_float(t) for t in parts)
    if len(set(vals)) != len(vals):
        raise argparse.ArgumentTypeError(f"a value is repeated in {one_line(repr(text))}")
    return vals


CROSSCHECK_BUDGET = 300.0
"""``crosscheck --budget``: seconds for the cell's minimiser set and genuineness decision."""
TABLES_BUDGET = 60.0
"""``experiment tables --budget``: seconds per exact decision."""
TRAPPED_LOCATIONS = (20.0, 3.0, 0.0, -3.0, -20.0)
"""``experiment trapped --locations``: the biases of Part 2's Tables IV-V."""
DISAGREEMENT_LOCATIONS = (3.0, 0.0, -3.0)
"""``experiment disagreement --locations``."""
GRAD_TOL = 1e-3
"""``experiment trapped --grad-tol``: the gradient-norm threshold of 'trapped'."""

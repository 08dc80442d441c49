"""The Python API of exactscape; the CLI merely wraps these functions.

>>> from fractions import Fraction as F
>>> from exactscape.model import Instance, Pattern
>>> inst = Instance(X=((F(1), F(0)), (F(0), F(1))), y=(F(1), F(1)), bias=False)
>>> r = cell(inst, pattern=Pattern(((1,), (1,))))
>>> r.summary["genuine"], r.summary["loss"], r.summary["kind"]
(True, '0', 'unique')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import certify
from .classify import PointVerdict, classify_point
from .errors import InputError, NotCovered
from .model import Instance, Pattern, Weights, pattern_of
from .theory.minima import CellAnalysis, analyse_cell


@dataclass(frozen=True)
class Result:
    """A decision, its JSON summary (the CLI's --json keys) and its certificate."""

    summary: dict[str, Any]
    certificate: dict[str, Any]
    checker_lines: tuple[str, ...]
    analysis: Any


def pattern_for(inst: Instance, pattern: Pattern | None, weights: Weights | None) -> Pattern:
    """The cell named by a pattern, or by weights strictly inside it."""
    if (pattern is None) == (weights is None):
        raise InputError("give exactly one of a pattern or weights")
    if pattern is not None:
        pattern.check_against(inst)
        return pattern
    assert_w = weights
    if assert_w is None:  # pragma: no cover - excluded above
        raise InputError("weights missing")
    pat, on = pattern_of(inst, assert_w)
    if on:
        j, i = on[0]
        raise NotCovered(
            f"the weights lie on {len(on)} cell boundar{'y' if len(on) == 1 else 'ies'} "
            f"(first: w_{j} . x_{i} = 0), so they name no open cell; give a pattern instead"
        )
    return pat


def cell(
    inst: Instance, *, pattern: Pattern | None = None, weights: Weights | None = None, verify: bool = True
) -> Result:
    """Theorem 1 / Section IV for one cell: minimiser set, loss, genuineness."""
    pat = pattern_for(inst, pattern, weights)
    if weights is not None and weights.K != pat.K:  # pragma: no cover - pattern_of keeps K
        raise InputError("weights and pattern disagree on K")
    a: CellAnalysis = analyse_cell(inst, pat, hint=weights)
    cert = certify.cell_certificate(a)
    lines = certify.self_check(cert) if verify else []
    summary = dict(certify.cell_claim(a))
    summary.update({"N": inst.N, "K": pat.K, "d": inst.d, "lp_nodes": a.nodes})
    return Result(summary, cert, tuple(lines), a)


def point(inst: Instance, weights: Weights, *, verify: bool = True) -> Result:
    """Classify the point (z, w): local minimum, saddle, not stationary, not covered."""
    weights.check_against(inst)
    v: PointVerdict = classify_point(inst, weights)
    cert = certify.point_certificate(v)
    lines = certify.self_check(cert) if verify else []
    summary = {"verdict": v.verdict, "loss": cert["claim"]["loss"], "N": inst.N, "K": weights.K, "d": inst.d}
    if v.on_hyperplanes:
        summary["on_hyperplanes"] = [list(p) for p in v.on_hyperplanes]
    return Result(summary, cert, tuple(lines), v)

"""The Python API of exactscape; the CLI merely wraps these functions.

>>> from fractions import Fraction as F
>>> from exactscape.model import Instance, Pattern
>>> inst = Instance(X=((F(1), F(0)), (F(0), F(1))), y=(F(1), F(1)), bias=False)
>>> r = cell(inst, pattern=Pattern(((1,), (1,))))
>>> r.summary["genuine"], r.summary["loss"], r.summary["kind"]
(True, '0', 'unique')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import certify, linalg
from .classify import PointVerdict, classify_point
from .design import design_matrix
from .errors import InputError, NotCovered
from .model import Instance, Pattern, Weights, pattern_of
from .numbers import fmt_vec
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
    if weights is None:  # pragma: no cover - excluded above
        raise InputError("weights missing")
    pat, on = pattern_of(inst, weights)
    if on:
        j, i = on[0]
        raise NotCovered(
            f"the weights lie on {len(on)} cell boundar{'y' if len(on) == 1 else 'ies'} "
            f"(first: w_{j} . x_{i} = 0), so they name no open cell; give a pattern instead"
        )
    return pat


NULL_SPACE_LIMIT = 20_000  # entries of a null-space basis worth printing


def cell(
    inst: Instance,
    *,
    pattern: Pattern | None = None,
    weights: Weights | None = None,
    verify: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Theorem 1 / Section IV for one cell: minimiser set, loss, genuineness.

    The summary gives the minimiser set [12] as ``particular`` (the minimum-norm
    minimiser A^+ y, K x d) and, when small enough to print, ``null_space`` (a
    basis of {R : A R = 0}, each vector K x d); the set is particular + span.
    """
    pat = pattern_for(inst, pattern, weights)
    if weights is not None and weights.K != pat.K:  # pragma: no cover - pattern_of keeps K
        raise InputError("weights and pattern disagree on K")
    a: CellAnalysis = analyse_cell(inst, pat, hint=weights, progress=progress)
    cert = certify.cell_certificate(a)
    lines = certify.self_check(cert) if verify else []
    summary = dict(certify.cell_claim(a))
    summary.update({"N": inst.N, "K": pat.K, "d": inst.d, "lp_nodes": a.nodes})
    summary["particular"] = [fmt_vec(b) for b in a.minimiser_blocks()]
    kd = pat.K * inst.d
    if a.lsq.dimension * kd <= NULL_SPACE_LIMIT:
        basis = linalg.null_space(design_matrix(inst, pat))
        vecs = [[linalg.frac(basis[r, c]) for r in range(kd)] for c in range(basis.ncols())]
        summary["null_space"] = [[fmt_vec(v[j * inst.d : (j + 1) * inst.d]) for j in range(pat.K)] for v in vecs]
    else:
        summary["null_space"] = None
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

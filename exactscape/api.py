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
from .deciders import decider
from .design import design_matrix
from .errors import InputError, NotCovered
from .model import Instance, Pattern, Weights, pattern_of
from .numbers import fmt, fmt_vec
from .theory.boundary import FaceAnalysis, analyse_face, face_pattern
from .theory.minima import CellAnalysis, analyse_cell
from .theory.saddles import SaddleAnalysis, analyse_saddles


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
    backend: str = "exact",
) -> Result:
    """Theorem 1 / Section IV for one cell: minimiser set, loss, genuineness.

    ``backend`` names the exact decider of the branch nodes
    (:mod:`exactscape.deciders`); it changes speed, never the verdict.

    The summary gives the minimiser set [12] as ``particular`` (the minimum-norm
    minimiser A^+ y, K x d) and, when small enough to print, ``null_space`` (a
    basis of {R : A R = 0}, each vector K x d); the set is particular + span.
    """
    pat = pattern_for(inst, pattern, weights)
    if weights is not None and weights.K != pat.K:  # pragma: no cover - pattern_of keeps K
        raise InputError("weights and pattern disagree on K")
    a: CellAnalysis = analyse_cell(inst, pat, hint=weights, progress=progress, decide=decider(backend))
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
    summary: dict[str, Any] = {
        "verdict": v.verdict,
        "loss": cert["claim"]["loss"],
        "N": inst.N,
        "K": weights.K,
        "d": inst.d,
    }
    if v.on_hyperplanes:
        summary["on_hyperplanes"] = [list(p) for p in v.on_hyperplanes]
    if v.reason:
        summary["reason"] = v.reason
    if v.boundary is not None:
        summary["neuron"], summary["sample"] = v.boundary
    if v.lam is not None:
        summary["lambda"] = fmt(v.lam)
    return Result(summary, cert, tuple(lines), v)


MAX_ALL_ZERO_SETS_K = 16  # 2^16 - 1 zero sets at most in one certificate


def parse_zero_set(text: str, K: int) -> tuple[int, ...]:
    """ "0,2" -> (0, 2); a non-empty set of distinct neurons in 0..K-1."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise InputError('the zero set is empty; give neurons like "0,2"', "--zero")
    out = []
    for p in parts:
        if not (p.isascii() and p.isdigit()):
            raise InputError(f"{p!r} is not a neuron index", "--zero")
        j = int(p)
        if j >= K:
            raise InputError(f"neuron {j} out of range 0..{K - 1}", "--zero")
        out.append(j)
    if len(set(out)) != len(out):
        raise InputError("a neuron is repeated", "--zero")
    return tuple(sorted(out))


def saddles(
    inst: Instance,
    *,
    pattern: Pattern | None = None,
    weights: Weights | None = None,
    zero: tuple[int, ...] | None = None,
    all_zero_sets: bool = False,
    verify: bool = True,
) -> Result:
    """Theorem 2 (SPEC 3) on one cell: for the zero set ``zero`` (default: the
    z_j = 0 neurons of ``weights``, else every non-empty zero set), is there a
    genuine differentiable saddle, or a minimum, or neither?"""
    pat = pattern_for(inst, pattern, weights)
    sets: list[tuple[int, ...]] | None
    if zero is not None and all_zero_sets:
        raise InputError("give at most one of a zero set and all zero sets")
    if zero is not None:
        sets = [zero]
    elif all_zero_sets:
        sets = None
    elif weights is not None and any(v == 0 for v in weights.z):
        sets = [tuple(j for j, v in enumerate(weights.z) if v == 0)]
    else:
        sets = None
    if sets is None and pat.K > MAX_ALL_ZERO_SETS_K:
        raise InputError(
            f"K = {pat.K}: all {2**pat.K - 1} zero sets is too many; give one with --zero", "--all-zero-sets"
        )
    a: SaddleAnalysis = analyse_saddles(inst, pat, sets, hint=weights)
    cert = certify.saddle_certificate(a)
    lines = certify.self_check(cert) if verify else []
    summary: dict[str, Any] = dict(certify.saddle_claim(a))
    for c, row in zip(a.cases, summary["cases"], strict=True):
        row["lp_nodes"] = c.nodes
    summary.update({"N": inst.N, "K": pat.K, "d": inst.d})
    return Result(summary, cert, tuple(lines), a)


def boundary(inst: Instance, weights: Weights, neuron: int, sample: int, *, verify: bool = True) -> Result:
    """Theorem 3 (SPEC 4) on the whole face {w_k . x_n = 0} through ``weights``
    (every other pair strictly off its hyperplane): does a non-differentiable
    local minimum exist there with z_k > 0, with z_k < 0?"""
    weights.check_against(inst)
    if not (0 <= neuron < weights.K):
        raise InputError(f"neuron {neuron} out of range 0..{weights.K - 1}", "--neuron")
    if not (0 <= sample < inst.N):
        raise InputError(f"sample {sample} out of range 0..{inst.N - 1}", "--sample")
    pat = face_pattern(inst, weights, neuron, sample)
    a: FaceAnalysis = analyse_face(inst, pat, neuron, sample, hint=weights)
    cert = certify.boundary_certificate(a)
    lines = certify.self_check(cert) if verify else []
    summary: dict[str, Any] = dict(certify.boundary_claim(a))
    summary.update(
        {
            "neuron": neuron,
            "sample": sample,
            "lp_nodes": sum(r.nodes for r in a.results),
            "N": inst.N,
            "K": weights.K,
            "d": inst.d,
        }
    )
    return Result(summary, cert, tuple(lines), a)


from .region_api import RegionResult as RegionResult  # noqa: E402  (re-exported: the `region` command's API)
from .region_api import region as region  # noqa: E402

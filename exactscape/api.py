"""The Python API of exactscape; the CLI merely wraps these functions.

Decisions, each a :class:`Result` with its certificate: :func:`cell`, :func:`point`,
:func:`saddles`, :func:`boundary`, :func:`path`, :func:`spurious`; :func:`atlas`
returns an :class:`Atlas` (its bundle is written by :mod:`exactscape.landscape.atlas`).
Curves: a point verdict's descent/ascent :class:`~exactscape.core.curves.Curve` is
replayed by :func:`loss_polynomial` (N L(t) near t = 0) and :func:`lowest_change`.

>>> from fractions import Fraction as F
>>> from exactscape.core.model import Instance, Pattern
>>> inst = Instance(X=((F(1), F(0)), (F(0), F(1))), y=(F(1), F(1)), bias=False)
>>> r = cell(inst, pattern=Pattern(((1,), (1,))))
>>> r.summary["genuine"], r.summary["loss"], r.summary["kind"]
(True, '0', 'unique')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .core import linalg
from .core.curves import Curve as Curve
from .core.curves import loss_polynomial as loss_polynomial
from .core.curves import lowest_change as lowest_change
from .core.design import design_matrix
from .core.model import Instance, Pattern, Weights, pattern_of
from .core.numbers import fmt, fmt_vec
from .deciders import decider
from .errors import InputError, NotCovered, clip
from .io import certify
from .io.claims import mark_json
from .landscape.atlas import Atlas as Atlas
from .landscape.atlas import atlas as atlas
from .landscape.point import PointVerdict, classify_point
from .theory.boundary import FaceAnalysis, analyse_face, face_pattern
from .theory.engines import SMALL_CELL
from .theory.minima import CellAnalysis, analyse_cell
from .theory.saddles import SaddleAnalysis, analyse_saddles, zero_set_work


@dataclass(frozen=True)
class Result:
    """A decision, its JSON summary (the CLI's --json keys) and its certificate."""

    summary: dict[str, Any]
    certificate: dict[str, Any]  # empty: nothing is claimed (an undecided cell)
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
PARTICULAR_LIMIT = 2_000  # entries of a minimiser worth listing in the summary


def cell(
    inst: Instance,
    *,
    pattern: Pattern | None = None,
    weights: Weights | None = None,
    verify: bool = True,
    progress: Callable[[int, int], None] | None = None,
    backend: str = "auto",
    engine: str = "auto",
    budget: int | Fraction | None = None,
) -> Result:
    """Theorem 1 (Part 1, Section III) and the minimisers of Part 1, Section IV, for
    one cell: minimiser set, loss, genuineness.

    ``backend`` names the exact decider of the branch nodes
    (:mod:`exactscape.deciders`) and ``engine`` the search
    (:data:`exactscape.theory.minima.ENGINES`); they change speed, never the verdict.
    ``budget`` (seconds) bounds the genuineness search: past it the verdict is
    ``undecided`` and there is no certificate (``certificate`` is empty): nothing is
    claimed about an undecided cell. ``summary["genuineness"]`` is ``genuine``,
    ``not-genuine`` or ``undecided`` (then ``summary["undecided_reason"]`` is ``budget`` or
    ``no-method``, and ``summary["genuine"]`` is None, never False); ``result.analysis.genuineness``
    is the same three-valued answer.

    The summary gives the minimiser set [12] as ``particular`` (a minimiser,
    K x d: A^+ y for small cells; omitted for cells with more than
    PARTICULAR_LIMIT entries) and, when small enough to print, ``null_space`` (a
    basis of {R : A R = 0}, each vector K x d); the set is particular + span.
    ``method`` names what decided genuineness (``plain``: the branch tree;
    ``fixed-signs``, ``lazy-lp``, ``independent-samples``: theory/genuine.py;
    ``quadratic``: one quadratic form, theory/quadratic.py).
    """
    pat = pattern_for(inst, pattern, weights)
    if weights is not None and weights.K != pat.K:  # pragma: no cover - pattern_of keeps K
        raise InputError("weights and pattern disagree on K")
    if backend == "auto":  # float hints pay off on large cells only (scipy's import alone takes a second)
        large = engine == "fast" or (engine == "auto" and inst.N * pat.K * inst.d >= SMALL_CELL)
        backend = "auto" if large else "exact"
    from .deciders import quadratic_proposer

    # under a budget, wide cells with dependent samples may be refuted by one quadratic form
    # (floats propose its multipliers, exact arithmetic verifies them)
    quadratic = quadratic_proposer() if budget is not None and backend in ("auto", "hinted") else None
    a: CellAnalysis = analyse_cell(
        inst,
        pat,
        hint=weights,
        progress=progress,
        decide=decider(backend),
        engine=engine,
        budget=budget,
        quadratic=quadratic,
    )
    summary = dict(certify.cell_claim(a))
    summary.update({"N": inst.N, "K": pat.K, "d": inst.d, "lp_nodes": a.nodes, "method": a.method})
    summary.update(a.genuineness.to_json())
    kd = pat.K * inst.d
    if a.undecided:
        summary.update({"undecided": True, "explored": {"nodes": a.nodes}})
        return Result(summary, {}, (), a)
    cert = certify.cell_certificate(a)
    lines = certify.self_check(cert) if verify else []
    if kd <= PARTICULAR_LIMIT or a.lsq is not None:
        summary["particular"] = [fmt_vec(b) for b in a.minimiser_blocks()]
    else:
        summary["particular"] = None
    if a.lsq is not None and a.dimension * kd <= NULL_SPACE_LIMIT:
        basis = linalg.null_space(design_matrix(inst, pat))
        vecs = [[linalg.frac(basis[r, c]) for r in range(kd)] for c in range(basis.ncols())]
        summary["null_space"] = [[fmt_vec(v[j * inst.d : (j + 1) * inst.d]) for j in range(pat.K)] for v in vecs]
    else:
        summary["null_space"] = None
    mark_json(summary, ["null_space"])  # a basis computed apart from the certificate
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
    if v.general:  # a point on hyperplanes outside Theorem 3 (format 1.3)
        summary["proof"] = "bound" if v.groups is not None else "local" if v.local else "descent"
        summary["how"] = v.how
    if v.boundary is not None:
        summary["neuron"], summary["sample"] = v.boundary
    if v.lam is not None:
        summary["lambda"] = fmt(v.lam)
    return Result(summary, cert, tuple(lines), v)


DEFAULT_MAX_ZERO_SETS = 1024
"""``saddles`` decides at most this many zero sets unless asked for more
(``max_zero_sets``, CLI ``--max-zero-sets``): every zero set is a branch
search, so all 2^K - 1 of them is refused above K = 10 by default."""


def parse_zero_set(text: str, K: int) -> tuple[int, ...]:
    """ "0,2" -> (0, 2); a non-empty set of distinct neurons in 0..K-1."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise InputError('the zero set is empty; give neurons like "0,2"', field="zero")
    out = []
    for p in parts:
        if not (p.isascii() and p.isdigit()):
            raise InputError(f"{clip(p)} is not a neuron index", field="zero")
        j = int(p)
        if j >= K:
            raise InputError(f"neuron {j} out of range 0..{K - 1}", field="zero")
        out.append(j)
    if len(set(out)) != len(out):
        raise InputError("a neuron is repeated", field="zero")
    return tuple(sorted(out))


def saddles(
    inst: Instance,
    *,
    pattern: Pattern | None = None,
    weights: Weights | None = None,
    zero: tuple[int, ...] | None = None,
    all_zero_sets: bool = False,
    verify: bool = True,
    max_zero_sets: int = DEFAULT_MAX_ZERO_SETS,
    progress: Callable[[int, int, int], None] | None = None,
    backend: str = "exact",
) -> Result:
    """Theorem 2 (theory.md §3) on one cell (``backend``: the exact node decider, as for
    :func:`cell`): for the zero set ``zero`` (default: the
    z_j = 0 neurons of ``weights``, else every non-empty zero set), is there a
    genuine differentiable saddle, or a minimum, or neither?

    All zero sets are 2^K - 1 branch searches (:func:`zero_set_work`); they are
    refused, before any work, when 2^K - 1 > ``max_zero_sets``.
    ``progress(done, total, nodes)`` is called as the zero sets are decided."""
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
    if sets is None:
        count, leaves = zero_set_work(pat.K) if pat.K <= 64 else (2**pat.K - 1, 0)
        if count > max_zero_sets:
            small = pat.K <= 64  # print the numbers themselves only while they are short
            sets_text = f"{count} zero sets to decide (2^K - 1)" if small else f"2^{pat.K} - 1 zero sets to decide"
            leaves_text = f"{leaves} branch-tree leaves in all, 3^K - 2^K" if small else "3^K - 2^K leaves in all"
            raise InputError(
                f"K = {pat.K} gives {sets_text}, each a branch search (up to {leaves_text}), more than the "
                f"limit of {max_zero_sets} zero sets; give one zero set with --zero, or raise the limit with "
                "--max-zero-sets",
                "saddles",
            )
    a: SaddleAnalysis = analyse_saddles(inst, pat, sets, hint=weights, progress=progress, decide=decider(backend))
    cert = certify.saddle_certificate(a)
    lines = certify.self_check(cert) if verify else []
    summary: dict[str, Any] = dict(certify.saddle_claim(a))
    for c, row in zip(a.cases, summary["cases"], strict=True):
        row["lp_nodes"] = c.nodes
    summary.update({"N": inst.N, "K": pat.K, "d": inst.d})
    return Result(summary, cert, tuple(lines), a)


def boundary(
    inst: Instance, weights: Weights, neuron: int, sample: int, *, verify: bool = True, backend: str = "exact"
) -> Result:
    """Theorem 3 (theory.md §4) on the whole face {w_k . x_n = 0} through ``weights``
    (every other pair strictly off its hyperplane): does a non-differentiable
    local minimum exist there with z_k > 0, with z_k < 0?"""
    weights.check_against(inst)
    pat = face_pattern(inst, weights, neuron, sample)
    a: FaceAnalysis = analyse_face(inst, pat, neuron, sample, hint=weights, decide=decider(backend))
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


# ------------------------------------------------ new in 1.2: path and spurious


def path(inst: Instance, start: Weights, end: Weights, *, verify: bool = True, max_work: int | None = None) -> Result:
    """The exact loss along W(t) = (1 - t) W0 + t W1, t in [0, 1]: breakpoints,
    polynomial pieces (degree <= 4), trends, monotonicity, minimum and maximum
    (:mod:`exactscape.landscape.path`), with a ``path`` certificate (FORMAT 11).
    ``max_work`` (default :data:`exactscape.landscape.path.DEFAULT_MAX_WORK`): the work
    estimate refused beyond it before the long loops start."""
    from .landscape.path import DEFAULT_MAX_WORK, analyse_path, path_certificate, path_claim

    a = analyse_path(inst, start, end, max_work=DEFAULT_MAX_WORK if max_work is None else max_work)
    cert = path_certificate(a)
    lines = certify.self_check(cert) if verify else []
    summary: dict[str, Any] = dict(path_claim(a))
    summary["minimum"]["where"] = a.minimum.where
    summary["maximum"]["where"] = a.maximum.where
    summary["minimum"]["exact"] = a.minimum.exact
    summary["maximum"]["exact"] = a.maximum.exact
    for row, p in zip(summary["pieces"], a.pieces, strict=True):
        row["interval"] = [fmt(p.lo), fmt(p.hi)]
    if a.witness is not None:
        summary["witness"] = cert["witness"]
    summary.update({"N": inst.N, "K": start.K, "d": inst.d})
    # the location of an irrational extremum is the producer's, not the certificate's (FORMAT 11.2)
    # an irrational extremum's location is certified only by an isolating interval (FORMAT 11.2)
    mark_json(
        summary,
        [f"{e}.where" for e in ("minimum", "maximum") if not summary[e]["exact"] and "location" not in summary[e]],
    )
    return Result(summary, cert, tuple(lines), a)


def spurious(
    inst: Instance,
    K: int,
    *,
    branches: tuple[str, ...] | None = None,
    lower: Weights | None = None,
    search: bool = True,
    seed: int = 0,
    certify_lower_minimum: bool = True,
    verify: bool = True,
) -> Result:
    """The affine-fit construction of a local minimum with K neurons and a point of
    strictly lower loss (:mod:`exactscape.landscape.spurious`), with a ``spurious``
    certificate (FORMAT 12). ``lower`` skips the float search; ``search=False``
    without ``lower`` gives "undecided"."""
    from .landscape.spurious import analyse_spurious, spurious_certificate, spurious_claim

    finder = None
    if search and lower is None:
        from .floats.spurious import search_lower

        def finder(i: Instance, start: Weights, target: Any) -> Weights | None:
            return search_lower(i, start, target, seed=seed)

    a = analyse_spurious(
        inst, K, branches=branches, search=finder, lower=lower, certify_lower_minimum=certify_lower_minimum
    )
    cert = spurious_certificate(a)
    lines = certify.self_check(cert) if verify else []
    summary: dict[str, Any] = dict(spurious_claim(a))
    summary["applicable"] = a.applicable
    summary["gap"] = fmt(a.gap) if a.gap is not None else None
    if a.minimum is not None:
        summary["minimum"] = a.minimum.to_json()
    if a.lower is not None:
        summary["lower"] = a.lower.to_json()
    if a.lower_cell is not None:  # the lower point's cell, when it was analysed (three-valued)
        summary["lower_cell"] = a.lower_cell.to_json()
    summary.update({"N": inst.N, "d": inst.d})
    return Result(summary, cert, tuple(lines), a)


from .landscape.region import RegionResult as RegionResult  # noqa: E402  (re-exported: the `region` command's API)
from .landscape.region import region as region  # noqa: E402

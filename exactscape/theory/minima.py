"""Theorem 1 (Part 1, Section III) and the minimisers of Part 1, Section IV: the
differentiable minima of one cell, exactly.

For an instance and an activation pattern I (theory.md §1):

* feasibility: every open cone C_j = {w : w.x_i > 0 (I_ij = 1), < 0 (I_ij = 0)}
  is non-empty, with a witness or a Farkas certificate per neuron;
* the minimiser set [10-13] of the cell's convex quadratic
  L(R) = (1/N)||A R - y||^2 as {R : A R = p} (see :mod:`exactscape.core.linalg`),
  unique iff rank A = Kd, with the minimum loss [14] L* = (1/N)||p - y||^2;
* genuineness [15-18] with per-neuron branches sigma_j in {+, -, 0}
  (theory.md §2 and §6): does some minimiser factor as R_j = z_j w_j with every w_j
  in C_j?

Genuineness algorithm (shared with Theorems 2 and 3 in
:mod:`exactscape.theory.branches`): depth-first search over partial branch
assignments.
A node sigma (branches fixed for some neurons) is the open polyhedron

    sum_{j: sigma_j != 0} I_ij x_i . R_j = p_i            (all i)
    s_ji x_i . R_j > 0     (sigma_j in {+,-}, s_ji = (2 I_ij - 1) sign(sigma_j))

decided exactly by :func:`exactscape.core.polyhedra.decide`. An empty node is a
leaf with its Farkas multipliers (valid for every completion, since
completing sigma only adds rows or removes variables). A non-empty node whose
rational point already puts every free neuron in C_j, -C_j or at 0 ends the
search with a witness; otherwise the next neuron is split. Neurons are split
in increasing order of how many of their three branches are feasible on their
own (computed first, and reused as leaves), so forced neurons come first.
Propagation keeps the tree far below 3^K on typical cells; the worst case
stays exponential in K (deciding a union of 3^K polyhedra).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..core import linalg, minset, polyhedra
from ..core.design import cell_sign, design_matrix
from ..core.model import Instance, Mat, Pattern, Vec, Weights, pattern_of
from . import boxes, witness
from . import genuine as fast
from . import quadratic as quad
from .branches import BRANCHES, BranchProblem, BranchSearch, Decider, Genuine, Leaf, Split, Tree, search
from .engines import ENGINES, SMALL_CELL
from .finsler import FinslerRefutation
from .quadratic import QuadraticRefutation

PLAIN_LIMIT = 40_000  # entries of A above which the plain branch tree is not attempted by the fast engine

__all__ = [
    "BRANCHES",
    "CellAnalysis",
    "GENUINE",
    "Genuineness",
    "NOT_GENUINE",
    "UNDECIDED",
    "Decider",
    "Feasibility",
    "Genuine",
    "Leaf",
    "Split",
    "Tree",
    "ENGINES",
    "analyse_cell",
    "cell_feasibility",
]


@dataclass(frozen=True)
class Feasibility:
    """Every C_j non-empty (``witness`` K x d) or C_``neuron`` empty (``multipliers``)."""

    feasible: bool
    witness: Mat | None = None
    neuron: int | None = None
    multipliers: tuple[tuple[int, Fraction], ...] = ()


def cell_feasibility(inst: Instance, pat: Pattern, hint: Weights | None = None) -> Feasibility:
    """Decide whether every open cone C_j of the pattern is non-empty.

    Each C_j is the homogeneous strict system s_i x_i . w > 0; a hint row that
    already lies in C_j is used as the witness without an LP. When the samples are
    independent (rank X = N) every C_j is non-empty: w_j solving x_i . w_j = s_ij (one exact
    solve for all neurons, :func:`exactscape.core.minset.sign_solutions`) is a witness.
    """
    pat.check_against(inst)
    wit: list[Vec] = []
    inside = _hint_inside(inst, pat, hint) if hint is not None else [False] * pat.K
    solved = None
    if not all(inside) and minset.samples_independent(inst):
        solved = minset.sign_solutions(inst, [[cell_sign(pat, i, j) for j in range(pat.K)] for i in range(inst.N)])
    for j in range(pat.K):
        if hint is not None and inside[j]:
            wit.append(tuple(hint.w[j]))
            continue
        if solved is not None:
            wit.append(solved[j])
            continue
        G = tuple(tuple(cell_sign(pat, i, j) * v for v in x) for i, x in enumerate(inst.xs))
        ans = polyhedra.decide(polyhedra.System(n=inst.d, G=G, h=tuple(Fraction(0) for _ in G)))
        if isinstance(ans, polyhedra.Farkas):
            mult = tuple((i, m) for i, m in enumerate(ans.mG) if m != 0)
            return Feasibility(False, neuron=j, multipliers=mult)
        wit.append(ans.v)
    return Feasibility(True, witness=tuple(wit))


def _hint_inside(inst: Instance, pat: Pattern, hint: Weights) -> list[bool]:
    """Is hint.w[j] strictly inside C_j, for every j (as design.in_cell; integer signs of
    :func:`exactscape.core.model.pattern_of`)?"""
    own, on = pattern_of(inst, hint)
    touching = {j for j, _ in on}
    return [j not in touching and own.column(j) == pat.column(j) for j in range(pat.K)]


GENUINE, NOT_GENUINE, UNDECIDED = "genuine", "not-genuine", "undecided"
STATES = (GENUINE, NOT_GENUINE, UNDECIDED)
REASON_TEXT = {
    "no-method": "no method for this cell",
    "budget": "the budget ran out",
    "tree-too-large": "the refutation tree exceeds its size limit",
}
"""Why a cell is undecided: the reason tokens and their readable form."""


@dataclass(frozen=True)
class Genuineness:
    """The three-valued answer of Theorem 1 [15-18] for one cell: ``genuine`` (a minimiser
    R_j = z_j w_j with every w_j in C_j exists, with a witness), ``not-genuine`` (no minimiser
    factors so: a refuting branch tree, or an empty cone C_j), or ``undecided`` with its
    ``reason`` (``no-method``: no method of this version decides the cell; ``budget``: the time
    budget ran out; or the name of a method that stopped without an answer).

    There is deliberately no truth value: ``if g:`` raises, so that no caller can read
    ``undecided`` as "no". Use :attr:`state`, :meth:`known` (True / False / None) or the
    explicit predicates."""

    state: str
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown genuineness state {self.state!r}")
        if (self.state == UNDECIDED) != (self.reason is not None):
            raise ValueError("a reason is given exactly when the state is undecided")

    def __bool__(self) -> bool:
        raise TypeError("genuineness is three-valued (genuine / not-genuine / undecided): test .state")

    @property
    def is_genuine(self) -> bool:
        return self.state == GENUINE

    @property
    def is_refuted(self) -> bool:
        """Proved not genuine (never true for an undecided cell)."""
        return self.state == NOT_GENUINE

    @property
    def is_undecided(self) -> bool:
        return self.state == UNDECIDED

    def known(self) -> bool | None:
        """True (genuine), False (not genuine, proved), None (undecided)."""
        return None if self.state == UNDECIDED else self.state == GENUINE

    def reason_text(self) -> str:
        """The readable reason of an undecided answer ("" when decided)."""
        if self.reason is None:
            return ""
        return REASON_TEXT.get(self.reason, f"method {self.reason} stopped without an answer")

    def text(self) -> str:
        """``genuine``, ``not genuine``, or ``undecided (REASON)``."""
        if self.state == UNDECIDED:
            return f"undecided ({self.reason_text()})"
        return "genuine" if self.state == GENUINE else "not genuine"

    def to_json(self) -> dict[str, Any]:
        """``{"genuineness": STATE}`` plus ``"undecided_reason"`` when undecided: the fields
        every command's JSON adds where it reports genuineness."""
        out: dict[str, Any] = {"genuineness": self.state}
        if self.reason is not None:
            out["undecided_reason"] = self.reason
        return out


def undecided_reason(method: str, reason: str = "") -> str:
    """The reason token of an undecided analysis: ``reason`` when given, else from the method
    that stopped (``no-method`` or ``budget``; another method's name otherwise)."""
    return reason or method


@dataclass(frozen=True)
class CellAnalysis:
    """Everything decided about one cell (Theorem 1, Part 1 Sections III-IV).

    The minimiser set comes from ``lsq`` (plain engine) or ``ms`` (fast engine);
    ``undecided`` is set when no method decided genuineness (the budget ran out, or no
    method applies: ``undecided_reason``, default from ``method``); then ``genuine`` and
    ``tree`` are both None, and no certificate is written. Read the answer through
    :attr:`genuineness` (three-valued), never from ``genuine is None``."""

    instance: Instance
    pattern: Pattern
    feasibility: Feasibility
    lsq: linalg.LeastSquares | None
    genuine: Genuine | None
    tree: Tree | None
    nodes: int
    ms: minset.MinimiserSet | None = None
    method: str = "plain"
    undecided: bool = False
    undecided_reason: str = ""
    quadratic: QuadraticRefutation | FinslerRefutation | None = (
        None  # a refutation of the whole cell (method "quadratic")
    )

    @property
    def K(self) -> int:
        return self.pattern.K

    @property
    def rank(self) -> int:
        return self.ms.rank if self.ms is not None else self.least_squares().rank

    @property
    def dimension(self) -> int:
        return self.K * self.instance.d - self.rank

    @property
    def loss(self) -> Fraction:
        if self.ms is not None:
            return self.ms.loss
        return self.least_squares().residual_sq / self.instance.N

    @property
    def kind(self) -> str:
        return "unique" if self.dimension == 0 else "affine"

    @property
    def genuineness(self) -> Genuineness:
        """Genuine (a witness), not genuine (a refuting tree, or an empty cell), or undecided."""
        if self.undecided:
            return Genuineness(UNDECIDED, undecided_reason(self.method, self.undecided_reason))
        return Genuineness(GENUINE if self.genuine is not None else NOT_GENUINE)

    def fitted(self) -> list[Fraction]:
        """The fitted values p = A A^+ y [14]."""
        if self.ms is not None:
            return self.ms.fitted()
        return list(self.least_squares().fitted)

    def least_squares(self) -> linalg.LeastSquares:
        """The rank factorisation and minimum-norm minimiser (computed on demand for the fast engine)."""
        if self.lsq is not None:
            return self.lsq
        return linalg.least_squares(design_matrix(self.instance, self.pattern), self.instance.y)

    def minimiser_blocks(self) -> list[Vec]:
        """A minimiser split into the K blocks R_j: A^+ y (plain engine) or R0 (fast engine)."""
        d = self.instance.d
        if self.lsq is None and self.ms is not None and self.ms.R0z is not None:
            R = self.ms.R0() or []
        else:
            R = list(self.least_squares().R0)
        return [tuple(R[j * d : (j + 1) * d]) for j in range(self.K)]


def analyse_cell(
    inst: Instance,
    pat: Pattern,
    hint: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
    decide: Decider | None = None,
    *,
    engine: str = "auto",
    budget: int | Fraction | None = None,
    propose: witness.Proposer | None = None,
    generalise: boxes.Generaliser | None = None,
    quadratic: quad.FloatSide | None = None,
) -> CellAnalysis:
    """Decide feasibility, the minimiser set, its loss and genuineness of one cell.

    ``progress(nodes, depth)`` is called before every exact LP of the search; ``decide``
    replaces the exact LP decision (answers are verified exactly either way).
    ``engine`` is one of :data:`ENGINES`; ``budget`` (seconds) bounds the genuineness
    search: past it the analysis is ``undecided``, never "not genuine". The budget is
    checked before every LP, and a large LP that is still running at the deadline is
    stopped (:mod:`exactscape.core.deadline`). Cells of wide A with dependent samples above the
    plain search's size go to the box search of :mod:`exactscape.theory.boxes`, only when a
    budget is given (else undecided, ``no-method``); ``generalise`` lets it ask for
    refutations with more free neurons (proposals, solved and checked exactly).

    Witnesses (:mod:`exactscape.theory.witness`): on the fast engine, right before an
    exhaustive search would start, the given point ``hint`` (R_j = z_j w_j) and then every
    proposal of ``propose`` (a float proposer, :mod:`exactscape.floats.witness`) are moved
    exactly onto the minimiser set and sign-checked; the first that verifies is the
    witness (method ``given-point`` or ``float-witness``).

    Quadratic refutations (:mod:`exactscape.theory.quadratic`): before the box search,
    ``quadratic`` (a float proposer, :mod:`exactscape.floats.quadratic`) proposes multipliers of
    a quadratic form that is >= 0 at every genuine point; one verified exactly to be negative on
    the whole minimiser set decides "not genuine" (method ``quadratic``)."""
    pat.check_against(inst)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    use_fast = engine == "fast" or (engine == "auto" and inst.N * pat.K * inst.d >= SMALL_CELL)
    bud = fast.Budget.seconds(budget, progress)  # from here: the minimiser set's build counts too
    ms = minset.minimiser_set(inst, pat) if use_fast else None
    feas = cell_feasibility(inst, pat, hint)
    if ms is not None and feas.feasible and bud.deadline_ns is not None and time.monotonic_ns() > bud.deadline_ns:
        return CellAnalysis(inst, pat, feas, None, None, None, 0, ms, "budget", True)
    if ms is not None:
        if not feas.feasible:
            return CellAnalysis(inst, pat, feas, None, None, None, 0, ms, "fast")
        before = _witness_step(inst, pat, ms, feas.witness, hint, propose, bud) if (hint or propose) else None
        dec = fast.decide(inst, pat, ms, feas.witness, budget=bud, decide_node=decide, before_search=before)
        if dec is not None:
            return CellAnalysis(
                inst, pat, feas, None, dec.genuine, dec.tree, dec.nodes, ms, dec.method, dec.undecided, dec.reason
            )
        if inst.N * pat.K * inst.d > PLAIN_LIMIT:
            # wide A of full row rank whose samples are dependent (Part 2 Table III: N = 400,
            # d = 11, K = 50): no structure above applies and a plain search would need an exact
            # LP in Kd variables per node; the box search learns whole boxes of branch vectors
            # per refutation (undecided when its budget or its tree size runs out, never "no").
            # It may not end on such cells, so it runs only under a budget; without one the
            # cell is undecided at once (no-method)
            return _wide_cell(inst, pat, feas, ms, bud, budget is not None, decide, generalise, quadratic)
        fitted = tuple(ms.fitted())
        lsq = None
    else:
        lsq = linalg.least_squares(design_matrix(inst, pat), inst.y)
        if not feas.feasible:
            return CellAnalysis(inst, pat, feas, lsq, None, None, 0)
        fitted = tuple(lsq.fitted)
    return _plain_search(inst, pat, feas, lsq, ms, fitted, bud, decide)


def _wide_cell(
    inst: Instance,
    pat: Pattern,
    feas: Feasibility,
    ms: minset.MinimiserSet,
    bud: fast.Budget,
    timed: bool,
    decide: Decider | None,
    generalise: boxes.Generaliser | None,
    quadratic: quad.FloatSide | None,
) -> CellAnalysis:
    """A feasible cell of wide A with dependent samples on the fast engine: without a budget
    (``timed`` false) undecided at once (``no-method``); else a quadratic refutation when
    ``quadratic`` proposes one that verifies, then the box search of
    :mod:`exactscape.theory.boxes`."""
    if not timed:
        return CellAnalysis(inst, pat, feas, None, None, None, 0, ms, "no-method", True)
    if quadratic is not None:
        ref = _quadratic_step(inst, pat, ms, quadratic, bud)
        if ref is not None:
            return CellAnalysis(inst, pat, feas, None, None, None, bud.nodes, ms, quad.METHOD, quadratic=ref)
    box = boxes.decide(inst, pat, ms, feas.witness, budget=bud, decide_node=decide, generalise=generalise)
    return CellAnalysis(
        inst, pat, feas, None, box.genuine, box.tree, box.nodes, ms, box.method, box.undecided, box.reason
    )


def _plain_search(
    inst: Instance,
    pat: Pattern,
    feas: Feasibility,
    lsq: linalg.LeastSquares | None,
    ms: minset.MinimiserSet | None,
    fitted: tuple[Fraction, ...],
    bud: fast.Budget,
    decide: Decider | None,
) -> CellAnalysis:
    """The plain branch search of a feasible cell (per-neuron branches {+, -, 0}) on the
    fitted values p = A A^+ y [14], one exact LP per node under the budget ``bud``
    (undecided, method ``budget``, when it runs out)."""
    prob = BranchProblem(inst, pat, fitted, tuple(BRANCHES for _ in range(pat.K)), feas.witness)

    def tick(nodes: int, depth: int) -> None:
        bud.tick(depth)

    try:
        res = search(prob, tick, bud.bound(decide or polyhedra.decide))
    except fast.OutOfBudget:
        return CellAnalysis(inst, pat, feas, lsq, None, None, bud.nodes, ms, "budget", True)
    return CellAnalysis(inst, pat, feas, lsq, res.genuine, res.tree, res.nodes, ms, "plain")


def _quadratic_step(
    inst: Instance, pat: Pattern, ms: minset.MinimiserSet, side: quad.FloatSide, bud: fast.Budget
) -> QuadraticRefutation | FinslerRefutation | None:
    """Floats propose multipliers (in a child process), the exact side verifies them (likewise),
    both stopped at half of the remaining budget (the box search keeps the rest); None when
    nothing verified in time."""
    from ..core import deadline

    propose = side.propose
    fitted = tuple(ms.fitted())
    # half of what is left of the budget: the box search keeps the other half
    stop = None if bud.deadline_ns is None else (time.monotonic_ns() + bud.deadline_ns) // 2
    try:
        if stop is None:
            candidates = propose(inst, pat, fitted)
        else:
            candidates = deadline.call_before(stop, _call_proposer, (propose, inst, pat, fitted))
    except deadline.Expired:
        return None
    return quad.refute(inst, pat, fitted, ms, candidates, stop, side.factorise).refutation


def _call_proposer(args: tuple[quad.Proposer, Instance, Pattern, tuple[Fraction, ...]]) -> list[quad.Mu]:
    propose, inst, pat, fitted = args
    return list(propose(inst, pat, fitted))


def _witness_step(
    inst: Instance,
    pat: Pattern,
    ms: minset.MinimiserSet,
    zero_witness: Mat | None,
    hint: Weights | None,
    propose: witness.Proposer | None,
    bud: fast.Budget,
) -> Callable[[], fast.Decision | None]:
    """The witness attempt of :func:`analyse_cell`, as the fast engine's ``before_search``."""

    def expired() -> bool:
        return bud.deadline_ns is not None and time.monotonic_ns() > bud.deadline_ns

    def run() -> fast.Decision | None:
        found = witness.search(inst, pat, ms, zero_witness, hint, propose, bud.deadline_ns, expired)
        if found is None:
            return None
        return fast.Decision(found.genuine, None, found.source, bud.nodes, 0)

    return run


class CellSearch(BranchSearch):
    """The cell search of Theorem 1 as a :class:`~exactscape.theory.branches.BranchProblem`
    (kept for callers that rebuild a node's system with :meth:`system`)."""

    def __init__(
        self,
        inst: Instance,
        pat: Pattern,
        fitted: list[Fraction],
        feas: Feasibility,
        progress: Callable[[int, int], None] | None = None,
        decide: Decider | None = None,
    ) -> None:
        prob = BranchProblem(inst, pat, tuple(fitted), tuple(BRANCHES for _ in range(pat.K)), feas.witness)
        super().__init__(prob, progress, decide)

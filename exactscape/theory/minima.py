"""Theorem 1 and Section IV: the differentiable minima of one cell, exactly.

For an instance and an activation pattern I (SPEC 1):

* feasibility: every open cone C_j = {w : w.x_i > 0 (I_ij = 1), < 0 (I_ij = 0)}
  is non-empty, with a witness or a Farkas certificate per neuron;
* the minimiser set [10-13] of the cell's convex quadratic
  L(R) = (1/N)||A R - y||^2 as {R : A R = p} (see :mod:`exactscape.linalg`),
  unique iff rank A = Kd, with the minimum loss [14] L* = (1/N)||p - y||^2;
* genuineness [15-18] with per-neuron branches sigma_j in {+, -, 0}
  (SPEC 2 and 6): does some minimiser factor as R_j = z_j w_j with every w_j
  in C_j?

Genuineness algorithm (shared with Theorems 2 and 3 in
:mod:`exactscape.theory.branches`): depth-first search over partial branch
assignments.
A node sigma (branches fixed for some neurons) is the open polyhedron

    sum_{j: sigma_j != 0} I_ij x_i . R_j = p_i            (all i)
    s_ji x_i . R_j > 0     (sigma_j in {+,-}, s_ji = (2 I_ij - 1) sign(sigma_j))

decided exactly by :func:`exactscape.polyhedra.decide`. An empty node is a
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

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from .. import linalg, polyhedra
from ..design import cell_sign, design_matrix, in_cell
from ..model import Instance, Mat, Pattern, Vec, Weights
from .branches import BRANCHES, BranchProblem, Decider, Genuine, Leaf, Split, Tree, search
from .branches import _Search as _BranchSearch

__all__ = [
    "BRANCHES",
    "CellAnalysis",
    "Decider",
    "Feasibility",
    "Genuine",
    "Leaf",
    "Split",
    "Tree",
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
    already lies in C_j is used as the witness without an LP.
    """
    pat.check_against(inst)
    wit: list[Vec] = []
    for j in range(pat.K):
        if hint is not None and in_cell(inst, pat, j, hint.w[j]):
            wit.append(tuple(hint.w[j]))
            continue
        G = tuple(tuple(cell_sign(pat, i, j) * v for v in x) for i, x in enumerate(inst.xs))
        ans = polyhedra.decide(polyhedra.System(n=inst.d, G=G, h=tuple(Fraction(0) for _ in G)))
        if isinstance(ans, polyhedra.Farkas):
            mult = tuple((i, m) for i, m in enumerate(ans.mG) if m != 0)
            return Feasibility(False, neuron=j, multipliers=mult)
        wit.append(ans.v)
    return Feasibility(True, witness=tuple(wit))


@dataclass(frozen=True)
class CellAnalysis:
    """Everything decided about one cell (Theorem 1, Section IV)."""

    instance: Instance
    pattern: Pattern
    feasibility: Feasibility
    lsq: linalg.LeastSquares
    genuine: Genuine | None
    tree: Tree | None
    nodes: int

    @property
    def K(self) -> int:
        return self.pattern.K

    @property
    def loss(self) -> Fraction:
        return self.lsq.residual_sq / self.instance.N

    @property
    def kind(self) -> str:
        return "unique" if self.lsq.dimension == 0 else "affine"

    @property
    def is_genuine(self) -> bool:
        return self.genuine is not None

    def minimiser_blocks(self) -> list[Vec]:
        """R0 = A^+ y split into the K blocks R_j."""
        d = self.instance.d
        return [tuple(self.lsq.R0[j * d : (j + 1) * d]) for j in range(self.K)]


def analyse_cell(
    inst: Instance,
    pat: Pattern,
    hint: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
    decide: Decider | None = None,
) -> CellAnalysis:
    """Decide feasibility, the minimiser set, its loss and genuineness of one cell.

    ``progress(nodes, depth)`` is called before every exact LP of the search; ``decide``
    replaces the exact LP decision (answers are verified exactly either way)."""
    pat.check_against(inst)
    feas = cell_feasibility(inst, pat, hint)
    lsq = linalg.least_squares(design_matrix(inst, pat), inst.y)
    if not feas.feasible:
        return CellAnalysis(inst, pat, feas, lsq, None, None, 0)
    prob = BranchProblem(inst, pat, tuple(lsq.fitted), tuple(BRANCHES for _ in range(pat.K)), feas.witness)
    res = search(prob, progress, decide)
    return CellAnalysis(inst, pat, feas, lsq, res.genuine, res.tree, res.nodes)


class _Search(_BranchSearch):
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

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

Genuineness algorithm: depth-first search over partial branch assignments.
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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from .. import linalg, polyhedra
from ..design import cell_sign, design_matrix, in_cell
from ..model import Instance, Mat, Pattern, Vec, Weights, dot

BRANCHES = ("+", "-", "0")


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
class Leaf:
    """An empty node: fit multipliers (i, m) and sign multipliers (j, i, m)."""

    fit: tuple[tuple[int, Fraction], ...]
    sign: tuple[tuple[int, int, Fraction], ...]


@dataclass(frozen=True)
class Split:
    """A node that splits neuron ``neuron`` into its three branches."""

    neuron: int
    children: tuple[tuple[str, Tree], ...]


Tree = Leaf | Split


@dataclass(frozen=True)
class Genuine:
    """A genuine minimum: weights (z, w) with z_j w_j a minimiser, w_j in C_j."""

    z: Vec
    w: Mat
    branches: tuple[str, ...]


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


class _Search:
    def __init__(
        self,
        inst: Instance,
        pat: Pattern,
        fitted: list[Fraction],
        feas: Feasibility,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.inst, self.pat, self.fitted, self.feas = inst, pat, fitted, feas
        self.cache: list[tuple[dict[int, str], Leaf]] = []
        self.nodes = 0
        self.progress = progress

    def system(self, sigma: dict[int, str]) -> tuple[polyhedra.System, list[int], list[tuple[int, int]]]:
        inst, pat = self.inst, self.pat
        d = inst.d
        blocks = [j for j in range(pat.K) if sigma.get(j) != "0"]
        pos = {j: b for b, j in enumerate(blocks)}
        n = d * len(blocks)
        E = []
        for i, x in enumerate(inst.xs):
            row = [Fraction(0)] * n
            for j in blocks:
                if pat.I[i][j]:
                    row[pos[j] * d : (pos[j] + 1) * d] = x
            E.append(tuple(row))
        G, keys = [], []
        for j in sorted(sigma):
            if sigma[j] == "0":
                continue
            sg = 1 if sigma[j] == "+" else -1
            for i, x in enumerate(inst.xs):
                row = [Fraction(0)] * n
                row[pos[j] * d : (pos[j] + 1) * d] = [sg * cell_sign(pat, i, j) * v for v in x]
                G.append(tuple(row))
                keys.append((j, i))
        sys_ = polyhedra.System(n=n, E=tuple(E), f=tuple(self.fitted), G=tuple(G), h=tuple(Fraction(0) for _ in G))
        return sys_, blocks, keys

    def node(self, sigma: dict[int, str]) -> tuple[Leaf | None, list[Vec] | None]:
        """Decide node sigma: a Leaf, or the point's blocks R_j (zeros for 0-branches)."""
        for sub, leaf in self.cache:
            if all(sigma.get(j) == b for j, b in sub.items()):
                return leaf, None
        self.nodes += 1
        if self.progress is not None:
            self.progress(self.nodes, len(sigma))
        sys_, blocks, keys = self.system(sigma)
        ans = polyhedra.decide(sys_)
        if isinstance(ans, polyhedra.Farkas):
            leaf = Leaf(
                fit=tuple((i, m) for i, m in enumerate(ans.mE) if m != 0),
                sign=tuple((j, i, m) for (j, i), m in zip(keys, ans.mG, strict=True) if m != 0),
            )
            self.cache.append((dict(sigma), leaf))
            return leaf, None
        d = self.inst.d
        R = [tuple(Fraction(0) for _ in range(d)) for _ in range(self.pat.K)]
        for b, j in enumerate(blocks):
            R[j] = tuple(ans.v[b * d : (b + 1) * d])
        return None, R

    def branch_of(self, j: int, Rj: Vec) -> str | None:
        if all(v == 0 for v in Rj):
            return "0"
        if in_cell(self.inst, self.pat, j, Rj):
            return "+"
        if in_cell(self.inst, self.pat, j, tuple(-v for v in Rj)):
            return "-"
        return None

    def witness(self, sigma: dict[int, str], R: list[Vec]) -> Genuine | None:
        full = dict(sigma)
        for j in range(self.pat.K):
            if j not in full:
                b = self.branch_of(j, R[j])
                if b is None:
                    return None
                full[j] = b
        assert_witness = self.feas.witness
        z, w = [], []
        for j in range(self.pat.K):
            b = full[j]
            if b == "+":
                z.append(Fraction(1))
                w.append(R[j])
            elif b == "-":
                z.append(Fraction(-1))
                w.append(tuple(-v for v in R[j]))
            else:
                z.append(Fraction(0))
                w.append(assert_witness[j] if assert_witness else R[j])
        return Genuine(tuple(z), tuple(w), tuple(full[j] for j in range(self.pat.K)))

    def order(self) -> list[int]:
        counts = []
        for j in range(self.pat.K):
            feasible = sum(1 for b in BRANCHES if self.node({j: b})[0] is None)
            counts.append((feasible, j))
        return [j for _, j in sorted(counts)]

    def dfs(self, sigma: dict[int, str], todo: list[int]) -> tuple[Tree | None, Genuine | None]:
        leaf, R = self.node(sigma)
        if leaf is not None:
            return leaf, None
        assert_R = R if R is not None else []
        found = self.witness(sigma, assert_R)
        if found is not None:
            return None, found
        j, rest = todo[0], todo[1:]
        kids: list[tuple[str, Tree]] = []
        for b in self._branch_order(j, assert_R[j]):
            sub, found = self.dfs({**sigma, j: b}, rest)
            if found is not None:
                return None, found
            if sub is None:  # pragma: no cover - dfs returns a tree or a witness
                raise RuntimeError("search returned neither a tree nor a witness")
            kids.append((b, sub))
        kids.sort(key=lambda kb: BRANCHES.index(kb[0]))
        return Split(j, tuple(kids)), None

    def _branch_order(self, j: int, Rj: Vec) -> Iterator[str]:
        first = "+" if any(dot(Rj, x) > 0 for x in self.inst.xs) else "-"
        yield first
        yield "-" if first == "+" else "+"
        yield "0"


def analyse_cell(
    inst: Instance,
    pat: Pattern,
    hint: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CellAnalysis:
    """Decide feasibility, the minimiser set, its loss and genuineness of one cell.

    ``progress(nodes, depth)`` is called before every exact LP of the search."""
    pat.check_against(inst)
    feas = cell_feasibility(inst, pat, hint)
    lsq = linalg.least_squares(design_matrix(inst, pat), inst.y)
    if not feas.feasible:
        return CellAnalysis(inst, pat, feas, lsq, None, None, 0)
    search = _Search(inst, pat, lsq.fitted, feas, progress)
    tree, found = search.dfs({}, search.order())
    return CellAnalysis(inst, pat, feas, lsq, found, tree if found is None else None, search.nodes)

"""Branch trees with Farkas leaves: the genuineness search shared by
Theorems 1, 2 and 3 (theory.md §2 [15-18], §3 "genuine saddle", §4 [46]).

A :class:`BranchProblem` asks: is there R = (R_1, ..., R_K) with

    sum_{j: sigma_j != 0} I_ij x_i . R_j = p_i            (fit rows, all i)
    a . R_j = 0                                          (extra equalities)
    s_ji x_i . R_j > 0    (sigma_j in {+,-}, (j, i) not skipped)

for some branch vector sigma, sigma_j ranging over ``allowed[j]``, where
s_ji = (2 I_ij - 1) sign(sigma_j)? Neurons with one allowed branch are fixed
at the root; the others are split. Every node is an open polyhedron decided
exactly by :func:`exactscape.core.polyhedra.decide`. An empty node is a leaf with
its Farkas multipliers (valid for every completion: completing sigma only
adds rows or removes variables). A non-empty node whose rational point
already puts every free neuron in an allowed branch ends the search with a
witness; otherwise the next neuron is split.

* Theorem 1 (cells): every neuron allowed {+, -, 0}, nothing skipped.
* Theorem 2 (saddles): neurons of Z fixed at 0, neurons of S allowed {+, -},
  p the fitted values of A_S.
* Theorem 3 (boundaries): neuron k fixed at + or -, the pair (k, n) skipped,
  one extra equality x_n . R_k = 0 [42], p the fitted values on the face.

Neurons are split in increasing order of how many of their branches are
feasible on their own, so forced neurons come first. The worst case stays
exponential in K (a union of up to 3^K polyhedra).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..core import polyhedra
from ..core.design import cell_sign
from ..core.model import Instance, Mat, Pattern, Vec, dot

BRANCHES = ("+", "-", "0")


@dataclass(frozen=True)
class Leaf:
    """An empty node: fit multipliers (i, m), sign multipliers (j, i, m) and
    extra-equality multipliers (index, m)."""

    fit: tuple[tuple[int, Fraction], ...]
    sign: tuple[tuple[int, int, Fraction], ...]
    extra: tuple[tuple[int, Fraction], ...] = ()
    # implied fit multipliers (FORMAT 4.2 check 5, new in 1.4): ``fit`` is empty and the
    # checker finds that sum sign s x + sum zero e lies in the row space of A (null space)
    zero: tuple[tuple[int, int, Fraction], ...] = ()
    implied: bool = False


@dataclass(frozen=True)
class Split:
    """A node that splits neuron ``neuron`` into its allowed branches."""

    neuron: int
    children: tuple[tuple[str, Tree], ...]


Tree = Leaf | Split


@dataclass(frozen=True)
class Genuine:
    """A genuine point: weights (z, w) with R_j = z_j w_j solving the fit rows."""

    z: Vec
    w: Mat
    branches: tuple[str, ...]


def genuine_from_blocks(branches: Sequence[str], R: Sequence[Vec], zero_witness: Mat | None) -> Genuine:
    """The network point of a genuine minimiser R = (R_1, ..., R_K) under a branch vector [15-18]:
    z_j = +1, w_j = R_j on branch +; z_j = -1, w_j = -R_j on branch -; z_j = 0 and w_j the cell's
    witness (``zero_witness[j]``, else R_j) on branch 0."""
    z: list[Fraction] = []
    w: list[Vec] = []
    for j, b in enumerate(branches):
        Rj = tuple(R[j])
        if b == "+":
            z.append(Fraction(1))
            w.append(Rj)
        elif b == "-":
            z.append(Fraction(-1))
            w.append(tuple(-v for v in Rj))
        else:
            z.append(Fraction(0))
            w.append(zero_witness[j] if zero_witness is not None else Rj)
    return Genuine(tuple(z), tuple(w), tuple(branches))


@dataclass(frozen=True)
class BranchProblem:
    """The question of the module docstring."""

    instance: Instance
    pattern: Pattern
    fitted: tuple[Fraction, ...]
    allowed: tuple[tuple[str, ...], ...]
    zero_witness: Mat | None = None  # w_j used for neurons on branch 0
    skip: frozenset[tuple[int, int]] = frozenset()
    extra: tuple[tuple[int, Vec], ...] = ()  # (j, a): a . R_j = 0

    def sign_row_ok(self, j: int, i: int) -> bool:
        return (j, i) not in self.skip

    def strictly_signed(self, j: int, v: Vec, sg: int) -> bool:
        """sg s_ji x_i . v > 0 for every non-skipped sample i."""
        for i, x in enumerate(self.instance.xs):
            if not self.sign_row_ok(j, i):
                continue
            if sg * cell_sign(self.pattern, i, j) * dot(v, x) <= 0:
                return False
        return True


@dataclass(frozen=True)
class SearchResult:
    """A witness, or a tree refuting every allowed branch vector."""

    genuine: Genuine | None
    tree: Tree | None
    nodes: int


# an exact emptiness decision with the contract of polyhedra.decide (answers verified exactly)
Decider = Callable[[polyhedra.System], polyhedra.Point | polyhedra.Farkas]


class BranchSearch:
    """The depth-first branch search of a :class:`BranchProblem`: :meth:`node`
    decides one (partial) branch vector's system exactly (a genuine point, or
    the Farkas leaf of the tree), :meth:`dfs` splits on the undecided neurons;
    :func:`search` runs it from the root. Callers may rebuild one node's system
    with :meth:`system` or decide it with :meth:`node`."""

    def __init__(
        self,
        prob: BranchProblem,
        progress: Callable[[int, int], None] | None = None,
        decide: Decider | None = None,
    ) -> None:
        self.p = prob
        self.decide: Decider = decide if decide is not None else polyhedra.decide
        self.progress = progress
        self.K = prob.pattern.K
        self.cache: list[tuple[dict[int, str], Leaf]] = []
        self.nodes = 0
        self.fixed = {j: a[0] for j, a in enumerate(prob.allowed) if len(a) == 1}

    def system(self, sigma: dict[int, str]) -> tuple[polyhedra.System, list[int], list[tuple[int, int]]]:
        prob = self.p
        inst, pat = prob.instance, prob.pattern
        d = inst.d
        blocks = [j for j in range(self.K) if sigma.get(j) != "0"]
        pos = {j: b for b, j in enumerate(blocks)}
        n = d * len(blocks)
        E, f = [], []
        for i, x in enumerate(inst.xs):
            row = [Fraction(0)] * n
            for j in blocks:
                if pat.I[i][j]:
                    row[pos[j] * d : (pos[j] + 1) * d] = x
            E.append(tuple(row))
            f.append(prob.fitted[i])
        for j, a in prob.extra:
            row = [Fraction(0)] * n
            if j in pos:
                row[pos[j] * d : (pos[j] + 1) * d] = a
            E.append(tuple(row))
            f.append(Fraction(0))
        G, keys = [], []
        for j in sorted(sigma):
            if sigma[j] == "0":
                continue
            sg = 1 if sigma[j] == "+" else -1
            for i, x in enumerate(inst.xs):
                if not prob.sign_row_ok(j, i):
                    continue
                row = [Fraction(0)] * n
                row[pos[j] * d : (pos[j] + 1) * d] = [sg * cell_sign(pat, i, j) * v for v in x]
                G.append(tuple(row))
                keys.append((j, i))
        sys_ = polyhedra.System(n=n, E=tuple(E), f=tuple(f), G=tuple(G), h=tuple(Fraction(0) for _ in G))
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
        ans = self.decide(sys_)
        N = self.p.instance.N
        if isinstance(ans, polyhedra.Farkas):
            leaf = Leaf(
                fit=tuple((i, m) for i, m in enumerate(ans.mE[:N]) if m != 0),
                sign=tuple((j, i, m) for (j, i), m in zip(keys, ans.mG, strict=True) if m != 0),
                extra=tuple((e, m) for e, m in enumerate(ans.mE[N:]) if m != 0),
            )
            self.cache.append((dict(sigma), leaf))
            return leaf, None
        d = self.p.instance.d
        R = [tuple(Fraction(0) for _ in range(d)) for _ in range(self.K)]
        for b, j in enumerate(blocks):
            R[j] = tuple(ans.v[b * d : (b + 1) * d])
        return None, R

    def branch_of(self, j: int, Rj: Vec) -> str | None:
        allowed = self.p.allowed[j]
        if "0" in allowed and all(v == 0 for v in Rj):
            return "0"
        if "+" in allowed and self.p.strictly_signed(j, Rj, 1):
            return "+"
        if "-" in allowed and self.p.strictly_signed(j, Rj, -1):
            return "-"
        return None

    def witness(self, sigma: dict[int, str], R: list[Vec]) -> Genuine | None:
        full = dict(sigma)
        for j in range(self.K):
            if j not in full:
                b = self.branch_of(j, R[j])
                if b is None:
                    return None
                full[j] = b
        return genuine_from_blocks([full[j] for j in range(self.K)], R, self.p.zero_witness)

    def order(self) -> list[int]:
        counts = []
        for j in range(self.K):
            if j in self.fixed:
                continue
            feasible = sum(1 for b in self.p.allowed[j] if self.node({**self.fixed, j: b})[0] is None)
            counts.append((feasible, j))
        return [j for _, j in sorted(counts)]

    def dfs(self, sigma: dict[int, str], todo: list[int]) -> tuple[Tree | None, Genuine | None]:
        leaf, R = self.node(sigma)
        if leaf is not None:
            return leaf, None
        point = R if R is not None else []
        found = self.witness(sigma, point)
        if found is not None:
            return None, found
        if not todo:  # pragma: no cover - a full assignment is decided by its node
            raise RuntimeError("a feasible full branch vector gave no witness")
        j, rest = todo[0], todo[1:]
        kids: list[tuple[str, Tree]] = []
        for b in self._branch_order(j, point[j]):
            sub, found = self.dfs({**sigma, j: b}, rest)
            if found is not None:
                return None, found
            if sub is None:  # pragma: no cover - dfs returns a tree or a witness
                raise RuntimeError("search returned neither a tree nor a witness")
            kids.append((b, sub))
        kids.sort(key=lambda kb: BRANCHES.index(kb[0]))
        return Split(j, tuple(kids)), None

    def _branch_order(self, j: int, Rj: Vec) -> Iterator[str]:
        first = "+" if any(dot(Rj, x) > 0 for x in self.p.instance.xs) else "-"
        for b in (first, "-" if first == "+" else "+", "0"):
            if b in self.p.allowed[j]:
                yield b


def search(
    prob: BranchProblem, progress: Callable[[int, int], None] | None = None, decide: Decider | None = None
) -> SearchResult:
    """Decide ``prob`` exactly: a :class:`Genuine` witness or a refuting tree.

    ``progress(nodes, depth)`` is called before every exact LP of the search; ``decide``
    replaces :func:`exactscape.core.polyhedra.decide` (e.g. :func:`exactscape.floats.hint.decide_hinted`)."""
    s = BranchSearch(prob, progress, decide)
    tree, found = s.dfs(dict(s.fixed), s.order())
    return SearchResult(found, tree if found is None else None, s.nodes)

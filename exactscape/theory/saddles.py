"""Theorem 2 (theory.md §3): differentiable saddle points of one cell, exactly.

For a cell (pattern I) and a non-empty set Z of neurons with z_j = 0,
S = [K] \\ Z:

* [20] M = A_S^T A_S and b = A_S^T y (A_S: the columns of A of the neurons in
  S). The solution set [19] of M R_S = b is the least-squares set
  {R_S : A_S R_S = p_S}, computed with the rank factorisation of A_S
  (:func:`exactscape.core.linalg.least_squares`), never with a dense M^+;
  M R_S = b is always solvable.
* The residual e = A_S R_S - y is the same for every solution, and so is
  g_j = sum_i I_ij e_i x_i (j in Z) of [21] and the loss (1/N)||e||^2.
* A point of [19], [21] is stationary; it is a saddle iff some g_j != 0
  [22-25] (curves z_j = -/+ t^2, w_j + t g_j change the loss by
  -/+ (2/N)||g_j||^2 t^3 + O(t^4)); if every g_j = 0 it is a minimum
  (A^T (A R - y) = 0: a global minimum of the cell's quadratic).
* Genuine: the neurons of S strictly inside C_j (branch +) or -C_j (branch -),
  by the shared branch tree (:mod:`exactscape.theory.branches`, Z fixed at
  branch 0), and every w_j (j in Z) in the open polyhedron
  C_j intersected with {w : w . g_j = 0} (one equality; decided by
  :func:`exactscape.core.polyhedra.decide`).

Verdict per Z: ``saddle`` (a genuine saddle exists), ``minimum`` (every
g_j = 0 and a genuine point exists: it is a local minimum, not a saddle), or
``none`` (no genuine point of [19], [21] with exactly this zero set; proved
by a Farkas certificate for some C_j cut by {w . g_j = 0}, or by a tree).
Complexity: one least-squares solve of A_S, |Z| small LPs, and a branch tree
over {+,-}^S (worst case 2^|S| LPs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from ..core import linalg, polyhedra
from ..core.curves import Curve
from ..core.design import block_gradient, cell_sign, design_matrix_on, in_cell
from ..core.model import Instance, Pattern, Vec, Weights, dot
from ..errors import InputError
from .branches import BranchProblem, Decider, Tree, search


@dataclass(frozen=True)
class ZeroCut:
    """C_j intersected with {w . g_j = 0} is empty: m_i > 0 and mu with
    sum_i m_i s_ij x_i + mu g_j = 0."""

    neuron: int
    multipliers: tuple[tuple[int, Fraction], ...]
    gradient: Fraction


@dataclass(frozen=True)
class SaddleCase:
    """The decision for one zero set Z (module docstring)."""

    zero: tuple[int, ...]
    verdict: str
    loss: Fraction
    gradient_zero: bool
    solution: tuple[Vec, ...]  # R (K blocks, zero on Z) solving [19]
    residual: tuple[Fraction, ...]
    g: tuple[tuple[int, Vec], ...]  # (j, g_j) for j in Z  [21]
    dimension: int  # dimension of the solution set [19]: |S| d - rank A_S
    rank: linalg.RankFactorisation | None  # of A_S (None when S is empty)
    point: Weights | None = None
    descent: Curve | None = None
    ascent: Curve | None = None
    cut: ZeroCut | None = None
    tree: Tree | None = None
    nodes: int = 0


@dataclass(frozen=True)
class SaddleAnalysis:
    """Every decided zero set of one cell."""

    instance: Instance
    pattern: Pattern
    mode: str  # "given" or "all"
    cases: tuple[SaddleCase, ...]

    @property
    def saddle(self) -> bool:
        return any(c.verdict == "saddle" for c in self.cases)


def zero_part(inst: Instance, pat: Pattern, j: int, g: Vec, hint: Vec | None) -> Vec | ZeroCut:
    """A point of C_j with w . g = 0, or a Farkas certificate that there is none."""
    if hint is not None and in_cell(inst, pat, j, hint) and dot(hint, g) == 0:
        return hint
    G = tuple(tuple(cell_sign(pat, i, j) * v for v in x) for i, x in enumerate(inst.xs))
    E = (g,) if any(g) else ()
    ans = polyhedra.decide(
        polyhedra.System(n=inst.d, E=E, f=tuple(Fraction(0) for _ in E), G=G, h=tuple(Fraction(0) for _ in G))
    )
    if isinstance(ans, polyhedra.Point):
        return ans.v
    mu = ans.mE[0] if E else Fraction(0)
    return ZeroCut(j, tuple((i, m) for i, m in enumerate(ans.mG) if m != 0), mu)


def saddle_curve(j: int, g: Vec, sigma: int) -> Curve:
    """z_j = sigma t^2, w_j + t g_j: loss change sigma (2/N)||g_j||^2 t^3 + O(t^4) when w_j . g_j = 0."""
    return Curve(dz=((j, (Fraction(0), Fraction(sigma))),), dw=tuple((j, l, (v,)) for l, v in enumerate(g) if v != 0))


def analyse_zero_set(
    inst: Instance,
    pat: Pattern,
    Z: tuple[int, ...],
    hint: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
    decide: Decider | None = None,
) -> SaddleCase:
    """Decide theory.md §3 for the zero set ``Z`` of the cell ``pat``; ``progress(nodes,
    depth)`` is called before every exact LP of the branch search."""
    K, d = pat.K, inst.d
    Z = tuple(sorted(set(Z)))
    if not Z or Z[0] < 0 or Z[-1] >= K:
        raise InputError(f"the zero set must be a non-empty subset of 0..{K - 1}, got {list(Z)}", field="zero")
    S = tuple(j for j in range(K) if j not in Z)
    zero_vec = tuple(Fraction(0) for _ in range(d))
    if S:
        lsq = linalg.least_squares(design_matrix_on(inst, pat, S), inst.y)
        fitted = tuple(lsq.fitted)
        blocks = {j: tuple(lsq.R0[b * d : (b + 1) * d]) for b, j in enumerate(S)}
        dim = lsq.dimension
        fac: linalg.RankFactorisation | None = lsq.factor
    else:
        fitted = tuple(Fraction(0) for _ in range(inst.N))
        blocks = {}
        dim = 0
        fac = None
    R = tuple(blocks.get(j, zero_vec) for j in range(K))
    e = tuple(p - y for p, y in zip(fitted, inst.y, strict=True))
    loss = sum((v * v for v in e), Fraction(0)) / inst.N
    gs = tuple((j, block_gradient(inst, pat, e, j)) for j in Z)
    gzero = all(not any(g) for _, g in gs)
    base = dict(zero=Z, loss=loss, gradient_zero=gzero, solution=R, residual=e, g=gs, dimension=dim, rank=fac)
    zw: list[Vec] = [zero_vec] * K
    for j, g in gs:
        ans = zero_part(inst, pat, j, g, hint.w[j] if hint is not None else None)
        if isinstance(ans, ZeroCut):
            return SaddleCase(verdict="none", cut=ans, **base)  # type: ignore[arg-type]
        zw[j] = tuple(ans)
    allowed = tuple(("0",) if j in Z else ("+", "-") for j in range(K))
    res = search(BranchProblem(inst, pat, fitted, allowed, tuple(zw)), progress, decide)
    if res.genuine is None:
        return SaddleCase(verdict="none", tree=res.tree, nodes=res.nodes, **base)  # type: ignore[arg-type]
    point = Weights(res.genuine.z, res.genuine.w)
    if gzero:
        return SaddleCase(verdict="minimum", point=point, nodes=res.nodes, **base)  # type: ignore[arg-type]
    j, g = next((j, g) for j, g in gs if any(g))
    return SaddleCase(
        verdict="saddle",
        point=point,
        descent=saddle_curve(j, g, -1),
        ascent=saddle_curve(j, g, 1),
        nodes=res.nodes,
        **base,  # type: ignore[arg-type]
    )


def all_zero_sets(K: int) -> list[tuple[int, ...]]:
    """Every non-empty Z in [K], by size, then lexicographically.

    >>> all_zero_sets(3)
    [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]
    """
    return [c for r in range(1, K + 1) for c in combinations(range(K), r)]


def zero_set_work(K: int) -> tuple[int, int]:
    """The work of deciding every zero set of K neurons: (2^K - 1 zero sets,
    3^K - 2^K leaves of their branch trees at most: sum over Z of 2^(K - |Z|))."""
    return 2**K - 1, 3**K - 2**K


def analyse_saddles(
    inst: Instance,
    pat: Pattern,
    zero_sets: list[tuple[int, ...]] | None = None,
    hint: Weights | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    decide: Decider | None = None,
) -> SaddleAnalysis:
    """Decide theory.md §3 for the given zero sets (default: all non-empty Z).

    ``progress(done, total, nodes)`` reports the zero sets decided so far and
    the exact LPs of the current one; ``decide`` is the exact node decider
    (:mod:`exactscape.deciders`; default :func:`exactscape.core.polyhedra.decide`)."""
    pat.check_against(inst)
    mode = "given" if zero_sets is not None else "all"
    sets = zero_sets if zero_sets is not None else all_zero_sets(pat.K)
    done = [0]

    def step(nodes: int, depth: int) -> None:
        if progress is not None:
            progress(done[0], len(sets), nodes)

    cases = []
    for Z in sets:
        step(0, 0)
        cases.append(analyse_zero_set(inst, pat, Z, hint, step if progress is not None else None, decide))
        done[0] += 1
    step(0, 0)
    return SaddleAnalysis(inst, pat, mode, tuple(cases))

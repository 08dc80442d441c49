"""The exact infimum of the loss over one open cell, with a KKT certificate.

Inside the cell of pattern I the loss is L = (1/N)||A R - y||^2 with
R_j = z_j w_j, w_j in the open cone C_j, z_j any rational: R_j ranges over
C_j, -C_j and {0}. The loss is continuous, so the infimum over the cell is the
minimum over the closure: over every branch vector sigma in {+, -}^K of

    min (1/N)||A R - y||^2  subject to  sigma_j s_ij x_i . R_j >= 0   (all i, j),   (QP_sigma)

with s_ij = +1 where I_ij = 1 and -1 elsewhere (the branch 0 is the point
R_j = 0, which every QP_sigma contains). The minimum is attained, and by an
exact point of the network: z_j = sigma_j, w_j = sigma_j R_j lies in the
closed cone cl C_j, where relu(w_j . x_i) = I_ij w_j . x_i, so the network's
output is exactly A R.

Certificate (KKT; sufficient for a convex quadratic): R feasible and
multipliers mu_ji >= 0 with A^T (A R - y) = sum_ji mu_ji sigma_j s_ij x_i (in
block j) and mu_ji = 0 unless x_i . R_j = 0. Then for every feasible R',
L(R') >= L(R) + (2/N) (A^T (A R - y)) . (R' - R) = L(R) + (2/N) sum mu_ji
sigma_j s_ij x_i . R'_j >= L(R).

Algorithm: the primal active-set method for convex quadratic programs
(Nocedal and Wright, Numerical Optimization, 2nd ed., Algorithm 16.3) in
exact rational arithmetic, from R = 0 with an empty working set. Each step is
the minimum-norm least-squares step on the null space of the working rows;
the working rows stay linearly independent (a blocking row b has b . p != 0
while the working rows vanish on p), so the multipliers are unique. Bland's
rule (lowest index) picks the row to add and to drop. An iteration cap turns
a (theoretically possible) cycle into ``None``: the caller then falls back to
the weaker lower bound L* of the cell; the KKT conditions of every answer are
verified exactly before it is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from ..core import linalg
from ..core.design import cell_sign, design_rows
from ..core.model import Instance, Pattern, Vec, dot
from ..errors import InternalError

Row = list[Fraction]


@dataclass(frozen=True)
class BranchInfimum:
    """The minimum of QP_sigma: the minimiser R (K blocks), its multipliers (j, i, mu)."""

    branches: tuple[str, ...]
    R: tuple[Vec, ...]
    multipliers: tuple[tuple[int, int, Fraction], ...]
    loss: Fraction


@dataclass(frozen=True)
class CellInfimum:
    """The infimum of the loss over the open cell: the least of the QP_sigma minima."""

    pattern: Pattern
    cases: tuple[BranchInfimum, ...]  # every sigma in {+,-}^K, lexicographic ("+" < "-")

    @property
    def best(self) -> BranchInfimum:
        return min(self.cases, key=lambda c: c.loss)  # first of the least (stable)

    @property
    def loss(self) -> Fraction:
        return self.best.loss


def _matvec(rows: list[Row], v: list[Fraction]) -> list[Fraction]:
    return [sum((a * b for a, b in zip(r, v, strict=True) if a), Fraction(0)) for r in rows]


def _sign_rows(inst: Instance, pat: Pattern, sigma: tuple[str, ...]) -> list[tuple[int, int, Row]]:
    """(j, i, b) with b . R = sigma_j s_ij x_i . R_j, for every non-zero sample."""
    d, K = inst.d, pat.K
    out = []
    for j in range(K):
        sg = 1 if sigma[j] == "+" else -1
        for i, x in enumerate(inst.xs):
            if not any(x):
                continue
            b = [Fraction(0)] * (K * d)
            c = sg * cell_sign(pat, i, j)
            for l, v in enumerate(x):
                b[j * d + l] = c * v
            out.append((j, i, b))
    return out


def solve_branch(inst: Instance, pat: Pattern, sigma: tuple[str, ...], max_iter: int = 2000) -> BranchInfimum | None:
    """QP_sigma by the exact active-set method (module docstring); None after ``max_iter`` steps."""
    K, d, N = pat.K, inst.d, inst.N
    n = K * d
    A = design_rows(inst, pat)
    At = [[A[i][c] for i in range(N)] for c in range(n)]
    y = list(inst.y)
    rows = _sign_rows(inst, pat, sigma)
    B = [b for _, _, b in rows]
    x = [Fraction(0)] * n
    W: list[int] = []
    for _ in range(max_iter):
        r = [a - b for a, b in zip(_matvec(A, x), y, strict=True)]  # A x - y
        if W:
            Z = linalg.null_space(linalg.matrix([B[k] for k in W], n))
        else:
            Z = linalg.matrix([[Fraction(int(a == b)) for b in range(n)] for a in range(n)], n)
        m = Z.ncols()
        p = [Fraction(0)] * n
        if m:
            AZ = linalg.matrix(A, n) * Z
            ls = linalg.least_squares(AZ, [-v for v in r])
            p = linalg.to_vec(Z * linalg.column(ls.R0))
        if not any(p):
            g = _matvec(At, r)  # A^T (A x - y)
            lam = _multipliers([B[k] for k in W], g, n)
            if lam is None:
                raise InternalError("active-set step: the gradient is not in the span of the working rows")
            neg = [W[t] for t, v in enumerate(lam) if v < 0]
            if not neg:
                mult = tuple((rows[W[t]][0], rows[W[t]][1], v) for t, v in enumerate(lam) if v != 0)
                out = BranchInfimum(
                    sigma,
                    tuple(tuple(x[j * d : (j + 1) * d]) for j in range(K)),
                    tuple(sorted(mult)),
                    sum((v * v for v in r), Fraction(0)) / N,
                )
                if not verify(inst, pat, out):
                    raise InternalError("the active-set minimiser does not satisfy its KKT conditions")
                return out
            W.remove(min(neg))
            continue
        alpha = Fraction(1)
        block: int | None = None
        for k, b in enumerate(B):
            if k in W:
                continue
            bp = dot(tuple(b), tuple(p))
            if bp < 0:
                ratio = -dot(tuple(b), tuple(x)) / bp
                if ratio < alpha:
                    alpha, block = ratio, k
                elif ratio == alpha and (block is None or k < block):
                    block = k
        x = [a + alpha * b for a, b in zip(x, p, strict=True)]
        if block is not None:
            W.append(block)
    return None


def _multipliers(BW: list[Row], g: list[Fraction], n: int) -> list[Fraction] | None:
    """The unique lam with sum_t lam_t BW_t = g (BW linearly independent), or None."""
    if not BW:
        return [] if not any(g) else None
    M = linalg.matrix([[BW[t][c] for t in range(len(BW))] for c in range(n)], len(BW))  # n x |W|
    ls = linalg.least_squares(M, g)
    if ls.fitted != list(g):
        return None
    return list(ls.R0)


def verify(inst: Instance, pat: Pattern, b: BranchInfimum) -> bool:
    """The KKT certificate of the module docstring, checked exactly."""
    K, d = pat.K, inst.d
    R = [v for blk in b.R for v in blk]
    A = design_rows(inst, pat)
    r = [a - yy for a, yy in zip(_matvec(A, R), inst.y, strict=True)]
    g = _matvec([[A[i][c] for i in range(inst.N)] for c in range(K * d)], r)
    comb = [Fraction(0)] * (K * d)
    for j, i, mu in b.multipliers:
        if mu <= 0 or dot(b.R[j], inst.xs[i]) != 0:
            return False
        sg = (1 if b.branches[j] == "+" else -1) * cell_sign(pat, i, j)
        for l, v in enumerate(inst.xs[i]):
            comb[j * d + l] += mu * sg * v
    for j in range(K):
        sg = 1 if b.branches[j] == "+" else -1
        for i, x in enumerate(inst.xs):
            if sg * cell_sign(pat, i, j) * dot(b.R[j], x) < 0:
                return False
    return comb == g and b.loss == sum((v * v for v in r), Fraction(0)) / inst.N


def cell_infimum(inst: Instance, pat: Pattern) -> CellInfimum | None:
    """Every QP_sigma of the cell (None if the active-set method gave up on one)."""
    cases = []
    for sigma in product("+-", repeat=pat.K):
        c = solve_branch(inst, pat, tuple(sigma))
        if c is None:
            return None
        cases.append(c)
    return CellInfimum(pat, tuple(cases))

"""Exact linear algebra for Theorem 1 (theory.md §2), backed by python-flint.

The central object is a *rank factorisation* A = C A_B: B is the
lexicographically first set of independent rows of A (r = |B| = rank A), and
C (N x r) expresses every row of A in those rows (C restricted to B is the
identity). Everything follows from it without a dense pseudo-inverse of a
wide matrix:

* rank A = r; the minimiser set [12] is {R : A R = p}, of dimension Kd - r;
* the fitted values p = A A^+ y = C (C^T C)^{-1} C^T y (projection on col A);
* the minimum-norm minimiser R0 = A^+ y = A_B^T u with
  u = (A_B A_B^T)^{-1} (C^T C)^{-1} C^T y;
* A^+ = A_B^T (A_B A_B^T)^{-1} (C^T C)^{-1} C^T (the full-rank-factorisation
  formula of the Moore-Penrose inverse, Ben-Israel and Greville, ch. 1).

B and C come from the reduced row echelon form of the small side: of the
N x N Gram matrix A A^T when N <= Kd (its column dependencies are exactly
the row dependencies of A, since A A^T c = 0 iff A^T c = 0), otherwise of
A^T (Kd x N). Cost: O(N^2 Kd) to form the Gram matrix plus O(N^3) for the
echelon form (wide case); O(Kd N r) (tall case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint

from ..errors import BackendError

QMat = flint.fmpq_mat


def q(x: Fraction | int) -> flint.fmpq:
    """Fraction -> flint rational, exactly."""
    x = Fraction(x)
    return flint.fmpq(x.numerator, x.denominator)


def frac(x: flint.fmpq) -> Fraction:
    """flint rational -> Fraction, exactly."""
    return Fraction(int(x.p), int(x.q))


def matrix(rows: Sequence[Sequence[Fraction | int]], ncols: int | None = None) -> QMat:
    """A flint rational matrix from a sequence of rows."""
    n = len(rows)
    m = len(rows[0]) if n else (ncols or 0)
    return QMat(n, m, [q(v) for r in rows for v in r])


def column(v: Sequence[Fraction | int]) -> QMat:
    return QMat(len(v), 1, [q(x) for x in v])


def to_rows(M: QMat) -> list[list[Fraction]]:
    return [[frac(M[i, j]) for j in range(M.ncols())] for i in range(M.nrows())]


def to_vec(M: QMat) -> list[Fraction]:
    """A column (or row) matrix as a list of Fractions."""
    if M.ncols() == 1:
        return [frac(M[i, 0]) for i in range(M.nrows())]
    return [frac(M[0, j]) for j in range(M.ncols())]


def select_rows(M: QMat, rows: Sequence[int]) -> QMat:
    return QMat(len(rows), M.ncols(), [M[i, j] for i in rows for j in range(M.ncols())])


def _pivots(R: QMat, rank: int) -> list[int]:
    piv = []
    for k in range(rank):
        j = 0
        while R[k, j] == 0:
            j += 1
        piv.append(j)
    return piv


@dataclass(frozen=True)
class RankFactorisation:
    """A = C A_B with B = ``basis`` (rows of A) and C = ``coeffs`` (N x r)."""

    basis: tuple[int, ...]
    coeffs: QMat  # N x r
    rank: int
    ncols: int

    def combination(self, i: int) -> list[Fraction]:
        """Coefficients c with A_i = sum_k c_k A_{b_k}."""
        return [frac(self.coeffs[i, k]) for k in range(self.rank)]


def rref(rows: Sequence[Sequence[Fraction]], ncols: int) -> list[list[Fraction]]:
    """Reduced row echelon form over Q with the zero rows dropped: the canonical basis of the
    row space (unique, so any exact elimination gives the same rows; flint's here).

    Rows may be longer than ``ncols`` (an augmented system [E | f], pivots sought in the
    first ``ncols`` columns, the rest carried along); when such a system is consistent its
    RREF has every pivot there, else a row (0 ... 0 | 1) shows the inconsistency."""
    if not rows:
        return []
    width = max(ncols, len(rows[0]))
    try:
        R, r = matrix(rows, width).rref()
    except Exception as exc:  # flint raises plain exceptions
        raise BackendError(f"flint rref failed: {exc}") from exc
    return [[frac(R[i, j]) for j in range(width)] for i in range(r)]


def rank(rows: Sequence[Sequence[Fraction]], ncols: int) -> int:
    """Rank over Q of the matrix with these rows (``ncols`` columns)."""
    return len(rref(rows, ncols))


def rank_factorisation(A: QMat) -> RankFactorisation:
    """Rank factorisation A = C A_B (module docstring); B lexicographically first."""
    N, n = A.nrows(), A.ncols()
    try:
        S = A * A.transpose() if N <= n else A.transpose()
        R, rank = S.rref()
    except Exception as exc:  # flint raises plain exceptions
        raise BackendError(f"flint rref failed: {exc}") from exc
    basis = _pivots(R, rank)
    C = QMat(N, rank)
    for i in range(N):
        for k in range(rank):
            C[i, k] = R[k, i]
    return RankFactorisation(tuple(basis), C, rank, n)


@dataclass(frozen=True)
class LeastSquares:
    """The minimiser set {R : A R = fitted} of ||A R - y||^2 (theory.md §2 [10-14])."""

    factor: RankFactorisation
    u: list[Fraction]  # R0 = A_B^T u
    R0: list[Fraction]  # minimum-norm minimiser A^+ y
    fitted: list[Fraction]  # p = A R0
    residual_sq: Fraction  # ||p - y||^2

    @property
    def rank(self) -> int:
        return self.factor.rank

    @property
    def dimension(self) -> int:
        return self.factor.ncols - self.factor.rank


def least_squares(A: QMat, y: Sequence[Fraction]) -> LeastSquares:
    """Minimum-norm least-squares solution via the rank factorisation.

    u = (A_B A_B^T)^{-1} (C^T C)^{-1} C^T y, R0 = A_B^T u, p = A R0.
    Both r x r systems are non-singular (full-rank factors).
    """
    fac = rank_factorisation(A)
    r = fac.rank
    if r == 0:
        zero = [Fraction(0)] * A.ncols()
        return LeastSquares(fac, [], zero, [Fraction(0)] * A.nrows(), sum((v * v for v in y), Fraction(0)))
    AB = select_rows(A, fac.basis)
    C = fac.coeffs
    Ct = C.transpose()
    yv = column(y)
    try:
        v = (Ct * C).solve(Ct * yv)
        u = (AB * AB.transpose()).solve(v)
    except Exception as exc:
        raise BackendError(f"flint solve failed on a full-rank factor: {exc}") from exc
    R0 = AB.transpose() * u
    p = C * v
    fitted = to_vec(p)
    res = sum(((a - b) ** 2 for a, b in zip(fitted, y, strict=True)), Fraction(0))
    return LeastSquares(fac, to_vec(u), to_vec(R0), fitted, res)


def null_space(A: QMat) -> QMat:
    """A basis of {v : A v = 0} as the columns of an n x (n - r) matrix (integer entries).

    Dense: for small and tall matrices only (the wide case uses the
    equation form {R : A R = p} instead of a basis).
    """
    den = 1
    for i in range(A.nrows()):
        for j in range(A.ncols()):
            den = den * int(A[i, j].q) // _gcd(den, int(A[i, j].q))
    Z = flint.fmpz_mat(A.nrows(), A.ncols(), [int(A[i, j] * den) for i in range(A.nrows()) for j in range(A.ncols())])
    Nz, nullity = Z.nullspace()
    out = QMat(A.ncols(), nullity)
    for k in range(nullity):
        g = 0
        for i in range(A.ncols()):
            g = _gcd(g, abs(int(Nz[i, k])))
        for i in range(A.ncols()):
            out[i, k] = int(Nz[i, k]) // (g or 1)  # primitive integer vectors
    return out


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def echelon_pivots(R: flint.nmod_mat | flint.fmpq_mat, rank: int) -> list[int]:
    """The pivot columns of a reduced row echelon form R of the given rank: for each of its
    first ``rank`` rows, the first column with a non-zero entry (strictly increasing)."""
    out: list[int] = []
    j = 0
    for k in range(rank):
        while int(R[k, j]) == 0:
            j += 1
        out.append(j)
        j += 1
    return out

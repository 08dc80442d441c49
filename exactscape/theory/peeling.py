"""Sparse corrections onto the minimiser set: a triangular part found by peeling, a dense core.

The witness verifier (:mod:`exactscape.theory.witness`) corrects a proposed point R onto
{R : A_B R = p_B} on r columns C of A: A_{B,C} delta_C = e. Its numbers are those of
det(A_{B,C}) (Cramer's rule), so C is chosen to make that minor as triangular as the data
allow (theory.md §2 [12]):

* **Peeling.** A column c of A_B with exactly one non-zero entry among the rows not yet
  pivoted, in row a, pivots row a (a column singleton); the row is removed, which may turn
  further columns into singletons. Rows are pivoted in the order (a_1, c_1), ...,
  (a_t, c_t); column c_k is zero on every row pivoted after a_k and on every row left over.
  Among the singleton columns of a row the pivot is the largest entry (within a factor of
  two: a large pivot keeps the correction small), then the one whose odd part is smallest
  (a power of two divides the dyadic grid's denominator and adds no new prime).
* **Core.** The rows never pivoted (the core B') are solved densely on m = |B'| pivot
  columns C' (pivots modulo a prime of A_{B',.} on the columns not peeled, in the caller's
  order): A_{B',C'} delta_C' = e_B' (python-flint, p-adic). The peeled columns are zero on
  the core, so the core is solved first.
* **Back substitution.** Then for k = t, ..., 1:
  delta_{c_k} = (e_{a_k} - sum_{c solved} A[a_k, c] delta_c) / A[a_k, c_k],
  in integers over one common denominator.

So det(A_{B,C}) = +- prod_k A[a_k, c_k] det(A_{B',C'}) and the correction's denominators
are those of the core's determinant times the peeled pivots. Real data often leave a
large core (on trained digits and MNIST cells every neuron is active on more samples than
the pixel dimension, so few columns are singletons); a sparse design leaves a small one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import gcd

import flint

from ..core.linalg import echelon_pivots

SparseRow = list[tuple[int, int]]  # (column, non-zero integer entry), columns increasing


@dataclass(frozen=True)
class Peeled:
    """Peeling of rows 0..r-1: ``pivots`` in peeling order (row, column, entry) and the
    ``core`` rows left over, increasing."""

    pivots: tuple[tuple[int, int, int], ...]
    core: tuple[int, ...]


def _odd_part(v: int) -> int:
    v = abs(v)
    return v >> ((v & -v).bit_length() - 1)


def _preference(v: int) -> tuple[int, int]:
    """Smaller is better: a large entry first (within a factor of two: the pivot's size keeps
    the correction small), then a small odd part (a power of two adds no new prime)."""
    return -abs(v).bit_length(), _odd_part(v)


def peel(rows: Sequence[SparseRow], allowed: set[int] | None = None) -> Peeled:
    """Column-singleton peeling of the sparse integer rows (module docstring), on the
    columns in ``allowed`` (all when None)."""
    count: dict[int, int] = {}
    where: dict[int, list[int]] = {}
    for a, row in enumerate(rows):
        for c, v in row:
            if v and (allowed is None or c in allowed):
                count[c] = count.get(c, 0) + 1
                where.setdefault(c, []).append(a)
    alive = [True] * len(rows)
    used: set[int] = set()
    stack = sorted((c for c, n in count.items() if n == 1), reverse=True)
    pivots: list[tuple[int, int, int]] = []
    while stack:
        c = stack.pop()
        if c in used or count[c] != 1:
            continue
        a = next(b for b in where[c] if alive[b])
        val = next(v for c2, v in rows[a] if c2 == c)
        best = (_preference(val), c, val)  # c itself is a singleton of row a
        for c2, v in rows[a]:
            if c2 != c and count.get(c2) == 1 and c2 not in used:
                key = _preference(v)
                if key < best[0]:
                    best = (key, c2, v)
        _, col, val = best
        alive[a] = False
        used.add(col)
        pivots.append((a, col, val))
        for c2, _v in rows[a]:
            if c2 in count:
                count[c2] -= 1
                if count[c2] == 1 and c2 not in used:
                    stack.append(c2)
    return Peeled(tuple(pivots), tuple(a for a in range(len(rows)) if alive[a]))


def core_columns(
    rows: Sequence[SparseRow], core: Sequence[int], order: Sequence[int], primes: Sequence[int]
) -> list[int] | None:
    """m = |core| pivot columns of the core rows modulo a prime, scanning columns in ``order``
    (the peeled columns are left out of ``order`` by the caller), or None if the core has
    rank < m modulo every prime tried."""
    m = len(core)
    if m == 0:
        return []
    pos = {c: k for k, c in enumerate(order)}
    n = len(order)
    for p in primes:
        M = flint.nmod_mat(m, n, p)
        for t, a in enumerate(core):
            for c, v in rows[a]:
                k = pos.get(c)
                if k is not None:
                    M[t, k] = v % p
        R, rank = M.rref()
        if rank < m:
            continue
        return [order[j] for j in echelon_pivots(R, rank)]
    return None


def solve(
    rows: Sequence[SparseRow], peeled: Peeled, ccols: Sequence[int], rhs: Sequence[int]
) -> tuple[dict[int, int], int] | None:
    """delta with A_{B,C} delta_C = rhs on C = peeled columns + ``ccols``, as integer
    numerators over one positive denominator (module docstring); None when the core minor
    is singular."""
    core = peeled.core
    m = len(core)
    nums: dict[int, int] = {}
    den = 1
    if m:
        pos = {c: k for k, c in enumerate(ccols)}
        flat = [0] * (m * m)
        for t, a in enumerate(core):
            for c, v in rows[a]:
                k = pos.get(c)
                if k is not None:
                    flat[t * m + k] = v
        try:
            sol = flint.fmpz_mat(m, m, flat).solve(flint.fmpz_mat(m, 1, [rhs[a] for a in core]))
        except ZeroDivisionError:
            return None
        num, d = sol.numer_denom()  # type: ignore[attr-defined]
        den = int(d)
        for k, c in enumerate(ccols):
            v = int(num[k, 0])
            if v:
                nums[c] = v
    for a, col, val in reversed(peeled.pivots):
        acc = rhs[a] * den
        for c, v in rows[a]:
            if c != col:
                n = nums.get(c)
                if n:
                    acc -= v * n
        g = gcd(acc, val)
        f = abs(val) // g
        if f != 1:  # the new coordinate needs f more in the common denominator
            den *= f
            for c in nums:
                nums[c] *= f
        x = acc // (g if val > 0 else -g)
        if x:
            nums[col] = x
    return nums, den

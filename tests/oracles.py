"""Independent oracles for differential tests: SymPy and PPL, never the producer.

These re-derive answers by different algorithms (SymPy's DomainMatrix and
pinv; PPL's NNC polyhedra with native strict inequalities; blind enumeration
of all 3^K branch vectors) so that a test compares two implementations.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from math import lcm

import ppl
from sympy import Matrix, Rational
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix


def dm(rows: Sequence[Sequence[Fraction]], ncols: int) -> DomainMatrix:
    return DomainMatrix([[QQ(int(v.numerator), int(v.denominator)) for v in r] for r in rows], (len(rows), ncols), QQ)


def rank(rows: Sequence[Sequence[Fraction]], ncols: int) -> int:
    return int(dm(rows, ncols).rank()) if rows else 0


def sympy_matrix(rows: Sequence[Sequence[Fraction]]) -> Matrix:
    return Matrix([[Rational(int(v.numerator), int(v.denominator)) for v in r] for r in rows])


def to_fraction(v: object) -> Fraction:
    r = Rational(v)  # type: ignore[arg-type]
    return Fraction(int(r.p), int(r.q))


def _expr(coeffs: Sequence[Fraction], const: Fraction) -> tuple[list[int], int]:
    den = lcm(*(c.denominator for c in coeffs), const.denominator)
    return [int(c * den) for c in coeffs], int(const * den)


def open_polyhedron_empty(
    n: int,
    eq: Sequence[tuple[Sequence[Fraction], Fraction]],
    strict: Sequence[tuple[Sequence[Fraction], Fraction]],
    nonstrict: Sequence[tuple[Sequence[Fraction], Fraction]] = (),
) -> bool:
    """PPL: is {a.v = b (eq), a.v > b (strict), a.v >= b} empty?"""
    P = ppl.NNC_Polyhedron(n, "universe")
    for rows, kind in ((eq, "="), (strict, ">"), (nonstrict, ">=")):
        for a, b in rows:
            c, k = _expr(a, b)
            e = ppl.Linear_Expression(c, -k) if n else ppl.Linear_Expression(-k)
            if kind == "=":
                P.add_constraint(e == 0)
            elif kind == ">":
                P.add_constraint(e > 0)
            else:
                P.add_constraint(e >= 0)
    return bool(P.is_empty())


def genuine_by_enumeration(
    xs: Sequence[Sequence[Fraction]], I: Sequence[Sequence[int]], fitted: Sequence[Fraction]
) -> bool:
    """Blind enumeration of all 3^K branch vectors, each decided by PPL."""
    N, K, d = len(xs), len(I[0]), len(xs[0])
    for j in range(K):  # cell feasibility
        strict = [([(1 if I[i][j] else -1) * v for v in xs[i]], Fraction(0)) for i in range(N)]
        if open_polyhedron_empty(d, [], strict):
            return False
    for sigma in itertools.product("+-0", repeat=K):
        blocks = [j for j in range(K) if sigma[j] != "0"]
        n = d * len(blocks)
        eq = []
        for i in range(N):
            row = [Fraction(0)] * n
            for b, j in enumerate(blocks):
                if I[i][j]:
                    row[b * d : (b + 1) * d] = xs[i]
            eq.append((row, fitted[i]))
        strict = []
        for b, j in enumerate(blocks):
            sg = 1 if sigma[j] == "+" else -1
            for i in range(N):
                row = [Fraction(0)] * n
                row[b * d : (b + 1) * d] = [sg * (1 if I[i][j] else -1) * v for v in xs[i]]
                strict.append((row, Fraction(0)))
        if not open_polyhedron_empty(n, eq, strict):
            return True
    return False


def det_mod_nonzero_plain(rows: list[list[int]], p: int) -> bool:
    """Is det(rows) != 0 modulo the prime p? Plain Gaussian elimination over F_p (the oracle of
    the checker's packed elimination and its singleton expansion)."""
    a = [[v % p for v in r] for r in rows]
    n = len(a)
    for c in range(n):
        piv = next((r for r in range(c, n) if a[r][c]), None)
        if piv is None:
            return False
        a[c], a[piv] = a[piv], a[c]
        inv = pow(a[c][c], -1, p)
        for r in range(c + 1, n):
            f = a[r][c] * inv % p
            a[r] = [(x - f * y) % p for x, y in zip(a[r], a[c], strict=True)]
    return True

"""Polynomials in t with rational coefficients, for the curves of FORMAT.md 5.3.

A polynomial is a list of Fractions, entry k the coefficient of t^k, with no
trailing zeros (the zero polynomial is ``[]``).

>>> p = add([Fraction(1)], [Fraction(0), Fraction(-2)])   # 1 - 2t
>>> mul(p, p)
[Fraction(1, 1), Fraction(-4, 1), Fraction(4, 1)]
>>> positive_part([Fraction(0), Fraction(-1), Fraction(5)])   # -t + 5t^2 < 0 near 0+
[]
>>> lowest([Fraction(0), Fraction(0), Fraction(3)])
(2, Fraction(3, 1))
"""

from fractions import Fraction

Poly = list[Fraction]


def trim(p: Poly) -> Poly:
    """Drop trailing zero coefficients, in place, and return p."""
    while p and not p[-1]:
        p.pop()
    return p


def const(c: Fraction) -> Poly:
    """The constant polynomial c."""
    return [c] if c else []


def add(p: Poly, q: Poly) -> Poly:
    """p + q."""
    if len(p) < len(q):
        p, q = q, p
    out = list(p)
    for k, c in enumerate(q):
        out[k] += c
    return trim(out)


def scale(c: Fraction, p: Poly) -> Poly:
    """c p."""
    return [c * a for a in p] if c else []


def sub(p: Poly, q: Poly) -> Poly:
    """p - q."""
    return add(p, scale(Fraction(-1), q))


def mul(p: Poly, q: Poly) -> Poly:
    """p q, schoolbook, O(deg p deg q)."""
    if not p or not q:
        return []
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for a, pa in enumerate(p):
        if pa:
            for b, qb in enumerate(q):
                if qb:
                    out[a + b] += pa * qb
    return trim(out)


def lowest(p: Poly) -> tuple[int, Fraction] | None:
    """(k, c_k) for the lowest non-zero coefficient of p, or None for p = 0."""
    for k, c in enumerate(p):
        if c:
            return k, c
    return None


def positive_part(p: Poly) -> Poly:
    """[p(t)]_+ for t in (0, delta), delta small (FORMAT.md 5.3).

    Equals p when the lowest non-zero coefficient is positive, else 0
    (p negative near 0+, or identically zero).
    """
    low = lowest(p)
    return list(p) if low is not None and low[1] > 0 else []

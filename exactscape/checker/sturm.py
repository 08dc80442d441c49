"""The sign of a rational polynomial on a closed interval (FORMAT.md 11.3).

Polynomials are lists of Fractions, constant first, no trailing zeros (as in
:mod:`poly`). :func:`weak_sign` decides, without searching, whether
P >= 0, P <= 0, P = 0 or neither on [a, b]:

1. Yun's square-free factorisation P = c prod_m f_m^m; P changes sign
   exactly at the real roots of odd multiplicity, the roots of
   O = prod_{m odd} f_m (square-free).
2. Sturm's theorem counts the distinct roots of O in the open interval
   (a, b): after dividing out a factor (t - a) or (t - b) when a or b is a
   root, the count is V(a) - V(b), V the number of sign changes of the Sturm
   sequence O, O', -rem(...), ... at a point.
3. No root: P has one sign on (a, b), read at the first of the deg(P) + 1
   points a + k (b - a)/(deg P + 2) where P is non-zero.

>>> from fractions import Fraction as F
>>> weak_sign([F(1), F(-2), F(1)], F(0), F(2))      # (t - 1)^2 >= 0
1
>>> weak_sign([F(-1), F(0), F(1)], F(0), F(2))      # t^2 - 1 changes sign at 1
>>> weak_sign([F(-2), F(0), F(1)], F(0), F(1))      # t^2 - 2 < 0 on [0, 1]
-1
"""

from fractions import Fraction

from .poly import Poly, scale, sub, trim


def evaluate(p: Poly, t: Fraction) -> Fraction:
    """p(t), Horner."""
    acc = Fraction(0)
    for c in reversed(p):
        acc = acc * t + c
    return acc


def derivative(p: Poly) -> Poly:
    """p'."""
    return trim([k * c for k, c in enumerate(p)][1:])


def divmod_poly(p: Poly, q: Poly) -> tuple[Poly, Poly]:
    """(quotient, remainder) of p by a non-zero q."""
    rem = list(p)
    quo = [Fraction(0)] * max(len(p) - len(q) + 1, 0)
    while len(rem) >= len(q) and rem:
        shift = len(rem) - len(q)
        c = rem[-1] / q[-1]
        quo[shift] = c
        for k, b in enumerate(q):
            rem[shift + k] -= c * b
        trim(rem)
    return trim(quo), rem


def monic(p: Poly) -> Poly:
    """p / leading coefficient."""
    return [c / p[-1] for c in p]


def gcd(p: Poly, q: Poly) -> Poly:
    """Monic greatest common divisor (Euclid over Q); gcd(0, 0) = 0."""
    a, b = list(p), list(q)
    while b:
        a, b = b, divmod_poly(a, b)[1]
    return monic(a) if a else []


def exact_div(p: Poly, q: Poly) -> Poly:
    """p / q for q dividing p."""
    return divmod_poly(p, q)[0]


def odd_part(p: Poly) -> Poly:
    """O = product of the square-free factors of odd multiplicity (Yun), monic."""
    dp = derivative(p)
    g = gcd(p, dp)
    b = exact_div(p, g)
    c = exact_div(dp, g)
    d = sub(c, derivative(b))
    out: Poly = [Fraction(1)]
    m = 1
    while len(b) > 1:
        f = gcd(b, d)
        if m % 2 == 1:
            out = _mul(out, f)
        b = exact_div(b, f)
        c = exact_div(d, f)
        d = sub(c, derivative(b))
        m += 1
    return out


def _mul(p: Poly, q: Poly) -> Poly:
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, x in enumerate(p):
        for k, y in enumerate(q):
            out[i + k] += x * y
    return trim(out)


def _changes(seq: list[Poly], t: Fraction) -> int:
    signs = [v for v in (evaluate(p, t) for p in seq) if v]
    return sum(1 for u, v in zip(signs, signs[1:], strict=False) if (u > 0) != (v > 0))


def roots_in_open(p: Poly, a: Fraction, b: Fraction) -> int:
    """Number of distinct roots of a square-free p in (a, b), a < b (Sturm)."""
    for end in (a, b):
        if len(p) > 1 and evaluate(p, end) == 0:
            p = exact_div(p, [-end, Fraction(1)])
    if len(p) <= 1:
        return 0
    seq = [p, derivative(p)]
    while len(seq[-1]) > 1:
        r = divmod_poly(seq[-2], seq[-1])[1]
        if not r:
            break
        seq.append(scale(Fraction(-1), r))
    return _changes(seq, a) - _changes(seq, b)


def weak_sign(p: Poly, a: Fraction, b: Fraction) -> int | None:
    """On [a, b] (a < b): 1 if p >= 0 and p != 0, -1 if p <= 0 and p != 0,
    0 if p is the zero polynomial, None if p changes sign."""
    if not p:
        return 0
    if len(p) > 1 and roots_in_open(odd_part(p), a, b) > 0:
        return None
    n = len(p)  # deg p + 1 points, at most deg p of them roots
    for k in range(1, n + 1):
        v = evaluate(p, a + (b - a) * k / (n + 1))
        if v:
            return 1 if v > 0 else -1
    return 0  # pragma: no cover - a non-zero polynomial of degree n - 1 has at most n - 1 roots

"""Curves (FORMAT.md 5.3): L(t) - L(0) as an exact polynomial for small t > 0.

A curve moves some weights polynomially in t; for t in (0, delta) the
positive part [p(t)]_+ of a polynomial is p(t) or 0 by the sign of its lowest
non-zero coefficient (:func:`poly.positive_part`), so L(t) is a polynomial
there. A descent curve proves "not a local minimum", an ascent curve "not a
local maximum" (used by 5.2, 5.4 and 7.2 check 3).
"""

from fractions import Fraction

from . import poly
from .envelope import Instance
from .errors import CertificateError
from .fields import array, at, item, keyed, record
from .linalg import Blocks, as_integers, integer_samples
from .numbers import rational, show

MAX_CURVE_DEGREE = 16
"""Each moved weight of a curve is a polynomial of degree at most 16 in t
(at most 16 coefficients c_1..c_m), so a curve has at most 16 (K + K d)
coefficients and L(t) has degree at most 64: the check costs
O(N K d 16 + N (K 32)^2) operations on rationals (FORMAT.md 5.3)."""


def _term(k: int, c: Fraction) -> str:
    return f"{show(c)} t^{k}"


def check_curve(
    value: object, path: str, z: list[Fraction], w: Blocks, inst: Instance, loss: Fraction, descent: bool
) -> str:
    """FORMAT 5.3: L(t) - L(0) is a non-zero polynomial near 0+ whose lowest
    coefficient is negative (``descent``) or positive (ascent). Returns a detail line.
    """
    k, d = len(z), inst.d
    fields = record(value, path, ("dz", "dw"))
    z_t: list[poly.Poly] = [poly.const(zj) for zj in z]
    w_t: list[list[poly.Poly]] = [[poly.const(a) for a in wj] for wj in w]
    dz = keyed(fields["dz"], at(path, "dz"), (k,))
    dw = keyed(fields["dw"], at(path, "dw"), (k, d))
    if not dz and not dw:
        raise CertificateError(path, "a curve moves at least one weight (dz and dw are both empty)")
    for keys, payload, p_path in dz + dw:
        coefs = array(payload, p_path, min_length=1)
        if len(coefs) > MAX_CURVE_DEGREE:  # refused before any polynomial product (FORMAT.md 5.3)
            raise CertificateError(
                p_path, f"{len(coefs)} coefficients: a curve entry has degree at most {MAX_CURVE_DEGREE} in t"
            )
        moved = [rational(c, item(p_path, n)) for n, c in enumerate(coefs)]
        if not moved[-1]:
            raise CertificateError(item(p_path, len(moved) - 1), "last coefficient is zero")
        if len(keys) == 1:
            z_t[keys[0]] = poly.trim([z[keys[0]]] + moved)
        else:
            j, pos = keys
            w_t[j][pos] = poly.trim([w[j][pos]] + moved)
    change = _loss_change(z_t, w_t, inst, loss)
    low = poly.lowest(change)
    name = "descent" if descent else "ascent"
    if low is None:
        raise CertificateError(path, f"not a {name} curve: L(t) - L(0) is identically zero")
    if (low[1] < 0) != descent:
        raise CertificateError(path, f"not a {name} curve: L(t) - L(0) = {_term(*low)} + ... for small t > 0")
    return f"c {name} curve: L(t) - L(0) = {_term(*low)} + ..."


def _loss_change(z_t: list[poly.Poly], w_t: list[list[poly.Poly]], inst: Instance, loss: Fraction) -> poly.Poly:
    """L(t) - L(0) = (1/N) sum_i (sum_j z_j(t) [w_j(t) . x_i]_+ - y_i)^2 - L(0) near 0+, exactly.

    Computed in integer polynomials: the samples times their common denominator dx, every
    weight polynomial's coefficients times the common denominator Dw (of w) or Dz (of z),
    the labels times yden. A positive scaling keeps the sign of [.]_+'s lowest coefficient,
    so the integer error e_i(t) is S times the rational one, S = Dz dx Dw yden, and
    L(t) - L(0) = (sum_i e_i(t)^2 - N S^2 L(0)) / (N S^2)."""
    xz, dx = integer_samples(inst.xs)
    wz, Dw = as_integers([c for wj in w_t for coord in wj for c in coord])
    zz, Dz = as_integers([c for zj in z_t for c in zj])
    yz, yden = as_integers(list(inst.y))
    # integer coefficient lists, in the order flattened above
    pos = 0
    w_int: list[list[list[int]]] = []
    for wj in w_t:
        row = []
        for coord in wj:
            row.append(wz[pos : pos + len(coord)])
            pos += len(coord)
        w_int.append(row)
    pos = 0
    z_int: list[list[int]] = []
    for zj in z_t:
        z_int.append(zz[pos : pos + len(zj)])
        pos += len(zj)
    scale_y = Dz * dx * Dw
    total: list[int] = []
    # per neuron: the degree-k coefficients of w_j(t) as columns, for one dot product per (i, k)
    cols = []
    for wi in w_int:
        deg = max((len(c) for c in wi), default=0)
        cols.append([[(l, c[k]) for l, c in enumerate(wi) if k < len(c) and c[k]] for k in range(deg)])
    for xi, yi in zip(xz, yz, strict=True):
        out: list[int] = []
        for zi, per_k in zip(z_int, cols, strict=True):
            if not zi:
                continue
            pre = [sum(xi[l] * c for l, c in entries) for entries in per_k]
            while pre and not pre[-1]:
                pre.pop()
            low = next((c for c in pre if c), 0)
            if low <= 0:
                continue  # [pre]_+ = 0 near 0+
            out = _iadd(out, _imul(zi, pre))
        out = [c * yden for c in out] if yden != 1 else out
        err = _iadd(out, [-yi * scale_y]) if yi else out
        total = _iadd(total, _imul(err, err))
    S2N = (Dz * dx * Dw * yden) ** 2 * inst.n
    lz = loss.numerator * S2N
    change = [c * loss.denominator for c in total] or [0]
    change[0] -= lz
    while change and not change[-1]:
        change.pop()
    den = S2N * loss.denominator
    return [Fraction(c, den) if c else Fraction(0) for c in change]


def _iadd(p: list[int], q: list[int]) -> list[int]:
    """p + q for integer coefficient lists (no trailing zeros)."""
    if len(p) < len(q):
        p, q = q, p
    out = list(p)
    for k, c in enumerate(q):
        out[k] += c
    while out and not out[-1]:
        out.pop()
    return out


def _imul(p: list[int], q: list[int]) -> list[int]:
    """p q for integer coefficient lists, schoolbook."""
    if not p or not q:
        return []
    out = [0] * (len(p) + len(q) - 1)
    for a, pa in enumerate(p):
        if pa:
            for b, qb in enumerate(q):
                if qb:
                    out[a + b] += pa * qb
    while out and not out[-1]:
        out.pop()
    return out

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
from .linalg import Blocks
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
    total: poly.Poly = []
    for x, y in zip(inst.xs, inst.y, strict=True):
        output: poly.Poly = []
        for zj, wj in zip(z_t, w_t, strict=True):
            pre: poly.Poly = []
            for coord, xl in zip(wj, x, strict=True):
                pre = poly.add(pre, poly.scale(xl, coord))
            output = poly.add(output, poly.mul(zj, poly.positive_part(pre)))
        error = poly.sub(output, poly.const(y))
        total = poly.add(total, poly.mul(error, error))
    change = poly.sub(poly.scale(Fraction(1, inst.n), total), poly.const(loss))
    low = poly.lowest(change)
    name = "descent" if descent else "ascent"
    if low is None:
        raise CertificateError(path, f"not a {name} curve: L(t) - L(0) is identically zero")
    if (low[1] < 0) != descent:
        raise CertificateError(path, f"not a {name} curve: L(t) - L(0) = {_term(*low)} + ... for small t > 0")
    return f"c {name} curve: L(t) - L(0) = {_term(*low)} + ..."

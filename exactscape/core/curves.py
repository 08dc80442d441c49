"""Polynomial curves through a weight point (proofs/FORMAT.md 5.3).

A curve moves some weights polynomially in t: z_j(t) = z_j + c_1 t + ...;
the loss along it is a polynomial on (0, delta), and the sign of the lowest
non-zero coefficient of L(t) - L(0) proves descent (not a local minimum) or
ascent (not a local maximum) without any theorem. This module builds curves
and evaluates their loss polynomials with exact arithmetic, as the checker
does independently.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .model import Instance, Weights

Poly = list[Fraction]  # coefficients, constant first


@dataclass(frozen=True)
class Curve:
    """Polynomial increments: ``dz`` (j, coeffs c_1..c_m), ``dw`` (j, l, coeffs)."""

    dz: tuple[tuple[int, tuple[Fraction, ...]], ...]
    dw: tuple[tuple[int, int, tuple[Fraction, ...]], ...]

    def to_json(self) -> dict[str, list[list[object]]]:
        from .numbers import fmt_vec

        return {
            "dz": [[j, fmt_vec(c)] for j, c in self.dz],
            "dw": [[j, l, fmt_vec(c)] for j, l, c in self.dw],
        }


def _add(a: Poly, b: Poly) -> Poly:
    n = max(len(a), len(b))
    return [(a[k] if k < len(a) else 0) + (b[k] if k < len(b) else 0) for k in range(n)]  # type: ignore[misc]


def _mul(a: Poly, b: Poly) -> Poly:
    out = [Fraction(0)] * (len(a) + len(b) - 1) if a and b else []
    for i, x in enumerate(a):
        if x:
            for k, y in enumerate(b):
                out[i + k] += x * y
    return out


def _relu(p: Poly) -> Poly:
    """[p(t)]_+ on (0, delta): p if its lowest non-zero coefficient is > 0, else 0."""
    for c in p:
        if c != 0:
            return p if c > 0 else []
    return []


def loss_polynomial(inst: Instance, wts: Weights, curve: Curve) -> Poly:
    """N L(t) = sum_i (sum_j z_j(t) [w_j(t) . x_i]_+ - y_i)^2 along the curve
    (z_j(t) = z_j + sum_m c_m t^m, likewise w_jl(t)), as the polynomial that
    equals it on (0, delta) for a small delta > 0: each [p(t)]_+ is p or 0 by
    the sign of p's lowest non-zero coefficient (FORMAT 5.3). Public API: it
    replays a descent or ascent curve of a point verdict (with
    :func:`lowest_change`); the producer leaves that replay to the checker."""
    z: list[Poly] = [[v] for v in wts.z]
    w: list[list[Poly]] = [[[v] for v in row] for row in wts.w]
    for j, c in curve.dz:
        z[j] = _add(z[j], [Fraction(0), *c])
    for j, l, c in curve.dw:
        w[j][l] = _add(w[j][l], [Fraction(0), *c])
    total: Poly = []
    for x, yi in zip(inst.xs, inst.y, strict=True):
        f: Poly = [-yi]
        for j in range(wts.K):
            pre: Poly = []
            for l, xl in enumerate(x):
                if xl:
                    pre = _add(pre, [xl * c for c in w[j][l]])
            f = _add(f, _mul(z[j], _relu(pre)))
        total = _add(total, _mul(f, f))
    return total


def lowest_change(p: Poly) -> tuple[int, Fraction] | None:
    """(k, c_k) for the lowest k >= 1 with c_k != 0 in p(t) = sum_k c_k t^k, so
    p(t) - p(0) = c_k t^k + O(t^(k+1)): c_k < 0 proves descent along the curve,
    c_k > 0 ascent; None when p is constant. Public API, with :func:`loss_polynomial`."""
    for k, c in enumerate(p[1:], start=1):
        if c != 0:
            return k, c
    return None

"""Brute force for saddles and minima: sample the network loss exactly.

Independent of the producer and of the checker: the loss is evaluated from
its definition L = (1/N) sum_i (sum_j z_j max(w_j . x_i, 0) - y_i)^2 [1] at
exact rational points. Along a line P + t v the loss is a polynomial of
degree <= 4 on a small interval (0, delta); its coefficients are recovered
by exact interpolation at t = h, 2h, ..., 5h (h tiny), and a sixth point
confirms that all of them lie on one piece.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from fractions import Fraction

F = Fraction
H = Fraction(1, 10**9)  # sampling step along a line
Params = tuple[Fraction, ...]  # (z_0, w_0[0..d-1], z_1, w_1[...], ...)


def loss(
    xs: Sequence[Sequence[Fraction]], y: Sequence[Fraction], z: Sequence[Fraction], w: Sequence[Sequence[Fraction]]
) -> Fraction:
    total = F(0)
    for x, yi in zip(xs, y):
        f = F(0)
        for zj, wj in zip(z, w):
            pre = sum((a * b for a, b in zip(wj, x)), F(0))
            if pre > 0:
                f += zj * pre
        total += (f - yi) ** 2
    return total / len(xs)


def pack(z: Sequence[Fraction], w: Sequence[Sequence[Fraction]]) -> Params:
    out: list[Fraction] = []
    for zj, wj in zip(z, w):
        out.append(F(zj))
        out.extend(F(v) for v in wj)
    return tuple(out)


def unpack(p: Params, K: int) -> tuple[list[Fraction], list[list[Fraction]]]:
    d = len(p) // K - 1
    z = [p[j * (d + 1)] for j in range(K)]
    w = [list(p[j * (d + 1) + 1 : (j + 1) * (d + 1)]) for j in range(K)]
    return z, w


def loss_at(xs: Sequence[Sequence[Fraction]], y: Sequence[Fraction], p: Params, K: int) -> Fraction:
    z, w = unpack(p, K)
    return loss(xs, y, z, w)


def _interpolate(ts: list[Fraction], vs: list[Fraction]) -> list[Fraction]:
    """Coefficients of the polynomial through (ts, vs), constant first (exact Lagrange)."""
    n = len(ts)
    coef = [F(0)] * n
    for i in range(n):
        basis = [F(1)]
        den = F(1)
        for j in range(n):
            if j != i:
                basis = [F(0)] + basis
                for k in range(len(basis) - 1):
                    basis[k] -= ts[j] * basis[k + 1]
                den *= ts[i] - ts[j]
        for k in range(n):
            coef[k] += vs[i] * basis[k] / den
    return coef


def line_coefficients(
    xs: Sequence[Sequence[Fraction]], y: Sequence[Fraction], p: Params, v: Params, K: int, h: Fraction = H
) -> list[Fraction]:
    """c_0..c_4 with L(p + t v) = sum c_k t^k on (0, 6h)."""
    ts = [F(0)] + [h * m for m in range(1, 6)]
    vs = [loss_at(xs, y, tuple(a + t * b for a, b in zip(p, v)), K) for t in ts[1:]]
    vs = [loss_at(xs, y, p, K)] + vs
    coef = _interpolate(ts, vs)  # degree <= 5 through 6 points
    if coef[5] != 0:
        raise ValueError("the six sample points do not lie on one quartic piece: choose a smaller h")
    return coef[:5]


def lowest(coef: Sequence[Fraction]) -> tuple[int, Fraction] | None:
    for k, c in enumerate(coef[1:], start=1):
        if c != 0:
            return k, c
    return None


def directions(n: int, extra: Iterable[Params] = (), limit: int = 250) -> list[Params]:
    """The grid {-1, 0, 1}^n minus 0 (every axis direction, and an evenly spaced
    subset of the rest when there are more than ``limit``), then ``extra``."""
    grid = [tuple(F(c) for c in v) for v in itertools.product((-1, 0, 1), repeat=n) if any(v)]
    if len(grid) > limit:
        axes = [v for v in grid if sum(1 for c in v if c) == 1]
        rest = [v for v in grid if sum(1 for c in v if c) > 1]
        grid = axes + rest[:: len(rest) // (limit - len(axes)) + 1]
    return grid + list(extra)


def second_order_descent(
    xs: Sequence[Sequence[Fraction]], y: Sequence[Fraction], p: Params, K: int, dirs: Iterable[Params]
) -> Params | None:
    """A direction along which the loss decreases at first or second order, if any."""
    for v in dirs:
        c = line_coefficients(xs, y, p, v, K)
        if c[1] < 0 or (c[1] == 0 and c[2] < 0):
            return v
    return None


def ascent_and_descent(
    xs: Sequence[Sequence[Fraction]], y: Sequence[Fraction], p: Params, K: int, dirs: Iterable[Params]
) -> tuple[bool, bool]:
    """Whether some direction ascends and some descends (lowest coefficient, any order)."""
    up = down = False
    for v in dirs:
        low = lowest(line_coefficients(xs, y, p, v, K))
        if low is not None:
            up = up or low[1] > 0
            down = down or low[1] < 0
    return up, down


def curve_descends(
    xs: Sequence[Sequence[Fraction]],
    y: Sequence[Fraction],
    K: int,
    z: Sequence[Fraction],
    w: Sequence[Sequence[Fraction]],
    dz: dict[int, list[Fraction]],
    dw: dict[tuple[int, int], list[Fraction]],
    sign: int = -1,
) -> bool:
    """L(curve(t)) - L(0) has sign ``sign`` at t = 10^-4, ..., 10^-7 (direct evaluation)."""
    L0 = loss(xs, y, z, w)
    for e in range(4, 8):
        t = F(1, 10**e)
        zt = [zj + sum((c * t ** (m + 1) for m, c in enumerate(dz.get(j, []))), F(0)) for j, zj in enumerate(z)]
        wt = [
            [v + sum((c * t ** (m + 1) for m, c in enumerate(dw.get((j, l), []))), F(0)) for l, v in enumerate(wj)]
            for j, wj in enumerate(w)
        ]
        diff = loss(xs, y, zt, wt) - L0
        if not (diff * sign > 0):
            return False
    return True

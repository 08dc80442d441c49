"""Quadratic refutations without a null basis: Finsler's lemma (docs/theory.md section 2.1;
certificate: FORMAT.md 4.3, the Finsler form, new in 1.4).

With q(R) = sum_j sum_{i < k} mu^j_ik (g_ij . R_j)(g_kj . R_j) (>= 0 at every genuine point,
:mod:`exactscape.theory.quadratic`), Q its symmetric matrix (one d x d block per neuron) and the
minimiser set M = {R : A R = p}, let, for epsilon > 0 and rho >= 0, the (Kd + 1) x (Kd + 1) matrix

    F = -Q (+) (-epsilon)  +  rho [A | -p]^T [A | -p]

be the form (R, t) -> -q(R) - epsilon t^2 + rho ||A R - p t||^2. If F is positive semidefinite,
then at t = 1 and A R = p: -q(R) - epsilon >= 0, so q <= -epsilon < 0 on all of M and no
minimiser is genuine. F >= 0 is proved by F = L D L^T + E with L unit lower triangular, D >= 0
diagonal (both dyadic: numerators over 2^bits) and E = F - L D L^T symmetric, diagonally
dominant with a non-negative diagonal (E_ii >= sum_{j != i} |E_ij|), hence positive
semidefinite (Gershgorin). Floats propose rho, epsilon, L and D
(:func:`exactscape.floats.quadratic.finsler_factor`); this module builds F exactly (integers over
one denominator for the R block, python-flint) and verifies E.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import flint

from ..core.model import Instance, Pattern

MU_BITS = 24  # the multipliers are rounded to multiples of 2^-24 of the largest (one denominator)
Mu = tuple[tuple[int, int, int, Fraction], ...]


@dataclass(frozen=True)
class FinslerRefutation:
    """FORMAT 4.3 (Finsler form): multipliers ``mu``, ``epsilon`` > 0, ``rho`` >= 0 and the
    factor L = ``L`` / 2^bits (row r: its r entries left of the unit diagonal), D = ``D`` / 2^bits,
    with F - L D L^T diagonally dominant with a non-negative diagonal."""

    mu: Mu
    epsilon: Fraction
    rho: Fraction
    bits: int
    L: tuple[tuple[int, ...], ...]
    D: tuple[int, ...]


@dataclass(frozen=True)
class Factor:
    """A proposed (rho, epsilon, bits, L, D) (floats propose, :func:`verify` decides)."""

    rho: Fraction
    epsilon: Fraction
    bits: int
    L: tuple[tuple[int, ...], ...]
    D: tuple[int, ...]


Factoriser = Callable[[Instance, Pattern, Sequence[Fraction], Mu], Sequence[Factor]]


def common_mu(mu: Mu) -> Mu:
    """mu itself when its denominators' lcm is at most 2^MU_BITS, else mu / max(mu) rounded to
    multiples of 2^-MU_BITS (zeros dropped): one small denominator,
    so that F's R block is an integer matrix over a short denominator."""
    if lcm(*(m.denominator for *_, m in mu)) <= 2**MU_BITS:
        return mu  # already over one short denominator (exact ratios kept)
    top = max(m for *_, m in mu)
    out = []
    for j, i, k, m in mu:
        z = round(m / top * 2**MU_BITS)
        if z > 0:
            out.append((j, i, k, Fraction(z, 2**MU_BITS)))
    return tuple(out)


@dataclass(frozen=True)
class ExactForm:
    """F exactly: the R block ``RR`` / ``den`` (integers, Kd x Kd), the t column ``Rt``
    (-rho A^T p) and the corner ``tt`` (rho ||p||^2 - epsilon)."""

    RR: flint.fmpz_mat
    den: int
    Rt: tuple[Fraction, ...]
    tt: Fraction


def exact_form(
    inst: Instance, pat: Pattern, fitted: Sequence[Fraction], mu: Mu, rho: Fraction, eps: Fraction
) -> ExactForm:
    """F of the module docstring. With Dx the common denominator of the samples, Xz = Dx X,
    Az = Dx A and mu = muz / muden: Q_j = sum muz s_ij s_kj (Xz_i Xz_k^T + Xz_k Xz_i^T) /
    (2 muden Dx^2) and rho A^T A = rn Az^T Az / (rd Dx^2), so F_RR = (2 muden rn Az^T Az -
    rd Qz) / (2 muden rd Dx^2)."""
    N, d, K = inst.N, inst.d, pat.K
    xs = inst.xs
    Dx = lcm(*(v.denominator for x in xs for v in x))
    Xz = [[v.numerator * (Dx // v.denominator) for v in x] for x in xs]
    Az = flint.fmpz_mat(N, K * d)
    for i in range(N):
        for j in range(K):
            if pat.I[i][j]:
                for a in range(d):
                    Az[i, j * d + a] = Xz[i][a]
    muden = lcm(*(m.denominator for *_, m in mu))
    blocks: dict[int, list[list[int]]] = {}
    for j, i, k, m in mu:
        c = m.numerator * (muden // m.denominator) * (1 if pat.I[i][j] else -1) * (1 if pat.I[k][j] else -1)
        xi, xk = Xz[i], Xz[k]
        blk = blocks.setdefault(j, [[0] * d for _ in range(d)])
        for a in range(d):
            ca, da = c * xi[a], c * xk[a]
            row = blk[a]
            for b in range(d):
                row[b] += ca * xk[b] + da * xi[b]
    Qz = flint.fmpz_mat(K * d, K * d)
    for j, blk in blocks.items():
        for a in range(d):
            for b in range(d):
                Qz[j * d + a, j * d + b] = blk[a][b]
    rn, rd = rho.numerator, rho.denominator
    RR = (2 * muden * rn) * (Az.transpose() * Az) - rd * Qz
    den = 2 * muden * rd * Dx * Dx
    Atp = [Fraction(0)] * (K * d)
    for i in range(N):
        pi = fitted[i]
        if pi:
            for j in range(K):
                if pat.I[i][j]:
                    for a in range(d):
                        Atp[j * d + a] += pi * xs[i][a]
    Rt = tuple(-rho * v for v in Atp)
    tt = rho * sum((v * v for v in fitted), Fraction(0)) - eps
    return ExactForm(RR, den, Rt, tt)


def verify(form: ExactForm, f: Factor) -> bool:
    """E = F - L D L^T diagonally dominant with a non-negative diagonal, D >= 0, L of the
    right shape: then F = L D L^T + E is positive semidefinite."""
    n = form.RR.nrows() + 1
    b = f.bits
    if f.epsilon <= 0 or f.rho < 0 or b < 0 or len(f.D) != n or any(v < 0 for v in f.D):
        return False
    if len(f.L) != n or any(len(row) != r for r, row in enumerate(f.L)):
        return False
    one = 2**b
    m = n - 1
    Lz = flint.fmpz_mat(m, n)
    LDz = flint.fmpz_mat(m, n)
    for r, row in enumerate(f.L[:m]):
        for c, v in enumerate((*row, one)):
            if v:
                Lz[r, c] = v
                LDz[r, c] = v * f.D[c]
    last = (*f.L[m], one)
    ldt = flint.fmpz_mat(n, 1, [v * w for v, w in zip(last, f.D, strict=True)])
    scale = 2 ** (3 * b)
    # E_Rt and E_tt as rationals (the fitted values' denominators stay out of the integer part)
    St = (Lz * ldt).entries() if m else []
    Et = [form.Rt[r] - Fraction(int(St[r]), scale) for r in range(m)]
    Ett = form.tt - Fraction(sum(v * w * dd for v, w, dd in zip(last, last, f.D, strict=True)), scale)
    if Ett < sum((abs(v) for v in Et), Fraction(0)):
        return False
    if not m:
        return True
    T = lcm(form.den, scale)
    E = (T // form.den) * form.RR - (T // scale) * (LDz * Lz.transpose())
    for r, row in enumerate(E.tolist()):
        diag = int(row[r])
        slack = 2 * diag - sum(abs(int(v)) for v in row)
        if slack < 0 or Fraction(slack, T) < abs(Et[r]):
            return False
    return True

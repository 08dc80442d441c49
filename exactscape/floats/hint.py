"""Float hints for the exact open-polyhedron decision (the project rule: "a float answer
is a hint: turn it into a rational witness or a rational Farkas certificate and
re-verify exactly, or fall back to an exact method").

:func:`decide_hinted` has the contract of :func:`exactscape.core.polyhedra.decide`
for a system E v = f, G v > h, H v >= k: it returns a
:class:`~exactscape.core.polyhedra.Point` or :class:`~exactscape.core.polyhedra.Farkas`
that :meth:`System.verify_point` / :meth:`System.verify_farkas` accepted in
exact arithmetic, and otherwise falls back to the exact decision
:func:`exactscape.core.polyhedra.decide` (exact equality elimination, then PPL's
exact simplex by default). A hint can never change a verdict; it only saves
exact simplex work.

1. HiGHS solves "maximise t: G v - t >= h, H v >= k, E v = f, t <= 1".
2. If t* > 0: v is read exactly (each double is a dyadic rational) and moved
   onto the affine set exactly, v <- v - E_B^T (E_B E_B^T)^{-1} (E_B v - f_B)
   with B a set of independent rows of E (flint rank factorisation), then
   verified (which also catches inconsistent equalities).
3. Otherwise HiGHS solves the alternative "maximise beta = f.m_E + h.m_G + k.m_H
   <= 1: E^T m_E + G^T m_G + H^T m_H = 0, sum m_G = 1, m_G, m_H >= 0"; on the support
   S of its solution the exact system M m = (0, 1) (M = the rows in S, plus
   the normalisation) is solved through M^T M m = M^T (0, 1) (flint), and the
   multipliers are verified (beta >= 0 with some m_G > 0). If that fails, the
   equalities alone are tested: a vector m of the exact left null space of E
   with f . m != 0 proves E v = f inconsistent.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..core import linalg, polyhedra


def _scaled_row(row: tuple[Fraction, ...], rhs: Fraction) -> tuple[list[float], float]:
    """The row and its right-hand side divided by a power of two near their largest entry, as
    floats (a positive scaling changes neither the solution set nor the support of multipliers,
    and keeps HiGHS away from overflow and badly scaled rows)."""
    big = max((v.numerator.bit_length() - v.denominator.bit_length() for v in (*row, rhs) if v), default=0)
    sc = Fraction(1, 2**big) if big >= 0 else Fraction(2 ** (-big))
    return [float(v * sc) for v in row], float(rhs * sc)


def _arrays(s: polyhedra.System) -> tuple[Any, Any, Any, Any, Any, Any]:
    def pair(rows: tuple[tuple[Fraction, ...], ...], rhs: tuple[Fraction, ...]) -> tuple[Any, Any]:
        out = [_scaled_row(r, b) for r, b in zip(rows, rhs, strict=True)]
        M = np.array([r for r, _ in out], dtype=np.float64).reshape(len(rows), s.n)
        return M, np.array([b for _, b in out], dtype=np.float64)

    E, f = pair(s.E, s.f)
    G, h = pair(s.G, s.h)
    H, k = pair(s.H, s.k)
    return E, f, G, h, H, k


def _point_hint(s: polyhedra.System, E: Any, f: Any, G: Any, h: Any, H: Any, k: Any) -> polyhedra.Point | None:
    from scipy.optimize import linprog

    n = s.n
    nG = G.shape[0]
    c = np.zeros(n + 1)
    c[n] = -1.0
    Aub = np.vstack([np.hstack([-G, np.ones((nG, 1))]), np.hstack([-H, np.zeros((H.shape[0], 1))])])
    bub = np.concatenate([-h, -k])
    Aeq = np.hstack([E, np.zeros((E.shape[0], 1))]) if E.shape[0] else None
    res = linprog(
        c,
        A_ub=Aub if Aub.shape[0] else None,
        b_ub=bub if Aub.shape[0] else None,
        A_eq=Aeq,
        b_eq=f if Aeq is not None else None,
        bounds=[(None, None)] * n + [(None, 1.0)],
        method="highs",
    )
    if res.status != 0 or not float(res.x[n]) > 0:
        return None
    v = [Fraction(float(x)) for x in res.x[:n]]
    if s.E:
        E_all = linalg.matrix([list(r) for r in s.E], n)
        basis = list(linalg.rank_factorisation(E_all).basis)  # independent rows: E_B v = f_B, same set if consistent
        Eq = linalg.select_rows(E_all, basis)
        r = Eq * linalg.column(v) - linalg.column([s.f[i] for i in basis])
        try:
            u = (Eq * Eq.transpose()).solve(r)
        except Exception:  # noqa: BLE001 - singular Gram matrix: no hint
            return None
        v = [a - b for a, b in zip(v, linalg.to_vec(Eq.transpose() * u), strict=True)]
    return polyhedra.Point(tuple(v)) if s.verify_point(v) else None


def _farkas_hint(s: polyhedra.System, E: Any, f: Any, G: Any, h: Any, H: Any, k: Any) -> polyhedra.Farkas | None:
    from scipy.optimize import linprog

    nE, nG, nH = E.shape[0], G.shape[0], H.shape[0]
    if nG == 0:
        return None
    cols = np.vstack([E, G, H]).T  # n x (nE + nG + nH)
    Aeq = np.vstack([cols, np.concatenate([np.zeros(nE), np.ones(nG), np.zeros(nH)])[None, :]])
    beq = np.concatenate([np.zeros(s.n), [1.0]])
    cost = np.concatenate([f, h, k])
    bounds = [(None, None)] * nE + [(0.0, None)] * (nG + nH)
    # maximise beta (capped at 1): the multipliers prove emptiness iff beta >= 0
    res = linprog(-cost, A_ub=cost[None, :], b_ub=[1.0], A_eq=Aeq, b_eq=beq, bounds=bounds, method="highs")
    if res.status != 0 or -float(res.fun) < -1e-9:
        return None
    m = res.x
    scale = max(1.0, float(np.max(np.abs(m))))
    support = [i for i in range(nE + nG + nH) if abs(float(m[i])) > 1e-9 * scale]
    rows: list[tuple[Fraction, ...]] = list(s.E) + list(s.G) + list(s.H)
    rhs: list[Fraction] = list(s.f) + list(s.h) + list(s.k)
    one = [Fraction(1) if nE <= i < nE + nG else Fraction(0) for i in support]
    eqs = [[rows[i][c] for i in support] for c in range(s.n)] + [one]
    target = [Fraction(0)] * s.n + [Fraction(1)]
    systems = [(eqs, target)]
    if -float(res.fun) > 1 - 1e-9:  # the cap beta <= 1 is active: it is one more equation of the vertex
        # ... unless the support's multipliers are already determined without it (then the exact
        # beta differs from the float cap and the extended system has no exact solution)
        systems.insert(0, (eqs + [[rhs[i] for i in support]], target + [Fraction(1)]))
    for eq_rows, tgt in systems:
        M = linalg.matrix(eq_rows, len(support))
        b = linalg.column(tgt)
        try:
            sol = linalg.to_vec((M.transpose() * M).solve(M.transpose() * b))
        except Exception:  # noqa: BLE001 - singular: the support is not a basis
            continue
        full = [Fraction(0)] * (nE + nG + nH)
        for i, v in zip(support, sol, strict=True):
            full[i] = v
        cert = polyhedra.Farkas(tuple(full[:nE]), tuple(full[nE : nE + nG]), tuple(full[nE + nG :]))
        if s.verify_farkas(cert):
            return cert
    order = sorted(range(len(support)), key=lambda t: abs(float(m[support[t]])))
    return _ray_on_support(s, rows, support, order, nE, nG, nH)


RAY_TRIES = 40  # supports (the full one, then one row dropped at a time) tried for an exact ray


def _ray_on_support(
    s: polyhedra.System,
    rows: list[tuple[Fraction, ...]],
    support: list[int],
    order: list[int],
    nE: int,
    nG: int,
    nH: int,
) -> polyhedra.Farkas | None:
    """An extreme ray of the multiplier cone on the float support, exactly: the null space of
    the support's columns (E^T m_E + G^T m_G + H^T m_H = 0 on the support) when it is
    one-dimensional, oriented so that m_G, m_H >= 0; else the same with one support row dropped
    (the rows with the smallest float multipliers first). When HiGHS's optimum is a vertex
    cut by the cap beta <= 1 it combines two rays whose exact normalisations differ from the
    float ones (power-of-two scaled rows), so neither support solve above verifies; each ray
    with beta >= 0 alone is a certificate."""
    tries = [support] + [[i for t, i in enumerate(support) if t != drop] for drop in order]
    for sub in tries[:RAY_TRIES]:
        if not sub:
            continue
        C = linalg.matrix([[rows[i][c] for i in sub] for c in range(s.n)], len(sub))
        Nm = linalg.null_space(C)
        if Nm.ncols() != 1:
            continue
        v = [linalg.frac(Nm[t, 0]) for t in range(len(sub))]
        signs = {(x > 0) - (x < 0) for x, i in zip(v, sub, strict=True) if i >= nE and x}
        if len(signs) != 1:
            continue
        if signs == {-1}:
            v = [-x for x in v]
        full = [Fraction(0)] * (nE + nG + nH)
        for i, x in zip(sub, v, strict=True):
            full[i] = x
        cert = polyhedra.Farkas(tuple(full[:nE]), tuple(full[nE : nE + nG]), tuple(full[nE + nG :]))
        if s.verify_farkas(cert):
            return cert
    return None


def _equality_farkas(s: polyhedra.System) -> polyhedra.Farkas | None:
    """E v = f inconsistent: some m with E^T m = 0 and f . m != 0 (exact left null space)."""
    if not s.E:
        return None
    Et = linalg.matrix([[r[c] for r in s.E] for c in range(s.n)], len(s.E))
    Nm = linalg.null_space(Et)
    for col in range(Nm.ncols()):
        m = [linalg.frac(Nm[i, col]) for i in range(Nm.nrows())]
        if sum((a * b for a, b in zip(m, s.f, strict=True)), Fraction(0)) != 0:
            cert = polyhedra.Farkas(tuple(m), tuple(Fraction(0) for _ in s.G), tuple(Fraction(0) for _ in s.H))
            return cert if s.verify_farkas(cert) else None
    return None


def decide_hinted(s: polyhedra.System) -> polyhedra.Point | polyhedra.Farkas:
    """Exact decision of ``s`` (module docstring): verified float hints, else
    :func:`exactscape.core.polyhedra.decide` (PPL by default)."""
    try:
        arrs = _arrays(s)
        pt = _point_hint(s, *arrs)
        if pt is not None:
            return pt
        fk = _farkas_hint(s, *arrs)
        if fk is None and len(s.E) <= 400:
            fk = _equality_farkas(s)
        if fk is not None:
            return fk
    except (ValueError, OverflowError, np.linalg.LinAlgError):
        pass
    return polyhedra.decide(s)

"""Is an open polyhedron empty? Exact decisions with proofs either way.

A system (SPEC 2 [18], TOOLS "Strictness") is

    E v = f,   G v > h (strict),   H v >= k,     v in Q^n.

:func:`decide` returns a :class:`Point` (a rational v satisfying every row,
re-verified exactly) or a :class:`Farkas` certificate (multipliers m_E free,
m_G >= 0, m_H >= 0 with E^T m_E + G^T m_G + H^T m_H = 0 and
beta = f.m_E + h.m_G + k.m_H such that 0 > beta is contradicted (beta >= 0,
some m_G > 0) or 0 >= beta is contradicted (beta > 0, m_G = 0)). By
Motzkin's transposition theorem exactly one of the two exists.

Algorithm (exact, cdd.gmp simplex): the primal LP "maximise t subject to
G v - t 1 >= h, H v >= k, E v = f, t <= 1" has optimum t* > 0 iff the open
polyhedron is non-empty (a fixed margin would be wrong for inhomogeneous
systems); when t* <= 0 or the LP is inconsistent, a second LP finds the
multipliers: minimise beta subject to the combination being zero,
sum m_G = 1 and beta >= 0 (strict case), else m_G = 0 and beta = 1. Simplex
answers are basic solutions, so certificates are sparse (at most one
non-zero per column of the combination plus one). Every answer is checked
exactly by :meth:`System.verify_point` / :meth:`System.verify_farkas` before
it is returned; a backend that returns something unprovable raises
:class:`~exactscape.errors.BackendError`, never a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import cdd
import cdd.gmp as cg

from .errors import BackendError

Row = tuple[Fraction, ...]


def _dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))


@dataclass(frozen=True)
class System:
    """E v = f, G v > h, H v >= k over Q^n (rows are dense tuples of length n)."""

    n: int
    E: tuple[Row, ...] = ()
    f: Row = ()
    G: tuple[Row, ...] = ()
    h: Row = ()
    H: tuple[Row, ...] = ()
    k: Row = ()

    def verify_point(self, v: Sequence[Fraction]) -> bool:
        return (
            len(v) == self.n
            and all(_dot(r, v) == b for r, b in zip(self.E, self.f, strict=True))
            and all(_dot(r, v) > b for r, b in zip(self.G, self.h, strict=True))
            and all(_dot(r, v) >= b for r, b in zip(self.H, self.k, strict=True))
        )

    def verify_farkas(self, cert: Farkas) -> bool:
        mE, mG, mH = cert.mE, cert.mG, cert.mH
        if len(mE) != len(self.E) or len(mG) != len(self.G) or len(mH) != len(self.H):
            return False
        if any(m < 0 for m in mG) or any(m < 0 for m in mH):
            return False
        for c in range(self.n):
            s = _dot([r[c] for r in self.E], mE) + _dot([r[c] for r in self.G], mG) + _dot([r[c] for r in self.H], mH)
            if s != 0:
                return False
        beta = _dot(self.f, mE) + _dot(self.h, mG) + _dot(self.k, mH)
        if any(m > 0 for m in mG):
            return beta >= 0
        if any(m > 0 for m in mH):
            return beta > 0
        return beta != 0


@dataclass(frozen=True)
class Point:
    """A rational point of the open polyhedron."""

    v: tuple[Fraction, ...]


@dataclass(frozen=True)
class Farkas:
    """Multipliers proving the open polyhedron empty (module docstring)."""

    mE: tuple[Fraction, ...]
    mG: tuple[Fraction, ...]
    mH: tuple[Fraction, ...]


def _solve(
    rows: list[list[Fraction]], lin: set[int], obj: list[Fraction], maximise: bool
) -> tuple[int, list[Fraction], Fraction]:
    """cdd.gmp LP: rows [b, a] mean b + a.x >= 0 (= 0 for ``lin``); returns (status, x, value)."""
    try:
        mat = cg.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY, lin_set=lin)
        mat.obj_type = cdd.LPObjType.MAX if maximise else cdd.LPObjType.MIN
        mat.obj_func = obj
        lp = cg.linprog_from_matrix(mat)
        cg.linprog_solve(lp)
    except Exception as exc:  # cdd raises bare RuntimeError/ValueError
        raise BackendError(f"cdd LP failed: {exc}") from exc
    status = int(lp.status)
    if status == int(cdd.LPStatusType.OPTIMAL):
        return status, [Fraction(x) for x in lp.primal_solution], Fraction(lp.obj_value)
    return status, [], Fraction(0)


_OPT = int(cdd.LPStatusType.OPTIMAL)
_INCONSISTENT = {int(cdd.LPStatusType.INCONSISTENT), int(cdd.LPStatusType.STRUC_INCONSISTENT)}


def _primal(s: System) -> Point | None:
    n = s.n
    strict = len(s.G) > 0
    width = n + (1 if strict else 0)
    rows: list[list[Fraction]] = []
    lin: set[int] = set()
    for r, b in zip(s.E, s.f, strict=True):
        lin.add(len(rows))
        rows.append([-b, *r] + ([Fraction(0)] if strict else []))
    for r, b in zip(s.H, s.k, strict=True):
        rows.append([-b, *r] + ([Fraction(0)] if strict else []))
    for r, b in zip(s.G, s.h, strict=True):
        rows.append([-b, *r, Fraction(-1)])
    if strict:
        rows.append([Fraction(1)] + [Fraction(0)] * n + [Fraction(-1)])
    if not rows:
        return Point(tuple(Fraction(0) for _ in range(n)))
    obj = [Fraction(0)] * (width + 1)
    if strict:
        obj[-1] = Fraction(1)
    status, x, val = _solve(rows, lin, obj, True)
    if status in _INCONSISTENT:
        return None
    if status != _OPT:
        raise BackendError(f"cdd LP ended with status {cdd.LPStatusType(status).name}")
    if strict and val <= 0:
        return None
    return Point(tuple(x[:n]))


def _alternative(s: System) -> Farkas | None:
    """Second LP: multipliers for the strict case, then for the non-strict case."""
    nE, nG, nH = len(s.E), len(s.G), len(s.H)
    for strict in (True, False) if nG else (False,):
        gcount = nG if strict else 0
        nv = nE + gcount + nH
        if nv == 0:
            continue
        cols: list[tuple[Row, Fraction]] = (
            list(zip(s.E, s.f, strict=True))
            + (list(zip(s.G, s.h, strict=True)) if strict else [])
            + list(zip(s.H, s.k, strict=True))
        )
        rows: list[list[Fraction]] = []
        lin: set[int] = set()
        for c in range(s.n):
            lin.add(len(rows))
            rows.append([Fraction(0)] + [col[0][c] for col in cols])
        for idx in range(nE, nv):
            row = [Fraction(0)] * (nv + 1)
            row[1 + idx] = Fraction(1)
            rows.append(row)
        beta = [Fraction(0)] + [col[1] for col in cols]
        if strict:
            lin.add(len(rows))
            rows.append([Fraction(-1)] + [Fraction(0)] * nE + [Fraction(1)] * gcount + [Fraction(0)] * nH)
            rows.append([Fraction(0)] + beta[1:])  # beta >= 0
        else:
            lin.add(len(rows))
            rows.append([Fraction(-1)] + beta[1:])  # beta = 1
        status, x, val = _solve(rows, lin, beta, False)  # minimise beta >= 0: bounded
        if status != _OPT:
            continue
        cert = Farkas(
            tuple(x[:nE]),
            tuple(x[nE : nE + gcount]) if strict else tuple(Fraction(0) for _ in range(nG)),
            tuple(x[nE + gcount :]),
        )
        if s.verify_farkas(cert):
            return cert
        raise BackendError("cdd returned multipliers that do not verify exactly")
    return None


def decide(s: System) -> Point | Farkas:
    """Decide emptiness of the open polyhedron ``s`` exactly, with proof."""
    pt = _primal(s)
    if pt is not None:
        if s.verify_point(pt.v):
            return pt
        raise BackendError("cdd returned a point that does not verify exactly")
    cert = _alternative(s)
    if cert is None:
        raise BackendError("cdd found the polyhedron empty but no Farkas certificate")
    return cert

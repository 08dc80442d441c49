"""Is an open polyhedron empty? Exact decisions with proofs either way.

A system (theory.md §2 [18]; strict rows are kept strict, never replaced by ">= epsilon") is

    E v = f,   G v > h (strict),   H v >= k,     v in Q^n.

:func:`decide` returns a :class:`Point` (a rational v satisfying every row,
re-verified exactly) or a :class:`Farkas` certificate (multipliers m_E free,
m_G >= 0, m_H >= 0 with E^T m_E + G^T m_G + H^T m_H = 0 and
beta = f.m_E + h.m_G + k.m_H such that 0 > beta is contradicted (beta >= 0,
some m_G > 0) or 0 >= beta is contradicted (beta > 0, m_G = 0)). By
Motzkin's transposition theorem exactly one of the two exists.

Algorithm (exact simplex over GMP rationals: PPL's MIP_Problem by default,
cdd.gmp as the second backend; measured here on real cells,
cdd's criss-cross phase was 90x slower than PPL): the primal LP "maximise t subject to
G v - t 1 >= h, H v >= k, E v = f, t <= 1" has optimum t* > 0 iff the open
polyhedron is non-empty (a fixed margin would be wrong for inhomogeneous
systems); when t* <= 0 or the LP is inconsistent, a second LP finds the
multipliers: minimise beta subject to the combination being zero,
sum m_G = 1 and beta >= 0 (strict case), else m_G = 0 and beta = 1. Simplex
answers are basic solutions, so certificates are sparse; the second LP is
first restricted to the rows tight at the first LP's optimum (where an
optimal dual lives, by complementary slackness), which makes it small (at most one
non-zero per column of the combination plus one). Every answer is checked
exactly by :meth:`System.verify_point` / :meth:`System.verify_farkas` before
it is returned; a backend that returns something unprovable raises
:class:`~exactscape.errors.BackendError`, never a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import lcm

import cdd
import cdd.gmp as cg
import ppl

from ..errors import BackendError
from . import linalg
from .model import dot

Row = tuple[Fraction, ...]


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
            and all(dot(r, v) == b for r, b in zip(self.E, self.f, strict=True))
            and all(dot(r, v) > b for r, b in zip(self.G, self.h, strict=True))
            and all(dot(r, v) >= b for r, b in zip(self.H, self.k, strict=True))
        )

    def verify_farkas(self, cert: Farkas) -> bool:
        mE, mG, mH = cert.mE, cert.mG, cert.mH
        if len(mE) != len(self.E) or len(mG) != len(self.G) or len(mH) != len(self.H):
            return False
        if any(m < 0 for m in mG) or any(m < 0 for m in mH):
            return False
        for c in range(self.n):
            s = dot([r[c] for r in self.E], mE) + dot([r[c] for r in self.G], mG) + dot([r[c] for r in self.H], mH)
            if s != 0:
                return False
        beta = dot(self.f, mE) + dot(self.h, mG) + dot(self.k, mH)
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


OPTIMAL, INFEASIBLE, OTHER = "optimal", "infeasible", "other"


def _solve_cdd(
    rows: list[list[Fraction]], lin: set[int], obj: list[Fraction], maximise: bool
) -> tuple[str, list[Fraction], Fraction]:
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
        return OPTIMAL, [Fraction(x) for x in lp.primal_solution], Fraction(lp.obj_value)
    if status in (int(cdd.LPStatusType.INCONSISTENT), int(cdd.LPStatusType.STRUC_INCONSISTENT)):
        return INFEASIBLE, [], Fraction(0)
    return OTHER, [], Fraction(0)


def _integer_row(row: list[Fraction]) -> list[int]:
    """The row scaled by the lcm of its denominators (positive), as integers."""
    den = lcm(*(c.denominator for c in row))
    return [c.numerator * (den // c.denominator) for c in row]


def _solve_ppl(
    rows: list[list[Fraction]], lin: set[int], obj: list[Fraction], maximise: bool
) -> tuple[str, list[Fraction], Fraction]:
    """PPL MIP_Problem (exact GMP simplex), same conventions as :func:`_solve_cdd`."""
    n = len(obj) - 1
    try:
        cs = ppl.Constraint_System()
        for k, row in enumerate(rows):
            ints = _integer_row(row)
            e = ppl.Linear_Expression(ints[1:], ints[0])
            cs.insert(e == 0 if k in lin else e >= 0)
        oi = _integer_row(obj)
        mip = ppl.MIP_Problem(n, cs, ppl.Linear_Expression(oi[1:], 0), "maximization" if maximise else "minimization")
        status = mip.solve()["status"]
        if status == "unfeasible":
            return INFEASIBLE, [], Fraction(0)
        if status != "optimized":
            return OTHER, [], Fraction(0)
        g = mip.optimizing_point()
        div = int(g.divisor())
        x = [Fraction(int(c), div) for c in g.coefficients()]
        x += [Fraction(0)] * (n - len(x))
    except BackendError:
        raise
    except Exception as exc:  # PPL raises ValueError/RuntimeError
        raise BackendError(f"PPL LP failed: {exc}") from exc
    value = obj[0] + sum((c * v for c, v in zip(obj[1:], x, strict=True)), Fraction(0))
    return OPTIMAL, x, value


BACKENDS = {"ppl": _solve_ppl, "cdd": _solve_cdd}
DEFAULT_BACKEND = "ppl"


def _solve(
    rows: list[list[Fraction]], lin: set[int], obj: list[Fraction], maximise: bool, backend: str
) -> tuple[str, list[Fraction], Fraction]:
    try:
        fn = BACKENDS[backend]
    except KeyError:
        raise BackendError(f"unknown LP backend {backend!r} (choose from {sorted(BACKENDS)})") from None
    return fn(rows, lin, obj, maximise)


def _primal(s: System, backend: str) -> tuple[Point | None, tuple[list[int], list[int]] | None]:
    """The max-t LP. Returns (point, None) when non-empty; (None, tight rows of G
    and H at the optimum) when t* <= 0; (None, None) when E v = f, H v >= k is
    itself infeasible."""
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
        return Point(tuple(Fraction(0) for _ in range(n))), None
    obj = [Fraction(0)] * (width + 1)
    if strict:
        obj[-1] = Fraction(1)
    status, x, val = _solve(rows, lin, obj, True, backend)
    if status == INFEASIBLE:
        return None, None
    if status != OPTIMAL:
        raise BackendError(f"{backend} LP ended without an optimum on a bounded problem")
    if strict and val <= 0:
        v, t = x[:n], x[n]
        tight_g = [i for i, (r, b) in enumerate(zip(s.G, s.h, strict=True)) if dot(r, v) - t == b]
        tight_h = [i for i, (r, b) in enumerate(zip(s.H, s.k, strict=True)) if dot(r, v) == b]
        return None, (tight_g, tight_h)
    return Point(tuple(x[:n])), None


def _alternative(s: System, backend: str) -> Farkas | None:
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
        status, x, val = _solve(rows, lin, beta, False, backend)  # minimise beta >= 0: bounded
        if status != OPTIMAL:
            continue
        cert = Farkas(
            tuple(x[:nE]),
            tuple(x[nE : nE + gcount]) if strict else tuple(Fraction(0) for _ in range(nG)),
            tuple(x[nE + gcount :]),
        )
        if s.verify_farkas(cert):
            return cert
        raise BackendError(f"{backend} returned multipliers that do not verify exactly")
    return None


# a dense null-space basis of E is used when it has at most this many entries
ELIMINATION_LIMIT = 2_000_000


@dataclass(frozen=True)
class _Hull:
    """{v : E v = f} = {v0 + Nb c}; ``lift`` turns u in the row space of E
    into m_E with E^T m_E = u (supported on the basis rows of E)."""

    v0: linalg.QMat  # n x 1
    Nb: linalg.QMat  # n x dim
    basis: tuple[int, ...]
    EB: linalg.QMat  # rows B of E
    gram_inv: linalg.QMat  # (E_B E_B^T)^{-1}


@lru_cache(maxsize=32)
def _hull(E: tuple[Row, ...], f: Row, n: int) -> _Hull | Farkas | None:
    """The affine hull data of E v = f, a Farkas certificate that it is empty,
    or None when the null space is too large to write down densely."""
    Em = linalg.matrix(E, n)
    ls = linalg.least_squares(Em, f)
    if ls.fitted != list(f):
        r = tuple(a - b for a, b in zip(ls.fitted, f, strict=True))  # E^T r = 0, f . r = -||r||^2
        return Farkas(r, (), ())
    if ls.dimension * n > ELIMINATION_LIMIT:
        return None
    B = ls.factor.basis
    EB = linalg.select_rows(Em, B)
    gram_inv = (EB * EB.transpose()).inv() if B else linalg.QMat(0, 0)
    return _Hull(linalg.column(ls.R0), linalg.null_space(Em), tuple(B), EB, gram_inv)


def _rows_times(rows: tuple[Row, ...], M: linalg.QMat, n: int) -> linalg.QMat:
    return linalg.matrix(rows, n) * M if rows else linalg.QMat(0, M.ncols())


def _eliminated(s: System, backend: str) -> Point | Farkas | None:
    """Decide ``s`` in the coordinates c of {E v = f} = {v0 + Nb c} (fewer
    variables, no equalities; no LP at all when the solution is unique).
    None when the elimination does not apply (then the caller solves ``s``)."""
    hull = _hull(s.E, s.f, s.n)
    if hull is None:
        return None
    if isinstance(hull, Farkas):
        return Farkas(hull.mE, tuple(Fraction(0) for _ in s.G), tuple(Fraction(0) for _ in s.H))
    dim = hull.Nb.ncols()
    Gc = _rows_times(s.G, hull.Nb, s.n)
    Hc = _rows_times(s.H, hull.Nb, s.n)
    hc = [b - a for b, a in zip(s.h, linalg.to_vec(_rows_times(s.G, hull.v0, s.n)) if s.G else [], strict=True)]
    kc = [b - a for b, a in zip(s.k, linalg.to_vec(_rows_times(s.H, hull.v0, s.n)) if s.H else [], strict=True)]
    reduced = System(
        n=dim,
        G=tuple(tuple(linalg.frac(Gc[i, c]) for c in range(dim)) for i in range(len(s.G))),
        h=tuple(hc),
        H=tuple(tuple(linalg.frac(Hc[i, c]) for c in range(dim)) for i in range(len(s.H))),
        k=tuple(kc),
    )
    if dim == 0:
        bad_g = next((i for i, b in enumerate(hc) if b >= 0), None)
        bad_h = next((i for i, b in enumerate(kc) if b > 0), None)
        if bad_g is None and bad_h is None:
            ans: Point | Farkas = Point(())
        elif bad_g is not None:
            ans = Farkas((), tuple(Fraction(int(i == bad_g)) for i in range(len(s.G))), tuple(Fraction(0) for _ in s.H))
        else:
            ans = Farkas((), tuple(Fraction(0) for _ in s.G), tuple(Fraction(int(i == bad_h)) for i in range(len(s.H))))
    else:
        ans = decide_plain(reduced, backend)
    if isinstance(ans, Point):
        v = hull.v0 + hull.Nb * linalg.column(ans.v) if dim else hull.v0
        return Point(tuple(linalg.to_vec(v)))
    # combination u = G^T m_G + H^T m_H lies in the row space of E; m_E solves E^T m_E = -u
    u = [Fraction(0)] * s.n
    for rows, ms in ((s.G, ans.mG), (s.H, ans.mH)):
        for r, m in zip(rows, ms, strict=True):
            if m:
                for c, a in enumerate(r):
                    if a:
                        u[c] += m * a
    mE = [Fraction(0)] * len(s.E)
    if hull.basis:
        coeff = hull.gram_inv * (hull.EB * linalg.column([-x for x in u]))
        for k, i in enumerate(hull.basis):
            mE[i] = linalg.frac(coeff[k, 0])
    return Farkas(tuple(mE), ans.mG, ans.mH)


def decide(s: System, backend: str = DEFAULT_BACKEND) -> Point | Farkas:
    """Decide emptiness of the open polyhedron ``s`` exactly, with proof.

    ``backend`` is the exact LP engine: "ppl" (PPL's MIP_Problem, default) or
    "cdd" (cdd.gmp). Equalities are first eliminated exactly (v = v0 + Nb c,
    flint), so the LP runs in the solution space of E v = f without equality
    rows, and not at all when that solution is unique. Every answer is
    re-verified exactly on the original system before it is returned.
    """
    if s.E:
        ans = _eliminated(s, backend)
        if ans is not None:
            ok = s.verify_point(ans.v) if isinstance(ans, Point) else s.verify_farkas(ans)
            if ok:
                return ans
            raise BackendError("equality elimination produced an answer that does not verify exactly")
    return decide_plain(s, backend)


def decide_plain(s: System, backend: str) -> Point | Farkas:
    """:func:`decide` without the elimination step."""
    pt, tight = _primal(s, backend)
    if pt is not None:
        if s.verify_point(pt.v):
            return pt
        raise BackendError(f"{backend} returned a point that does not verify exactly")
    cert = None
    if tight is not None and (len(tight[0]) < len(s.G) or len(tight[1]) < len(s.H)):
        # complementary slackness: an optimal dual of the max-t LP lives on the
        # rows tight at the primal optimum, so first try the alternative LP on them
        tg, th = tight
        sub = System(
            n=s.n,
            E=s.E,
            f=s.f,
            G=tuple(s.G[i] for i in tg),
            h=tuple(s.h[i] for i in tg),
            H=tuple(s.H[i] for i in th),
            k=tuple(s.k[i] for i in th),
        )
        small = _alternative(sub, backend)
        if small is not None:
            mG = [Fraction(0)] * len(s.G)
            mH = [Fraction(0)] * len(s.H)
            for i, m in zip(tg, small.mG, strict=True):
                mG[i] = m
            for i, m in zip(th, small.mH, strict=True):
                mH[i] = m
            lifted = Farkas(small.mE, tuple(mG), tuple(mH))
            cert = lifted if s.verify_farkas(lifted) else None
    if cert is None:
        cert = _alternative(s, backend)
    if cert is None:
        raise BackendError(f"{backend} found the polyhedron empty but no Farkas certificate")
    return cert

"""Float proposals of quadratic refutations (:mod:`exactscape.theory.quadratic`; docs/theory.md
section 2.1).

For a cell with minimiser set M = {R : A R = p}, every genuine point has R_j in
C_j u (-C_j) u {0}, where C_j = {r : g_ij . r >= 0 for all i} and g_ij = (2 I_ij - 1) x_i. For
multipliers mu >= 0 the form

    q(R) = sum_j sum_{(i, k) in S_j} mu^j_ik (g_ij . R_j)(g_kj . R_j)

is >= 0 there. With a float orthonormal basis U of null(A) and a float point R0 of M, the
matrix P(mu) of (u, t) -> q(R0 t + U u) (t last) is linear in mu, and this module solves the SDP

    maximise delta  subject to  -P(mu) - delta e_t e_t^T >= 0  (positive semidefinite order),
                                mu >= 0,  sum mu = 1

(the exact certificate's condition; ``ridge`` > 0 would also ask a margin on the directions the
multipliers reach). Small matrices (m + 1 <= CLARABEL_LIMIT) go through cvxpy with Clarabel
(SCS as fallback); larger ones straight to SCS with a time limit, because cvxpy's
canonicalisation of the dense coefficient matrix needs gigabytes at m + 1 = 151. delta > 0
means q < 0 on all of M (floats). The support S_j is a few rows of C_j near its walls: the rows
with the smallest normalised slack g_ij . a_j / ||g_ij|| at the axis a_j of the largest ball
inscribed in C_j (one LP per neuron), all pairs among them. The answer is a proposal: the exact
side rationalises mu (small denominators, :func:`rationalise`) and recomputes P on an exact
basis before anything counts.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..core.model import Instance, Pattern

ROWS_PER_NEURON = 8  # facet candidates per neuron (all pairs among them enter the support)
ROWS_PER_NEURON_LARGE = 40  # above CLARABEL_LIMIT: one variable per neuron (its pair weights by a d x d SDP)
RIDGE = 0.0  # weight of the reachable directions beside e_t e_t^T in the margin (small cells)
RIDGE_LARGE = 1e-2  # the same on large cells: no exact ratios to recover there, so keep the u block strict
CLARABEL_LIMIT = 60  # matrix sizes m + 1 up to which the interior-point solver is used


@dataclass(frozen=True)
class QuadraticProposal:
    """Float multipliers ``mu`` ((j, i, k) with i < k -> mu >= 0), the SDP's optimum ``delta``
    (> 0: q < 0 on the minimiser set, in floats), its status and time; ``eig_max`` the largest
    eigenvalue of the u block of P(mu) and ``q_max`` the largest value of q on the minimiser set
    (t = 1; None when q is unbounded there), both recomputed in floats from the clipped mu, so
    that an inaccurate solver status still gives an honest float reading."""

    mu: dict[tuple[int, int, int], float]
    delta: float
    status: str
    seconds: float
    size: int
    eig_max: float | None = None
    q_max: float | None = None


def _arrays(inst: Instance, pat: Pattern, fitted: Sequence[Fraction]) -> tuple[Any, Any, Any]:
    X = np.array([[float(v) for v in x] for x in inst.xs], dtype=np.float64).reshape(inst.N, inst.d)
    I = np.array(pat.I, dtype=np.float64).reshape(inst.N, pat.K)
    p = np.array([float(v) for v in fitted], dtype=np.float64)
    return X, I, p


def candidate_rows(G: Any, count: int) -> list[int]:
    """Rows of the cone {r : G r >= 0} nearest to its walls, seen from its inscribed-ball axis."""
    return _rows_and_axis(G, count)[0]


def _rows_and_axis(G: Any, count: int) -> tuple[list[int], Any]:
    """:func:`candidate_rows` and the unit axis a of the largest inscribed ball."""
    from scipy.optimize import linprog

    n, d = G.shape
    norms = np.linalg.norm(G, axis=1)
    ok = norms > 0
    if not ok.any():
        return [], np.zeros(d)
    Gn = np.where(ok[:, None], G / np.where(norms > 0, norms, 1.0)[:, None], 0.0)
    res = linprog(
        np.r_[np.zeros(d), -1.0],
        A_ub=np.c_[-Gn[ok], np.ones(int(ok.sum()))],
        b_ub=np.zeros(int(ok.sum())),
        bounds=[(-1, 1)] * d + [(None, 1)],
        method="highs",
    )
    a = res.x[:d] if res.status == 0 else np.ones(d)
    slack = np.where(ok, Gn @ a, np.inf)
    order = np.argsort(slack, kind="stable")
    return [int(i) for i in order[: min(count, int(ok.sum()))]], a / max(float(np.linalg.norm(a)), 1e-300)


def neuron_form(Gr: Any, a: Any) -> Any | None:
    """Pair weights W (f x f, symmetric, zero diagonal, >= 0) of rows Gr (f x d) whose form
    r -> sum_{i<k} W_ik (g_i . r)(g_k . r) = r^T Gr^T W Gr r / 2 is at most (a . r)^2 - c ||r||^2
    with c as large as possible (an SDP in d x d): a form that is >= 0 on the double cone and
    negative off a narrow cone around its axis a. None when the solver fails or c <= 0."""
    import cvxpy

    cp: Any = cvxpy
    f, d = Gr.shape
    W = cp.Variable((f, f), symmetric=True)
    c = cp.Variable()
    cons = [W >= 0, cp.diag(W) == 0, np.outer(a, a) - c * np.eye(d) - Gr.T @ W @ Gr / 2 >> 0, cp.sum(W) <= 1e3]
    prob = cp.Problem(cp.Maximize(c), cons)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            prob.solve(solver=cp.CLARABEL)
    except Exception:  # noqa: BLE001 - no form for this neuron
        return None
    if W.value is None or c.value is None or not c.value > 0:
        return None
    return np.maximum(np.asarray(W.value), 0.0)


def propose(
    inst: Instance,
    pat: Pattern,
    fitted: Sequence[Fraction],
    rows_per_neuron: int | None = None,
    ridge: float | None = None,
    time_limit: float = 40.0,
) -> QuadraticProposal | None:
    """The SDP of the module docstring; None when the minimiser set is a point of a full-rank
    A (nothing to refute quadratically) or the solver fails."""
    t0 = time.perf_counter()
    X, I, p = _arrays(inst, pat, fitted)
    N, d = X.shape
    K = I.shape[1]
    A = np.hstack([I[:, j : j + 1] * X for j in range(K)])
    _, S, Vt = np.linalg.svd(A)
    rank = int(np.sum(S > 1e-9 * (S[0] if S.size and S[0] > 0 else 1.0)))
    Nb = Vt[rank:].T  # Kd x m, orthonormal
    R0 = np.linalg.lstsq(A, p, rcond=None)[0]
    # columns: the null basis, then R0 scaled to unit length (coordinate t last; the scale of t
    # changes no sign of the form, and keeps the SDP's data of one size)
    B = np.c_[Nb, R0 / max(float(np.linalg.norm(R0)), 1e-300)]
    n = B.shape[1]
    if rows_per_neuron is None:
        rows_per_neuron = ROWS_PER_NEURON if n <= CLARABEL_LIMIT else ROWS_PER_NEURON_LARGE
    C = 2 * I - 1
    uniform = n > CLARABEL_LIMIT
    if ridge is None:
        ridge = RIDGE_LARGE if uniform else RIDGE
    iu = np.triu_indices(n)
    terms: list[Any] = []  # one column of P's upper triangle per SDP variable
    groups: list[list[tuple[tuple[int, int, int], float]]] = []  # the multipliers each variable sets
    touched: list[Any] = []
    for j in range(K):
        G = C[:, j : j + 1] * X
        rows, axis = _rows_and_axis(G, rows_per_neuron)
        V = G[rows] @ B[j * d : (j + 1) * d]  # values g_ij . (basis vector)_j
        if uniform and len(rows) > 1:
            # one variable per neuron: its pair weights W fixed by the neuron's own SDP
            # (neuron_form: at most (a . r)^2 - c ||r||^2), the global SDP scales them
            Wn = neuron_form(G[rows] / np.linalg.norm(G[rows], axis=1)[:, None], axis)
            if Wn is None:
                continue
            touched.append(V)
            sc = 1.0 / np.linalg.norm(G[rows], axis=1)
            Ws = Wn * np.outer(sc, sc)  # the weights of the unnormalised rows g_ij
            M = V.T @ Ws @ V / 2
            terms.append(M[iu])
            groups.append(
                [
                    ((j, min(rows[a], rows[b]), max(rows[a], rows[b])), float(Ws[a, b]))
                    for a in range(len(rows))
                    for b in range(a + 1, len(rows))
                    if Ws[a, b] > 1e-9 * Ws.max()
                ]
            )
            continue
        touched.append(V)
        for a in range(len(rows)):
            for b in range(a + 1, len(rows)):
                i, k = rows[a], rows[b]
                M = np.outer(V[a], V[b])
                terms.append(((M + M.T) / 2)[iu])
                groups.append([((j, min(i, k), max(i, k)), 1.0)])
    keys = groups
    for g, term in enumerate(terms):  # each neuron's column scaled to entries of size 1 (large cells;
        top = float(np.abs(term).max())  # on small ones the multipliers' exact ratios matter, see rationalise)
        if uniform and top > 0:
            terms[g] = term / top
            groups[g] = [(key, weight / top) for key, weight in groups[g]]
    if not keys:
        return None
    # the ridge acts on the directions some multiplier can reach (the span of the values): the
    # others are zero rows of P for every mu, which the exact LDL^T accepts as they are
    if not touched:
        return None
    _, sv, wt = np.linalg.svd(np.vstack(touched), full_matrices=False)
    reach = wt[sv > 1e-9 * sv[0]] if sv.size and sv[0] > 0 else np.zeros((0, n))
    margin = ridge * reach.T @ reach
    margin[-1, -1] += 1.0
    coef = np.array(terms).T  # the upper triangle of P (row by row), one column per multiplier
    if n <= CLARABEL_LIMIT:
        got = _solve_cvxpy(coef, margin, n)
    else:
        got = _solve_scs(coef, margin, n, time_limit)
    if isinstance(got, str):
        return QuadraticProposal({}, float("-inf"), got, time.perf_counter() - t0, n)
    mu_value, delta_value, status = got
    vals = np.maximum(np.asarray(mu_value, dtype=np.float64), 0.0)
    out: dict[tuple[int, int, int], float] = {}
    for group, v in zip(groups, vals, strict=True):
        if v > 1e-9 * max(vals.max(), 1e-300):
            for key, weight in group:
                out[key] = out.get(key, 0.0) + float(v) * weight
    P = np.zeros((n, n))
    P[iu] = coef @ vals
    P = P + P.T - np.diag(np.diag(P))
    eig = float(np.linalg.eigvalsh(P[:-1, :-1]).max()) if n > 1 else float("-inf")
    qmax = None
    if eig < 0:
        qmax = float(P[-1, -1] - P[:-1, -1] @ np.linalg.solve(P[:-1, :-1], P[:-1, -1]))
    elif n == 1:
        qmax = float(P[0, 0])
    return QuadraticProposal(out, float(delta_value), status, time.perf_counter() - t0, n, eig, qmax)


def _solve_cvxpy(coef: Any, margin: Any, n: int) -> tuple[Any, float, str] | str:
    """The SDP through cvxpy (Clarabel, then SCS): (mu, delta, status) or the failure."""
    import cvxpy

    cp: Any = cvxpy  # cvxpy's stubs are partial: use it untyped
    diag = np.array([r * n - r * (r - 1) // 2 for r in range(n)])  # where (r, r) sits in the triangle
    strict = np.setdiff1d(np.arange(coef.shape[0]), diag)
    mu = cp.Variable(coef.shape[1], nonneg=True)
    delta = cp.Variable()
    Pm = cp.Variable((n, n), symmetric=True)
    cons = [
        cp.diag(Pm) == coef[diag] @ mu,
        cp.upper_tri(Pm) == coef[strict] @ mu,
        -Pm - delta * margin >> 0,
        cp.sum(mu) == 1,
    ]
    prob = cp.Problem(cp.Maximize(delta), cons)
    status = "not solved"
    for solver in (cp.CLARABEL, cp.SCS):
        try:
            with warnings.catch_warnings():  # cvxpy's note on its canonicalisation backend
                warnings.simplefilter("ignore", UserWarning)
                prob.solve(solver=solver)
        except Exception as exc:  # noqa: BLE001 - a solver failure is "no proposal", never an answer
            status = f"solver error: {type(exc).__name__}"
            continue
        if mu.value is not None and delta.value is not None:
            return mu.value, float(delta.value), str(prob.status)
        status = str(prob.status)
    return status


def _solve_scs(coef: Any, margin: Any, n: int, time_limit: float) -> tuple[Any, float, str] | str:
    """The same SDP handed to SCS directly (cvxpy's canonicalisation of a dense n^2 x L
    coefficient matrix needs several GB at m + 1 = 151): minimise -delta subject to
    sum mu = 1 (zero cone), mu >= 0, and svec(-P(mu) - delta margin) in the PSD cone (SCS's
    svec: the lower triangle column by column, off-diagonal entries times sqrt 2)."""
    import scs
    from scipy import sparse

    L = coef.shape[1]
    rows, cols = np.triu_indices(n)  # row-major upper triangle = column-major lower triangle
    scale = np.where(rows == cols, 1.0, np.sqrt(2.0))
    svec_p = coef * scale[:, None]  # svec(P_l), one column per multiplier
    svec_m = margin[rows, cols] * scale
    nsv = svec_p.shape[0]
    A = sparse.vstack(
        [
            sparse.csc_matrix(np.r_[np.ones(L), 0.0][None, :]),
            sparse.hstack([-sparse.identity(L, format="csc"), sparse.csc_matrix((L, 1))]),
            sparse.hstack([sparse.csc_matrix(svec_p), sparse.csc_matrix(svec_m[:, None])]),
        ],
        format="csc",
    )
    b = np.r_[1.0, np.zeros(L), np.zeros(nsv)]
    c = np.r_[np.zeros(L), -1.0]
    solver = scs.SCS(
        {"A": A, "b": b, "c": c},
        {"z": 1, "l": L, "s": [n]},
        verbose=False,
        eps_abs=1e-7,
        eps_rel=1e-7,
        max_iters=20000,
        time_limit_secs=time_limit,
    )
    sol = solver.solve()
    x = sol.get("x")
    if x is None or not np.all(np.isfinite(x)):
        return str(sol["info"]["status"])
    return x[:L], float(x[L]), str(sol["info"]["status"])


def rationalise(mu: dict[tuple[int, int, int], float], den: int) -> tuple[tuple[int, int, int, Fraction], ...]:
    """mu / max(mu), each entry the nearest fraction with denominator at most ``den``
    (entries below 10^-6 of the largest, solver noise, dropped; so are those that round to 0).
    Optima of the SDP often sit where the u block of -P is singular, which only exact ratios
    of the multipliers keep: small denominators find them on integer data."""
    if not mu:
        return ()
    top = max(mu.values())
    out = []
    for (j, i, k), v in sorted(mu.items()):
        if v < 1e-6 * top:
            continue
        f = Fraction(v / top).limit_denominator(den)
        if f > 0:
            out.append((j, i, k, f))
    return tuple(out)


def propose_candidates(
    inst: Instance, pat: Pattern, fitted: Sequence[Fraction]
) -> list[tuple[tuple[int, int, int, Fraction], ...]]:
    """Rational candidates for :func:`exactscape.theory.quadratic.refute`: the SDP's mu rounded
    to denominators 10, 100, ..., 10^9 (distinct candidates only); none when the SDP finds no
    delta > 0."""
    try:
        prop = propose(inst, pat, fitted)
    except Exception:  # noqa: BLE001 - a failing float proposer proposes nothing; it never answers
        return []
    if prop is None or not prop.delta > 0:
        return []
    out: list[tuple[tuple[int, int, int, Fraction], ...]] = []
    for e in (1, 2, 3, 4, 6, 9):
        c = rationalise(prop.mu, 10**e)
        if c and c not in out:
            out.append(c)
    return out


def finsler_factor(
    inst: Instance, pat: Pattern, fitted: Sequence[Fraction], mu: Sequence[tuple[int, int, int, Fraction]]
) -> list[Any]:
    """Proposals (:class:`exactscape.theory.finsler.Factor`) for the Finsler certificate of
    :mod:`exactscape.theory.finsler`: F = -Q (+) (-epsilon) + rho [A | -p]^T [A | -p] in floats;
    epsilon a quarter of the largest margin max{e : -Q - e t^2 >= 0 on ker [A | -p]} (that
    kernel from an SVD), rho the one of a grid (powers of sqrt 10 around ||Q|| / ||A||^2) with
    the largest least eigenvalue lambda of F, then the Cholesky factor of F - (lambda / 2) I
    as L D L^T rounded to numerators over 2^40, then 2^52. Empty when -Q is not negative
    definite there (in floats)."""
    from ..theory.finsler import Factor

    X, I, p = _arrays(inst, pat, fitted)
    N, d = X.shape
    K = I.shape[1]
    n = K * d + 1
    A = np.hstack([I[:, j : j + 1] * X for j in range(K)])
    C = 2 * I - 1
    Q = np.zeros((n, n))
    for j, i, k, m in mu:
        gi, gk = C[i, j] * X[i], C[k, j] * X[k]
        Q[j * d : (j + 1) * d, j * d : (j + 1) * d] += float(m) * (np.outer(gi, gk) + np.outer(gk, gi)) / 2
    Ab = np.c_[A, -p]
    H = Ab.T @ Ab
    _, S, Vt = np.linalg.svd(Ab)
    r = int(np.sum(S > 1e-9 * S[0])) if S.size and S[0] > 0 else 0
    Z = Vt[r:].T
    Mk = Z.T @ (-Q) @ Z
    if Mk.size == 0 or not np.linalg.eigvalsh(Mk)[0] > 0:
        return []
    w = Z[-1]
    emax = 1.0 / float(w @ np.linalg.solve(Mk, w))
    eps = _short(emax / 4)
    if not eps > 0:
        return []
    base = float(np.abs(Q).max()) / max(float(np.abs(H).max()), 1e-300)
    best: tuple[float, Fraction] | None = None
    for e in range(-2, 7):
        rho = _short(base * 10 ** (e / 2))
        F = -Q + float(rho) * H
        F[-1, -1] -= float(eps)
        lam = float(np.linalg.eigvalsh(F)[0])
        if best is None or lam > best[0]:
            best = (lam, rho)
    if best is None or not best[0] > 0:
        return []
    lam, rho = best
    F = -Q + float(rho) * H
    F[-1, -1] -= float(eps)
    try:
        Ch = np.linalg.cholesky(F - lam / 2 * np.eye(n))
    except np.linalg.LinAlgError:
        return []
    dg = np.diag(Ch)
    L = Ch / dg[None, :]
    D = dg * dg
    out = []
    for bits in (40, 52):
        s = 2.0**bits
        rows = tuple(tuple(int(v) for v in np.rint(L[r, :r] * s)) for r in range(n))
        out.append(Factor(rho, eps, bits, rows, tuple(int(v) for v in np.rint(D * s))))
    return out


def _short(x: float) -> Fraction:
    """x > 0 rounded down to three significant decimal digits (a short rational)."""
    if not x > 0 or not np.isfinite(x):
        return Fraction(0)
    e = int(np.floor(np.log10(x))) - 2
    return Fraction(int(np.floor(x / 10.0**e)) * Fraction(10) ** e)

"""Float proposals of genuine points, for the exact verifier :mod:`exactscape.theory.witness`.

Floats only *propose*; every proposal is rationalised, moved onto the minimiser set and
sign-checked exactly by the verifier, which alone can answer "genuine". In order:

1. **The given point** R_j = z_j w_j, on r well-conditioned columns C of A_B: the first r
   pivots of a float QR factorisation of A_B with column pivoting (Businger-Golub), which
   keeps A_{B,C}^{-1} e small so the exact correction stays inside the margins of the
   trained point. First, when rows of A_B peel (a triangular part of the minor,
   :func:`exactscape.theory.witness.peeled_rows`), on the peeled pivot columns plus the QR
   pivots of the core rows left over: the determinant loses the core's digits for the
   peeled rows' pivots; tried only when its float correction is at most GROWTH times as
   long as the QR one and keeps every strict sign.
2. **A max-margin LP** on the branch vector of the given weights (sigma_j = sign z_j; without
   weights, the signs of a least-squares minimiser): HiGHS maximises t subject to
   s_ij sigma_j x_i . R_j >= t for sigma_j != 0, A_B R = p_B, R_j = 0 for sigma_j = 0, t <= 1.
   Its optimum, when t* > 0, is the proposal (the same columns C).
3. **Local search.** While the LP's t* <= 0, the neuron whose sign rows are the most violated
   at the LP point changes branch (+ <-> -, then 0), keeping a change only if t* grows;
   at most LOCAL_STEPS LPs, within the deadline.

Each HiGHS call gets the time left before the task's deadline as its time limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from ..theory.witness import (
    METHOD_GIVEN,
    METHOD_PROPOSED,
    Proposal,
    Proposer,
    Task,
    given_point,
    peeled_rows,
)

LOCAL_STEPS = 6
SLACK = 1e-9  # relative float margin the sparse correction must keep to be tried first
GROWTH = 20.0  # how much longer than the QR columns' correction the sparse one may be
QR_LIMIT = 20_000_000  # entries of A_B up to which the float QR picks the correction columns


def _arrays(task: Task) -> tuple[Any, Any, Any, Any]:
    """Samples X (N x d), pattern I (N x K), fitted values p (N), as floats."""
    inst = task.instance
    X = np.array([[float(v) for v in x] for x in inst.xs], dtype=np.float64)
    I = np.array(task.pattern.I, dtype=np.float64)
    p = np.array([float(v) for v in task.fitted], dtype=np.float64)
    return X, I, p, np.array(task.rows, dtype=np.int64)


def _design(X: Any, I: Any, rows: Any) -> Any:
    """A_B (float, r x Kd): row i is (I_i1 x_i, ..., I_iK x_i)."""
    Xb, Ib = X[rows], I[rows]
    return (Ib[:, :, None] * Xb[:, None, :]).reshape(len(rows), -1)


def qr_columns(AB: Any) -> tuple[int, ...] | None:
    """The first r pivot columns of a column-pivoted QR of A_B (module 1)."""
    import scipy.linalg

    r = AB.shape[0]
    if r == 0 or AB.size > QR_LIMIT:
        return None
    _, piv = scipy.linalg.qr(AB, mode="r", pivoting=True)
    return tuple(sorted(int(c) for c in piv[:r]))


def peeled_qr_columns(task: Task, AB: Any) -> tuple[int, ...] | None:
    """Module 1, sparse: the pivot columns of the peeled triangular part of A_B
    (:func:`exactscape.theory.witness.peeled_rows`) and, for the core rows left over, the
    first pivots of a column-pivoted QR of the core on the other columns; None when
    nothing peels."""
    import scipy.linalg

    peeled = peeled_rows(task.instance, task.pattern, task.rows)
    if not peeled.pivots:
        return None
    used = {c for _, c, _ in peeled.pivots}
    core = list(peeled.core)
    if not core:
        return tuple(sorted(used))
    rest = np.array([c for c in range(AB.shape[1]) if c not in used], dtype=np.int64)
    sub = AB[np.array(core)][:, rest]
    _, piv = scipy.linalg.qr(sub, mode="r", pivoting=True)
    return tuple(sorted([*used, *(int(rest[k]) for k in piv[: len(core)])]))


def _correction(AB: Any, pB: Any, R: Any, columns: tuple[int, ...]) -> Any:
    """delta_C = A_{B,C}^{-1} (p_B - A_B R) in float64 (None if singular or not finite)."""
    C = np.array(columns, dtype=np.int64)
    try:
        delta = np.linalg.solve(AB[:, C], pB - AB @ R)
    except np.linalg.LinAlgError:
        return None
    return delta if np.all(np.isfinite(delta)) else None


def keeps_signs(
    X: Any, I: Any, AB: Any, pB: Any, hint: Any, columns: tuple[int, ...], reference: tuple[int, ...]
) -> bool:
    """Module 1, sparse columns: is the float correction of the given point on ``columns``
    at most GROWTH times as long as the one on the ``reference`` columns (so the exact
    witness stays as near the given point: a cross-check's "near" depends on it), and does
    it keep every strict sign of the branch vector with a relative margin of SLACK? Only
    then is the exact correction on ``columns`` tried first."""
    z = np.array([float(v) for v in hint.z])
    R = (z[:, None] * np.array([[float(v) for v in w] for w in hint.w])).ravel()
    delta, ref = _correction(AB, pB, R, columns), _correction(AB, pB, R, reference)
    if delta is None or (ref is not None and np.linalg.norm(delta) > GROWTH * np.linalg.norm(ref)):
        return False
    R = R.copy()
    R[np.array(columns, dtype=np.int64)] += delta
    V = X @ R.reshape(len(z), -1).T  # N x K: x_i . R_j
    S = (2.0 * I - 1.0) * np.sign(z)[None, :]
    live = z != 0
    if not live.any():
        return True
    m = (S * V)[:, live]
    return bool(m.min() > SLACK * np.abs(V[:, live]).max())


def _seconds_left(deadline_ns: int | None) -> float | None:
    if deadline_ns is None:
        return None
    return (deadline_ns - time.monotonic_ns()) / 1e9


def max_margin(
    X: Any, I: Any, AB: Any, pB: Any, sigma: list[str], time_limit: float | None
) -> tuple[float, Any] | None:
    """Module 2: (t*, R as K x d) of the max-margin LP on branch vector sigma, or None."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, csr_matrix, hstack

    N, d = X.shape
    K = len(sigma)
    n = K * d
    rows, cols, vals = [], [], []
    m = 0
    S = 2.0 * I - 1.0  # s_ij
    for j, b in enumerate(sigma):
        if b == "0":
            continue
        sg = 1.0 if b == "+" else -1.0
        # - sg s_ij x_i . R_j + t <= 0
        block = -(sg * S[:, j])[:, None] * X  # N x d
        ii, ll = np.nonzero(block)
        rows.append(ii + m)
        cols.append(ll + j * d)
        vals.append(block[ii, ll])
        m += N
    if m:
        G = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(m, n))
        Aub = hstack([G, np.ones((m, 1))]).tocsr()
    else:
        Aub = None
    Aeq = hstack([csr_matrix(AB), np.zeros((AB.shape[0], 1))]).tocsr()
    bounds: list[tuple[float | None, float | None]] = []
    for b in sigma:
        bounds.extend([(0.0, 0.0)] * d if b == "0" else [(None, None)] * d)
    bounds.append((None, 1.0))
    c = np.zeros(n + 1)
    c[n] = -1.0
    opts: dict[str, Any] = {}
    if time_limit is not None:
        if time_limit <= 0:
            return None
        opts["time_limit"] = time_limit
    res = linprog(
        c,
        A_ub=Aub,
        b_ub=np.zeros(m) if m else None,
        A_eq=Aeq,
        b_eq=pB,
        bounds=bounds,
        method="highs",
        options=opts,
    )
    if res.status != 0 or res.x is None:
        return None
    return float(res.x[n]), np.asarray(res.x[:n]).reshape(K, d)


def _to_exact(R: Any) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(Fraction(float(v)) for v in row) for row in R)


def _worst_neuron(X: Any, I: Any, R: Any, sigma: list[str], tried: set[int]) -> int | None:
    """The neuron with the most violated sign row at R (module 3), among those not tried."""
    S = 2.0 * I - 1.0
    best, worst = None, 0.0
    for j, b in enumerate(sigma):
        if b == "0" or j in tried:
            continue
        sg = 1.0 if b == "+" else -1.0
        v = float(np.min(sg * S[:, j] * (X @ R[j])))
        if v < worst:
            best, worst = j, v
    return best


def propose(task: Task) -> Iterator[Proposal]:
    """The proposals of the module docstring, in order."""
    X, I, p, rows = _arrays(task)
    K = task.pattern.K
    AB = _design(X, I, rows)
    pB = p[rows]
    cols = qr_columns(AB)
    hint = task.hint
    if hint is not None:
        if cols is not None:
            hybrid = peeled_qr_columns(task, AB)
            if hybrid is not None and hybrid != cols and keeps_signs(X, I, AB, pB, hint, hybrid, cols):
                yield Proposal(given_point(hint), hybrid, METHOD_GIVEN)
            yield Proposal(given_point(hint), cols, METHOD_GIVEN)
        sigma = ["+" if v > 0 else "-" if v < 0 else "0" for v in hint.z]
    else:
        R0, *_ = np.linalg.lstsq(AB, pB, rcond=None)
        R0 = R0.reshape(K, -1)
        sigma = ["+" if float(np.sum(I[:, j] * (X @ R0[j]))) >= 0 else "-" for j in range(K)]
    ans = max_margin(X, I, AB, pB, sigma, _seconds_left(task.deadline_ns))
    if ans is None:
        return
    t, R = ans
    if t > 0:
        yield Proposal(_to_exact(R), cols, METHOD_PROPOSED)
        return
    tried: set[int] = set()
    for _ in range(LOCAL_STEPS):
        j = _worst_neuron(X, I, R, sigma, tried)
        if j is None:
            return
        tried.add(j)
        for b in ("-" if sigma[j] == "+" else "+", "0"):
            trial = [*sigma[:j], b, *sigma[j + 1 :]]
            got = max_margin(X, I, AB, pB, trial, _seconds_left(task.deadline_ns))
            if got is None:
                return
            if got[0] > t:
                sigma, (t, R) = trial, got
                break
        if t > 0:
            yield Proposal(_to_exact(R), cols, METHOD_PROPOSED)
            return


def proposer() -> Proposer:
    """The float proposer of this module, for ``analyse_cell(..., propose=...)``."""
    return propose

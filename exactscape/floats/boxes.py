"""Float proposals of general refutations for the box search (:mod:`exactscape.theory.boxes`).

For a refuted branch vector sigma, :func:`propose` looks for Farkas multipliers (m, mu) that
leave as many neurons free as it can (g_j = X^T (I_j o m) = 0): HiGHS solves

    minimise sum_j c_j t_j  subject to  |g_jl| <= t_j,  m . p = 1,
    g_j + sum_i mu_ji s_ji x_i = 0 (sigma_j != 0),  mu >= 0,

a group-sparse (L1 over neurons of the L-infinity norm of g_j) objective, reweighted twice
(c_j = 1 / (t_j + small)) to push more blocks to zero. The answer is only a proposal (the
supports of m and mu, and which neurons it leaves free); the exact side solves it on those
supports and checks every equation before using it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..core.model import Instance, Pattern
from ..theory.boxes import Proposal

ROUNDS = 3  # the first solve and two reweighted ones
MAX_MULTIPLIERS = 5_000  # sign multipliers (N times the neurons on a sign branch) above which none is tried


def _arrays(inst: Instance, pat: Pattern) -> tuple[Any, Any]:
    X = np.array([[float(v) for v in x] for x in inst.xs], dtype=np.float64).reshape(inst.N, inst.d)
    I = np.array(pat.I, dtype=np.float64).reshape(inst.N, pat.K)
    return X, I


def propose(inst: Instance, pat: Pattern, fitted: Sequence[Fraction], sigma: dict[int, str]) -> Proposal | None:
    """A refutation of ``sigma`` with many free neurons (module docstring), or None."""
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    X, I = _arrays(inst, pat)
    N, d = X.shape
    K = I.shape[1]
    p = np.array([float(v) for v in fitted])
    sg = {j: (1.0 if b == "+" else -1.0) for j, b in sigma.items() if b != "0"}
    nz = sorted(sg)
    C = 2 * I - 1
    nm, ng, nt, nmu = N, K * d, K, N * len(nz)
    nv = nm + ng + nt + nmu
    neq = K * d + 1 + len(nz) * d
    if nmu > MAX_MULTIPLIERS:  # one LP would take longer than the searches' budgets allow
        return None
    A = lil_matrix((neq, nv))
    for j in range(K):
        A[j * d : (j + 1) * d, :N] = (X * I[:, j : j + 1]).T
        for l in range(d):
            A[j * d + l, nm + j * d + l] = -1
    A[K * d, :N] = p
    for k, j in enumerate(nz):
        r0 = K * d + 1 + k * d
        for l in range(d):
            A[r0 + l, nm + j * d + l] = 1
        A[r0 : r0 + d, nm + ng + nt + k * N : nm + ng + nt + (k + 1) * N] = (X * (sg[j] * C[:, j : j + 1])).T
    b = np.zeros(neq)
    b[K * d] = 1
    U = lil_matrix((2 * ng, nv))
    for j in range(K):
        for l in range(d):
            U[2 * (j * d + l), nm + j * d + l] = 1
            U[2 * (j * d + l), nm + ng + j] = -1
            U[2 * (j * d + l) + 1, nm + j * d + l] = -1
            U[2 * (j * d + l) + 1, nm + ng + j] = -1
    Ac, Uc = A.tocsr(), U.tocsr()
    bounds = [(None, None)] * (nm + ng) + [(0, None)] * (nt + nmu)
    weights = np.ones(K)
    x = None
    for _ in range(ROUNDS):
        c = np.concatenate([np.zeros(nm + ng), weights, np.zeros(nmu)])
        res = linprog(c, A_ub=Uc, b_ub=np.zeros(2 * ng), A_eq=Ac, b_eq=b, bounds=bounds, method="highs")
        if res.status != 0:
            break
        x = res.x
        t = x[nm + ng : nm + ng + nt]
        weights = 1.0 / (t + 1e-3 * max(float(t.max()), 1e-12))
    if x is None:
        return None
    m = x[:N]
    g = x[nm : nm + ng].reshape(K, d)
    size = np.abs(g).max(axis=1)
    big = max(float(size.max()), 1e-300)
    free = tuple(int(j) for j in range(K) if size[j] < 1e-7 * big)
    mscale = max(float(np.abs(m).max()), 1e-300)
    samples = tuple(int(i) for i in range(N) if abs(m[i]) > 1e-9 * mscale)
    rows = []
    for k, j in enumerate(nz):
        if j in free:
            continue
        mu = x[nm + ng + nt + k * N : nm + ng + nt + (k + 1) * N]
        top = max(float(mu.max()), 1e-300)
        rows.append((j, tuple(int(i) for i in range(N) if mu[i] > 1e-9 * top)))
    return Proposal(samples, free, tuple(rows))

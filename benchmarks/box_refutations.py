"""Benchmark: how local are the refutations of Table III's cells (Gaussian N = 400, d0 = 10,
K = 50) at biases 3, 0 and -3?

Run from the repository root: ``python benchmarks/box_refutations.py [--trials T]``.
Writes benchmarks/results/box-refutations.json and .md. Floats only (HiGHS through scipy):
this measures, it certifies nothing.

A Farkas leaf (m, mu) leaves neuron j free iff g_j = X^T (I_j o m) = 0; every other neuron
must be split on the path to the leaf, so a branch tree whose leaves leave at most F of the
K neurons free has at least 3^(K - F) leaves (docs/theory.md section 2). Per trial (the
table's cell of trial t at the bias):

* ``sigma``: a branch vector that every single sample allows (the DPLL of the box search
  over the sample boxes), the branch vectors the box search has to refute by LPs;
* ``t_star``: the float max-t LP of that branch vector (max t with every sign row >= t, the
  fit rows A R = p, t <= 1): t* <= 0 means the branch vector is refuted;
* ``support`` and ``free``: the refutation of that branch vector with the least L1 norm of
  m (min ||m||_1 with m . p = 1 and the leaf's equations, mu >= 0), its number of samples
  and of free neurons (|g_j|_inf below 1e-7 of the largest).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactscape.experiments import tables  # noqa: E402
from exactscape.experiments.data import sample_weights  # noqa: E402
from exactscape.theory import boxes  # noqa: E402
from exactscape.theory.genuine import Budget  # noqa: E402

OUT = ROOT / "benchmarks" / "results"


def sample_sigma(I: Any, p: Any) -> np.ndarray | None:
    """A branch vector outside every sample box (boxes.py's DPLL), as +1/-1/0."""
    N, K = I.shape
    S = boxes._Search.__new__(boxes._Search)
    S.K, S.boxes, S.budget = K, [], Budget()
    S.vote = [int(np.sign(sum(np.sign(p[i]) for i in range(N) if I[i, j]))) for j in range(K)]
    for i in range(N):
        if p[i] == 0:
            continue
        b = "-" if p[i] > 0 else "+"
        act = [j for j in range(K) if I[i, j]]
        S.boxes.append(boxes.Box((), Fraction(1), tuple((j, frozenset(("0", b))) for j in act), ()))
    found = S.sat({j: frozenset(boxes.BRANCHES) for j in range(K)})
    if found is None:
        return None
    return np.array([{"+": 1, "-": -1, "0": 0}[found[j]] for j in range(K)])


def max_t(X: Any, I: Any, p: Any, sig: Any) -> float:
    N, d = X.shape
    C = 2 * I - 1
    nz = [j for j in range(I.shape[1]) if sig[j]]
    nv = len(nz) * d + 1
    Aeq = np.zeros((N, nv))
    G = np.zeros((N * len(nz), nv))
    for k, j in enumerate(nz):
        Aeq[:, k * d : (k + 1) * d] = I[:, j : j + 1] * X
        G[k * N : (k + 1) * N, k * d : (k + 1) * d] = -(sig[j] * C[:, j : j + 1]) * X
    G[:, -1] = 1
    c = np.zeros(nv)
    c[-1] = -1
    res = linprog(c, A_ub=G, b_ub=np.zeros(len(G)), A_eq=Aeq, b_eq=p, bounds=[(None, None)] * (nv - 1) + [(None, 1)])
    return float(-res.fun) if res.status == 0 else float("nan")


def sparsest(X: Any, I: Any, p: Any, sig: Any) -> tuple[int, int]:
    """(support of m, free neurons) of the least-L1 refutation of ``sig``."""
    N, d = X.shape
    K = I.shape[1]
    C = 2 * I - 1
    nz = [j for j in range(K) if sig[j]]
    nv = 2 * N + N * len(nz)
    A = lil_matrix((len(nz) * d + 1, nv))
    for k, j in enumerate(nz):
        B = (X * I[:, j : j + 1]).T
        A[k * d : (k + 1) * d, :N] = B
        A[k * d : (k + 1) * d, N : 2 * N] = -B
        A[k * d : (k + 1) * d, 2 * N + k * N : 2 * N + (k + 1) * N] = (X * (sig[j] * C[:, j : j + 1])).T
    A[len(nz) * d, :N] = p
    A[len(nz) * d, N : 2 * N] = -p
    b = np.zeros(len(nz) * d + 1)
    b[-1] = 1
    c = np.concatenate([np.ones(2 * N), np.zeros(N * len(nz))])
    res = linprog(c, A_eq=A.tocsr(), b_eq=b, bounds=[(0, None)] * nv, method="highs")
    if res.status != 0:
        return -1, -1
    m = res.x[:N] - res.x[N : 2 * N]
    support = int(np.sum(np.abs(m) > 1e-9 * np.abs(m).max()))
    g = np.array([(I[:, j] * m) @ X for j in range(K)])
    nrm = np.abs(g).max(axis=1)
    return support, int(np.sum(nrm < 1e-7 * nrm.max()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=3)
    args = ap.parse_args()
    st = tables.settings_for("III")
    ds = tables.dataset(st.data, st.N, st.d0, st.seed)
    X = ds.X
    rows: list[dict[str, Any]] = []
    for loc in (3.0, 0.0, -3.0):
        for t in range(args.trials):
            _, _, w = sample_weights(st.K, ds.instance.d0, loc, tables.trial_rng(st.seed, loc, t))
            I = (X @ w.T > 0).astype(np.int64)
            p = np.where(I.any(axis=1), ds.y, 0.0)
            t0 = time.perf_counter()
            sig = sample_sigma(I, p)
            if sig is None:
                rows.append({"bias": loc, "trial": t, "sigma": None})
                continue
            ts = max_t(X, I, p, sig)
            support, free = sparsest(X, I, p, sig)
            rows.append(
                {
                    "bias": loc,
                    "trial": t,
                    "sigma": "".join("+" if v > 0 else "-" if v < 0 else "0" for v in sig),
                    "t_star": round(ts, 4),
                    "support": support,
                    "free": free,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
            print(rows[-1], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "box-refutations.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = [
        "# Table III cells: how local are their refutations? (`python benchmarks/box_refutations.py"
        f" --trials {args.trials}`)",
        "",
        "sigma: a branch vector every single sample allows; t*: its float max-t LP (<= 0: refuted);"
        " support / free: samples and free neurons (of K = 50) of its least-L1 refutation.",
        "",
        "| bias | trial | t* | support | free | s |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["sigma"] is None:
            lines.append(f"| {r['bias']:g} | {r['trial']} | refuted by single samples | - | - | - |")
        else:
            lines.append(
                f"| {r['bias']:g} | {r['trial']} | {r['t_star']} | {r['support']} | {r['free']} | {r['seconds']} |"
            )
    (OUT / "box-refutations.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Probe (floats, certifies nothing): would a separable quadratic form refute Table III's cells?

Run from the repository root: ``python benchmarks/quadratic_probe.py [--rays R]``. Writes
benchmarks/results/quadratic-probe.json and .md.

For each neuron j, an axis a_j of its open cone C_j (the direction of the largest inscribed
ball, one LP) and c_j = the least cos^2 of the angle between a_j and the rays of C_j found by
R LPs in random directions (a sample of the rays, so c_j is an upper estimate of the true
least cos^2). Then q_j(r) = (a_j . r)^2 - c_j ||r||^2 is >= 0 on the sampled cone (and on
-C_j, and at 0), so q(R) = sum_j q_j(R_j) >= 0 on every genuine point of every branch vector.
If q < 0 on the whole minimiser set {A R = p}, no branch vector is genuine: the probe reports
the largest eigenvalue of q on the null space of A (negative: q is bounded above there) and
the maximum of q over the minimiser set. A certificate would have to prove the cone
containment and the negativity exactly; this only shows whether the idea has room.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linprog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactscape.experiments import tables  # noqa: E402
from exactscape.experiments.data import sample_weights  # noqa: E402

OUT = ROOT / "benchmarks" / "results"
CELLS = ((0.0, 0), (0.0, 1), (3.0, 0), (-3.0, 0))


def probe(X: Any, I: Any, p: Any, rays: int, rng: Any) -> dict[str, Any]:
    N, d = X.shape
    K = I.shape[1]
    C = 2 * I - 1
    axes, cos2 = [], []
    for j in range(K):
        Cj = C[:, j : j + 1] * X
        Cn = Cj / np.linalg.norm(Cj, axis=1, keepdims=True)
        res = linprog(
            np.r_[np.zeros(d), -1.0],
            A_ub=np.c_[-Cn, np.ones(N)],
            b_ub=np.zeros(N),
            bounds=[(-1, 1)] * d + [(None, None)],
            method="highs",
        )
        a = res.x[:d] / np.linalg.norm(res.x[:d])
        P = np.eye(d) - np.outer(a, a)
        worst = 1.0
        for _ in range(rays):
            u = P @ rng.normal(size=d)
            r = linprog(-u, A_ub=-Cj, b_ub=np.zeros(N), A_eq=a[None, :], b_eq=[1.0], bounds=[(None, None)] * d)
            if r.status == 0:
                v = r.x
                worst = min(worst, float((a @ v) ** 2 / (v @ v)))
        axes.append(a)
        cos2.append(worst)
    A = np.hstack([I[:, j : j + 1] * X for j in range(K)])
    _, S, Vt = np.linalg.svd(A)
    rank = int(np.sum(S > 1e-9 * S[0]))
    Nb = Vt[rank:].T
    R0 = np.linalg.lstsq(A, p, rcond=None)[0]
    Q = np.zeros((K * d, K * d))
    for j in range(K):
        Q[j * d : (j + 1) * d, j * d : (j + 1) * d] = np.outer(axes[j], axes[j]) - cos2[j] * np.eye(d)
    H = Nb.T @ Q @ Nb
    ev = np.linalg.eigvalsh(H)
    qmax = None  # q is unbounded above on the minimiser set when eig_max >= 0
    if ev.max() < 0:
        b = Nb.T @ Q @ R0
        qmax = float(R0 @ Q @ R0 - b @ np.linalg.solve(H, b))
    return {
        "cos2_min": round(min(cos2), 4),
        "cos2_median": round(float(np.median(cos2)), 4),
        "null_dim": int(Nb.shape[1]),
        "eig_max": round(float(ev.max()), 4),
        "q_max": None if qmax is None else round(qmax, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rays", type=int, default=40)
    args = ap.parse_args()
    st = tables.settings_for("III")
    ds = tables.dataset(st.data, st.N, st.d0, st.seed)
    rows = []
    for loc, t in CELLS:
        _, _, w = sample_weights(st.K, ds.instance.d0, loc, tables.trial_rng(st.seed, loc, t))
        I = (ds.X @ w.T > 0).astype(np.float64)
        p = np.where(I.any(axis=1), ds.y, 0.0)
        t0 = time.perf_counter()
        row: dict[str, Any] = {"bias": loc, "trial": t}
        row.update(probe(ds.X, I, p, args.rays, np.random.default_rng(0)))
        row["seconds"] = round(time.perf_counter() - t0, 1)
        rows.append(row)
        print(row, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "quadratic-probe.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = [
        f"# Quadratic probe on Table III cells (`python benchmarks/quadratic_probe.py --rays {args.rays}`)",
        "",
        "q(R) = sum_j (a_j . R_j)^2 - c_j ||R_j||^2 (c_j from sampled rays of C_j): eig_max < 0 and"
        " q_max < 0 mean q is negative on the whole minimiser set (floats; not a certificate).",
        "",
        "| bias | trial | cos2 min | cos2 median | null dim | eig max | q max | s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['bias']:g} | {r['trial']} | {r['cos2_min']} | {r['cos2_median']} | {r['null_dim']} |"
            f" {r['eig_max']} | {'unbounded' if r['q_max'] is None else r['q_max']} | {r['seconds']} |"
        )
    (OUT / "quadratic-probe.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

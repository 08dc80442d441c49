"""Benchmark: one exact cell decision at Part 2's sizes against one float LP on the same cell.

Run from the repository root: ``python benchmarks/scale.py [--quick] [--cases NAME,...]``.
Writes benchmarks/results/scale.json and scale.md. Nothing is asserted: performance is
measured (each case in its own process, for its peak memory), never tested.

Per case (one cell: data as Part 2 describes them, weights drawn at a bias, the cell they
lie in):

* ``exact``: ``exactscape.api.cell`` (verdict, certificate built) + writing the certificate
  file + replaying it with the independent checker (``check_s`` of it), in one process
  after the imports (scipy included) are loaded;
* ``float_lp``: one HiGHS max-t LP for the single branch vector (+, ..., +) on the same
  cell, the fitted values from ``numpy.linalg.lstsq`` (timed apart as ``lstsq_s``);
* ``ratio`` = exact / float_lp; nodes, method, verdict, certificate size, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name: (data, N, d0, K, bias)
CASES: dict[str, tuple[str, int, int, int, float]] = {}
for _b in (20.0, 3.0, 0.0, -3.0, -20.0):
    CASES[f"I-bias{_b:g}"] = ("gaussian", 2000, 3, 10, _b)
for _b in (20.0, 3.0, 0.0, -3.0, -20.0):
    CASES[f"II-bias{_b:g}"] = ("gaussian", 2000, 3, 20, _b)
for _b in (20.0, 3.0, 0.0, -3.0, -50.0):
    CASES[f"IV-mnist-bias{_b:g}"] = ("mnist", 200, 784, 10, _b)
for _b in (20.0, 0.0):
    CASES[f"III-bias{_b:g}"] = ("gaussian", 400, 10, 50, _b)
QUICK = ("I-bias20", "I-bias0", "II-bias3", "IV-mnist-bias20")


def run_case(name: str, budget: float) -> dict[str, Any]:
    """One case, in this process (called in a child by main)."""
    import numpy as np
    import scipy.optimize  # noqa: F401  (loaded before timing, as for the float LP)

    from exactscape import api
    from exactscape.checker import check_certificate
    from exactscape.core.model import pattern_of
    from exactscape.experiments.data import digits, gaussian, sample_weights
    from exactscape.floats.lp import FloatSearch, instance_arrays
    from exactscape.io import certify

    data, N, d0, K, bias = CASES[name]
    rng = np.random.default_rng(0)
    ds = gaussian(N, d0, rng) if data == "gaussian" else digits(data, N // 2)
    wts, _, _ = sample_weights(K, ds.instance.d0, bias, rng)
    inst = ds.instance
    pat, on = pattern_of(inst, wts)
    if on:
        return {"case": name, "skipped": "the sampled weights lie on a cell boundary"}
    t0 = time.perf_counter()
    res = api.cell(inst, weights=wts, verify=False, budget=budget)
    t_decide = time.perf_counter() - t0
    size = 0
    t_check = 0.0
    verified = None
    if res.certificate:  # an undecided cell has none: nothing to write or replay
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "cell.cert.json"
            t1 = time.perf_counter()
            certify.write(res.certificate, path)
            t_write = time.perf_counter() - t1
            size = path.stat().st_size
            t2 = time.perf_counter()
            verified = check_certificate(json.loads(path.read_text())).verified
            t_check = time.perf_counter() - t2
    else:
        t_write = 0.0
    exact = t_decide + t_write + t_check
    # the float side: fitted values by lstsq, then one max-t LP for (+, ..., +)
    X, y = instance_arrays(inst)
    I = np.array(pat.I, dtype=np.int64)
    A = np.hstack([I[:, j : j + 1] * X for j in range(K)])
    t3 = time.perf_counter()
    R, *_ = np.linalg.lstsq(A, y, rcond=None)
    p = A @ R
    t_lstsq = time.perf_counter() - t3
    s = FloatSearch(X, I, p, 0.0)
    t4 = time.perf_counter()
    verdict_lp, _, t_star = s.lp({j: "+" for j in range(K)})
    t_lp = time.perf_counter() - t4
    summ = res.summary
    verdict = (
        "infeasible"
        if not summ["feasible"]
        else "undecided"
        if summ.get("undecided")
        else ("genuine" if summ["genuine"] else "not-genuine")
    )
    return {
        "case": name,
        "data": data,
        "N": N,
        "d": inst.d,
        "K": K,
        "bias": bias,
        "verdict": verdict,
        "branches": summ.get("branches"),
        "method": summ.get("method"),
        "rank": summ.get("rank"),
        "dimension": summ.get("dimension"),
        "nodes": summ.get("lp_nodes"),
        "decide_s": round(t_decide, 3),
        "write_s": round(t_write, 3),
        "check_s": round(t_check, 3),
        "verified": verified,
        "exact_s": round(exact, 3),
        "certificate_bytes": size,
        "lstsq_s": round(t_lstsq, 3),
        "float_lp_s": round(t_lp, 3),
        "float_lp_verdict": f"{verdict_lp} (t* = {t_star:.3g})",
        "ratio": round(exact / t_lp, 2) if t_lp > 0 else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| case | N | d | K | verdict | method | nodes | exact s (decide + write + check) | check s "
        "| cert MB | float LP s | ratio | peak MB |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        if "skipped" in r or "error" in r:
            lines.append(f"| {r['case']} | | | | {r.get('skipped') or r.get('error')} | | | | | | | | |")
            continue
        lines.append(
            f"| {r['case']} | {r['N']} | {r['d']} | {r['K']} | {r['verdict']} | {r['method']} | {r['nodes']} "
            f"| {r['exact_s']} ({r['decide_s']} + {r['write_s']} + {r['check_s']}) | {r['check_s']} "
            f"| {r['certificate_bytes'] / 1e6:.2f} | {r['float_lp_s']} | {r['ratio']} | {r['peak_rss_mb']} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    ap.add_argument("--cases", default=None, help="comma-separated case names")
    ap.add_argument("--budget", type=float, default=60.0, help="genuineness budget per cell (seconds)")
    ap.add_argument("--timeout", type=float, default=900.0, help="hard limit per case process (seconds)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, args.budget)))
        return 0
    names = args.cases.split(",") if args.cases else list(QUICK if args.quick else CASES)
    rows = []
    for name in names:
        cmd = [sys.executable, __file__, "--child", name, "--budget", str(args.budget)]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=False)
            if out.returncode != 0:
                row: dict[str, Any] = {"case": name, "error": (out.stderr.strip().splitlines() or ["?"])[-1][:200]}
            else:
                row = json.loads(out.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            row = {"case": name, "error": f"no answer within the {args.timeout:g} s process limit"}
        print(json.dumps(row), flush=True)
        rows.append(row)
    res_dir = ROOT / "benchmarks" / "results"
    res_dir.mkdir(parents=True, exist_ok=True)
    doc = {
        "machine": f"{platform.machine()}, {platform.python_version()}, 2 cores",
        "date": time.strftime("%Y-%m-%d"),
        "budget_s": args.budget,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
    }
    from exactscape.io import outputs

    def ours(p: Path) -> bool:
        return True  # results files of this script are regenerated in place

    stem = "scale-quick" if args.quick else "scale"
    outputs.write_text(res_dir / f"{stem}.json", json.dumps(doc, indent=1) + "\n", may_replace=ours)
    outputs.write_text(res_dir / f"{stem}.md", markdown(rows), may_replace=ours)
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

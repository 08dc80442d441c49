"""Benchmark: cells of trained networks, decided exactly, against one float LP on the same cell.

Run from the repository root, after ``python benchmarks/train.py`` (which writes the
networks to benchmarks/data/): ``python benchmarks/trained.py [--nets NAME,...]``.
Writes benchmarks/results/trained.json and trained.md. Nothing is asserted: performance is
measured (each network in its own process, for its peak memory), never tested.

Per network (data, N, d, K, how trained and the final float loss, from the .npz):

* ``decide``: the exact decision of the trained point's cell,
  ``analyse_cell(hint=trained weights, propose=float proposer, budget)``: verdict and method;
* ``cell cert``: writing the cell certificate and replaying it with the independent checker
  (its size and ``check`` time);
* ``crosscheck``: the whole ``exactscape crosscheck`` computation (verdict, the point
  certificate written and replayed; the cell decided again inside it), in one process after
  the imports;
* ``float LP``: one HiGHS max-margin LP on the trained branch vector (sigma_j = sign z_j;
  maximise t with every strict sign row >= t, A_B R = p_B), under a time limit;
* ``ratio`` = decide / float LP; peak RSS of the process.
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
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from train import NETS  # noqa: E402

# targets: the exact decision within about one float LP's time on the same cell ("lp"), or the
# whole crosscheck with the cell certificate replayed within so many seconds
TARGETS: dict[str, str | float] = {
    "digits-N500-K32": "lp",
    "gaussian-N400-d10-K50": "lp",
    "digits-all-K8": 60.0,
    "digits-all-K32": 60.0,
    "mnist-all-K16": 300.0,
}


def target_note(r: dict[str, Any]) -> str:
    """The target of a row and whether it was met (by how much it was missed)."""
    t = TARGETS.get(r["net"])
    if t is None or "error" in r or "decide_s" not in r:
        return "-"
    if t == "lp":
        lp, dec = r.get("float_lp_s"), r["decide_s"]
        if not lp:
            return "decide <= float LP: no LP time"
        return f"decide <= float LP: {'met' if dec <= 1.2 * lp else f'missed by {dec - lp:.1f} s'}"
    total = r.get("crosscheck_s", 0) + r.get("check_s", 0)
    verdict_ok = r["verdict"] != "undecided"
    cpu_total = r.get("crosscheck_cpu_s", 0) + r.get("check_cpu_s", 0)
    cpu_text = f"; CPU {cpu_total:.0f} s" if "crosscheck_cpu_s" in r else ""
    if total <= float(t) and verdict_ok:
        return f"<= {t:g} s: met ({total:.0f} s{cpu_text})"
    why = "" if verdict_ok else ", undecided"
    return f"<= {t:g} s: missed by {total - float(t):.0f} s{why}{cpu_text}"


def cpu() -> float:
    """CPU seconds of this process and of its reaped children (the forked exact LPs of
    :mod:`exactscape.deadline`): on a shared machine the wall clock also counts other jobs."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_net(name: str, budget: float, lp_limit: float) -> dict[str, Any]:
    """One network, in this process (called in a child by main)."""
    import numpy as np
    import scipy.optimize  # noqa: F401  (loaded before timing)

    from exactscape.checker import check_certificate
    from exactscape.core.model import pattern_of
    from exactscape.deciders import decider
    from exactscape.floats.weights import load_float_weights
    from exactscape.floats.witness import _arrays, _design, max_margin, proposer
    from exactscape.io import certify
    from exactscape.io.instances import load_instance
    from exactscape.landscape.crosscheck import crosscheck
    from exactscape.theory.minima import analyse_cell
    from exactscape.theory.witness import Task

    path = ROOT / "benchmarks" / "data" / f"{name}.npz"
    net = NETS[name]
    raw = np.load(path)
    inst = load_instance(path)
    wts = load_float_weights(path).weights
    row: dict[str, Any] = {
        "net": name,
        "data": net.data,
        "N": inst.N,
        "d": inst.d,
        "K": wts.K,
        "trained": f"full-batch Adam, float64, {int(raw['steps'])} steps, lr {float(raw['lr']):g}, seed {int(raw['seed'])}",
        "float_loss": float(raw["loss"]),
    }
    pat, on = pattern_of(inst, wts)
    if on:
        row["verdict"] = "not-covered (a trained weight lies on a sample hyperplane)"
        return row
    row["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    t0, c0 = time.perf_counter(), cpu()
    a = analyse_cell(inst, pat, hint=wts, decide=decider("auto"), propose=proposer(), budget=Fraction(budget))
    row["decide_s"] = round(time.perf_counter() - t0, 2)
    row["decide_cpu_s"] = round(cpu() - c0, 2)
    row["rank"] = a.rank if a.ms is not None or a.lsq is not None else None
    row["method"] = a.method
    row["verdict"] = (
        "infeasible"
        if not a.feasibility.feasible
        else "undecided"
        if a.undecided
        else "genuine"
        if a.genuine is not None
        else "not-genuine"
    )
    if not a.undecided:
        cert = certify.cell_certificate(a)
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "cell.cert.json"
            t1 = time.perf_counter()
            certify.write(cert, p)
            row["write_s"] = round(time.perf_counter() - t1, 2)
            row["certificate_bytes"] = p.stat().st_size
            row["certificate_version"] = cert["version"]
            t2, c2 = time.perf_counter(), cpu()
            row["verified"] = check_certificate(json.loads(p.read_text())).verified
            row["check_s"] = round(time.perf_counter() - t2, 2)
            row["check_cpu_s"] = round(cpu() - c2, 2)
    # the whole crosscheck: verdict, point certificate written and replayed
    t3, c3 = time.perf_counter(), cpu()
    cc = crosscheck(inst, wts, decide=decider("auto"), propose=proposer(), budget=Fraction(budget))
    point = cc.snap.verdict if cc.snap is not None and cc.verdict.startswith("near-") else cc.point
    pcert = certify.point_certificate(point)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "point.cert.json"
        certify.write(pcert, p)
        ok = check_certificate(json.loads(p.read_text())).verified
    row["crosscheck_s"] = round(time.perf_counter() - t3, 2)
    row["crosscheck_cpu_s"] = round(cpu() - c3, 2)
    row["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    row["crosscheck_verdict"] = cc.verdict + ("" if ok else " (point certificate REJECTED)")
    # one float LP on the trained branch vector
    task = Task(inst, pat, tuple(a.fitted()), tuple(a.ms.evidence.basis) if a.ms else tuple(range(inst.N)), wts, None)
    X, I, pf, rows = _arrays(task)
    AB = _design(X, I, rows)
    sigma = ["+" if v > 0 else "-" if v < 0 else "0" for v in wts.z]
    t4 = time.perf_counter()
    ans = max_margin(X, I, AB, pf[rows], sigma, lp_limit)
    row["float_lp_s"] = round(time.perf_counter() - t4, 2)
    row["float_lp"] = "no answer (time limit or status)" if ans is None else f"t* = {ans[0]:.3g}"
    row["ratio"] = round(row["decide_s"] / row["float_lp_s"], 2) if row["float_lp_s"] > 0 else None
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return row


def markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| network | N | d | K | trained | float loss | verdict | method | decide s | float LP s | ratio "
        "| cell cert MB | check s | crosscheck s (verdict) | target | peak MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []

    def cpu_of(r: dict[str, Any], key: str) -> str:
        return f" ({r[key]} CPU)" if key in r else ""

    for r in rows:
        if "error" in r:
            lines.append(f"| {r['net']} | | | | | | {r['error']} | | | | | | | | | |")
            continue
        size = f"{r['certificate_bytes'] / 1e6:.2f}" if "certificate_bytes" in r else "-"
        lines.append(
            f"| {r['net']} | {r['N']} | {r['d']} | {r['K']} | {r['trained']} | {r['float_loss']:.2g} "
            f"| {r['verdict']} | {r.get('method', '')} | {r.get('decide_s', '')}{cpu_of(r, 'decide_cpu_s')} "
            f"| {r.get('float_lp_s', '')} ({r.get('float_lp', '')}) | {r.get('ratio', '')} | {size} "
            f"| {r.get('check_s', '-')}{cpu_of(r, 'check_cpu_s')} "
            f"| {r.get('crosscheck_s', '')}{cpu_of(r, 'crosscheck_cpu_s')} ({r.get('crosscheck_verdict', '')}) "
            f"| {target_note(r)} | {r.get('peak_rss_mb', '')} |"
        )
    return head + "\n".join(lines) + "\n" + NOTES


NOTES = """
Reading it. "decide" is the exact decision of the trained point's cell from its weights
(verdict and method); "float LP" one HiGHS max-margin LP on the trained branch vector on the
same cell; "check" the independent checker replaying the cell certificate; "crosscheck" the
whole `exactscape crosscheck` computation with its point certificate written and replayed
(the cell is decided again inside it). Wall-clock seconds on a 2-core machine shared with
other jobs (the load average at the start and the end of each network is in
trained.json); "CPU" is the process's CPU time with its forked LP children.

- The two wide cells with dependent samples (digits N = 500, Gaussian N = 400), which no
  search decides, are certified genuine from the trained weights (method given-point: the
  trained R corrected exactly onto the minimiser set on r columns chosen by a float QR).
- digits-all-K8 (rank A = 399 < Kd = 520: pixels zero on every image where a neuron is
  active) and digits-all-K32 (rank A = 1,426 < N = 1,797 < Kd = 2,080; a minimiser set of
  dimension 654) are both decided not genuine without any LP (method constant-samples):
  on the minimiser set some sample's value x_i . R_j and some coordinate R_jl of one neuron
  are the same on every minimiser (zero rows of Z Nb_j and of Nb), with the wrong sign for
  branch + on one sample, for - on another, and R_jl != 0 for branch 0; the tree splits
  that neuron into three one-row leaves. The leaves' fit multipliers are implied by the
  null space (format 1.4): an r x r solve's multipliers had about 1,300 digits each at
  K = 8 (the former 5.8 MB certificate) and grow with the rank. The minimiser set comes from the echelon form modulo a prime
  (null vectors lifted, or solved exactly on their own support when the lift fails: 7
  columns at K = 32) and one r x r solve of the normal equations on the pivot columns
  (its solution R0 has 1,219 / 3,584-digit denominators: the exact loss claimed has them
  too, so the certificate must carry numbers of that length; the rest of it is short).
- Where the time goes at K = 32 (CPU seconds): the minimiser set about 22 of the 24 of
  "decide" (the r x r solve of the normal equations 10, the echelon forms modulo a prime,
  the exact null-vector checks and the products the rest), the constant-sample refutation
  under a second; the checker 12 (reading the 27 MB certificate, 10 MB of it R0 and 7 MB
  the null-space basis written as dense K x d blocks; the elimination of the 1,426 x 1,426
  minor modulo a small prime in CPython 6 to 8). Both targets are met (K = 8: 13 s of wall clock
  at a load average near 3, 7 CPU s; K = 32: 54 s of wall clock at a load average near 6,
  41 CPU s for crosscheck and replay). The cell is decided twice in a row (once by
  "decide", again inside "crosscheck"): each row of the table runs both. The peak memory
  of the K = 32 row (1.1 GB) is the float LP's; the exact steps stayed under 0.5 GB.
- The float LP on digits-all-K32 (2,081 columns, 57,504 sign rows, 1,426 fit rows) took
  about 200 s (t* = -140 on the trained branch vector).
- mnist-all-K16 was not run to the end in this session: its training (4,000 Adam steps on
  5,000 x 785) got about 5 % of a core on the shared machine. What it would need: A has
  N = 5,000 independent rows (Kd = 12,560), so a witness needs an exact correction on a
  5,000 x 5,000 minor. At r = 500 on 8 x 8 digits (pixels 0..16) the correction's
  denominators had 510 to 650 digits; with MNIST's pixels 0..255 they would have well over
  10,000 digits in each of 5,000 coordinates, beyond the 64 MiB certificate limit, and the
  checker's elimination modulo p of the 5,000 x 5,000 minor would take over 1,000 times the
  1 s it takes at r = 500. A certificate for such cells needs a sparser witness (a triangular
  minor), which is not built yet.
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nets", default=None, help="comma-separated names (default: all of benchmarks/train.py)")
    ap.add_argument("--budget", type=float, default=300.0, help="exact decision budget per cell (seconds)")
    ap.add_argument("--lp-limit", type=float, default=300.0, help="HiGHS time limit of the float LP (seconds)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="hard limit per network process (seconds)")
    ap.add_argument("--merge", action="store_true", help="keep the rows of other networks from the results file")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_net(args.child, args.budget, args.lp_limit)))
        return 0
    names = args.nets.split(",") if args.nets else list(NETS)
    res_dir = ROOT / "benchmarks" / "results"
    kept: dict[str, dict[str, Any]] = {}
    if args.merge and (res_dir / "trained.json").exists():
        kept = {r["net"]: r for r in json.loads((res_dir / "trained.json").read_text())["rows"]}
    rows = []
    for name in names:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            name,
            "--budget",
            str(args.budget),
            "--lp-limit",
            str(args.lp_limit),
        ]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=False)
            if out.returncode != 0:
                row: dict[str, Any] = {"net": name, "error": (out.stderr.strip().splitlines() or ["?"])[-1][:200]}
            else:
                row = json.loads(out.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            row = {"net": name, "error": f"no answer within the {args.timeout:g} s process limit"}
        print(json.dumps(row), flush=True)
        rows.append(row)
        kept.pop(name, None)
    order = list(NETS)
    rows = sorted([*rows, *kept.values()], key=lambda r: order.index(r["net"]) if r["net"] in order else len(order))
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

    outputs.write_text(res_dir / "trained.json", json.dumps(doc, indent=1) + "\n", may_replace=ours)
    outputs.write_text(res_dir / "trained.md", markdown(rows), may_replace=ours)
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

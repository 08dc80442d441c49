"""Benchmarks: ratios against a baseline measured in the same run.

Run from the repository root: ``python benchmarks/run.py [--quick]``. Results
are written to benchmarks/results/latest.json (and printed). Nothing here is
asserted: performance is measured, not tested.

Cases:
1. rank factorisation of a wide design matrix A (N x Kd, N << Kd): the Gram
   path (N x N echelon form of A A^T) against flint's direct rank of A.
2. one cell's full analysis (minimisers + genuineness with certificate) on
   Gaussian data at Part 2 Table I shape (d0 = 3, K = 10) for growing N.
3. the exact open-polyhedron decision with PPL (default backend) against
   cdd.gmp on the same branch nodes.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactscape import api  # noqa: E402
from exactscape.core import linalg  # noqa: E402
from exactscape.core.design import design_matrix  # noqa: E402
from exactscape.core.model import Instance, Weights, pattern_of  # noqa: E402
from exactscape.io import outputs  # noqa: E402


def BENCHMARK_RESULTS(path: Path) -> bool:  # noqa: N802 - used like the outputs.* constants
    """``may_replace`` for an earlier results file of these benchmarks: a JSON
    object whose first field is "machine" (read from a bounded prefix)."""
    data = outputs.read_prefix(path)
    try:
        fields = outputs.top_fields(data or b"")
    except UnicodeDecodeError:
        return False
    return next(iter(fields), None) == "machine"


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def gaussian_instance(N: int, d0: int, seed: int) -> Instance:
    """Part 2's Gaussian data, rounded to 1/64 (a stated rounding) to keep entries small."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(N):
        lab = 1 if i % 2 == 0 else -1
        X.append(tuple(Fraction(round((rng.gauss(lab if c == 0 else 0, 1)) * 64), 64) for c in range(d0)))
        y.append(Fraction(lab))
    return Instance(X=tuple(X), y=tuple(y), bias=True)


def random_weights(inst: Instance, K: int, seed: int) -> Weights:
    rng = random.Random(seed)
    while True:
        w = tuple(tuple(Fraction(rng.randint(-64, 64), 16) for _ in range(inst.d)) for _ in range(K))
        wts = Weights(tuple(Fraction(1) for _ in range(K)), w)
        if not pattern_of(inst, wts)[1]:
            return wts


def bench_rank(quick: bool) -> list[dict[str, Any]]:
    out = []
    rng = random.Random(1)
    for N, n in [(40, 800)] if quick else [(40, 800), (100, 2000), (200, 4000)]:
        rows = [[Fraction(rng.choice([0, 0, 0, rng.randint(0, 255)])) for _ in range(n)] for _ in range(N)]
        A = linalg.matrix(rows)
        t_gram = timed(lambda: linalg.rank_factorisation(A), 1)
        t_direct = timed(lambda: A.rank(), 1)
        out.append({"case": f"rank {N}x{n}", "gram_s": t_gram, "direct_rank_s": t_direct, "ratio": t_direct / t_gram})
    return out


def bench_cells(quick: bool) -> list[dict[str, Any]]:
    out = []
    for N in [40] if quick else [20, 40, 80, 160]:
        inst = gaussian_instance(N, 3, seed=N)
        wts = random_weights(inst, 10, seed=N)
        t = time.perf_counter()
        res = api.cell(inst, weights=wts)
        dt = time.perf_counter() - t
        s = res.summary
        out.append(
            {
                "case": f"cell N={N} d0=3 K=10",
                "seconds": dt,
                "genuine": s["genuine"],
                "kind": s["kind"],
                "lp_nodes": s["lp_nodes"],
            }
        )
    return out


def bench_lp(quick: bool) -> list[dict[str, Any]]:
    """The same open-polyhedron decisions (one cell's branch nodes) with both exact backends."""
    from exactscape.core.polyhedra import decide
    from exactscape.theory.minima import CellSearch, cell_feasibility

    out = []
    for N, K in [(12, 4)] if quick else [(12, 4), (20, 6), (40, 10)]:
        inst = gaussian_instance(N, 3, seed=100 + N)
        wts = random_weights(inst, K, seed=N)
        pat, _ = pattern_of(inst, wts)
        lsq = linalg.least_squares(design_matrix(inst, pat), inst.y)
        search = CellSearch(inst, pat, lsq.fitted, cell_feasibility(inst, pat, wts))
        systems = [search.system({j: b for j in range(K // 2)})[0] for b in "+-0"]
        t_ppl = timed(lambda: [decide(s, "ppl") for s in systems], 1)
        t_cdd = timed(lambda: [decide(s, "cdd") for s in systems], 1)
        out.append(
            {
                "case": f"3 branch nodes, N={N} K={K} d=4 (n={systems[0].n} variables)",
                "ppl_s": t_ppl,
                "cdd_s": t_cdd,
                "cdd_over_ppl": t_cdd / t_ppl,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "latest.json"))
    args = ap.parse_args()
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "rank": bench_rank(args.quick),
        "cells": bench_cells(args.quick),
        "lp": bench_lp(args.quick),
    }
    text = json.dumps(results, indent=1)
    outputs.write_text(Path(args.out), text + "\n", may_replace=BENCHMARK_RESULTS)
    print(text)


if __name__ == "__main__":
    main()

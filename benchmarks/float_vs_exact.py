"""Float-side benchmarks: ratios against a baseline measured in the same run.

Run from the repository root: ``python benchmarks/float_vs_exact.py [--quick]``;
writes benchmarks/results/float_vs_exact.json (and prints it). Nothing is asserted.

Cases (Part 2 Gaussian data, weights at bias 0 and 3):
1. exact genuineness of one cell (the branch tree with certificate data, each
   node decided by the default exact decider :func:`exactscape.core.polyhedra.decide`:
   exact equality elimination, then PPL's exact simplex) against the float
   decision of the same cell (HiGHS, :mod:`exactscape.floats.lp`) -- the price
   of exactness;
2. a full cross-check of a trained point against the cell analysis alone;
3. the search with the hinted exact backend (:mod:`exactscape.floats.hint`)
   against the default exact decider alone ("hinted_over_exact").
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run import BENCHMARK_RESULTS, timed  # noqa: E402  (the benchmarks share one timer and one output rule)

from exactscape.core.model import pattern_of  # noqa: E402
from exactscape.experiments.data import gaussian, sample_weights  # noqa: E402
from exactscape.floats import lp  # noqa: E402
from exactscape.floats.convert import weights_from_arrays  # noqa: E402
from exactscape.floats.hint import decide_hinted  # noqa: E402
from exactscape.io import outputs  # noqa: E402
from exactscape.landscape.crosscheck import crosscheck  # noqa: E402
from exactscape.theory import minima  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = [(30, 3, 3)] if args.quick else [(30, 3, 3), (60, 3, 4)]
    rng = np.random.default_rng(0)
    cases = []
    for N, d0, K in sizes:
        ds = gaussian(N, d0, rng)
        for loc in (0.0, 3.0):
            wts, z, w = sample_weights(K, d0, loc, rng)
            pat, _ = pattern_of(ds.instance, wts)
            X, y = lp.instance_arrays(ds.instance)
            t_exact = timed(lambda: minima.analyse_cell(ds.instance, pat, hint=wts), 1)  # noqa: B023
            t_float = timed(lambda: lp.float_genuineness(X, y, lp.pattern_array(pat)), 3)  # noqa: B023
            t_exact_decider = timed(lambda: minima.analyse_cell(ds.instance, pat), 1)  # noqa: B023
            t_hint = timed(lambda: minima.analyse_cell(ds.instance, pat, decide=decide_hinted), 1)  # noqa: B023
            zt, wt, _, _ = lp.train(ds.X, ds.y, z, w, lr=1e-3, max_steps=2000, grad_tol=1e-8)
            tw, _ = weights_from_arrays(zt, wt)
            t_cc = timed(lambda: crosscheck(ds.instance, tw), 1)  # noqa: B023
            tp, _ = pattern_of(ds.instance, tw)
            t_cell = timed(lambda: minima.analyse_cell(ds.instance, tp, hint=tw), 1)  # noqa: B023
            cases.append(
                {
                    "N": N,
                    "d0": d0,
                    "K": K,
                    "location": loc,
                    "exact_over_float": round(t_exact / t_float, 1),
                    "exact_s": round(t_exact, 3),
                    "float_s": round(t_float, 4),
                    "hinted_over_exact": round(t_hint / t_exact_decider, 3),
                    "crosscheck_over_cell": round(t_cc / t_cell, 2),
                }
            )
            print(cases[-1], flush=True)
    out = ROOT / "benchmarks" / "results" / "float_vs_exact.json"
    doc = {"machine": platform.platform(), "python": platform.python_version(), "cases": cases}
    outputs.write_text(out, json.dumps(doc, indent=1) + "\n", may_replace=BENCHMARK_RESULTS)
    print(f"written {out}")


if __name__ == "__main__":
    main()

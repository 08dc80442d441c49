"""The (+,...,+) column of results/table-sklearn.md, certified trial by trial.

For every trial of the table's biases 3, 0 and -3 (seed 0, the table's weights: trial t's
weights come from (seed, bias, t) alone), decide the single branch vector (+, ..., +) alone
(the fast engine's run_positive, budget 120 s) and replay its certificate of kind `branches`
(proofs/FORMAT.md 13) with the independent checker from its JSON text. The per-neuron
search is not run (a 1 s budget only builds the minimiser set), so a loaded machine does not
spend the budget there first, as `experiment tables` does. Writes positive_sklearn.jsonl
beside this script; compare with results/table-sklearn.partial.jsonl's `genuine_positive`.

Run from the repository root: python results/replay-1.3/positive_sklearn.py
"""

from __future__ import annotations

import json
import time
from fractions import Fraction
from pathlib import Path

from exactscape.core import minset
from exactscape.core.model import pattern_of
from exactscape.deciders import decider
from exactscape.experiments import tables as tb
from exactscape.experiments.data import sample_weights
from exactscape.io import certify
from exactscape.theory import genuine as fast
from exactscape.theory.minima import analyse_cell

OUT = Path(__file__).with_name("positive_sklearn.jsonl")


def main() -> None:
    ds = tb.dataset("sklearn", 200, 64, 0)
    done = set()
    if OUT.exists():
        done = {(r["location"], r["trial"]) for r in map(json.loads, OUT.read_text().splitlines()) if r}
    for loc in (3.0, 0.0, -3.0):
        for t in range(10):
            if (loc, t) in done:
                continue
            wts, _, _ = sample_weights(10, ds.instance.d0, loc, tb.trial_rng(0, loc, t))
            pat, on = pattern_of(ds.instance, wts)
            rec: dict[str, object] = {"location": loc, "trial": t}
            if on:
                rec["skipped"] = "on a hyperplane"
            else:
                t0 = time.perf_counter()
                a = analyse_cell(ds.instance, pat, hint=wts, decide=decider("hinted"), engine="auto", budget=1)
                ms = a.ms if a.ms is not None else minset.minimiser_set(ds.instance, pat)
                d = None
                if a.feasibility.feasible and ms is not None:
                    d = fast.decide(
                        ds.instance, pat, ms, a.feasibility.witness,
                        budget=fast.Budget.seconds(Fraction(120)), decide_node=decider("hinted"), positive_only=True,
                    )  # fmt: skip
                positive = (
                    False
                    if not a.feasibility.feasible
                    else (None if d is None or d.undecided else d.genuine is not None)
                )
                rec.update({"genuine_positive": positive, "method": d.method if d else None})
                rec["seconds"] = round(time.perf_counter() - t0, 3)
                if positive is not None:
                    plus = tuple("+" for _ in range(pat.K))
                    gen = d.genuine if d is not None else None
                    leaf = [d.tree] if d is not None and d.tree is not None else None
                    res = certify.replay(certify.branches_certificate(a, [plus], gen, leaf))
                    rec["replayed_positive"] = "verified" if res.verified else f"rejected: {res.reason}"
            with OUT.open("a") as f:
                f.write(json.dumps(rec) + "\n")
            print(rec, flush=True)


if __name__ == "__main__":
    main()

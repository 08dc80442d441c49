"""The "trapped in cells" experiment of Part 2 (Tables IV-V), float GD beside exact verdicts.

For each location (bias entry b of every w_j) and trial:

1. sample (z, w) at the location (:func:`.data.sample_weights`);
2. exact: the activation pattern of the sampled point, and
   :func:`exactscape.theory.minima.analyse_cell` on that cell: does it hold a
   genuine differentiable local minimum (any per-neuron branch +, -, 0)?
   Also whether the minimisers are continuous (rank A < Kd) and the share
   of active states;
3. float: plain gradient descent (:func:`exactscape.floatlp.gradient_descent`,
   the gradients (23-24) of Part 2) from the same point, with step size
   ``lr`` (default: 1 / lambda_0 with lambda_0 = (2/N)(||F||_2^2 +
   ||X||_2^2 ||z||^2), F = [X w^T]_+, a Gauss-Newton curvature bound at the
   start, so that the run neither crawls like Part 2's 10^-6 nor diverges),
   until it leaves the cell ("left"), the gradient norm falls below
   ``grad_tol`` (Part 2: 10^-3; "trapped") or ``max_steps`` pass
   ("undecided", counted as not trapped);
4. agreement: exact genuine <=> trapped (Part 2's reading of the column);
   only "trapped => genuine" is a theorem (a limit of GD inside an open cell
   with vanishing gradient is a genuine minimum), so the table also counts
   "trapped, not genuine" (a contradiction) apart from "genuine, left".

Writes the per-trial records and the table to JSON and Markdown files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..floatlp import gradient_descent
from ..model import pattern_of
from ..theory.minima import CellAnalysis, Decider, _Search, analyse_cell
from .compare import backend
from .data import DataSet, sample_weights


@dataclass(frozen=True)
class TrappedSettings:
    K: int
    locations: tuple[float, ...]
    trials: int
    seed: int
    lr: float | None = None
    max_steps: int = 20000
    grad_tol: float = 1e-3
    exact_backend: str = "hinted"


def _step(X: Any, z: Any, w: Any) -> float:
    F = np.maximum(X @ w.T, 0.0)
    lam = (2.0 / X.shape[0]) * (np.linalg.norm(F, 2) ** 2 + np.linalg.norm(X, 2) ** 2 * float(z @ z))
    return 1.0 / max(float(lam), 1e-12)


def run_trapped(
    ds: DataSet,
    st: TrappedSettings,
    progress: Callable[[str], None] | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the experiment (module docstring); returns the JSON-able results.

    ``on_record`` receives each trial's record as soon as it is decided, so a
    long run that is stopped keeps what it finished."""
    rng = np.random.default_rng(st.seed)
    d0 = ds.instance.d0
    records: list[dict[str, Any]] = []
    for loc in st.locations:
        for trial in range(st.trials):
            wts, z, w = sample_weights(st.K, d0, loc, rng)
            pat, on = pattern_of(ds.instance, wts)
            rec: dict[str, Any] = {"location": loc, "trial": trial}
            if on:
                rec["skipped"] = "sampled point on a hyperplane"
                records.append(rec)
                if on_record is not None:
                    on_record(rec)
                continue
            t0 = time.perf_counter()
            a = analyse_cell(ds.instance, pat, hint=wts, decide=backend(st.exact_backend))
            plus = plus_only(a, backend(st.exact_backend))
            t1 = time.perf_counter()
            lr = st.lr if st.lr is not None else _step(ds.X, z, w)
            gd = gradient_descent(ds.X, ds.y, z, w, lr=lr, max_steps=st.max_steps, grad_tol=st.grad_tol)
            t2 = time.perf_counter()
            outcome = "left" if gd.left_cell else "trapped" if gd.trapped else "undecided"
            rec.update(
                {
                    "genuine": a.is_genuine,
                    "genuine_plus_only": plus,
                    "branches": list(a.genuine.branches) if a.genuine else None,
                    "continuous": a.kind == "affine",
                    "rank": a.lsq.rank,
                    "activated": float(np.mean(np.array(pat.I, dtype=np.float64))),
                    "lp_nodes": a.nodes,
                    "exact_seconds": round(t1 - t0, 3),
                    "gd": outcome,
                    "gd_steps": gd.steps,
                    "gd_lr": lr,
                    "gd_grad_norm": gd.grad_norm,
                    "gd_loss_start": gd.loss_start,
                    "gd_loss_end": gd.loss_end,
                    "gd_seconds": round(t2 - t1, 3),
                    "agree": a.is_genuine == gd.trapped,
                }
            )
            records.append(rec)
            if on_record is not None:
                on_record(rec)
            if progress is not None:
                progress(f"location {loc:g}: trial {trial + 1}/{st.trials}")
    rows = summarise(records, st.locations)
    settings = {
        "data": ds.name,
        "provenance": ds.instance.provenance,
        "N": ds.instance.N,
        "d0": d0,
        "K": st.K,
        "locations": list(st.locations),
        "trials": st.trials,
        "seed": st.seed,
        "lr": st.lr if st.lr is not None else "1/lambda_0 per trial",
        "max_steps": st.max_steps,
        "grad_tol": st.grad_tol,
        "exact_backend": st.exact_backend,
    }
    return {
        "format": "exactscape-trapped-results",
        "version": 1,
        "settings": settings,
        "table": rows,
        "records": records,
    }


def plus_only(a: CellAnalysis, decide: Decider | None) -> bool | None:
    """Exact genuineness restricted to the single branch vector sigma = (+, ..., +) (every z_j > 0),
    the reading under which Part 2's tables are reproduced; None for an empty cell."""
    if not a.feasibility.feasible:
        return None
    s = _Search(a.instance, a.pattern, a.lsq.fitted, a.feasibility, decide=decide)
    leaf, _ = s.node({j: "+" for j in range(a.K)})
    return leaf is None


def summarise(records: list[dict[str, Any]], locations: tuple[float, ...]) -> list[dict[str, Any]]:
    """Per-location percentages of the table. Besides Part 2's columns: ``trapped_not_genuine``
    (GD converged inside the cell although exact arithmetic refutes every genuine minimum there:
    a contradiction, since a limit of GD inside an open cell is a genuine minimum; must be 0) and
    ``genuine_left`` (a genuine minimum exists in the cell but GD left it: no contradiction, the
    minimum need not be where GD goes)."""
    rows = []
    for loc in locations:
        rs = [r for r in records if r["location"] == loc and "skipped" not in r]
        n = len(rs)

        def pct(test: Callable[[dict[str, Any]], bool], rs: list[dict[str, Any]] = rs, n: int = n) -> float:
            return round(100.0 * sum(1 for r in rs if test(r)) / n, 1) if n else 0.0

        def mean(key: str, rs: list[dict[str, Any]] = rs, n: int = n) -> float:
            return float(np.mean([r[key] for r in rs])) if n else 0.0

        rows.append(
            {
                "location": loc,
                "trials": n,
                "genuine_pct": pct(lambda r: r["genuine"]),
                "genuine_plus_only_pct": pct(lambda r: bool(r.get("genuine_plus_only"))),
                "continuous_pct": pct(lambda r: r["continuous"]),
                "trapped_pct": pct(lambda r: r["gd"] == "trapped"),
                "left_pct": pct(lambda r: r["gd"] == "left"),
                "undecided_pct": pct(lambda r: r["gd"] == "undecided"),
                "agree_pct": pct(lambda r: r["genuine"] == (r["gd"] == "trapped")),
                "trapped_not_genuine": sum(1 for r in rs if r["gd"] == "trapped" and not r["genuine"]),
                "genuine_left": sum(1 for r in rs if r["gd"] == "left" and r["genuine"]),
                "activated_pct": round(100.0 * mean("activated"), 2),
                "exact_seconds_mean": round(mean("exact_seconds"), 2),
                "gd_seconds_mean": round(mean("gd_seconds"), 2),
            }
        )
    return rows


def markdown(res: dict[str, Any]) -> str:
    """The agreement table as Markdown."""
    s = res["settings"]
    lines = [
        f"Trapped in cells: {s['data']} (N={s['N']}, d0={s['d0']}), K={s['K']}, {s['trials']} trials per location, "
        f"seed {s['seed']}, GD step {s['lr']}, max {s['max_steps']} steps, gradient threshold {s['grad_tol']}",
        "",
        "| location (bias) | genuine (exact) % | genuine, all z_j > 0 % | continuous % | trapped (GD) % | left % | "
        "undecided % | "
        "agreement % | trapped, not genuine | genuine, left | activated % | exact s/trial | GD s/trial |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["table"]:
        lines.append(
            f"| {r['location']:g} | {r['genuine_pct']} | {r.get('genuine_plus_only_pct', '-')} | "
            f"{r['continuous_pct']} | {r['trapped_pct']} | "
            f"{r['left_pct']} | {r['undecided_pct']} | {r['agree_pct']} | {r['trapped_not_genuine']} | "
            f"{r['genuine_left']} | {r['activated_pct']} | "
            f"{r['exact_seconds_mean']} | {r['gd_seconds_mean']} |"
        )
    return "\n".join(lines) + "\n"


def write_results(res: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """``out`` (JSON) and ``out`` with suffix .md (the table)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    md = out.with_suffix(".md")
    md.write_text(markdown(res), encoding="utf-8")
    return out, md

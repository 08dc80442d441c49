"""One trial: sample its weights, decide its cell, optionally run gradient descent (in a worker:
local process, dask worker, or in-process)."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ...core.model import pattern_of
from ..data import DataSet, digits, gaussian, sample_weights
from .decide import decide_trial
from .presets import PAPER, TableSettings


@lru_cache(maxsize=4)
def dataset(data: str, N: int, d0: int, seed: int) -> DataSet:
    """The table's data, rebuilt identically in every worker (cached per process)."""
    if data == "gaussian":
        return gaussian(N, d0, np.random.default_rng(np.random.SeedSequence([seed, 0xDA7A])))
    return digits(data, N // 2)


def trial_rng(seed: int, location: float, trial: int) -> np.random.Generator:
    """The generator of one trial's weights, from (seed, location, trial index) only."""
    loc_key = zlib.crc32(repr(float(location)).encode())
    return np.random.default_rng(np.random.SeedSequence([seed, loc_key, trial]))


@dataclass(frozen=True)
class Task:
    """One trial to run: everything a worker needs (small, picklable)."""

    st: TableSettings
    location: float
    trial: int


def differs(rec: dict[str, Any], paper: dict[str, float] | None) -> list[str]:
    """Columns in which this trial contradicts a 0 % or 100 % claim of the paper's row
    (intermediate percentages make no claim about one trial; undecided contradicts nothing)."""
    if not paper or "verdict" not in rec:
        return []
    out = []
    checks = {
        "genuine": rec.get("genuine"),
        "genuine_positive": rec.get("genuine_positive"),
        "continuous": rec.get("continuous"),
        "trapped": None if rec.get("gd") is None else rec["gd"] == "trapped",
    }
    for col, val in checks.items():
        claim = paper.get("genuine" if col == "genuine_positive" else col)
        if val is None or claim not in (0, 100):
            continue
        if bool(val) != (claim == 100):
            out.append(col)
    return out


def run_trial(task: Task) -> dict[str, Any]:
    """Sample the trial's weights, decide its cell, optionally run GD; the JSON record."""
    st = task.st
    ds = dataset(st.data, st.N, st.d0, st.seed)
    wts, z, w = sample_weights(st.K, ds.instance.d0, task.location, trial_rng(st.seed, task.location, task.trial))
    rec: dict[str, Any] = {"location": task.location, "trial": task.trial}
    pat, on = pattern_of(ds.instance, wts)
    if on:
        rec["skipped"] = f"sampled point on the hyperplane w_{on[0][0]} . x_{on[0][1]} = 0"
        return rec
    try:
        dec = decide_trial(ds.instance, pat, st.budget, hint=wts, backend=st.backend, replay=st.replay)
    except Exception as exc:  # noqa: BLE001 - one failing trial (a bug, a backend failure, memory) must not end
        rec["error"] = f"{type(exc).__name__}: {exc}"[:500]  # a run of hours; it is reported and rerun on resume
        return rec
    rec.update(
        {
            "verdict": dec.verdict,
            "genuine": dec.genuine,
            "genuine_positive": dec.genuine_positive,
            "continuous": dec.continuous,
            "rank": dec.rank,
            "dimension": dec.dimension,
            "activated": sum(sum(r) for r in pat.I) / (pat.N * pat.K),
            "method": dec.method,
            "nodes": dec.nodes,
            "seconds": round(dec.seconds, 3),
        }
    )
    if dec.replayed is not None:
        rec["replayed"] = dec.replayed
    if dec.replayed_positive is not None:
        rec["replayed_positive"] = dec.replayed_positive
    if dec.replayed is not None or dec.replayed_positive is not None:
        rec["replay_seconds"] = dec.replay_seconds
    if st.gd:
        from ...floats.lp import gradient_descent
        from ..trapped import default_step

        t1 = time.perf_counter()
        lr = default_step(ds.X, z, w)
        run = gradient_descent(ds.X, ds.y, z, w, lr=lr, max_steps=st.max_steps, grad_tol=st.grad_tol)
        rec["gd"] = "left" if run.left_cell else "trapped" if run.trapped else "undecided"
        rec["gd_steps"] = run.steps
        rec["gd_seconds"] = round(time.perf_counter() - t1, 3)
    else:
        rec["gd"] = None
    bad = differs(rec, PAPER.get(st.table, {}).get(task.location))
    if bad:
        rec["differs"] = bad
        rec["pattern"] = ["".join(str(v) for v in row) for row in pat.I]
    return rec

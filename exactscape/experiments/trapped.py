"""The "trapped in cells" experiment of Part 2 (Tables IV-V), float GD beside exact verdicts.

For each location (bias entry b of every w_j) and trial:

1. sample (z, w) at the location (:func:`.data.sample_weights`);
2. exact: the activation pattern of the sampled point, and
   :func:`exactscape.theory.minima.analyse_cell` on that cell: does it hold a
   genuine differentiable local minimum (any per-neuron branch +, -, 0)?
   Three-valued: genuine, not genuine, or undecided (with its reason; never
   counted as not genuine, and an undecided trial neither agrees nor
   disagrees with GD). Also whether the minimisers are continuous (rank A < Kd)
   and the share of active states;
3. float: plain gradient descent (:func:`exactscape.floats.lp.gradient_descent`,
   the gradients Part 2 [23-24]) from the same point, with step size
   ``lr`` (default: 1 / lambda_0 with lambda_0 = (2/N)(||F||_2^2 +
   ||X||_2^2 ||z||^2), F = [X w^T]_+, a Gauss-Newton curvature bound at the
   start, so that the run neither crawls like Part 2's 10^-6 nor diverges),
   until it leaves the cell ("left"), the gradient norm falls below
   ``grad_tol`` (Part 2: 10^-3; "trapped") or ``max_steps`` pass
   ("undecided", counted as not trapped; the table's "GD undecided" column);
4. agreement: exact genuine <=> trapped (Part 2's reading of the column);
   only "trapped => genuine" is a theorem (a limit of GD inside an open cell
   with vanishing gradient is a genuine minimum), so the table also counts
   "trapped, not genuine" (a contradiction) apart from "genuine, left".

Writes the per-trial records and the table to JSON and Markdown files
(:func:`run_to_files`), through :mod:`exactscape.io.outputs`. While it runs,
every finished trial is appended to ``OUT-STEM.partial.jsonl`` (first line: the run's
settings); a run started again with the same settings and ``--out`` resumes
from it (finished trials are not recomputed: the random draws are replayed,
so the resumed run is the run that was stopped), a partial file of other
settings is refused, and the partial file is removed only once both result
files are written.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.model import pattern_of
from ..errors import OutputError, show_path
from ..floats.lp import gradient_descent
from ..io import outputs
from ..io.claims import NOT_CERTIFIED
from ..theory.minima import CellAnalysis, CellSearch, Decider, analyse_cell
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


def default_step(X: Any, z: Any, w: Any) -> float:
    """The default gradient-descent step 1/lambda_0 at (z, w): lambda_0 =
    (2/N) (||F||_2^2 + ||X||_2^2 ||z||^2) with F = [X w^T]_+, an upper bound of
    the largest eigenvalue of the Gauss-Newton matrix (2/N) J^T J of the loss at the
    start, J the Jacobian of the network outputs (1e-12 guards a zero bound); not a
    bound of the full Hessian."""
    F = np.maximum(X @ w.T, 0.0)
    lam = (2.0 / X.shape[0]) * (np.linalg.norm(F, 2) ** 2 + np.linalg.norm(X, 2) ** 2 * float(z @ z))
    return 1.0 / max(float(lam), 1e-12)


def run_trapped(
    ds: DataSet,
    st: TrappedSettings,
    progress: Callable[[str], None] | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    done: Mapping[tuple[float, int], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Run the experiment (module docstring); returns the JSON-able results.

    ``on_record`` receives each trial's record as soon as it is decided, so a
    long run that is stopped keeps what it finished; ``done`` holds the
    records of trials finished earlier (by (location, trial)), which are
    taken as they are (their random draws are still made, so that the
    other trials see the same draws as in one uninterrupted run)."""
    rng = np.random.default_rng(st.seed)
    d0 = ds.instance.d0
    records: list[dict[str, Any]] = []
    for loc in st.locations:
        for trial in range(st.trials):
            wts, z, w = sample_weights(st.K, d0, loc, rng)
            if done is not None and (loc, trial) in done:
                records.append(done[(loc, trial)])
                if progress is not None:
                    progress(f"location {loc:g}: trial {trial + 1}/{st.trials} (resumed)")
                continue
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
            lr = st.lr if st.lr is not None else default_step(ds.X, z, w)
            gd = gradient_descent(ds.X, ds.y, z, w, lr=lr, max_steps=st.max_steps, grad_tol=st.grad_tol)
            t2 = time.perf_counter()
            outcome = "left" if gd.left_cell else "trapped" if gd.trapped else "undecided"
            g = a.genuineness
            rec.update(
                {
                    "genuine": g.known(),
                    **g.to_json(),
                    "genuine_plus_only": plus,
                    "branches": list(a.genuine.branches) if a.genuine else None,
                    "continuous": a.kind == "affine",
                    "rank": a.rank,
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
                    "agree": None if g.is_undecided else g.is_genuine == gd.trapped,
                }
            )
            records.append(rec)
            if on_record is not None:
                on_record(rec)
            if progress is not None:
                progress(f"location {loc:g}: trial {trial + 1}/{st.trials}")
    rows = summarise(records, st.locations)
    return {
        "format": "exactscape-trapped-results",
        "version": 1,
        "settings": settings_json(ds, st),
        "table": rows,
        "records": records,
    }


def settings_json(ds: DataSet, st: TrappedSettings) -> dict[str, Any]:
    """The settings of a run: in the results, and in the first line of the
    partial file, where they decide whether a run may resume from it."""
    return {
        "data": ds.name,
        "provenance": ds.instance.provenance,
        "N": ds.instance.N,
        "d0": ds.instance.d0,
        "K": st.K,
        "locations": list(st.locations),
        "trials": st.trials,
        "seed": st.seed,
        "lr": st.lr if st.lr is not None else "1/lambda_0 per trial",
        "max_steps": st.max_steps,
        "grad_tol": st.grad_tol,
        "exact_backend": st.exact_backend,
    }


def plus_only(a: CellAnalysis, decide: Decider | None) -> bool | None:
    """Exact genuineness restricted to the single branch vector sigma = (+, ..., +) (every z_j > 0),
    the reading under which Part 2's tables are reproduced; None for an empty cell."""
    if not a.feasibility.feasible:
        return None
    s = CellSearch(a.instance, a.pattern, a.least_squares().fitted, a.feasibility, decide=decide)
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

        def pct(test: Callable[[dict[str, Any]], bool], among: list[dict[str, Any]] = rs) -> float:
            return round(100.0 * sum(1 for r in among if test(r)) / len(among), 1) if among else 0.0

        def mean(key: str, rs: list[dict[str, Any]] = rs, n: int = n) -> float:
            return float(np.mean([r[key] for r in rs])) if n else 0.0

        rows.append(
            {
                "location": loc,
                "trials": n,
                "genuine_pct": pct(lambda r: r["genuine"] is True),
                "not_genuine_pct": pct(lambda r: r["genuine"] is False),
                "genuine_undecided_pct": pct(lambda r: r["genuine"] is None),
                "genuine_plus_only_pct": pct(lambda r: bool(r.get("genuine_plus_only"))),
                "continuous_pct": pct(lambda r: r["continuous"]),
                "trapped_pct": pct(lambda r: r["gd"] == "trapped"),
                "left_pct": pct(lambda r: r["gd"] == "left"),
                "undecided_pct": pct(lambda r: r["gd"] == "undecided"),
                # over the trials whose exact answer is decided (an undecided one agrees with nothing)
                "agree_pct": pct(
                    lambda r: r["genuine"] == (r["gd"] == "trapped"), [r for r in rs if r["genuine"] is not None]
                ),
                "trapped_not_genuine": sum(1 for r in rs if r["gd"] == "trapped" and r["genuine"] is False),
                "genuine_left": sum(1 for r in rs if r["gd"] == "left" and r["genuine"] is True),
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
        "| location (bias) | genuine (exact) % | not genuine (exact) % | undecided (exact) % | "
        f"genuine, all z_j > 0 % {NOT_CERTIFIED} | continuous % | trapped (GD) % | left % | "
        "GD undecided % | "
        "agreement % (decided) | trapped, not genuine | genuine, left | activated % | exact s/trial | GD s/trial |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["table"]:
        lines.append(
            f"| {r['location']:g} | {r['genuine_pct']} | {r.get('not_genuine_pct', '-')} | "
            f"{r.get('genuine_undecided_pct', '-')} | {r.get('genuine_plus_only_pct', '-')} | "
            f"{r['continuous_pct']} | {r['trapped_pct']} | "
            f"{r['left_pct']} | {r['undecided_pct']} | {r['agree_pct']} | {r['trapped_not_genuine']} | "
            f"{r['genuine_left']} | {r['activated_pct']} | "
            f"{r['exact_seconds_mean']} | {r['gd_seconds_mean']} |"
        )
    return "\n".join(lines) + "\n"


RESULTS = outputs.JsonFormat("exactscape-trapped-results", "a results file of experiment trapped")
TABLE = outputs.TextHeading("Trapped in cells: ", "a table of experiment trapped")
PARTIAL_FORMAT = "exactscape-trapped-partial"
PARTIAL = outputs.OrEmpty(outputs.JsonFormat(PARTIAL_FORMAT, "a partial results file of experiment trapped"))
PARTIAL_LIMIT = 1 << 30
"""Largest partial file read back (bytes)."""

_RECORD_KEYS = ("genuine", "continuous", "gd", "activated", "exact_seconds", "gd_seconds")


def _record_types_ok(rec: dict[str, Any]) -> bool:
    """The fields of a decided trial have the types the runner writes, its times and
    share finite (a ``1e999`` in the file reads as infinity; the gradient-descent
    losses may be infinite, when a run overflows)."""

    def seconds(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0

    return (
        rec["genuine"] in (True, False, None)
        and isinstance(rec["continuous"], bool)
        and (rec["gd"] is None or isinstance(rec["gd"], str))
        and seconds(rec["activated"])
        and rec["activated"] <= 1
        and seconds(rec["exact_seconds"])
        and (rec["gd_seconds"] is None or seconds(rec["gd_seconds"]))
    )


def result_paths(out: Path) -> tuple[Path, Path, Path]:
    """The results JSON ``out``, its table (suffix .md) and its partial file (suffix .partial.jsonl)."""
    return out, outputs.companion(out, ".md"), outputs.companion(out, ".partial.jsonl")


def read_partial(path: Path, settings: dict[str, Any]) -> tuple[dict[tuple[float, int], dict[str, Any]], bool]:
    """The finished trials in the partial file ``path`` (none if it does not
    exist), and whether the file must be rewritten before appending: it is
    empty, or its last line was cut short (a run stopped while writing it;
    that line is dropped). Raises :class:`OutputError` (exit 3)
    if the file belongs to a run with other settings or is not one of ours."""
    if not path.exists() and not path.is_symlink():
        return {}, False
    outputs.check_target(path, (), PARTIAL)
    data = outputs.read_prefix(path, PARTIAL_LIMIT)
    if data is None or len(data) >= PARTIAL_LIMIT:
        raise OutputError(f"{show_path(path)}: cannot read it back to resume (not a regular file, or too large)")
    if data == b"":  # created by a run stopped before its first line: nothing to resume
        return {}, True
    lines = data.decode("utf-8", "replace").split("\n")
    torn = lines[-1] != ""
    if not torn:
        lines.pop()
    try:
        head = json.loads(lines[0])
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("format") != PARTIAL_FORMAT:
        raise OutputError(f"{show_path(path)}: first line is not the header of a partial trapped run")
    want = json.loads(json.dumps(settings))
    have = head.get("settings")
    if have != want:
        diff = [k for k in want if not isinstance(have, dict) or have.get(k) != want[k]] or ["settings"]
        raise OutputError(
            f"{show_path(path)}: holds trials of a run with other settings ({', '.join(diff)} differ); "
            "resume with the same options, or remove it or choose another --out"
        )
    done: dict[tuple[float, int], dict[str, Any]] = {}
    locs = {float(x) for x in want["locations"]}
    for k, line in enumerate(lines[1:], start=2):
        try:
            rec = json.loads(line)
        except ValueError:
            if torn and k == len(lines):
                break
            raise OutputError(f"{show_path(path)}: line {k} is not a trial record") from None
        ok = (
            isinstance(rec, dict)
            and isinstance(rec.get("location"), (int, float))
            and float(rec["location"]) in locs
            and isinstance(rec.get("trial"), int)
            and 0 <= rec["trial"] < want["trials"]
            and ("skipped" in rec or all(key in rec for key in _RECORD_KEYS))
            and ("skipped" in rec or _record_types_ok(rec))
        )
        if not ok:
            raise OutputError(f"{show_path(path)}: line {k} is not a trial record of this run")
        done.setdefault((float(rec["location"]), rec["trial"]), rec)
    return done, torn


def run_to_files(
    ds: DataSet,
    st: TrappedSettings,
    out: Path,
    progress: Callable[[str], None] | None = None,
    inputs: Sequence[Path] = (),
) -> tuple[dict[str, Any], Path, Path, int]:
    """Run the experiment into ``out`` (JSON), its table (.md) and, while it
    runs, its partial file (module docstring). All three paths are checked
    before anything is computed or written (:func:`exactscape.io.outputs.check_outputs`).
    Returns the results, the two paths written and the number of trials resumed."""
    j, m, part = result_paths(out)
    outputs.check_outputs([(j, RESULTS), (m, TABLE), (part, PARTIAL)], inputs)
    settings = settings_json(ds, st)
    done, torn = read_partial(part, settings)
    header = json.dumps({"format": PARTIAL_FORMAT, "version": 1, "settings": settings})
    if torn:  # rewrite without the cut line, atomically, before appending
        body = "".join(json.dumps(r) + "\n" for r in done.values())
        outputs.write_text(part, header + "\n" + body, may_replace=PARTIAL)
    elif not part.exists():
        outputs.append_line(part, header)

    def keep(rec: dict[str, Any]) -> None:  # each finished trial survives an interrupted run
        outputs.append_line(part, json.dumps(rec), may_replace=PARTIAL)

    res = run_trapped(ds, st, progress, keep, done=done)
    write_results(res, j, m, inputs)
    try:
        part.unlink()
    except OSError:
        pass
    return res, j, m, len(done)


def write_results(
    res: dict[str, Any], out: Path, md: Path | None = None, inputs: Sequence[Path] = ()
) -> tuple[Path, Path]:
    """``out`` (JSON) and ``md`` (default: ``out`` with suffix .md, the table),
    both checked first and replacing only earlier results of this experiment."""
    md = md if md is not None else outputs.companion(out, ".md")
    outputs.check_outputs([(out, RESULTS), (md, TABLE)], inputs)
    outputs.write_text(out, json.dumps(res, indent=1) + "\n", inputs=inputs, may_replace=RESULTS)
    outputs.write_text(md, markdown(res), inputs=inputs, may_replace=TABLE)
    return out, md

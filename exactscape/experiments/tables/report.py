"""The table: rows per location, the results document, Markdown with the paper's numbers beside ours."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ...errors import InternalError
from .kept import keep_instances
from .log import partial_path, write_table
from .presets import CIFAR_NOTE, MARKER, PAPER, PRESETS, RESULTS_FORMAT
from .run import RunState
from .trial import dataset


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
    """The table as Markdown, the paper's numbers beside ours: the run's command and the
    column heads, one row per location, the notes on the trials, then the counts below."""
    s = doc["settings"]
    paper = s["table"] in PAPER
    lines = _head(s, paper)
    lines += [_row(r, paper) for r in doc["table"]]
    lines += _notes(doc)
    lines += _counts(doc, s, paper)
    return "\n".join(lines) + "\n"


def _head(s: dict[str, Any], paper: bool) -> list[str]:
    """The title, the command that reproduces the run, the column heads and the rule below them."""
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
    return lines


def _row(r: dict[str, Any], paper: bool) -> str:
    """One location's row (the paper's numbers beside ours when the table has them)."""
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
    return "| " + " | ".join(cells) + " |"


def _notes(doc: dict[str, Any]) -> list[str]:
    """How many trials stand behind each row, what was resumed, replayed, and failed."""
    lines: list[str] = []
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
            + " (a witness with every z_j > 0, one Farkas leaf refuting the branch vector, or the empty cone)."
        )
    nerr = sum(r["errors"] for r in doc["table"])
    if nerr:
        lines.append(
            f"{nerr} trial(s) failed with an error in this run (see `errors` in the JSON); they are not counted "
            "above and run again when the command is rerun."
        )
    return lines


def _counts(doc: dict[str, Any], s: dict[str, Any], paper: bool) -> list[str]:
    """The methods that decided, the trapped contradictions, the trials against the paper."""
    lines: list[str] = []
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
    return lines


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

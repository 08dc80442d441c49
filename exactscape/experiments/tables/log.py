"""The resumable log of a run (``OUT.partial.jsonl``: a header line, then one JSON record per
finished trial, never truncated) and the checks every record read back must pass."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ...core.numbers import show_json
from ...errors import OutputError, clip, show_path
from ...io import outputs
from ...io.inputs import read_bytes
from .presets import MARKER, OURS, PAPER, PARTIAL_FORMAT, TableSettings
from .trial import differs


def append_record(path: Path, obj: dict[str, Any]) -> None:
    """Append one JSON line (exactscape.io.outputs.append_line: O_APPEND, regular files only,
    never truncates what was there)."""
    outputs.append_line(path, json.dumps(obj, sort_keys=True), may_replace=OURS)


def write_table(path: Path, data: bytes, protected: tuple[Path, ...] = ()) -> None:
    """Write ``path`` atomically through exactscape.io.outputs; refuse an input of this run or a
    file that exists and was not written by this runner."""
    outputs.write_bytes(path, data, inputs=protected, may_replace=OURS)


def partial_path(out: Path) -> Path:
    return out.with_suffix(".partial.jsonl")


def open_partial(path: Path, st: TableSettings) -> dict[tuple[float, int], dict[str, Any]]:
    """Create the partial file with its header, or read the records of an earlier run after
    checking that its header matches ``st`` and every record passes :func:`record_problem`
    (OutputError, exit 3, otherwise: the file is this command's output). A torn last line (a run
    killed mid-write) is ignored and closed with a newline; nothing is ever truncated."""
    header = {"format": PARTIAL_FORMAT, "version": 1, "marker": MARKER, "settings": st.header()}
    if not path.exists():
        append_record(path, header)  # creates it (exactscape.io.outputs.append_line)
        return {}
    # a regular file of ours (or empty), never a link or a FIFO
    outputs.check_target(path, (), lambda p: OURS(p) or outputs.read_prefix(p, 1) == b"")
    raw = read_bytes(path)  # within the input size cap
    if not raw:  # created, then killed before its header was written
        append_record(path, header)
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
        outputs.append_line(path, "", may_replace=OURS)
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
    return _fields_problem(rec) or _verdict_problem(rec, st) or _measure_problem(rec) or _pattern_problem(rec, st)


def _fields_problem(rec: dict[str, Any]) -> str | None:
    """A field missing or unknown."""
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
    return None


def _verdict_problem(rec: dict[str, Any], st: TableSettings) -> str | None:
    """The verdict against ``genuine`` / ``genuine_positive``; rank + dimension = K d; ``continuous``."""
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
    return None


def _measure_problem(rec: dict[str, Any]) -> str | None:
    """The activated share, the times, the method, gradient descent's fields and the replay's."""
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
    return None


def _pattern_problem(rec: dict[str, Any], st: TableSettings) -> str | None:
    """The kept pattern (N rows of K digits, matching ``activated``) and ``differs`` against the paper's row."""
    act = rec["activated"]
    loc = rec["location"]
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

"""Running the trials: in-process, in local processes, or on a dask cluster."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, OutputError
from .log import append_record, open_partial, partial_path
from .presets import OURS, TableSettings
from .trial import Task, run_trial


def _import_engine() -> None:
    """Import the exact engine in the calling thread. pplpy (through cysignals) installs
    signal handlers when imported, which Python allows only in the main thread; a dask
    worker runs its tasks in other threads, so the engine is imported before."""
    from ... import deciders
    from ...core import polyhedra
    from ...theory import branches, minima

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
        if target.exists() and not OURS(target):
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
            append_record(part, rec)
            if "error" in rec:
                state.errors.append(rec)
            else:
                state.records[(float(rec["location"]), int(rec["trial"]))] = rec
            if progress is not None:
                progress(f"bias {rec['location']:g}: {rec.get('verdict', 'error' if 'error' in rec else 'skipped')}")
    except KeyboardInterrupt:
        state.interrupted = True
    return state

"""A hard deadline for one exact LP.

The genuineness searches check their budget between LPs (``Budget.tick``). One
exact LP of a large node (thousands of rows over rationals with long
denominators) can itself run for minutes, and neither PPL nor cdd can be
interrupted from Python while it runs. :func:`bounded` therefore runs each
*large* LP of a search that has a deadline in a forked child process and stops
that child when the deadline passes; the caller then sees :class:`Expired`,
which the searches report as ``undecided`` (never as "not genuine"). Small LPs,
searches without a deadline, and platforms without ``fork`` run in-process, as
before.

Nothing here changes an answer: the child runs the same decider on the same
system, and its answer (a point or Farkas multipliers, exact rationals) comes
back through a pipe and is used exactly as an in-process answer would be (the
callers verify every answer exactly in any case).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import BackendError
from . import polyhedra

T = TypeVar("T")

# an LP with at least this many matrix entries ((|E| + |G| + |H|) * n) runs in a child when a
# deadline is set; below it a fork costs more than the LP
LARGE_LP_ENTRIES = 20_000
# how often (seconds) the parent looks at the clock while the child runs
POLL_SECONDS = 1


class Expired(Exception):
    """The deadline passed while a bounded call ran (its child was stopped)."""


def entries(system: polyhedra.System) -> int:
    """The size of an LP: matrix entries (|E| + |G| + |H|) * n."""
    return (len(system.E) + len(system.G) + len(system.H)) * system.n


def _child(conn: Any, fn: Callable[[Any], Any], arg: Any) -> None:  # pragma: no cover - runs in the child
    """Send ``fn(arg)`` (or its exception) and leave at once with ``os._exit``: no
    interpreter clean-up, no flush of standard streams whose locks another thread of
    the parent (a progress bar) may have held at the fork."""
    try:
        conn.send(("ok", fn(arg)))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", BackendError(f"the LP process failed: {exc.__class__.__name__}: {exc}")))
    finally:
        conn.close()
        os._exit(0)


def call_before(deadline_ns: int, fn: Callable[[Any], T], arg: Any) -> T:
    """``fn(arg)`` in a forked child, stopped when ``time.monotonic_ns()`` passes
    ``deadline_ns`` (then :class:`Expired`). An exception of ``fn`` is raised again
    here. Without ``fork``, or in a daemonic process (which may not have children),
    the call runs in-process, checked only before it starts."""
    if time.monotonic_ns() > deadline_ns:
        raise Expired
    if multiprocessing.current_process().daemon:  # e.g. a dask worker: it may not have children
        return fn(arg)
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return fn(arg)
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, arg), daemon=True)
    proc.start()
    send.close()
    try:
        while not recv.poll(POLL_SECONDS):
            if time.monotonic_ns() > deadline_ns or not proc.is_alive():
                break
        if not recv.poll(0):
            if proc.is_alive() or time.monotonic_ns() > deadline_ns:
                raise Expired
            proc.join()
            raise BackendError(f"the LP process ended without an answer (exit code {proc.exitcode})")
        try:
            status, value = recv.recv()
        except EOFError:  # the child closed the pipe without a word: it has ended, or is ending
            proc.join(POLL_SECONDS)
            raise BackendError(f"the LP process ended without an answer (exit code {proc.exitcode})") from None
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if status == "error":
        raise value
    result: T = value
    return result


def bounded(
    decide: Callable[[polyhedra.System], polyhedra.Point | polyhedra.Farkas],
    deadline_ns: int | None,
    expired: Callable[[], BaseException],
) -> Callable[[polyhedra.System], polyhedra.Point | polyhedra.Farkas]:
    """``decide`` with a hard deadline for large systems: a system of at least
    :data:`LARGE_LP_ENTRIES` entries, when ``deadline_ns`` is not None, runs in a
    child (:func:`call_before`); when it expires, ``expired()`` is raised (the
    searches pass their own out-of-budget exception)."""
    if deadline_ns is None:
        return decide
    dl = deadline_ns

    def run(system: polyhedra.System) -> polyhedra.Point | polyhedra.Farkas:
        if entries(system) < LARGE_LP_ENTRIES:
            return decide(system)
        try:
            return call_before(dl, decide, system)
        except Expired:
            raise expired() from None

    return run

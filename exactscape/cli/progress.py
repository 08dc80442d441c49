"""Progress bars on stderr for the CLI (rich), the one factory every command uses.

A bar is shown only when it is enabled and stderr is a terminal: otherwise
stderr carries nothing but a one-line error, and the callers get ``None`` (or,
from :func:`ticker`, a callback that does nothing). Nothing here touches the
decisions: the bars only display the counts the deciders report.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Bar:
    """One live task of a rich progress display."""

    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    def update(
        self, *, done: int | None = None, total: int | None = None, text: str | None = None, advance: int = 0
    ) -> None:
        """Set the count ``done`` of ``total`` (or advance it), and the free text after the bar."""
        fields: dict[str, Any] = {}
        if done is not None:
            fields["completed"] = done
        if total is not None:
            fields["total"] = total
        if text is not None:
            fields["description"] = text
        if advance:
            fields["advance"] = advance
        self._progress.update(self._task, **fields)


@contextmanager
def bar(
    label: str, *, enabled: bool = True, steps: bool = True, total: int | None = None, transient: bool = True
) -> Iterator[Bar | None]:
    """A bar on stderr: ``label``, then (``steps``) a bar with "done/total", or
    (not ``steps``) a spinner, the elapsed time and a free text. Yields ``None``
    when disabled, when stderr is not a terminal, or without rich. A
    ``transient`` bar disappears when done."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
    except ImportError:  # pragma: no cover - rich is a dependency
        yield None
        return
    columns: list[ProgressColumn] = (
        [TextColumn(label), BarColumn(), MofNCompleteColumn()] if steps else [SpinnerColumn(), TextColumn(label)]
    )
    columns += [TimeElapsedColumn(), TextColumn("{task.description}")]
    with Progress(*columns, console=Console(stderr=True), transient=transient) as prog:
        yield Bar(prog, prog.add_task("", total=total))


@contextmanager
def ticker(total: int, label: str) -> Iterator[Callable[[str], None]]:
    """A bar of ``total`` steps that stays on screen: each call ``tick(msg)``
    advances it by one and shows ``msg``; a no-op off a terminal."""
    with bar(label, total=total, transient=False) as b:
        if b is None:
            yield lambda msg: None
        else:
            yield lambda msg: b.update(advance=1, text=msg)

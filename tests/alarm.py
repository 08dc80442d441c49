"""A wall-clock limit for in-process CLI runs in the fuzz tests (SIGALRM)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any


class Timeout(BaseException):
    """Raised by the alarm; a BaseException, so the CLI's handlers cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise :class:`Timeout` in the block once ``seconds`` have passed."""

    def fire(signum: int, frame: Any) -> None:
        raise Timeout

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)

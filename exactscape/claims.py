"""The one marking of printed facts that no certificate proves.

Every line a command prints that states a fact is either proved by the
certificate it writes (a check of proofs/FORMAT.md replays it) or carries the
marker ``(not certified)`` where it is printed: computed exactly (or measured in
floats), but not replayed by the independent checker. The test suite keeps an
inventory of every command's output lines and JSON fields against this rule
(tests/claims.py).
"""

from __future__ import annotations

NOT_CERTIFIED = "(not certified)"
"""The marker, printed at the end of a line (or a table header) whose fact no certificate proves."""


def not_certified(text: str) -> str:
    """``text`` followed by the marker :data:`NOT_CERTIFIED` (one space between)."""
    return f"{text} {NOT_CERTIFIED}"

"""The one marking of printed facts that no certificate proves.

Every line a command prints that states a fact is either proved by the
certificate it writes (a check of proofs/FORMAT.md replays it) or carries the
marker ``(not certified)`` where it is printed: computed exactly (or measured in
floats), but not replayed by the independent checker. The test suite keeps an
inventory of every command's output lines and JSON fields against this rule
(tests/claims.py). In ``--json`` output the same facts are named in the field
``not_certified`` (:func:`mark_json`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NOT_CERTIFIED = "(not certified)"
"""The marker, printed at the end of a line (or a table header) whose fact no certificate proves."""


def not_certified(text: str) -> str:
    """``text`` followed by the marker :data:`NOT_CERTIFIED` (one space between)."""
    return f"{text} {NOT_CERTIFIED}"


def mark_json(doc: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``doc`` with ``"not_certified"``: the sorted dotted paths (``a.b``; ``a[].b`` for a
    field of every entry of the list ``a``) of the fields present in ``doc`` that state a fact
    no certificate proves; a listed path covers the fields below it. Returns ``doc``."""
    present = [f for f in fields if _present(doc, f.replace("[]", "").split("."))]
    if present:
        doc["not_certified"] = sorted(set(present))
    return doc


def _present(obj: Any, parts: list[str]) -> bool:
    """Is the path ``parts`` a field of ``obj`` (of some entry, through lists)?"""
    if not parts:
        return obj is not None
    if isinstance(obj, list):
        return any(_present(v, parts) for v in obj)
    return isinstance(obj, dict) and parts[0] in obj and _present(obj[parts[0]], parts[1:])

"""The claims inventory (tests/claims.py) covers every command, every output line and
every JSON field, and every fact it lists as proved names a checker function that exists.

Each command runs on the bundled examples in this process; a line without an entry, a
JSON field without an entry, a line or field marked "(not certified)" whose entry names
no such reading, or an unmarked one whose only reading is "not certified" fails the test.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from claims import INVENTORY, KINDS, NOT_CERTIFIED, Claim
from conftest import EX, ROOT, run_cli

from exactscape.cli import _parser
from exactscape.io.claims import NOT_CERTIFIED as MARKER

CERTS = ROOT / "proofs" / "certificates"


def _argv(run: tuple[str, ...]) -> list[str]:
    out = []
    for a in run:
        if a.startswith("EX/"):
            a = str(EX / a[3:])
        elif a.startswith("CERTS/"):
            a = str(CERTS / a[6:])
        out.append(a)
    return out


def _fields(obj: Any, path: str = "") -> Iterator[str]:
    """Every field path of a JSON document (``a.b``, ``a[].b`` through lists)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = f"{path}.{k}" if path else str(k)
            yield p
            yield from _fields(v, p)
    elif isinstance(obj, list):
        for v in obj:
            yield from _fields(v, path + "[]")


def _json_claim(claims: tuple[Claim, ...], field: str) -> Claim | None:
    for cl in claims:
        if cl.where == field:
            return cl
    for cl in claims:  # a.* covers every field below a
        if cl.where.endswith(".*") and field.startswith(cl.where[:-1]):
            return cl
    return None


def _text_claim(claims: tuple[Claim, ...], line: str) -> Claim | None:
    return next((cl for cl in claims if re.match(cl.where, line)), None)


def _marked(field: str, listed: list[str]) -> bool:
    """Is ``field`` (or a field above it) named in the JSON's ``not_certified``?"""
    return any(field == m or field.startswith(m + ".") or field.startswith(m + "[]") for m in listed)


def test_every_command_has_an_entry() -> None:
    """A new command (or experiment) without an inventory entry fails."""
    parser = _parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    names = set()
    for name, p in sub.choices.items():  # type: ignore[union-attr]
        nested = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        if nested:
            names |= {f"{name} {n}" for n in nested[0].choices}  # type: ignore[union-attr]
        else:
            names.add(name)
    assert names == set(INVENTORY)


def test_every_proof_names_a_checker_function() -> None:
    for name, cmd in INVENTORY.items():
        for cl in (*cmd.text, *cmd.json):
            assert cl.proof, (name, cl.where)
            for p in cl.proof:
                if p in KINDS:
                    continue
                module, _, function = p.partition(".")
                mod = importlib.import_module(f"exactscape.checker.{module}")
                fn = getattr(mod, function, None)
                assert callable(fn), f"{name}: {cl.where!r} names {p}, which does not exist"


def _check_text(name: str, run: tuple[str, ...], out: str) -> list[str]:
    problems = []
    for line in out.splitlines():
        if not line.strip():
            continue
        cl = _text_claim(INVENTORY[name].text, line)
        if cl is None:
            problems.append(f"{name} ({' '.join(run[1:3])}): no inventory entry for the line {line!r}")
            continue
        if MARKER in line and NOT_CERTIFIED not in cl.proof:
            problems.append(f"{name}: the line {line!r} is marked, but its entry {cl.where!r} names a proof")
        if MARKER not in line and cl.proof == (NOT_CERTIFIED,):
            problems.append(f"{name}: the line {line!r} states a fact no certificate proves, unmarked")
    return problems


def _check_json(name: str, doc: dict[str, Any]) -> list[str]:
    problems = []
    listed = doc.get("not_certified", [])
    for f in sorted(set(_fields(doc))):
        if f.startswith("not_certified"):
            continue
        cl = _json_claim(INVENTORY[name].json, f)
        if cl is None:
            problems.append(f"{name}: no inventory entry for the JSON field {f!r}")
            continue
        marked = _marked(f, listed)
        if marked and NOT_CERTIFIED not in cl.proof:
            problems.append(f"{name}: the JSON field {f!r} is in not_certified, but its entry names a proof")
        if not marked and cl.proof == (NOT_CERTIFIED,):
            problems.append(f"{name}: the JSON field {f!r} states a fact no certificate proves, not in not_certified")
    return problems


def test_every_output_line_and_field_has_an_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    problems: list[str] = []
    order = sorted(INVENTORY, key=lambda n: n == "check")  # check reads the bundle atlas writes
    for name in order:
        cmd = INVENTORY[name]
        for run in cmd.runs:
            code, out, err = run_cli(_argv(run), capsys)
            assert code == 0, (run, err)
            problems += _check_text(name, run, out)
            if cmd.has_json:
                code, out, err = run_cli([*_argv(run), "--json"], capsys)
                assert code == 0, (run, err)
                problems += _check_json(name, json.loads(out))
    assert not problems, "\n".join(problems)


def test_the_inventory_fails_on_an_unlisted_line() -> None:
    """The checks above can fail: a line nobody listed, and an unmarked uncertified one."""
    assert _check_text("region", ("region",), "a new claim: 42\n")
    assert _check_text("cells", ("cells",), "cells: 3 bounded, 1 unbounded, 0 undecided\n")
    assert not _check_text("cells", ("cells",), f"cells: 3 bounded, 1 unbounded, 0 undecided {MARKER}\n")
    assert _check_json("region", {"verdict": "empty", "bounded": True, "new_field": 1})

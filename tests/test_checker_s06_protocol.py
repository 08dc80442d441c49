"""Checker, FORMAT.md section 6: the protocol (verdict lines, exit codes, unreadable inputs) and
robustness (no input makes the checker crash)."""

import copy
import doctest
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from checker_certs import (
    REPO,
    VALID,
    Cert,
    cell_affine_tree,
    cell_unique_genuine,
    point_saddle,
    rejected,
    verdict,
)

from exactscape.checker import check_certificate, check_file, main
from exactscape.checker import linalg as checker_linalg
from exactscape.checker import numbers as checker_numbers
from exactscape.checker import poly as checker_poly


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_certificates_verify(name: str) -> None:
    result = verdict(VALID[name]())
    assert result.verified, result.reason
    assert result.reason == ""
    assert result.status_line == "s VERIFIED"


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_certificates_verify_from_file(name: str, tmp_path: Path) -> None:
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(VALID[name]()))
    code, lines = check_file(path)
    assert code == 0
    assert lines[-1] == "s VERIFIED"
    assert all(line.startswith("c ") for line in lines[:-1])
    assert sum(line.startswith("s ") for line in lines) == 1


def test_result_is_frozen() -> None:
    result = verdict(cell_unique_genuine())
    with pytest.raises(AttributeError):
        result.verified = False  # type: ignore[misc]


# ---------------------------------------------------------------- section 6: protocol


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "cert.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_unreadable_inputs_exit_2(tmp_path: Path) -> None:
    valid = cell_unique_genuine()
    cases: list[tuple[str | bytes, str]] = [
        ("{not json", "not JSON"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ("3", "expected a JSON object"),
        (json.dumps({**valid, "format": "exactscape-instance"}), "format must be"),
        (json.dumps({k: v for k, v in valid.items() if k != "format"}), "no format field"),
        (json.dumps({**valid, "version": "2.0"}), "version '2.0' refused"),
        (json.dumps({**valid, "version": 1}), "version must be a string"),
        (json.dumps({**valid, "version": "1"}), "version must be a string"),
        ('{"format": "exactscape-certificate", "format": "x"}', "duplicate key"),
        ("[" * 100000 + "]" * 100000, "not JSON"),
        ("", "not JSON"),
    ]
    for text, fragment in cases:
        code, lines = check_file(write(tmp_path, text))
        assert code == 2, (text[:40], lines)
        assert len(lines) == 1 and lines[0].startswith("s REJECTED: "), lines
        assert fragment in lines[0], lines
    code, lines = check_file(tmp_path / "missing.json")
    assert code == 2 and lines[0].startswith("s REJECTED: cannot read")
    code, lines = check_file(tmp_path)
    assert code == 2


def test_minor_versions_of_major_1_accepted(tmp_path: Path) -> None:
    cert = cell_unique_genuine()
    cert["version"] = "1.7"
    assert check_file(write(tmp_path, json.dumps(cert)))[0] == 0


def test_check_certificate_rejects_unreadable_objects() -> None:
    objects: list[object] = [None, [], "x", {"format": "exactscape-certificate", "version": "3.0"}]
    for obj in objects:
        result = verdict(obj)
        assert not result.verified and result.reason


def test_reason_is_one_ascii_line() -> None:
    cert = cell_unique_genuine()
    cert["claim"]["\u00e9\nbad"] = 1
    reason = rejected(cert)
    assert "\n" not in reason and reason.isascii()


def test_main_prints_lines_and_returns_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, json.dumps(cell_affine_tree()))
    assert main([str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "s VERIFIED" and all(line.startswith("c ") for line in out[:-1])
    cert = cell_affine_tree()
    cert["claim"]["loss"] = 1
    path = write(tmp_path, json.dumps(cert))
    assert main([str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "s REJECTED: claim.loss: claimed 1, derived 0"
    assert main([]) == 2


def test_module_entry_point(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(point_saddle()))
    proc = subprocess.run(
        [sys.executable, "-m", "exactscape.checker", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "s VERIFIED"
    path.write_text("nope")
    proc = subprocess.run(
        [sys.executable, "-m", "exactscape.checker", str(path)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and proc.stdout.startswith("s REJECTED: not JSON")


# ---------------------------------------------------------------- robustness


JUNK: list[object] = [None, True, -1, 10**30, "x", "1/0", [], {}, 0.5, [[]], {"leaf": {}}, [0, [0, 0]]]


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            out += _paths(sub, prefix + (key,))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            out += _paths(sub, prefix + (index,))
    return out


def _replace(cert: Cert, path: tuple[Any, ...], new: object) -> Cert:
    out = copy.deepcopy(cert)
    parent: Any = out
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return out


@pytest.mark.parametrize("name", sorted(VALID))
def test_junk_anywhere_never_crashes(name: str) -> None:
    cert = VALID[name]()
    for path in _paths(cert)[1:]:
        for junk in JUNK:
            result = check_certificate(_replace(cert, path, junk))
            assert not result.reason.startswith("internal"), (path, junk, result.reason)
            original = _get(cert, path)
            unchanged = type(junk) is type(original) and junk == original
            if path[0] in ("format", "version", "claim", "pattern", "kind") and not unchanged:
                assert not result.verified, (path, junk)


@pytest.mark.parametrize("name", sorted(VALID))
def test_random_number_mutations_never_crash(name: str) -> None:
    rng = random.Random(20261125)
    cert = VALID[name]()
    leaves = [p for p in _paths(cert)[1:] if not isinstance(_get(cert, p), (dict, list))]
    for _ in range(200):
        path = rng.choice(leaves)
        new = rng.choice([0, 1, -1, 2, "1/2", "-3/7", 7])
        result = check_certificate(_replace(cert, path, new))
        assert not result.reason.startswith("internal"), (path, new, result.reason)


def _get(cert: Cert, path: tuple[Any, ...]) -> object:
    value: Any = cert
    for key in path:
        value = value[key]
    return value


def test_loss_mutation_always_rejected() -> None:
    for name, build in VALID.items():
        cert = build()
        cert["claim"]["loss"] = "1234567/3"
        result = check_certificate(cert)
        assert not result.verified, name
        assert result.reason.startswith("claim.loss"), (name, result.reason)


def test_doctests_of_checker_modules() -> None:
    for module in (checker_numbers, checker_poly, checker_linalg):
        failures, attempted = doctest.testmod(module)
        assert failures == 0 and attempted > 0, module.__name__


def test_every_kind_of_the_envelope_has_its_checks() -> None:
    from exactscape.checker.envelope import KINDS
    from exactscape.checker.protocol import CHECKS

    assert sorted(CHECKS) == sorted(KINDS)

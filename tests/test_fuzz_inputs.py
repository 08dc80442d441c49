"""Fuzz the read side: mutated instances, weights, patterns and certificates
fed to cell, point, saddles, boundary, crosscheck and check (instances also
to spurious, path, region, atlas and cells).

For every mutant, in-process through :func:`exactscape.cli.main` under a
per-run time limit (SIGALRM): the exit code is one of the documented
0, 1, 2, 3; stderr has at most one line and no traceback or "internal
error"; the inputs are unchanged and no file other than the named
certificate appears. Mutations keep the shapes small (values are replaced,
list entries deleted, bytes flipped, the text truncated or re-encoded), so a
mutant never asks for an exponential search the tool is right to perform.

The default run tries a few dozen mutants; ``-m slow`` runs many more.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from alarm import Timeout, time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape.cli import main

REPO = Path(__file__).resolve().parents[1]
EX = REPO / "examples"
CERTS = REPO / "proofs" / "certificates"
TIME_LIMIT = 60  # seconds per command: generous, only a hang trips it

BASES = {
    "instance": EX / "zigzag.json",
    "weights": EX / "zigzag-saddle.weights.json",
    "pattern": EX / "zigzag-mixed.pattern.json",
    "float-weights": EX / "trained-tiny.float-weights.json",
    "certificate-saddle": CERTS / "zigzag-mixed.saddles.cert.json",
    "certificate-point": CERTS / "zigzag-saddle.point.cert.json",
    "certificate-boundary": CERTS / "kink-tree.boundary.cert.json",
    "certificate-cell": CERTS / "random-k3.cell.cert.json",
}
HOSTILE: list[Any] = [
    "1e4000",
    "1e-4000",
    "1e999999999",
    "1/" + "7" * 4300,
    "7" * 4301,
    -1,
    0,
    10**40,
    1.5,
    True,
    None,
    "NaN",
    "",
    "\u0663",
    "\n",
    [],
    {},
    "all",
    "given",
    "1.1",
    "9.9",
]


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON object (the root excluded)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.append((*prefix, i))
            out += _paths(v, (*prefix, i))
    return out


def _mutate_json(text: str, op: str, pick: int, value: Any) -> str:
    obj = json.loads(text)
    paths = _paths(obj)
    path = paths[pick % len(paths)]
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if op == "replace":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "duplicate" and isinstance(parent, dict):
        inner = json.dumps(parent[last])
        body = json.dumps(obj)
        return body.replace(
            json.dumps(last) + ": ", json.dumps(last) + ": " + inner + ", " + json.dumps(last) + ": ", 1
        )
    return json.dumps(obj)


def _mutate_bytes(data: bytes, op: str, pick: int, byte: int) -> bytes:
    pos = pick % max(1, len(data))
    if op == "flip":
        return data[:pos] + bytes([data[pos] ^ (byte or 1)]) + data[pos + 1 :]
    if op == "insert":
        return data[:pos] + bytes([byte]) + data[pos:]
    if op == "truncate":
        return data[:pos]
    if op == "bom":
        return b"\xef\xbb\xbf" + data
    return data.decode("utf-8").encode("utf-16")  # "utf16"


def _command(target: str, mutant: Path, tmp: Path) -> list[str]:
    inst, pat = str(BASES["instance"]), str(BASES["pattern"])
    m = str(mutant)
    cert = ["--cert", str(tmp / "out.cert.json")]
    if target.startswith("certificate"):
        return ["check", m]
    if target == "instance":
        return ["cell", m, "--pattern", pat, *cert]
    if target == "weights":
        return ["boundary", inst, "--weights", m, "--neuron", "0", "--sample", "0", *cert]
    if target == "pattern":
        return ["saddles", inst, "--pattern", m, *cert]
    return ["crosscheck", str(EX / "trained-tiny.json"), "--weights", m, *cert]


EXTRA = {  # the same mutants also go to these commands
    "instance": lambda m, c: [
        ["point", m, "--weights", str(BASES["weights"]), *c],
        ["saddles", m, "--weights", str(BASES["weights"]), *c],
        # the newer commands, sized so that a valid mutant stays quick
        ["spurious", m, "--neurons", "2", "--no-search", *c],
        [
            "path",
            m,
            "--from",
            str(EX / "zigzag-path-a.weights.json"),
            "--to",
            str(EX / "zigzag-path-b.weights.json"),
            "--max-work",
            "20000",
            *c,
        ],
        ["region", m, "--pattern", str(BASES["pattern"]), "--branches", "+-", *c],
        ["atlas", m, "--neurons", "1", "--max-cells", "50", "--no-saddles", "--no-progress"],
        ["cells", m, "--bias", "1", "--sample", "2", "--points", "2", "--no-progress"],
    ],
    "weights": lambda m, c: [["point", str(BASES["instance"]), "--weights", m, *c]],
    "pattern": lambda m, c: [["cell", str(BASES["instance"]), "--pattern", m, *c]],
}


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _run_one(argv: list[str], tmp: Path, mutant: Path) -> None:
    before = _digest(tmp)
    inputs_before = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in BASES.items()}
    out, err = io.StringIO(), io.StringIO()
    try:
        with time_limit(TIME_LIMIT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    except Timeout:
        pytest.fail(f"{argv[0]} ran past {TIME_LIMIT} s on a mutant of {len(mutant.read_bytes())} bytes")
    text = err.getvalue()
    assert code in (0, 1, 2, 3), (argv, code, text)
    assert len(text.splitlines()) <= 1, (argv, text)
    assert "Traceback" not in text and "internal error" not in text, (argv, text)
    if argv[0] == "check":
        assert out.getvalue().splitlines()[-1].startswith("s "), out.getvalue()
    after = _digest(tmp)
    assert after.get(mutant.name) == before[mutant.name], "the input was changed"
    assert set(after) - set(before) <= {"out.cert.json"}, set(after) - set(before)
    (tmp / "out.cert.json").unlink(missing_ok=True)
    assert inputs_before == {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in BASES.items()}


MUTANT = st.tuples(
    st.sampled_from(sorted(BASES)),
    st.sampled_from(["replace", "replace", "delete", "duplicate", "flip", "insert", "truncate", "bom", "utf16"]),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(HOSTILE),
    st.integers(min_value=0, max_value=255),
)


def _fuzz(mutant: tuple[str, str, int, Any, int]) -> None:
    target, op, pick, value, byte = mutant
    text = BASES[target].read_text(encoding="utf-8")
    if op in ("replace", "delete", "duplicate"):
        data = _mutate_json(text, op, pick, value).encode("utf-8")
    else:
        data = _mutate_bytes(text.encode("utf-8"), op, pick, byte)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        m = tmp / ("mutant.json")
        m.write_bytes(data)
        _run_one(_command(target, m, tmp), tmp, m)
        for argv in EXTRA.get(target, lambda m, c: [])(str(m), ["--cert", str(tmp / "out.cert.json")]):
            _run_one(argv, tmp, m)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(MUTANT)
def test_fuzz_inputs_and_certificates(mutant: tuple[str, str, int, Any, int]) -> None:
    _fuzz(mutant)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MUTANT)
def test_fuzz_inputs_and_certificates_many(mutant: tuple[str, str, int, Any, int]) -> None:
    _fuzz(mutant)


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", ["dev-zero-check", "dev-zero-cell", "huge-npy", "zeros-npz", "k40-saddle", "curve-1200"]
)
def test_hostile_files_in_a_subprocess_under_memory_and_time_limits(case: str, tmp_path: Path) -> None:
    """The reproductions of the read-side hardening, each in a fresh process
    limited to 2 GiB of address space and 120 s: one line, exit 1 or 2."""
    import resource
    import subprocess
    import sys

    import numpy as np
    from numpy.lib import format as npformat

    pat = str(BASES["pattern"])
    if case == "huge-npy":
        p = tmp_path / "huge.npy"
        with p.open("wb") as fh:
            npformat.write_array_header_1_0(fh, {"descr": "<f8", "fortran_order": False, "shape": (10**8, 10**5)})
        argv = ["cell", str(p), "--pattern", pat]
    elif case == "zeros-npz":
        p = tmp_path / "zeros.npz"
        np.savez_compressed(p, X=np.zeros((3000, 3000)), y=np.zeros(3000))
        argv = ["cell", str(p), "--pattern", pat]
    elif case == "k40-saddle":
        cert = json.loads(BASES["certificate-saddle"].read_text(encoding="utf-8"))
        cert["pattern"] = [row + [0] * 38 for row in cert["pattern"]]
        p = tmp_path / "k40.json"
        p.write_text(json.dumps(cert), encoding="utf-8")
        argv = ["check", str(p)]
    elif case == "curve-1200":
        cert = json.loads(BASES["certificate-point"].read_text(encoding="utf-8"))
        cert["descent"]["dz"] = [[1, ["0", "-1"] + ["1/3"] * 1198]]
        p = tmp_path / "deg.json"
        p.write_text(json.dumps(cert), encoding="utf-8")
        argv = ["check", str(p)]
    else:
        argv = ["check", "/dev/zero"] if case == "dev-zero-check" else ["cell", "/dev/zero", "--pattern", pat]
    if argv[0] != "check":
        argv += ["--cert", str(tmp_path / "out.cert.json")]

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    proc = subprocess.run(
        [sys.executable, "-m", "exactscape", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limits,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode in (1, 2), proc
    assert "Traceback" not in proc.stderr and "internal" not in proc.stderr + proc.stdout
    if argv[0] == "check":
        assert proc.stderr == "" and proc.stdout.splitlines()[-1].startswith("s REJECTED: ")
    else:
        assert len(proc.stderr.splitlines()) == 1

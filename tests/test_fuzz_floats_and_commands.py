"""Fuzz the float readers and the newer commands.

Three layers, each with the contract of tests/test_fuzz_inputs.py (exit code
0, 1, 2 or 3; stderr at most one line, no traceback or "internal error"; the
inputs unchanged; no file appears but the one named with ``--cert``):

* mutated ``.npz``/``.npy``/``.csv`` files (dtypes, values, shapes, header
  length fields, extra or duplicate members, flipped or cut bytes) read as
  instances (``cell``) and as float weights (``crosscheck``);
* hostile option values and mutated weights for ``spurious``, ``path``,
  ``atlas``, ``cells``, ``region`` and ``gaussian1d``; ``path`` runs with a
  small ``--max-work`` and must finish well within the time that estimate
  stands for (no run past its estimate);
* the reproductions of the hostile inputs at full size, each in a fresh
  process limited to 2 GiB of address space (``ulimit -v``) and 120 s.

In-process runs are limited by SIGALRM. The default run tries a few dozen
cases; ``-m slow`` runs many more and the subprocess reproductions.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from alarm import Timeout, time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape.cli import main

REPO = Path(__file__).resolve().parents[1]
EX = REPO / "examples"
ZIGZAG = EX / "zigzag.json"
PATTERN = EX / "zigzag-mixed.pattern.json"
TINY = EX / "trained-tiny.json"
TINY_WEIGHTS = EX / "trained-tiny.float-weights.json"
PATH_A = EX / "zigzag-path-a.weights.json"
PATH_B = EX / "zigzag-path-b.weights.json"
TIME_LIMIT = 60
PATH_WORK = 20_000  # work units of the fuzzed path runs: about 2 s where the estimate was calibrated


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir" for p in sorted(folder.iterdir())
    }


EXAMPLES_BEFORE = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(EX.glob("*.json"))}


def _check(argv: list[str], tmp: Path, limit: int = TIME_LIMIT) -> tuple[int, float]:
    """Run ``argv`` in-process with ``tmp`` as the working folder; assert the contract."""
    before = _digest(tmp)
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    t0 = time.monotonic()
    try:
        os.chdir(tmp)
        with time_limit(limit), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    except Timeout:
        pytest.fail(f"{argv[:2]} ran past {limit} s")
    finally:
        os.chdir(cwd)
    seconds = time.monotonic() - t0
    text = err.getvalue()
    assert code in (0, 1, 2, 3), (argv[:6], code, text[:500])
    assert len(text.splitlines()) <= 1, (argv[:6], text[:500])
    assert "Traceback" not in text and "internal error" not in text and "out of memory" not in text, text[:500]
    after = _digest(tmp)
    assert {k: v for k, v in after.items() if k in before} == before, "an input was changed"
    assert set(after) - set(before) <= {"out.cert.json"}, set(after) - set(before)
    (tmp / "out.cert.json").unlink(missing_ok=True)
    return code, seconds


# ------------------------------------------------------------ float readers

DTYPES = ["float16", "float32", "float64", "longdouble", "complex128", "bool", "int8", "uint64", "<U2", "V8", "object"]
VALUES: list[Any] = [np.nan, np.inf, -np.inf, 1e308, 5e-324, 0.5, -0.0, "ldmax", "ldtiny"]
SHAPES = [(4,), (2, 2, 1), (0, 1), (4, 0), (5, 1), ()]


def _npy(a: Any) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=True)
    return buf.getvalue()


def _value(v: Any) -> Any:
    if v == "ldmax":
        return np.finfo(np.longdouble).max
    if v == "ldtiny":
        return np.finfo(np.longdouble).smallest_subnormal
    return v


def _arrays(kind: str) -> dict[str, Any]:
    if kind == "instance":
        return {"X": np.array([[-2.0], [-1.0], [1.0], [2.0]]), "y": np.array([0.0, 1.0, 0.0, 1.0])}
    obj = json.loads(TINY_WEIGHTS.read_text(encoding="utf-8"))
    return {"z": np.array(obj["z"], dtype=float), "w": np.array(obj["w"], dtype=float)}


def _float_file(kind: str, op: str, pick: int, choice: int, byte: int) -> tuple[str, bytes]:
    """(suffix, bytes) of one mutant of a valid array file."""
    arrays = _arrays(kind)
    names = sorted(arrays)
    name = names[pick % len(names)]
    members: list[tuple[str, bytes]] = []
    if op == "dtype":
        dt = DTYPES[choice % len(DTYPES)]
        arrays[name] = np.array(arrays[name].tolist(), dtype=object) if dt == "object" else arrays[name].astype(dt)
    elif op == "value":
        a = arrays[name].astype(np.longdouble) if str(VALUES[choice % len(VALUES)]).startswith("ld") else arrays[name]
        flat = a.reshape(-1).copy()
        flat[pick % flat.size] = _value(VALUES[choice % len(VALUES)])
        arrays[name] = flat.reshape(a.shape)
    elif op == "shape":
        shape = SHAPES[choice % len(SHAPES)]
        arrays[name] = np.zeros(shape)
    elif op == "bias" and kind == "instance":
        arrays["bias"] = [np.array(True), np.array(0.5), np.array([1, 0]), np.array(2), np.array("yes")][choice % 5]
    members = [(f"{k}.npy", _npy(v)) for k, v in arrays.items()]
    if op == "header":  # a header length field far beyond the data
        k = pick % len(members)
        data = members[k][1]
        version = data[6:8]
        field = struct.pack("<H", 0xFFFF) if version == b"\x01\x00" else struct.pack("<I", 2**31 + choice)
        members[k] = (members[k][0], data[:8] + field + data[8 + len(field) :])
    elif op == "members":
        members += [(f"extra{i}.npy", _npy(np.zeros(0))) for i in range(choice % 120)]
    elif op == "duplicate":
        members.append(members[pick % len(members)])
    elif op == "foreign":
        members.append(("notes.txt", b"hello"))
    if kind == "instance" and op == "npy":
        table = np.hstack([arrays["X"].reshape(4, -1), arrays["y"].reshape(4, 1)]) if arrays["X"].ndim == 2 else None
        data = _npy(table if table is not None else arrays["X"])
        return ".npy", _mutate(data, pick, byte, choice)
    if kind == "instance" and op == "csv":
        text = b"-2,0\n-1,1\n1,0\n2,1\n"
        return ".csv", _mutate(text, pick, byte, choice)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, _quiet():
        for n, d in members:
            zf.writestr(n, d)
    data = buf.getvalue()
    if op == "bytes":
        data = _mutate(data, pick, byte, choice)
    return ".npz", data


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name" warning
        yield


def _mutate(data: bytes, pick: int, byte: int, choice: int) -> bytes:
    pos = pick % max(1, len(data))
    op = choice % 3
    if op == 0:
        return data[:pos] + bytes([data[pos] ^ (byte or 1)]) + data[pos + 1 :] if data else data
    if op == 1:
        return data[:pos] + bytes([byte]) + data[pos:]
    return data[:pos]


FLOAT_MUTANT = st.tuples(
    st.sampled_from(["instance", "weights"]),
    st.sampled_from(
        ["dtype", "value", "shape", "bias", "header", "members", "duplicate", "foreign", "bytes", "npy", "csv"]
    ),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=255),
)


def _fuzz_float(mutant: tuple[str, str, int, int, int]) -> None:
    kind, op, pick, choice, byte = mutant
    suffix, data = _float_file(kind, op, pick, choice, byte)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        m = tmp / f"mutant{suffix}"
        m.write_bytes(data)
        cert = ["--cert", "out.cert.json"]
        if kind == "instance":
            _check(["cell", str(m), "--pattern", str(PATTERN), *cert], tmp)
        else:
            _check(["crosscheck", str(TINY), "--weights", str(m), *cert], tmp)
        assert m.read_bytes() == data


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(FLOAT_MUTANT)
def test_fuzz_float_readers(mutant: tuple[str, str, int, int, int]) -> None:
    _fuzz_float(mutant)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FLOAT_MUTANT)
def test_fuzz_float_readers_many(mutant: tuple[str, str, int, int, int]) -> None:
    _fuzz_float(mutant)


# ------------------------------------------------------------ newer commands

OPTION_VALUES = [
    "-1",
    "0",
    "1",
    "2",
    "3",
    str(10**12),
    "9" * 60,
    "1e999",
    "nan",
    "inf",
    "-0",
    "",
    " ",
    "+-0",
    "x" * 5000,
    "1/0",
    "\n",
    "0x10",
    "1e-4000",
    "3/7",
    "\u0663",
    "0:6:2",
    "6:0:5",
    "0:6:" + "9" * 30,
    "-1e308:1e308:3",
    "0:1e-320:3",
]


def _templates(v: str) -> list[list[str]]:
    cert = ["--cert", "out.cert.json"]
    z, p, a, b = str(ZIGZAG), str(PATTERN), str(PATH_A), str(PATH_B)
    return [
        ["spurious", z, "--neurons", v, "--no-search", *cert],
        ["spurious", z, "--neurons", "2", "--seed", v, *cert],
        ["spurious", z, "--neurons", "2", "--branches", v, "--no-search", *cert],
        ["path", z, "--from", a, "--to", b, "--max-work", v, *cert],
        ["atlas", z, "--neurons", v, "--max-cells", "100", "--no-saddles", "--no-faces", "--no-progress"],
        ["atlas", z, "--neurons", "1", "--max-cells", v, "--no-saddles", "--no-faces", "--no-progress"],
        ["cells", z, "--bias", v, "--sample", "2", "--points", "2", "--no-progress"],
        ["cells", z, "--bias", "1", "--sample", "2", "--points", "2", "--box", v, "--no-progress"],
        ["cells", z, "--bias", "1", "--sample", "2", "--points", v, "--no-progress"],
        ["cells", z, "--bias", "1", "--sample", v, "--points", "2", "--seed", "1", "--no-progress"],
        ["cells", z, "--bias", "1", "--exact", "--points", "2", "--directions", v, "--seed", v, "--no-progress"],
        ["gaussian1d", "-N", v, "--sweep", "0:6:5"],
        ["gaussian1d", "-N", "10", "--sweep", v],
        ["gaussian1d", "-N", "10", "--sweep", "0:6:5", "--seed", v],
        ["region", z, "--pattern", p, "--branches", v, *cert],
        ["region", z, "--pattern", p, "--branches", "+-", "--kind", "boundary", "--neuron", v, "--sample", "0", *cert],
        ["cell", z, "--pattern", p, "--budget", v, *cert],
    ]


COMMAND_MUTANT = st.tuples(st.integers(min_value=0, max_value=16), st.sampled_from(OPTION_VALUES))


def _fuzz_command(mutant: tuple[int, str]) -> None:
    k, v = mutant
    argv = _templates(v)[k]
    with tempfile.TemporaryDirectory() as d:
        _check(argv, Path(d))
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(EX.glob("*.json"))} == EXAMPLES_BEFORE


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(COMMAND_MUTANT)
def test_fuzz_newer_command_options(mutant: tuple[int, str]) -> None:
    _fuzz_command(mutant)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(COMMAND_MUTANT)
def test_fuzz_newer_command_options_many(mutant: tuple[int, str]) -> None:
    _fuzz_command(mutant)


ENDPOINT_VALUES: list[Any] = [
    "1/" + "7" * 4300,
    "7" * 4300,
    "0." + "3" * 4299,
    "1e4000",
    "1e-4000",
    "1e4001",
    "1." + "3" * 5000,
    "-1",
    "0",
    1.5,
    None,
    "NaN",
    [],
    "1/0",
]


ENDPOINT_MUTANT = st.tuples(
    st.sampled_from(["path-from", "path-to", "spurious-lower"]),
    st.sampled_from(["z", "w"]),
    st.integers(min_value=0, max_value=100),
    st.sampled_from(ENDPOINT_VALUES),
)


def _fuzz_endpoint(mutant: tuple[str, str, int, Any]) -> None:
    which, key, pick, value = mutant
    src = PATH_A if which != "path-to" else PATH_B
    obj = json.loads(src.read_text(encoding="utf-8"))
    if key == "z":
        obj["z"][pick % len(obj["z"])] = value
    else:
        row = obj["w"][pick % len(obj["w"])]
        row[pick % len(row)] = value
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        m = tmp / "mutant.json"
        m.write_text(json.dumps(obj), encoding="utf-8")
        cert = ["--cert", "out.cert.json"]
        if which == "spurious-lower":
            argv = ["spurious", str(ZIGZAG), "--neurons", "2", "--lower", str(m), *cert]
        else:
            a, b = (str(m), str(PATH_B)) if which == "path-from" else (str(PATH_A), str(m))
            argv = ["path", str(ZIGZAG), "--from", a, "--to", b, "--max-work", str(PATH_WORK), *cert]
        code, seconds = _check(argv, tmp)
        if argv[0] == "path":  # within its estimate: PATH_WORK units of about 0.1 ms, with a wide margin
            assert seconds < 30, (value if not isinstance(value, str) else value[:40], seconds)


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(ENDPOINT_MUTANT)
def test_fuzz_path_and_spurious_endpoints(mutant: tuple[str, str, int, Any]) -> None:
    _fuzz_endpoint(mutant)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENDPOINT_MUTANT)
def test_fuzz_path_and_spurious_endpoints_many(mutant: tuple[str, str, int, Any]) -> None:
    _fuzz_endpoint(mutant)


# ------------------------------------------------------------ full size, memory-limited processes


def _huge_header_npz(p: Path) -> None:
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("X.npy", "w", force_zip64=True) as fh:
            fh.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**30))
            block = b" " * 2**20
            for _ in range(256):
                fh.write(block)
        zf.writestr("y.npy", _npy(np.zeros(4)))


def _many_members_npz(p: Path) -> None:
    empty = _npy(np.zeros(0))
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("X.npy", _npy(np.array([[-2.0], [-1.0], [1.0], [2.0]])))
        zf.writestr("y.npy", _npy(np.array([0.0, 1.0, 0.0, 1.0])))
        for k in range(100_000):
            zf.writestr(f"e{k}.npy", empty)


def _long_decimal_instance(p: Path) -> None:
    obj = json.loads(ZIGZAG.read_text(encoding="utf-8"))
    obj["X"][0][0] = "1." + "3" * 15_000_000
    p.write_text(json.dumps(obj), encoding="utf-8")


def _long_decimal_weights(p: Path) -> None:
    text = TINY_WEIGHTS.read_text(encoding="utf-8").replace('"z": [', '"z": [1.' + "7" * 60_000_000 + ", ", 1)
    p.write_text(text, encoding="utf-8")


def _long_endpoints(tmp: Path) -> tuple[Path, Path]:
    a = json.loads(PATH_A.read_text(encoding="utf-8"))
    b = json.loads(PATH_B.read_text(encoding="utf-8"))
    a["w"][0][1] = "1/" + "7" * 4300
    b["z"][1] = "1/" + "3" * 4300
    (tmp / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (tmp / "b.json").write_text(json.dumps(b), encoding="utf-8")
    return tmp / "a.json", tmp / "b.json"


def _tampered_partial(tmp: Path, change: dict[str, Any]) -> None:
    """A partial file of `experiment tables --table I --N 6 --K 2 --trials 1 --locations 0 --budget 5`."""
    from exactscape.experiments.tables import MARKER, PARTIAL_FORMAT, settings_for

    st_ = settings_for("I", N=6, K=2, trials=1, locations=(0.0,), budget=5.0)
    head = {"format": PARTIAL_FORMAT, "version": 1, "marker": MARKER, "settings": st_.header()}
    rec = {
        "location": 0.0,
        "trial": 0,
        "verdict": "not-genuine",
        "genuine": False,
        "genuine_positive": False,
        "continuous": True,
        "rank": 4,
        "dimension": 4,
        "activated": 0.5,
        "method": "plain [hinted]",
        "nodes": 1,
        "seconds": 0.5,
        "gd": None,
    }
    rec.update(change)
    line = json.dumps(rec).replace("Infinity", "1e999")
    (tmp / "t.partial.jsonl").write_text(json.dumps(head, sort_keys=True) + "\n" + line + "\n", encoding="utf-8")


TABLE = ["experiment", "tables", "--table", "I", "--N", "6", "--K", "2", "--trials", "1", "--locations", "0"]

CASES: dict[str, tuple[set[int], Any]] = {
    "npz-header-2^30": ({2}, lambda t: (_huge_header_npz(t / "h.npz"), ["cell", "h.npz", "--pattern", str(PATTERN)])),
    "npz-100k-members": ({2}, lambda t: (_many_members_npz(t / "m.npz"), ["cell", "m.npz", "--pattern", str(PATTERN)])),
    "decimal-15M-exact": (
        {2},
        lambda t: (_long_decimal_instance(t / "i.json"), ["cell", "i.json", "--pattern", str(PATTERN)]),
    ),
    "decimal-60M-float-mode": (
        {2},
        lambda t: (
            _long_decimal_weights(t / "w.json"),
            ["crosscheck", str(TINY), "--weights", "w.json", "--float-mode", "decimal"],
        ),
    ),
    "gaussian1d-N-10^12": ({2}, lambda t: (None, ["gaussian1d", "-N", str(10**12)])),
    "gaussian1d-seed-1": ({2}, lambda t: (None, ["gaussian1d", "--seed", "-1"])),
    "spurious-seed-1": ({2}, lambda t: (None, ["spurious", str(ZIGZAG), "--neurons", "2", "--seed", "-1"])),
    "spurious-K-10^8": ({2}, lambda t: (None, ["spurious", str(ZIGZAG), "--neurons", str(10**8), "--no-search"])),
    "cells-points-10^12": (
        {2},
        lambda t: (None, ["cells", str(ZIGZAG), "--bias", "1", "--exact", "--points", str(10**12)]),
    ),
    "cells-sample-10^12": ({2}, lambda t: (None, ["cells", str(ZIGZAG), "--bias", "1", "--sample", str(10**12)])),
    "cells-box-0": ({2}, lambda t: (None, ["cells", str(ZIGZAG), "--bias", "1", "--exact", "--box", "0"])),
    "path-4300-digits": (
        {2},
        lambda t: (None, ["path", str(ZIGZAG), "--from", str(_long_endpoints(t)[0]), "--to", str(t / "b.json")]),
    ),
    "tables-trial-x": (
        {3},
        lambda t: (_tampered_partial(t, {"trial": "x"}), [*TABLE, "--budget", "5", "--out", "t.json"]),
    ),
    "tables-seconds-1e999": (
        {3},
        lambda t: (_tampered_partial(t, {"seconds": float("inf")}), [*TABLE, "--budget", "5", "--out", "t.json"]),
    ),
    "check-fifo-in-bundle": ({1}, lambda t: (_bundle_with_fifo(t), ["check", str(t / "b")])),
}
NEEDLES = {  # what the one line must say, where the exit code alone does not tell the fix from the bug
    "npz-header-2^30": "bytes declared, more than the limit",
    "decimal-15M-exact": "has 15000001 digits",
    "check-fifo-in-bundle": "not read",
}


def _bundle_with_fifo(tmp: Path) -> None:
    b = tmp / "b"
    b.mkdir()
    cert = REPO / "proofs" / "certificates" / "zigzag-mixed.saddles.cert.json"
    (b / cert.name).write_bytes(cert.read_bytes())
    os.mkfifo(b / "x.cert.json")


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_reproductions_in_a_memory_limited_process(case: str, tmp_path: Path) -> None:
    """Each reproduction in a fresh process under ``ulimit -v`` 2 GiB and 120 s:
    the expected exit code, one stderr line (or the checker's s-line), no
    traceback, no exit 4, no file written."""
    import resource

    codes, make = CASES[case]
    _, argv = make(tmp_path)
    before = set(os.listdir(tmp_path))

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "exactscape", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limits,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode in codes, (proc.returncode, proc.stderr[-500:], proc.stdout[-500:])
    assert "Traceback" not in proc.stderr and "internal" not in proc.stderr + proc.stdout[-2000:]
    assert "out of memory" not in proc.stderr
    if argv[0] == "check":
        assert proc.stdout.splitlines()[-1].startswith("s REJECTED")
        assert NEEDLES.get(case, "") in proc.stdout.splitlines()[-1]
    else:
        assert NEEDLES.get(case, "") in proc.stderr
        assert len(proc.stderr.splitlines()) == 1 and len(proc.stderr) < 2000
    assert set(os.listdir(tmp_path)) == before, set(os.listdir(tmp_path)) ^ before
    assert time.monotonic() - t0 < 60

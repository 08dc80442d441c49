"""Hostile inputs, second round: the float readers and the newer commands.

Each case is a reproduction of an attack that once ended in a false "exact",
an unbounded run, exit 4 or a silent skip; each must now end in a one-line
error (exit 2 for inputs, 3 for outputs) in bounded time and memory, or in an
exact answer where the input is valid. In-process through
:func:`exactscape.cli.main`, except where a memory limit is the point.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from numpy.lib import format as npformat

from exactscape.cli import main
from exactscape.floats.convert import significand_bits, unit_roundoff
from exactscape.floats.files import MAX_NPZ_MEMBERS, NPY_HEADER_LIMIT
from exactscape.floats.weights import load_float_weights
from exactscape.io.instances import load_instance

REPO = Path(__file__).resolve().parents[1]
EX = REPO / "examples"
ZIGZAG = EX / "zigzag.json"
PATTERN = EX / "zigzag-mixed.pattern.json"
TINY = EX / "trained-tiny.json"
TINY_WEIGHTS = EX / "trained-tiny.float-weights.json"
LONG_DOUBLE = np.dtype(np.longdouble)
WIDE = LONG_DOUBLE.itemsize > 8 and significand_bits(LONG_DOUBLE.name) not in (None, 53)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr; stderr at most one line, never a traceback."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    assert len(err.splitlines()) <= 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


# ------------------------------------------------ 1. every float format numpy holds, exactly


@pytest.mark.skipif(not WIDE, reason="this platform's long double is binary64")
def test_long_double_instance_is_converted_exactly(tmp_path: Path) -> None:
    p = tmp_path / "ld.npz"
    one_plus = np.longdouble(1) + np.longdouble(2) ** -60
    np.savez(p, X=np.array([[one_plus], [2], [3], [4]], dtype=np.longdouble), y=np.zeros(4, dtype=np.longdouble))
    inst = load_instance(p)
    assert inst.X[0][0] == 1 + Fraction(1, 2**60)  # not 1, as a read through float64 gives
    assert f"{LONG_DOUBLE.name} ({significand_bits(LONG_DOUBLE.name)}-bit significand" in inst.provenance


@pytest.mark.skipif(not WIDE, reason="this platform's long double is binary64")
def test_long_double_weights_exact_and_robustness_in_their_own_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj = json.loads(TINY_WEIGHTS.read_text(encoding="utf-8"))
    z = np.array(obj["z"], dtype=np.longdouble)
    w = np.array(obj["w"], dtype=np.longdouble)
    w[0, 0] += np.longdouble(2) ** -60
    p = tmp_path / "ld.npz"
    np.savez(p, z=z, w=w)
    fw = load_float_weights(p)
    assert fw.weights.w[0][0] == Fraction(*w[0, 0].as_integer_ratio())
    assert fw.weights.w[0][0] != Fraction(float(w[0, 0]))
    assert fw.precision == LONG_DOUBLE.name
    assert f"file format {LONG_DOUBLE.name} (unit roundoff 2^-{significand_bits(LONG_DOUBLE.name)}" in fw.provenance
    assert unit_roundoff(fw.precision) == Fraction(1, 2 ** significand_bits(LONG_DOUBLE.name))  # type: ignore[operator]
    code, out, _ = run(["crosscheck", str(TINY), "--weights", str(p), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 0 and f"in {LONG_DOUBLE.name}" in out and "gamma_(d+1) = 4.44e-16" not in out


def test_float16_and_float32_are_exact_and_named(tmp_path: Path) -> None:
    obj = json.loads(TINY_WEIGHTS.read_text(encoding="utf-8"))
    for dt, p in (("float16", 11), ("float32", 24)):
        f = tmp_path / f"{dt}.npz"
        z, w = np.array(obj["z"], dtype=dt), np.array(obj["w"], dtype=dt)
        np.savez(f, z=z, w=w)
        fw = load_float_weights(f)
        assert fw.precision == dt and unit_roundoff(dt) == Fraction(1, 2**p)
        assert fw.weights.w[1][0] == Fraction(float(w[1, 0])) and f"{dt} values converted exactly" in fw.provenance


@pytest.mark.parametrize("dtype", ["complex128", "complex64", "clongdouble"])
def test_complex_arrays_are_refused_naming_the_dtype(
    dtype: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "c.npz"
    np.savez(p, X=np.zeros((4, 1), dtype=dtype), y=np.zeros(4))
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and f"dtype {np.dtype(dtype)} refused" in err


@pytest.mark.skipif(not WIDE, reason="this platform's long double is binary64")
def test_long_double_beyond_the_digit_limit_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "big.npz"
    np.savez(p, X=np.array([[np.finfo(np.longdouble).max], [1], [2], [3]]), y=np.zeros(4))
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "X[0][0]: 1.18973" in err and "more than 4300 digits" in err


# ------------------------------------------------ 2. .npy header length checked before it is read


def _npy_with_header_length(length: int, version: tuple[int, int] = (2, 0)) -> bytes:
    field = struct.pack("<H" if version == (1, 0) else "<I", length)
    return npformat.MAGIC_PREFIX + bytes(version) + field + b" " * min(length, 2**16)


def test_npz_member_declaring_a_huge_header_is_refused_before_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "hdr.npz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("X.npy", "w", force_zip64=True) as fh:
            fh.write(_npy_with_header_length(2**30)[:12])
            block = b" " * 2**20
            for _ in range(8):  # 8 MiB of header text (the size field allows 4 GiB)
                fh.write(block)
        zf.writestr("y.npy", b"")
    assert p.stat().st_size < 2**20
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and f"header of {2**30} bytes declared, more than the limit of {NPY_HEADER_LIMIT}" in err
    assert "allow_pickle" not in err


def test_npy_declaring_a_huge_header_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "hdr.npy"
    p.write_bytes(_npy_with_header_length(60_000, (1, 0)))
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "header of 60000 bytes declared" in err and "allow_pickle" not in err


def test_npy_data_shorter_than_its_header_declares(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    buf = io.BytesIO()
    np.save(buf, np.zeros((4, 2)))
    p = tmp_path / "short.npy"
    p.write_bytes(buf.getvalue()[:-8])
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "declares 8 values" in err


# ------------------------------------------------ 3. member count from the zip's end record


def test_npz_with_many_members_is_refused_from_its_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "many.npz"
    empty = io.BytesIO()
    np.save(empty, np.zeros(0))
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("X.npy", _npy_bytes(np.array([[-2.0], [-1.0], [1.0], [2.0]])))
        zf.writestr("y.npy", _npy_bytes(np.array([0.0, 1.0, 0.0, 1.0])))
        for k in range(3000):
            zf.writestr(f"e{k}.npy", empty.getvalue())
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "declares 3002 members" in err and f"limit of {MAX_NPZ_MEMBERS} members" in err


def _npy_bytes(a: np.ndarray) -> bytes:  # type: ignore[type-arg]
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def test_npz_duplicate_and_foreign_members_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "dup.npz"
    with pytest.warns(UserWarning):
        with zipfile.ZipFile(p, "w") as zf:
            zf.writestr("X.npy", _npy_bytes(np.array([[-2.0], [-1.0], [1.0], [2.0]])))
            zf.writestr("y.npy", _npy_bytes(np.array([0.0, 1.0, 0.0, 1.0])))
            zf.writestr("X.npy", _npy_bytes(np.array([[5.0], [6.0], [7.0], [8.0]])))
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "X.npy: member name appears twice" in err
    q = tmp_path / "foreign.npz"
    with zipfile.ZipFile(q, "w") as zf:
        zf.writestr("X.npy", _npy_bytes(np.array([[-2.0], [-1.0], [1.0], [2.0]])))
        zf.writestr("y.npy", _npy_bytes(np.array([0.0, 1.0, 0.0, 1.0])))
        zf.writestr("notes.txt", b"hello")
    code, _, err = run(["cell", str(q), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "notes.txt: member is not a .npy array" in err


def test_npz_within_the_limits_still_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "ok.npz"
    np.savez_compressed(p, X=np.array([[-2.0], [-1.0], [1.0], [2.0]]), y=np.array([0, 1, 0, 1]), bias=np.array(True))
    code, out, _ = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 0 and "verdict:" in out


# ------------------------------------------------ 10. the smaller float-reader items


@pytest.mark.parametrize("bias", [np.array(0.5), np.array(2), np.array([True, False]), np.array(1.0)])
def test_instance_bias_must_be_a_boolean(bias: np.ndarray, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[type-arg]
    p = tmp_path / "b.npz"
    np.savez(p, X=np.array([[-2.0], [-1.0], [1.0], [2.0]]), y=np.array([0.0, 1.0, 0.0, 1.0]), bias=bias)
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "bias must be" in err


@pytest.mark.parametrize("bias,expected", [(np.array(False), False), (np.array(1), True), (np.array([0]), False)])
def test_instance_bias_booleans_and_0_1_read(bias: np.ndarray, expected: bool, tmp_path: Path) -> None:  # type: ignore[type-arg]
    p = tmp_path / "b.npz"
    np.savez(p, X=np.array([[-2.0], [-1.0], [1.0], [2.0]]), y=np.array([0.0, 1.0, 0.0, 1.0]), bias=bias)
    assert load_instance(p).bias is expected


@pytest.mark.parametrize("command", ["crosscheck", "cell", "point"])
def test_weights_npy_is_not_read_as_json(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "w.npy"
    np.save(p, np.zeros((2, 3)))
    code, _, err = run([command, str(TINY), "--weights", str(p), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and ".npy" in err and "UTF-8" not in err
    assert not (tmp_path / "c.json").exists() and os.path.getsize(p) > 0


# ------------------------------------------------ 4. digit limits before conversion


def test_long_decimal_in_an_exact_file_is_refused_by_its_length(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj = json.loads(ZIGZAG.read_text(encoding="utf-8"))
    obj["X"][0][0] = "1." + "3" * 2_000_000
    p = tmp_path / "i.json"
    p.write_text(json.dumps(obj), encoding="utf-8")
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "has 2000001 digits, more than 4300" in err and "X[0][0]" in err
    assert len(err) < 300  # the literal is not echoed


@pytest.mark.parametrize("literal", ["1." + "7" * 1_000_000, "0." + "0" * 4300 + "1", "1" * 4301 + ".5e-3"])
def test_long_decimal_float_literal_refused_in_decimal_mode(
    literal: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj = TINY_WEIGHTS.read_text(encoding="utf-8").replace('"z": [', f'"z": [{literal}, ', 1)
    p = tmp_path / "w.json"
    p.write_text(obj, encoding="utf-8")
    argv = ["crosscheck", str(TINY), "--weights", str(p), "--cert", str(tmp_path / "c.json"), "--float-mode", "decimal"]
    code, _, err = run(argv, capsys)
    assert code == 2 and "more than 4300" in err and len(err) < 300


def test_decimal_within_the_limit_still_reads_exactly() -> None:
    from exactscape.core.numbers import parse_rational
    from exactscape.floats.convert import float_text_to_rational

    text = "0." + "0" * 4200 + "125"
    assert parse_rational(text, "x") == Fraction(125, 10**4203)
    assert float_text_to_rational("1" * 4300 + "e-4000", "z", mode="decimal") == Fraction(int("1" * 4300), 10**4000)


def test_long_values_are_not_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long = "+" * 100_000
    code, _, err = run(["spurious", str(ZIGZAG), "--neurons", "2", "--branches", long, "--no-search"], capsys)
    assert code == 2 and "100000 characters" in err and len(err) < 400
    code, _, err = run(["region", str(ZIGZAG), "--pattern", str(PATTERN), "--kind", "x" * 100_000], capsys)
    assert code == 2 and len(err) < 400


# ------------------------------------------------ 5-6. every numeric option bounded, the bound in --help


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["gaussian1d", "-N", "1000000000000"], "-N"),
        (["gaussian1d", "-N", "0"], "-N"),
        (["gaussian1d", "--seed", "-1"], "--seed"),
        (["gaussian1d", "-N", "100000", "--sweep", "0:6:1000"], "more than the limit of 4000000"),
        (["gaussian1d", "-N", "2", "--sweep=-1e308:1e308:3", "--check"], "--sweep"),
        (["spurious", str(ZIGZAG), "--neurons", "2", "--seed", "-1", "--no-search"], "--seed"),
        (["spurious", str(ZIGZAG), "--neurons", "100000000", "--no-search"], "--neurons"),
        (["spurious", str(ZIGZAG), "--neurons", "0", "--no-search"], "--neurons"),
        (["atlas", str(ZIGZAG), "--neurons", "1000000000"], "--neurons"),
        (["atlas", str(ZIGZAG), "--neurons", "1", "--max-cells", "-5"], "--max-cells"),
        (["cells", str(ZIGZAG), "--bias", "1", "--exact", "--points", str(10**12)], "--points"),
        (["cells", str(ZIGZAG), "--bias", "1", "--sample", str(10**12)], "--sample"),
        (["cells", str(ZIGZAG), "--bias", "1", "--exact", "--box", "0"], "--box"),
        (["cells", str(ZIGZAG), "--bias", "1", "--exact", "--box", "-1"], "--box"),
        (["cells", str(ZIGZAG), "--bias", "1", "--exact", "--seed", "-3"], "--seed"),
        (["cells", str(ZIGZAG), "--bias", "1", "--sample", "100000", "--points", "1000"], "more than the limit"),
        (
            ["region", str(ZIGZAG), "--pattern", str(PATTERN), "--kind", "boundary", "--neuron", "-1", "--sample", "0"],
            "--neuron",
        ),
        (["cell", str(ZIGZAG), "--pattern", str(PATTERN), "--budget", "1e99999999"], "--budget"),
    ],
)
def test_out_of_range_options_exit_2_at_once(
    argv: list[str], needle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(argv, capsys)
    assert code == 2 and needle in err and out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    "command,options",
    [
        ("gaussian1d", ["-N", "--seed", "--sweep", "--check"]),
        ("spurious", ["--neurons", "--seed"]),
        ("atlas", ["--neurons", "--max-cells"]),
        ("cells", ["--points", "--sample", "--directions", "--box", "--seed"]),
        ("cell", ["--budget"]),
    ],
)
def test_bounds_are_in_the_help(command: str, options: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split()).split("options:")[-1]
    for opt in options:
        chunk = text[text.index(opt) :][:400]
        assert any(s in chunk for s in ("..", "> 0", "at most", "(0, 10^9]")), (opt, chunk)


def test_atlas_bound_is_the_atlas_limit() -> None:
    from exactscape.cli.atlas import ATLAS_MAX_K
    from exactscape.landscape import atlas

    assert atlas.MAX_K == ATLAS_MAX_K


# ------------------------------------------------ 5, 8. the tables' resume file read back


@pytest.fixture(scope="module")
def table_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished small `experiment tables` run (two locations, two trials)."""
    d = tmp_path_factory.mktemp("table")
    argv = ["experiment", "tables", "--table", "I", "--N", "6", "--K", "2", "--trials", "2", "--locations", "0,-20"]
    assert main([*argv, "--budget", "20", "--out", str(d / "t.json")]) == 0
    return d


TABLE_ARGV = ["experiment", "tables", "--table", "I", "--N", "6", "--K", "2", "--trials", "2", "--locations", "0,-20"]


def _tampered(table_run: Path, tmp_path: Path, line: int, **change: object) -> list[str]:
    lines = (table_run / "t.partial.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[line])
    rec.update(change)
    lines[line] = json.dumps(rec).replace("Infinity", "1e999")
    (tmp_path / "t.partial.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [*TABLE_ARGV, "--budget", "20", "--out", str(tmp_path / "t.json")]


@pytest.mark.parametrize(
    "change,needle",
    [
        ({"trial": "x"}, "trial is not a whole number"),
        ({"trial": True}, "trial is not a whole number"),
        ({"location": float("inf")}, "location is not a finite number"),
        ({"seconds": float("inf")}, "seconds is not a finite number"),
        ({"seconds": -1}, "seconds is not a finite number"),
        ({"verdict": "genuine"}, "verdict 'genuine' is not the one genuine = false gives"),
        ({"genuine": True}, "verdict 'not-genuine' is not the one genuine = true gives"),
        ({"genuine": True, "verdict": "genuine", "genuine_positive": True}, "differs is not"),
        ({"rank": 3}, "rank + dimension is not K d = 8"),
        ({"activated": 7}, "activated is not a share"),
        ({"gd": "maybe"}, "gd"),
        ({"extra": 1}, "unknown field 'extra'"),
    ],
)
def test_tampered_resume_records_are_refused(
    change: dict[str, object], needle: str, table_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _tampered(table_run, tmp_path, 1, **change)
    code, _, err = run(argv, capsys)
    assert code == 3 and "line 2 is not a trial record of this run" in err and needle in err, err
    assert not (tmp_path / "t.json").exists() and not (tmp_path / "t.md").exists()


def test_resumed_records_are_reported_as_read_back_and_written_without_infinity(
    table_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _tampered(table_run, tmp_path, 1)
    code, out, _ = run(argv, capsys)
    assert code == 0 and "4 of these trials were read back from the partial file" in out
    text = (tmp_path / "t.json").read_text(encoding="utf-8")
    assert json.loads(text)["resumed_trials"] == 4 and "Infinity" not in text and "NaN" not in text


def test_resume_file_of_other_settings_is_an_output_refusal(
    table_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _tampered(table_run, tmp_path, 1)
    argv[argv.index("--budget") + 1] = "21"
    code, _, err = run(argv, capsys)
    assert code == 3 and "other settings (budget: 20.0 there, 21.0 here)" in err


# ------------------------------------------------ 9. check DIR reports every entry it did not read


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("atlas")
    assert main(["atlas", str(EX / "toy-positive.json"), "-K", "1", "--out", str(d / "b"), "--no-saddles"]) == 0
    return d / "b"


def _copy(bundle: Path, tmp_path: Path) -> Path:
    import shutil

    out = tmp_path / "b"
    shutil.copytree(bundle, out)
    return out


def test_intact_bundle_verifies(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(bundle)], capsys)
    assert code == 0 and out.splitlines()[-1] == "s VERIFIED" and "not read" not in out


@pytest.mark.parametrize("attack", ["subfolder", "fifo", "symlink", "symlink-dir", "stray-file"])
def test_bundle_entries_not_read_are_reported_and_reject(
    attack: str, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = _copy(bundle, tmp_path)
    certs = sorted(b.glob("cell-*.cert.json"))
    if attack == "subfolder":  # a cell certificate moved away: the bundle would lack a cell
        (b / "sub").mkdir()
        certs[0].rename(b / "sub" / certs[0].name)
        name = "sub"
    elif attack == "fifo":
        os.mkfifo(b / "extra.cert.json")
        name = "extra.cert.json"
    elif attack == "symlink":  # a link to a certificate elsewhere is not followed
        outside = tmp_path / "elsewhere.cert.json"
        certs[0].rename(outside)
        (b / certs[0].name).symlink_to(outside)
        name = certs[0].name
    elif attack == "symlink-dir":
        (b / "loop").symlink_to(b)
        name = "loop"
    else:
        (b / "notes.txt").write_text("hello", encoding="utf-8")
        name = "notes.txt"
    code, out, _ = run(["check", str(b)], capsys)
    last = out.splitlines()[-1]
    assert code == 1 and last.startswith("s REJECTED") and "not read" in last, out
    assert f"c {name}: not read: " in out and "\ns VERIFIED" not in out


def test_bundle_with_many_stray_entries_lists_a_few(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = _copy(bundle, tmp_path)
    for k in range(100):
        (b / f"s{k}").mkdir()
    code, out, _ = run(["check", str(b)], capsys)
    assert code == 1 and "c ... and 80 more entries not read" in out and len(out.splitlines()) < 60


# ------------------------------------------------ 7. path: a work estimate before the long loops


def _endpoint(tmp_path: Path, name: str, src: str, where: tuple[str, int, int | None], value: str) -> Path:
    obj = json.loads((EX / src).read_text(encoding="utf-8"))
    key, i, j = where
    if j is None:
        obj[key][i] = value
    else:
        obj[key][i][j] = value
    p = tmp_path / name
    p.write_text(json.dumps(obj), encoding="utf-8")
    return p


@pytest.mark.parametrize("value", ["1/" + "7" * 4300, "1" + "7" * 4299, "0." + "3" * 4299])
def test_path_with_long_endpoint_numbers_is_refused_by_its_estimate(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _endpoint(tmp_path, "a.json", "zigzag-path-a.weights.json", ("w", 0, 1), value)
    b = _endpoint(tmp_path, "b.json", "zigzag-path-b.weights.json", ("z", 1, None), "1/" + "3" * 4300)
    code, out, err = run(["path", str(ZIGZAG), "--from", str(a), "--to", str(b), "--cert", str(tmp_path / "c")], capsys)
    assert code == 2 and "estimated at" in err and "work units" in err and "--max-work" in err and out == ""
    assert not (tmp_path / "c").exists()


def test_path_estimate_and_its_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(EX / "zigzag-path-a.weights.json"), str(EX / "zigzag-path-b.weights.json")
    base = ["path", str(ZIGZAG), "--from", a, "--to", b, "--cert", str(tmp_path / "c.json")]
    code, _, err = run([*base, "--max-work", "5"], capsys)
    assert code == 2 and "more than the limit of 5" in err
    code, out, _ = run(base, capsys)
    assert code == 0 and "verdict:" in out
    code, _, err = run([*base, "--max-work", "0"], capsys)
    assert code == 2 and "--max-work" in err


# ------------------------------------------------ 10. output paths, the error prefix


@pytest.mark.parametrize(
    "argv",
    [
        [
            "path",
            str(ZIGZAG),
            "--from",
            str(EX / "zigzag-path-a.weights.json"),
            "--to",
            str(EX / "zigzag-path-b.weights.json"),
            "--plot",
            "{d}/file.png/",
        ],
        ["cell", str(ZIGZAG), "--pattern", str(PATTERN), "--cert", "{d}/c.cert.json/"],
        ["cells", str(ZIGZAG), "--bias", "1", "--exact", "--out", "{d}/cells.json/"],
        ["gaussian1d", "--sweep", "0:6:5", "-N", "10", "--plot", "{d}/g.png/"],
    ],
)
def test_output_file_with_a_trailing_slash_is_refused(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    code, out, err = run([a.replace("{d}", str(tmp_path / "d")) for a in argv], capsys)
    assert code == 3 and "ends in a path separator" in err and out == ""
    assert list((tmp_path / "d").iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_atlas_out_symlink_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    argv = ["atlas", str(EX / "toy-positive.json"), "-K", "1", "--no-saddles", "--out", str(tmp_path / "link")]
    code, _, err = run(argv, capsys)
    assert code == 3 and "symbolic link" in err and list(target.iterdir()) == []
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    code, _, err = run([*argv[:-1], str(tmp_path / "file")], capsys)
    assert code == 3 and "not a folder" in err and (tmp_path / "file").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "argv,prefix",
    [
        (["cell", "/nonexistent.json", "--pattern", str(PATTERN)], "exactscape cell: error: "),
        (["check", "/nonexistent"], None),
        (["path", str(ZIGZAG), "--from", "/none.json", "--to", "/none.json"], "exactscape path: error: "),
        (["experiment", "tables", "--table", "I", "--out", "x.txt"], "exactscape experiment tables: error: "),
        (["cell", str(ZIGZAG), "--pattern", str(PATTERN), "--budget", "x"], "exactscape cell: error: "),
    ],
)
def test_every_error_line_names_the_command(
    argv: list[str],
    prefix: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(argv, capsys)
    if prefix is None:  # check answers on stdout with an s-line
        assert code == 2 and out.splitlines()[-1].startswith("s REJECTED") and err == ""
    else:
        assert code == 2 and err.startswith(prefix), err


def test_readme_states_the_prefix_codes_and_limits_the_commands_use() -> None:
    """docs/manual.md "Exit codes", "Option values" and "Input limits" against the code's constants."""
    from exactscape.cli.atlas import ATLAS_MAX_K, G1_MAX_N, G1_MAX_WORK
    from exactscape.cli.region import CELLS_MAX_COUNT, CELLS_MAX_WORK
    from exactscape.cli.spurious import SPURIOUS_MAX_K
    from exactscape.floats.files import MAX_ZIP_DIRECTORY
    from exactscape.landscape.path import DEFAULT_MAX_WORK

    readme = " ".join((REPO / "docs" / "manual.md").read_text(encoding="utf-8").split())
    assert "(`exactscape CMD: error: ...`, e.g. `exactscape cell: error: ...`" in readme
    assert "exactscape: error:" not in readme
    assert "A partial file of other settings is refused (exit 3)" in readme
    assert f"`spurious --neurons` 1..{SPURIOUS_MAX_K}" in readme and f"`atlas --neurons` 1..{ATLAS_MAX_K}" in readme
    assert f"`gaussian1d -N` 1..{G1_MAX_N:,}".replace(",", "") in readme and f"{G1_MAX_WORK:,}" in readme
    assert f"up to {CELLS_MAX_COUNT}" in readme and f"at most {CELLS_MAX_WORK:,}" in readme
    assert f"at most {DEFAULT_MAX_WORK:,} units" in readme
    assert f"at most {MAX_NPZ_MEMBERS} members" in readme and MAX_ZIP_DIRECTORY == 2**20
    assert f"at most {NPY_HEADER_LIMIT:,} bytes" in readme


@pytest.mark.parametrize(
    "change", [{"exact_seconds": float("inf")}, {"activated": 3}, {"genuine": "yes"}, {"continuous": 1}]
)
def test_trapped_resume_records_with_bad_numbers_are_refused(change: dict[str, object], tmp_path: Path) -> None:
    from exactscape.errors import OutputError
    from exactscape.experiments.trapped import PARTIAL_FORMAT, read_partial

    settings_ = {"locations": [0.5], "trials": 1, "K": 1}
    rec: dict[str, object] = {
        "location": 0.5,
        "trial": 0,
        "genuine": True,
        "continuous": False,
        "gd": "trapped",
        "activated": 0.5,
        "exact_seconds": 0.1,
        "gd_seconds": 0.2,
        "gd_loss_end": float("inf"),  # a run that overflowed: its loss may be infinite
    }
    part = tmp_path / "run.partial.jsonl"
    header = json.dumps({"format": PARTIAL_FORMAT, "version": 1, "settings": settings_})
    part.write_text(header + "\n" + json.dumps(rec) + "\n", encoding="utf-8")
    assert read_partial(part, settings_)[0] == {(0.5, 0): rec}
    part.write_text(header + "\n" + json.dumps({**rec, **change}) + "\n", encoding="utf-8")
    with pytest.raises(OutputError, match="line 2 is not a trial record"):
        read_partial(part, settings_)


def test_corrupt_compressed_member_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The fuzzer's find: a flipped bit in a deflate stream made zlib raise its own error (exit 4)."""
    import zlib

    from test_fuzz_floats_and_commands import _float_file

    _, data = _float_file("instance", "bytes", 43, 0, 16)
    with pytest.raises(zlib.error), zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.read("X.npy")
    p = tmp_path / "c.npz"
    p.write_bytes(data)
    code, _, err = run(["cell", str(p), "--pattern", str(PATTERN), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "Error -3 while decompressing" in err, err


def test_gaussian1d_check_is_bounded_and_works_past_the_fast_engines_threshold(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["gaussian1d", "-N", "10001", "--sweep", "0:6:5", "--check"], capsys)
    assert code == 2 and "at most 10000" in err
    # N = 1200 makes A wide enough (4,800 entries) for the fast engine, which has no least-squares fit
    code, out, _ = run(["gaussian1d", "-N", "1200", "--sweep", "0:6:5", "--check"], capsys)
    assert code == 0 and "exact check (sampling 1" in out and "not decided" not in out

"""Input limits of the producer (docs/manual.md "Input limits", proofs/FORMAT.md 1-2):
regular files only within a size cap, one JSON encoding rule, the float
readers' limits checked before allocating, the saddles work estimate, and
numbers the grammar allows never ending in exit 4.

Every case runs the CLI in-process (:func:`exactscape.cli.main`) and requires
the documented exit code with exactly one stderr line.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.lib import format as npformat

from exactscape import api
from exactscape.cli import main
from exactscape.core.model import Instance, Pattern
from exactscape.errors import InputError
from exactscape.io.inputs import ENV_MAX_INPUT_MIB, max_array_elements, read_bytes, read_text
from exactscape.io.instances import load_instance

EX = Path(__file__).resolve().parents[1] / "examples"
ZIGZAG = EX / "zigzag.json"
ZIGZAG_PATTERN = EX / "zigzag-mixed.pattern.json"
ZIGZAG_WEIGHTS = EX / "zigzag-saddle.weights.json"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and the stderr text; stderr is at most one line, never a traceback."""
    code = main(argv)
    _, err = capsys.readouterr()
    assert len(err.splitlines()) <= 1, err
    assert "Traceback" not in err
    return code, err


def cell(instance: Path | str, tmp_path: Path) -> list[str]:
    return ["cell", str(instance), "--pattern", str(ZIGZAG_PATTERN), "--cert", str(tmp_path / "c.json")]


# ------------------------------------------------ special files and the size cap


@pytest.mark.parametrize(
    "argv",
    [
        ["cell", "{x}", "--pattern", str(ZIGZAG_PATTERN)],
        ["cell", str(ZIGZAG), "--pattern", "{x}"],
        ["point", str(ZIGZAG), "--weights", "{x}"],
        ["crosscheck", str(ZIGZAG), "--weights", "{x}"],
        ["crosscheck", str(ZIGZAG), "--weights", "{x}.npz"],
        ["cell", "{x}.npz", "--pattern", str(ZIGZAG_PATTERN)],
        ["cell", "{x}.npy", "--pattern", str(ZIGZAG_PATTERN)],
        ["cell", "{x}.csv", "--pattern", str(ZIGZAG_PATTERN)],
    ],
)
def test_fifo_inputs_are_refused_without_blocking(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "in"
    for suffix in ("", ".npz", ".npy", ".csv"):
        os.mkfifo(f"{fifo}{suffix}")
    args = [a.replace("{x}", str(fifo)) for a in argv] + ["--cert", str(tmp_path / "c.json")]
    code, err = run(args, capsys)
    assert code == 2 and "FIFO" in err and "regular files" in err


def test_dev_zero_and_directories_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(cell("/dev/zero", tmp_path), capsys)
    assert (
        code == 2
        and err == "exactscape cell: error: /dev/zero: is a character device; exactscape reads only regular files\n"
    )
    code, err = run(cell(tmp_path, tmp_path), capsys)
    assert code == 2 and "directory" in err
    code, err = run(["crosscheck", str(ZIGZAG), "--weights", "/dev/zero", "--cert", str(tmp_path / "c")], capsys)
    assert code == 2 and "character device" in err


def test_size_cap_and_the_variable_that_raises_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ZIGZAG.read_text(encoding="utf-8")
    big = tmp_path / "big.json"
    big.write_text(text + " " * (2**20 - len(text) + 1), encoding="utf-8")  # 1 MiB + 1 byte
    monkeypatch.setenv(ENV_MAX_INPUT_MIB, "1")
    code, err = run(cell(big, tmp_path), capsys)
    assert code == 2 and "larger than the input size limit of 1048576 bytes" in err and ENV_MAX_INPUT_MIB in err
    monkeypatch.setenv(ENV_MAX_INPUT_MIB, "2")
    code, _ = run(cell(big, tmp_path), capsys)
    assert code == 0
    monkeypatch.setenv(ENV_MAX_INPUT_MIB, "two")
    code, err = run(cell(big, tmp_path), capsys)
    assert code == 2 and ENV_MAX_INPUT_MIB in err


def test_reader_reads_regular_files_whole(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_bytes(b'{"a": "\xc3\xa9"}')
    assert read_bytes(p) == b'{"a": "\xc3\xa9"}' and read_text(p) == '{"a": "\u00e9"}'
    with pytest.raises(InputError, match="no such file"):
        read_bytes(tmp_path / "missing.json")


# ------------------------------------------------ one encoding rule for JSON


@pytest.mark.parametrize(
    "encode,needle",
    [
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "byte order mark"),
        (lambda t: t.encode("utf-16"), "not UTF-8"),
        (lambda t: t.encode("utf-32"), "not UTF-8"),
    ],
    ids=["utf-8-bom", "utf-16", "utf-32"],
)
@pytest.mark.parametrize("which", ["instance", "pattern", "float-weights", "certificate"])
def test_bom_and_utf16_refused_by_every_json_reader(
    encode: Any, needle: str, which: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    src = {
        "instance": ZIGZAG,
        "pattern": ZIGZAG_PATTERN,
        "float-weights": EX / "trained-tiny.float-weights.json",
        "certificate": EX.parent / "proofs" / "certificates" / "zigzag-mixed.saddles.cert.json",
    }[which]
    bad.write_bytes(encode(src.read_text(encoding="utf-8")))
    argv = {
        "instance": cell(bad, tmp_path),
        "pattern": ["cell", str(ZIGZAG), "--pattern", str(bad), "--cert", str(tmp_path / "c.json")],
        "float-weights": [
            "crosscheck",
            str(EX / "trained-tiny.json"),
            "--weights",
            str(bad),
            "--cert",
            str(tmp_path / "c"),
        ],
        "certificate": ["check", str(bad)],
    }[which]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert needle in (out if which == "certificate" else err)


# ------------------------------------------------ saddles: work estimate and limit


def _cell_k(tmp_path: Path, k: int) -> tuple[Path, Path]:
    inst, pat = tmp_path / "i.json", tmp_path / "p.json"
    xs = [[str(i)] for i in range(1, 5)]
    inst.write_text(json.dumps({"format": "exactscape-instance", "version": 1, "X": xs, "y": ["1", "0", "1", "0"]}))
    pat.write_text(json.dumps({"format": "exactscape-pattern", "version": 1, "I": [[1] * k for _ in xs]}))
    return inst, pat


def test_saddles_all_zero_sets_refused_above_the_limit_with_the_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inst, pat = _cell_k(tmp_path, 11)
    code, err = run(["saddles", str(inst), "--pattern", str(pat), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2
    assert "K = 11 gives 2047 zero sets" in err and "limit of 1024" in err and "--max-zero-sets" in err
    assert not (tmp_path / "c.json").exists()


def test_saddles_max_zero_sets_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst, pat = _cell_k(tmp_path, 3)
    base = ["saddles", str(inst), "--pattern", str(pat), "--cert", str(tmp_path / "c.json"), "--all-zero-sets"]
    code, err = run([*base, "--max-zero-sets", "6"], capsys)
    assert code == 2 and "K = 3 gives 7 zero sets" in err and "limit of 6" in err
    code, _ = run([*base, "--max-zero-sets", "7"], capsys)
    assert code == 0
    with pytest.raises(SystemExit) as exc:
        main([*base, "--max-zero-sets", "0"])
    assert exc.value.code == 2


def test_saddles_progress_reports_every_zero_set(tmp_path: Path) -> None:
    inst_path, _ = _cell_k(tmp_path, 3)
    inst = load_instance(inst_path)
    seen: list[tuple[int, int, int]] = []
    res = api.saddles(inst, pattern=Pattern(((1, 1, 1),) * 4), progress=lambda *a: seen.append(a))
    assert len(res.summary["cases"]) == 7
    assert {a[1] for a in seen} == {7} and [a[0] for a in seen][0] == 0 and seen[-1][0] == 7
    assert sorted({a[0] for a in seen}) == list(range(8))


# ------------------------------------------------ float readers


def _float_weights(tmp_path: Path, text: str) -> list[str]:
    p = tmp_path / "w.json"
    p.write_text(text, encoding="utf-8")
    return ["crosscheck", str(EX / "trained-tiny.json"), "--weights", str(p), "--cert", str(tmp_path / "c.json")]


def _trained_tiny_weights(**over: Any) -> str:
    obj = json.loads((EX / "trained-tiny.float-weights.json").read_text(encoding="utf-8"))
    obj.update(over)
    return json.dumps(obj)


@pytest.mark.parametrize("exponent", ["1e999999999", "1e99999", "1e-4001"])
def test_decimal_float_mode_has_the_exponent_cap(
    exponent: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _trained_tiny_weights().replace('"z": [', f'"z": [{exponent}, ', 1)
    argv = _float_weights(tmp_path, text) + ["--float-mode", "decimal"]
    code, err = run(argv, capsys)
    assert code == 2 and "beyond +-4000" in err


def test_float_weights_json_refuses_duplicate_keys_and_overlong_integers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _trained_tiny_weights()
    code, err = run(_float_weights(tmp_path, text.replace('"z":', '"z": [1.0], "z":', 1)), capsys)
    assert code == 2 and "duplicate key 'z'" in err
    code, err = run(_float_weights(tmp_path, text.replace('"z": [', '"z": [1' + "0" * 100_000 + ", ", 1)), capsys)
    assert code == 2 and "more than 4300 digits" in err


def _npy_header_only(path: Path, shape: tuple[int, ...], descr: str = "<f8") -> None:
    with path.open("wb") as fh:
        npformat.write_array_header_1_0(fh, {"descr": descr, "fortran_order": False, "shape": shape})
        fh.write(b"\0" * 64)


def test_npy_header_declaring_a_huge_shape_is_refused_before_allocating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "huge.npy"
    _npy_header_only(p, (10**8, 10**5))
    code, err = run(cell(p, tmp_path), capsys)
    assert code == 2 and "declare 10000000000000 elements" in err and f"limit of {max_array_elements()}" in err


def test_small_npz_of_many_zeros_is_refused_from_its_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "zeros.npz"
    np.savez_compressed(p, X=np.zeros((3000, 3000)), y=np.zeros(3000))
    assert p.stat().st_size < 100_000
    code, err = run(cell(p, tmp_path), capsys)
    assert code == 2 and "declare 9000000 elements" in err
    monkeypatch.setenv(ENV_MAX_INPUT_MIB, "1")  # 16,384 elements at most
    w = tmp_path / "w.npz"
    np.savez_compressed(w, z=np.zeros(200), w=np.zeros((200, 100)))
    code, err = run(["crosscheck", str(ZIGZAG), "--weights", str(w), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "declare 20200 elements, more than the limit of 16384" in err


def test_object_and_other_non_numeric_arrays_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "obj.npy"
    np.save(p, np.array([[1, "a"]], dtype=object), allow_pickle=True)
    code, err = run(cell(p, tmp_path), capsys)
    assert code == 2 and "dtype object refused" in err
    z = tmp_path / "w.npz"
    np.savez(z, z=np.array(["a", "b"]), w=np.zeros((2, 2)))
    code, err = run(["crosscheck", str(ZIGZAG), "--weights", str(z), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "refused (real numbers only" in err
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    code, err = run(cell(bad, tmp_path), capsys)
    assert code == 2 and "cannot read as .npz" in err


def test_numpy_inputs_within_the_limits_still_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "zz.npz"
    np.savez(p, X=np.array([[-2.0], [-1.0], [1.0], [2.0]]), y=np.array([0.0, 1.0, 0.0, 1.0]))
    code, _ = run(cell(p, tmp_path), capsys)
    assert code == 0
    q = tmp_path / "zz.csv"
    q.write_text("-2,0\n-1,1\n1,0\n2,1\n", encoding="utf-8")
    code, _ = run(cell(q, tmp_path), capsys)
    assert code == 0


# ------------------------------------------------ numbers the grammar allows never give exit 4

BIG = {"1e4000": "1e4000", "1e-4000": "1e-4000", "den4300": "1/" + "7" * 4300}


def _with(path: Path, tmp_path: Path, key: str, value: str, name: str) -> Path:
    obj = json.loads(path.read_text(encoding="utf-8"))
    obj[key][0][0] = value
    out = tmp_path / name
    out.write_text(json.dumps(obj), encoding="utf-8")
    return out


@pytest.mark.parametrize("where", ["X", "w"])
@pytest.mark.parametrize("big", sorted(BIG))
@pytest.mark.parametrize("command", ["cell", "point", "crosscheck", "saddles", "boundary"])
def test_long_numbers_never_give_exit_4(
    command: str, big: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Either the answer (exit 0), or exit 2 naming the 4,300-digit limit and
    the certificate field that would need more; never 'internal error'."""
    inst = _with(ZIGZAG, tmp_path, "X", BIG[big], "i.json") if where == "X" else ZIGZAG
    wts = _with(ZIGZAG_WEIGHTS, tmp_path, "w", BIG[big], "w.json") if where == "w" else ZIGZAG_WEIGHTS
    cert = str(tmp_path / "c.json")
    argv = {
        "cell": ["cell", str(inst), "--weights", str(wts)],
        "point": ["point", str(inst), "--weights", str(wts)],
        "crosscheck": ["crosscheck", str(inst), "--weights", str(wts)],
        "saddles": ["saddles", str(inst), "--weights", str(wts)],
        "boundary": ["boundary", str(inst), "--weights", str(wts), "--neuron", "0", "--sample", "0"],
    }[command] + ["--cert", cert]
    code, err = run(argv, capsys)
    assert code in (0, 2), err
    if code == 2:
        assert "certificate would need a number of about" in err and "limit of 4300 digits" in err, err
        assert "checker rejected" not in err and not (tmp_path / "c.json").exists()
    else:
        assert main(["check", cert]) == 0
        capsys.readouterr()


def test_certificate_numbers_longer_than_the_inputs_are_written_and_verified(tmp_path: Path) -> None:
    """Inputs within 4,300 digits give a loss of about 8,000 digits: within the certificate
    limit (100,000), written and replayed without the interpreter's conversion limit."""
    inst = Instance(((Fraction(10) ** 4000,), (Fraction(1),)), (Fraction(0), Fraction(1)), True)
    res = api.point(inst, api.Weights((Fraction(1),), ((Fraction(1), Fraction(1)),)))
    assert len(res.certificate["claim"]["loss"]) >= 8000 and res.checker_lines


def test_certificate_beyond_the_digit_limit_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    from exactscape.io import certify

    monkeypatch.setattr(certify, "CERTIFICATE_DIGITS", 5000)
    monkeypatch.setattr("exactscape.core.numbers.CERTIFICATE_DIGITS", 5000)
    inst = Instance(((Fraction(10) ** 4000,), (Fraction(1),)), (Fraction(0), Fraction(1)), True)
    with pytest.raises(InputError, match=r"point certificate would need a number of about 800\d digits at claim.loss"):
        api.point(inst, api.Weights((Fraction(1),), ((Fraction(1), Fraction(1)),)))


def test_saddles_estimate_for_a_huge_k_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """K = 20,000 (3^K has 9,500 digits, more than Python prints): the estimate is a formula."""
    inst, pat = _cell_k(tmp_path, 20_000)
    code, err = run(["saddles", str(inst), "--pattern", str(pat), "--cert", str(tmp_path / "c.json")], capsys)
    assert code == 2 and "K = 20000 gives 2^20000 - 1 zero sets" in err and "--max-zero-sets" in err

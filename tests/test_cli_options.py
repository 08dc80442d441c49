"""Option values are validated (exit 2, one line naming the option), and every
usage error and error message is exactly one line on stderr, whatever a path
or a value contains."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from exactscape.cli import main
from exactscape.errors import one_line, show_path

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
TRAPPED = ["experiment", "trapped", "--N", "10", "--d0", "2", "--K", "2", "--locations=-20", "--trials", "1"]
DISAGREE = ["experiment", "disagreement", "--N", "6", "--d0", "2", "--K", "1", "--trials", "1"]
COMPARE = ["compare", str(EX / "float-tie.json"), "--pattern", str(EX / "float-tie.pattern.json")]
CROSS = ["crosscheck", str(EX / "trained-tiny.json"), "--weights", str(EX / "trained-tiny.float-weights.json")]
BOUNDARY = ["boundary", str(EX / "kink.json"), "--weights", str(EX / "kink-min.weights.json")]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    return code, capsys.readouterr().err.splitlines()


BAD = [
    (TRAPPED, "--d0", "0"),
    (TRAPPED, "--trials", "-1"),
    (TRAPPED, "--trials", "0"),
    (TRAPPED, "--locations", ""),
    (TRAPPED, "--locations", "1,x"),
    (TRAPPED, "--locations", "1,1"),
    (TRAPPED, "--locations", "inf"),
    (TRAPPED, "--max-steps", "-1"),
    (TRAPPED, "--lr", "nan"),
    (TRAPPED, "--lr", "0"),
    (TRAPPED, "--lr", "-1e-3"),
    (TRAPPED, "--lr", "1e999"),
    (TRAPPED, "--grad-tol", "nan"),
    (TRAPPED, "--grad-tol", "-1"),
    (TRAPPED, "--N", "1"),
    (TRAPPED, "--N", "1" + "0" * 5000),
    (TRAPPED, "--K", "0"),
    (TRAPPED, "--seed", "-1"),
    (TRAPPED, "--seed", "1.5"),
    (DISAGREE, "--d0", "0"),
    (DISAGREE, "--trials", "-1"),
    (DISAGREE, "--tols", "nan"),
    (DISAGREE, "--tols", ","),
    (DISAGREE, "--locations", ""),
    (COMPARE, "--tols", "nan"),
    (COMPARE, "--tols", "1e-9,inf"),
    (CROSS, "--tol", "-1/2"),
    (CROSS, "--tol", "nan"),
    (CROSS, "--max-denominator", "0"),
    ([*BOUNDARY, "--sample", "1"], "--neuron", "-1"),
    ([*BOUNDARY, "--neuron", "0"], "--sample", "x"),
]


@pytest.mark.parametrize(("argv", "opt", "value"), BAD, ids=[f"{a[0]}-{o}={v[:12]}" for a, o, v in BAD])
def test_bad_option_values(argv: list[str], opt: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run([*argv, f"{opt}={value}"], capsys)
    assert code == 2, err
    assert len(err) == 1 and f"argument {opt}" in err[0] and err[0].startswith("exactscape "), err


def test_huge_lr_runs_without_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, err = run([*TRAPPED, "--locations=3", "--lr", "1e300", "--out", str(tmp_path / "t.json")], capsys)
    assert code == 0 and err == [] and [str(w.message) for w in caught] == []
    doc = (tmp_path / "t.json").read_text()
    assert '"gd": "left"' in doc  # one step of 1e300 leaves the cell (seed 0)


USAGE = [
    [],  # no command at all: help on stdout, nothing on stderr
    ["cell"],
    ["cell", "x.json"],
    ["cell", "x.json", "--pattern", "p", "--weights", "w"],
    ["cell", "x.json", "--pattern", "p", "--exact-backend", "nope"],
    ["nope"],
    ["point", "x.json", "--bogus"],
    ["experiment"],
    ["experiment", "nope"],
    ["experiment", "trapped", "--data", "nope"],
    ["crosscheck", "x"],
    ["compare", "x"],
    ["saddles", "x", "--weights", "w", "--zero", "0", "--all-zero-sets"],
    ["boundary", "x", "--weights", "w"],
    ["check"],
]


@pytest.mark.parametrize("argv", USAGE, ids=[" ".join(a) or "none" for a in USAGE])
def test_usage_errors_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(argv, capsys)
    assert code == 2
    assert len(err) <= 1 and (argv == [] or len(err) == 1), err
    if err:
        assert err[0].startswith("exactscape") and "error" in err[0] and "usage:" not in err[0]


def test_newline_in_an_input_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "a\nb.json"
    code, err = run(["cell", str(odd), "--pattern", str(EX / "toy-cell-11.pattern.json")], capsys)
    assert code == 2 and len(err) == 1 and "a\\nb.json" in err[0]
    odd.write_text('{"format": "exactscape-instance", "version": 1, "X": [[0.5]], "y": ["1"]}')
    code, err = run(["cell", str(odd), "--pattern", str(EX / "toy-cell-11.pattern.json")], capsys)
    assert code == 2 and len(err) == 1 and "a\\nb.json" in err[0]


def test_newline_in_an_output_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = tmp_path / "i\r\n.json"
    shutil.copy(EX / "toy-mixed.json", inst)
    pat = str(EX / "toy-cell-11.pattern.json")
    for cert in [inst, tmp_path / "x\n" / "\x1b[31m.json"]:
        if cert != inst:
            cert.parent.write_text("a file, not a directory")
        code, err = run(["cell", str(inst), "--pattern", pat, "--cert", str(cert)], capsys)
        assert code == 3 and len(err) == 1, err
        assert "\x1b" not in err[0] and "\r" not in err[0]
    code, err = run(["cell", str(EX / "toy-mixed.json"), "--pattern=\n\n", "--cert", str(tmp_path / "c")], capsys)
    assert code == 2 and len(err) == 1
    code, err = run(["experiment", "trapped", "--N", "1\n2"], capsys)
    assert code == 2 and len(err) == 1 and "1\\n2" in err[0]


def test_escaping_helpers() -> None:
    assert show_path("plain/path.json") == "plain/path.json"
    assert show_path("a\nb") == "'a\\nb'"
    assert one_line("x\ny\tz\x00") == "x\\ny\\tz\\x00"
    assert one_line("naïve π") == "naïve π"


@pytest.mark.parametrize("argv", [[], ["a", "b"], ["--nope", "c"]])
def test_checker_usage_errors_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from exactscape.checker import main as check_main

    assert check_main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "error" in err[0], err


def test_newline_in_a_written_path_keeps_stdout_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert = tmp_path / "c\n.json"
    code = main(
        ["cell", str(EX / "toy-mixed.json"), "--pattern", str(EX / "toy-cell-11.pattern.json"), "--cert", str(cert)]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and cert.exists()
    assert out[-1].startswith("certificate: '") and "c\\n.json" in out[-1]

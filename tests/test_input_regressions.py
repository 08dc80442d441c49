"""Regressions from the code review of 2026-11-25: ambiguous or non-exact input
is refused with a one-line input error (exit 2), never decided or crashed on."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from exactscape import api
from exactscape.cli import main
from exactscape.core.model import Instance, Weights
from exactscape.errors import InputError

EX = Path(__file__).resolve().parents[1] / "examples"


def test_python_api_refuses_floats_before_the_exact_core() -> None:
    with pytest.raises(InputError, match=r"X\[0\]\[0\]"):
        Instance(((0.1,), (1,)), (Fraction(1), Fraction(2)), True)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"z\[0\]"):
        Weights((1.0,), ((Fraction(1), Fraction(0)),))  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"y\[1\]"):
        Instance(((1,), (2,)), (1, True), True)  # type: ignore[arg-type]
    # ints are exact and accepted, and normalised to Fractions
    inst = Instance(((1,), (2,)), (1, 2), True)  # type: ignore[arg-type]
    assert isinstance(inst.X[0][0], Fraction) and api.point(inst, Weights((1,), ((1, 0),))).summary["loss"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text,needle",
    [
        ('{"format": "exactscape-instance", "version": 1, "X": [[], []], "y": ["1", "2"]}', "d0 >= 1"),
        ('{"format": "exactscape-instance", "version": 1, "X": [["1' + "0" * 5000 + '"]], "y": ["1"]}', "too large"),
        ('{"format": "exactscape-instance", "version": 1, "X": [[1' + "0" * 5000 + ']], "y": ["1"]}', "too large"),
        ('{"format": "exactscape-instance", "version": 1, "X": [[1]], "y": ["1"], "y": ["2"]}', "duplicate key"),
        ('{"format": "exactscape-instance", "version": "1.0", "X": [[1]], "y": ["1"]}', "version"),
        ('{"format": "exactscape-instance", "version": true, "X": [[1]], "y": ["1"]}', "version"),
        ('{"format": "exactscape-instance", "version": 1, "X": [["\u0663"]], "y": ["1"]}', "not an exact number"),
    ],
)
def test_bad_input_exits_2(text: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "i.json"
    p.write_text(text, encoding="utf-8")
    code = main(["cell", str(p), "--pattern", str(EX / "toy-cell-11.pattern.json"), "--cert", str(tmp_path / "c.json")])
    _, err = capsys.readouterr()
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_empty_csv_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "d.csv"
    p.write_text("")
    code = main(["cell", str(p), "--pattern", str(EX / "toy-cell-11.pattern.json"), "--cert", str(tmp_path / "c.json")])
    _, err = capsys.readouterr()
    assert code == 2 and len(err.strip().splitlines()) == 1

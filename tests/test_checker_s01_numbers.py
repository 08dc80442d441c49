"""Checker, FORMAT.md section 1: numbers (canonical rationals, refused floats, digit limits)."""

import json
from fractions import Fraction
from pathlib import Path

from checker_certs import (
    cell_unique_genuine,
    rejected,
)

from exactscape.checker import check_file
from exactscape.checker import numbers as checker_numbers

# ---------------------------------------------------------------- section 1: numbers


def test_non_canonical_fraction_rejected() -> None:
    cert = cell_unique_genuine()
    cert["instance"]["y"][0] = "2/2"
    rejected(cert, "instance.y[0]", "non-canonical")
    for text in ("2/4", "-0", "01", "1/01", "3/1", "0/5", "+1", " 1", "1/0", "1/-2", "1.5", "1e3", "", "-", "1/"):
        cert["instance"]["y"][0] = text
        rejected(cert, "instance.y[0]")


def test_canonical_strings_and_integers_accepted() -> None:
    assert checker_numbers.rational("-7/3", "p") == Fraction(-7, 3)
    assert checker_numbers.rational("0", "p") == 0
    assert checker_numbers.rational(-12, "p") == -12
    assert checker_numbers.rational("123456789012345678901234567890", "p") == 123456789012345678901234567890


def test_bool_null_and_python_float_refused_as_numbers() -> None:
    for bad, word in ((True, "boolean true"), (None, "null"), (0.5, "float"), ([1], "list")):
        cert = cell_unique_genuine()
        cert["instance"]["X"][1][0] = bad
        rejected(cert, "instance.X[1][0]", word)


def test_bool_refused_in_pattern_and_indices() -> None:
    cert = cell_unique_genuine()
    cert["pattern"][0][0] = True
    rejected(cert, "pattern[0][0]", "boolean true")
    cert = cell_unique_genuine()
    cert["rank"]["basis_rows"][0] = False
    rejected(cert, "rank.basis_rows[0]")
    cert = cell_unique_genuine()
    cert["claim"]["rank"] = True
    rejected(cert, "claim.rank")


def test_json_float_and_constants_refused_naming_the_field(tmp_path: Path) -> None:
    text = json.dumps(cell_unique_genuine())
    path = tmp_path / "float.json"
    path.write_text(text.replace('"X": [[1], [2]]', '"X": [[0.5], [2]]'))
    code, lines = check_file(path)
    assert code == 1
    assert lines[-1] == "s REJECTED: instance.X[0][0]: JSON float 0.5 refused where a number is expected"
    for constant in ("NaN", "Infinity", "-Infinity"):
        path.write_text(text.replace('"y": [1, 2]', f'"y": [1, {constant}]'))
        code, lines = check_file(path)
        assert code == 1
        assert lines[-1].startswith(f"s REJECTED: instance.y[1]: {constant} refused")
    path.write_text(text.replace('"y": [1, 2]', '"y": [1, 2e0]'))
    assert check_file(path)[0] == 1


def test_huge_number_string_rejected() -> None:
    cert = cell_unique_genuine()
    cert["instance"]["y"][0] = "1" * 100_001
    rejected(cert, "instance.y[0]", "too many digits")

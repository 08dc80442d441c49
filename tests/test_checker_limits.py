"""The checker's limits (proofs/FORMAT.md 1, 5.3, 6, 7.2): work bounded by the
evidence present, regular files only within a size cap, UTF-8 without BOM.

Each test reproduces a small hostile file that made the checker hang, run out
of memory or accept what the producer's readers refuse.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from exactscape.checker import check_certificate, check_file
from exactscape.checker.curves import MAX_CURVE_DEGREE
from exactscape.checker.errors import UnreadableError
from exactscape.checker.numbers import load_json
from exactscape.checker.readfile import ENV_MAX_INPUT_MIB

CERTS = Path(__file__).resolve().parents[1] / "proofs" / "certificates"


def load(name: str) -> dict[str, Any]:
    return json.loads((CERTS / f"{name}.cert.json").read_text(encoding="utf-8"))


def status(cert: dict[str, Any]) -> str:
    return check_certificate(cert).status_line


def check_written(tmp_path: Path, cert: dict[str, Any]) -> tuple[int, list[str]]:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert), encoding="utf-8")
    return check_file(path)


# ------------------------------------------------ item: "all" zero sets, K large


@pytest.mark.parametrize("k", [24, 40])
def test_all_zero_sets_with_large_k_is_one_rejection_not_2_to_the_k(k: int, tmp_path: Path) -> None:
    """A 1 KB certificate declaring K neurons and "all" zero sets but listing 3
    cases: rejected from the count (2^K - 1), never by enumerating subsets."""
    cert = load("zigzag-mixed.saddles")
    cert["pattern"] = [row + [0] * (k - len(row)) for row in cert["pattern"]]
    code, lines = check_written(tmp_path, cert)
    assert code == 1 and len(lines) == 3  # two c lines (envelope, instance), then the s line
    assert (
        lines[-1]
        == f"s REJECTED: claim.cases: 'all' lists every non-empty zero set of 0..{k - 1}: 2^{k} - 1 cases, found 3"
    )


def test_all_zero_sets_in_the_wrong_order_is_rejected_at_the_first_difference() -> None:
    cert = load("zigzag-mixed.saddles")
    for part in (cert["claim"]["cases"], cert["cases"]):
        part[0], part[1] = part[1], part[0]
    assert status(cert).startswith("s REJECTED: claim.cases[0]: zero set [1] where 'all' lists [0]")


def test_golden_all_zero_sets_certificates_still_verify() -> None:
    for name in ("zigzag-mixed.saddles", "zigzag-saddle.saddles"):
        assert status(load(name)) == "s VERIFIED"


# ------------------------------------------------ item: curve degree


def _padded_descent(n: int) -> dict[str, Any]:
    """zigzag-saddle's point certificate, its descent curve z_1 = -t^2 padded to
    n coefficients with a last t^n term (still a descent curve: the lowest
    term of L(t) - L(0), -9/200 t^3, is unchanged)."""
    cert = load("zigzag-saddle.point")
    coefs = ["0", "-1"] + ["0"] * (n - 3) + ["1"] if n > 2 else ["0", "-1"]
    cert["descent"]["dz"] = [[1, coefs]]
    return cert


def test_curve_degree_at_the_limit_verifies() -> None:
    assert status(_padded_descent(MAX_CURVE_DEGREE)) == "s VERIFIED"


@pytest.mark.parametrize("n", [MAX_CURVE_DEGREE + 1, 1200])
def test_curve_degree_beyond_the_limit_is_rejected_before_any_product(n: int) -> None:
    """A degree-1,200 curve took minutes of polynomial products; it is now
    refused from its length."""
    assert status(_padded_descent(n)) == (
        f"s REJECTED: descent.dz[0][1]: {n} coefficients: a curve entry has degree at most {MAX_CURVE_DEGREE} in t"
    )


def test_curve_limit_applies_inside_saddle_certificates() -> None:
    cert = load("zigzag-saddle.saddles")
    case = next(c for c in cert["cases"] if "descent" in c)
    case["descent"]["dz"][0][1] = ["0", "-1"] + ["0"] * 1197 + ["1"]
    assert "a curve entry has degree at most 16" in status(cert)


# ------------------------------------------------ item: special files and the size cap


def test_dev_zero_is_unreadable_without_reading_it() -> None:
    code, lines = check_file("/dev/zero")
    assert code == 2 and lines == ["s REJECTED: cannot read '/dev/zero': it is a character device, not a regular file"]


def test_fifo_is_unreadable_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "c.json"
    os.mkfifo(fifo)
    code, lines = check_file(fifo)
    assert code == 2 and len(lines) == 1 and "FIFO" in lines[0]


def test_directory_is_unreadable(tmp_path: Path) -> None:
    code, lines = check_file(tmp_path)
    assert code == 2 and len(lines) == 1 and "directory" in lines[0]


def test_size_cap_refuses_a_larger_file_and_the_variable_raises_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps(load("kink.boundary"))
    path = tmp_path / "c.json"
    path.write_text(text + " " * (2**20 - len(text) + 1), encoding="utf-8")  # 1 MiB + 1 byte
    monkeypatch.setenv(ENV_MAX_INPUT_MIB, "1")
    code, lines = check_file(path)
    assert code == 2 and len(lines) == 1
    assert "more than the size limit of 1048576 bytes" in lines[0] and ENV_MAX_INPUT_MIB in lines[0]
    monkeypatch.setenv(ENV_MAX_INPUT_MIB, "2")
    assert check_file(path) == (0, check_file(CERTS / "kink.boundary.cert.json")[1])


@pytest.mark.parametrize("value", ["0", "-1", "lots", "1e3", "1234567890"])
def test_bad_size_cap_variable_is_unreadable(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_MAX_INPUT_MIB, value)
    code, lines = check_file(CERTS / "kink.boundary.cert.json")
    assert code == 2 and len(lines) == 1 and ENV_MAX_INPUT_MIB in lines[0]


# ------------------------------------------------ item: one encoding rule for JSON


@pytest.mark.parametrize(
    "encode,needle",
    [
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "byte order mark"),
        (lambda t: t.encode("utf-16"), "not UTF-8"),
        (lambda t: t.encode("utf-16-le"), "not JSON"),
        (lambda t: t.encode("utf-32"), "not UTF-8"),
    ],
    ids=["utf-8-bom", "utf-16", "utf-16-le-no-bom", "utf-32"],
)
def test_bom_and_utf16_certificates_are_unreadable(encode: Any, needle: str, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(encode((CERTS / "kink.boundary.cert.json").read_text(encoding="utf-8")))
    code, lines = check_file(path)
    assert code == 2 and len(lines) == 1 and needle in lines[0]


def test_load_json_applies_the_same_rule_to_bytes() -> None:
    with pytest.raises(UnreadableError, match="byte order mark"):
        load_json(b'\xef\xbb\xbf{"a": 1}')
    with pytest.raises(UnreadableError, match="not UTF-8"):
        load_json('{"a": 1}'.encode("utf-16"))
    assert load_json(b'{"a": 1}') == {"a": 1}


# ------------------------------------------------ over-long numbers in messages


def test_derived_number_beyond_the_digit_limit_is_a_plain_rejection() -> None:
    """A valid 3,001-digit weight makes the derived loss ~6,000 digits long,
    which Python cannot print: the rejection says so instead of 'internal'."""
    cert = copy.deepcopy(load("zigzag-saddle.point"))
    cert["weights"]["w"][0][1] = "1" + "0" * 3000
    line = status(cert)
    assert line.startswith("s REJECTED: claim.loss: claimed 9/40, derived <about 600")
    assert "digits>" in line and "internal" not in line


@pytest.mark.parametrize("digits,ok", [(4301, True), (100_000, True), (100_001, False)])
def test_certificate_numbers_have_at_most_100000_digits(digits: int, ok: bool) -> None:
    cert = load("kink.boundary")
    cert["instance"]["y"][0] = "-" + "1" * digits
    line = status(cert)
    assert ("too many digits" in line) != ok

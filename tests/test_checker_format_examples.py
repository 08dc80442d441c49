"""Every worked example of proofs/FORMAT.md goes through the checker, and the
format's table "Where the checker implements each section" matches the checker.

The examples are the JSON blocks of the document (full certificates, or the
evidence of one case of 7.3), the inline point certificate of 8.5, and every
certificate file the document names. A new JSON block that this test does not
know how to check fails the test, so the document cannot grow an unchecked
example.
"""

import copy
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from exactscape.checker import check_certificate

REPO = Path(__file__).resolve().parents[1]
FORMAT = REPO / "proofs" / "FORMAT.md"
CERTS = REPO / "proofs" / "certificates"
CHECKER = REPO / "exactscape" / "checker"
TEXT = FORMAT.read_text(encoding="utf-8")


def _sections() -> list[tuple[str, str]]:
    """(section number, body) for every ``##``/``###`` heading with a number."""
    out = []
    parts = re.split(r"^(#{2,3} .*)$", TEXT, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        m = re.match(r"#{2,3} (\d+(?:\.\d+)?)\.? ", heading)
        if m:
            out.append((m.group(1), body))
    return out


def _json_blocks() -> list[tuple[str, Any]]:
    """(section, parsed JSON) for every fenced json block."""
    out = []
    for number, body in _sections():
        for block in re.findall(r"```json\n(.*?)```", body, flags=re.S):
            out.append((number, json.loads(block)))
    return out


def _verify(cert: object) -> None:
    result = check_certificate(cert)
    assert result.verified, result.reason


def _golden(name: str) -> dict[str, Any]:
    obj = json.loads((CERTS / name).read_text(encoding="utf-8"))
    assert isinstance(obj, dict)
    return obj


def _check_case_fragment(fragment: dict[str, Any]) -> None:
    """7.3: the evidence of case Z = {1} of the zigzag-saddle certificate (its rank omitted)."""
    cert = _golden("zigzag-saddle.saddles.cert.json")
    zeros = [case["zero"] for case in cert["claim"]["cases"]]
    pos = zeros.index([1])
    original = cert["cases"][pos]
    assert {k: v for k, v in original.items() if k != "rank"} == fragment
    mutated = copy.deepcopy(cert)
    mutated["cases"][pos] = {"rank": original["rank"], **fragment}
    _verify(mutated)
    # the fragment is what makes the case verify: its descent curve reversed is rejected
    broken = copy.deepcopy(mutated)
    broken["cases"][pos]["descent"] = fragment["ascent"]
    assert not check_certificate(broken).verified


def test_every_json_block_is_a_checked_example() -> None:
    blocks = _json_blocks()
    assert len(blocks) >= 3  # 7.3, 8.5 and 10.2 at least
    handled = 0
    for number, obj in blocks:
        if isinstance(obj, dict) and obj.get("format") == "exactscape-certificate":
            _verify(obj)
            handled += 1
        elif number == "7.3" and isinstance(obj, dict) and "point" in obj:
            _check_case_fragment(obj)
            handled += 1
        else:
            pytest.fail(f"FORMAT.md {number}: a JSON block this test does not check: {str(obj)[:80]}")
    assert handled == len(blocks)


def test_the_boundary_example_of_8_5_is_the_kink_certificate() -> None:
    (example,) = [obj for number, obj in _json_blocks() if number == "8.5"]
    assert example == _golden("kink.boundary.cert.json")
    # and the example's numbers in the text are the certificate's
    assert example["claim"]["lambda"] == "-2/13" and example["claim"]["loss"] == "69/52"


def test_the_inline_point_certificate_of_8_5_verifies() -> None:
    (_, body) = next(s for s in _sections() if s[0] == "8.5")
    match = re.search(r'`(\{"claim": \{"verdict": "non-differentiable-local-minimum"[^`]*)`', body, flags=re.S)
    assert match is not None, "the inline point certificate of 8.5 is gone"
    fragment = json.loads(match.group(1))
    (example,) = [obj for number, obj in _json_blocks() if number == "8.5"]
    cert = {
        "format": example["format"],
        "version": example["version"],
        "kind": "point",
        "instance": example["instance"],
        **fragment,
    }
    _verify(cert)
    assert cert["claim"]["loss"] == _golden("kink-min.point.cert.json")["claim"]["loss"]


def test_the_census_example_of_10_2_covers_its_tree() -> None:
    (example,) = [obj for number, obj in _json_blocks() if number == "10.2"]
    assert example["claim"] == {"neurons": 1, "neuron_cells": 4, "network_cells": 4}
    wrong = copy.deepcopy(example)
    wrong["tree"]["+"]["-"] = {"empty": [[0, "1/3"], [1, "1/3"]]}  # 1/3 (1, 0) - 1/3 (2, 0) != 0
    assert not check_certificate(wrong).verified


NAMED = sorted(set(re.findall(r"([A-Za-z0-9_.-]+\.cert\.json)", TEXT)))


def test_the_document_names_certificates() -> None:
    assert len(NAMED) >= 10


@pytest.mark.parametrize("name", NAMED)
def test_every_named_certificate_exists_and_verifies(name: str) -> None:
    path = CERTS / Path(name).name
    assert path.is_file(), f"FORMAT.md names {name}, which is not in proofs/certificates"
    _verify(_golden(path.name))


def test_the_numbers_of_the_path_and_spurious_examples() -> None:
    """11.4 and 12.4 quote exact numbers of their certificates."""
    path = _golden("zigzag-descent.path.cert.json")["claim"]
    assert path["breakpoints"] == ["7/8"]
    assert path["monotone"] == "decreasing"
    assert Fraction(path["minimum"]["value"]) == Fraction(9, 56) == Fraction(path["minimum"]["lower"])
    assert Fraction(path["minimum"]["t"]) == 1
    spurious = _golden("zigzag.spurious.cert.json")["claim"]
    assert (spurious["loss"], spurious["lower_loss"], spurious["branch_vectors"]) == ("9/40", "9/56", 5)
    assert spurious["lower_minimum"] is True


# ---------------------------------------------------------------- the section -> module table


def _table() -> dict[str, list[str]]:
    start = TEXT.index("## Where the checker implements each section")
    end = TEXT.index("\n## 1.", start)
    rows: dict[str, list[str]] = {}
    for line in TEXT[start:end].splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|(.*)\|\s*$", line)
        if m:
            rows[m.group(1)] = re.findall(r"`([a-z_]+)`", m.group(2))
    return rows


def test_the_table_lists_every_numbered_section() -> None:
    numbered = re.findall(r"^## (\d+)\. ", TEXT, flags=re.M)
    assert numbered == [str(n) for n in range(1, len(numbered) + 1)]
    assert sorted(_table(), key=int) == numbered


def test_every_module_in_the_table_exists_and_every_module_is_placed() -> None:
    table = _table()
    listed = {m for modules in table.values() for m in modules}
    for module in listed:
        assert (CHECKER / f"{module}.py").is_file(), f"FORMAT.md lists checker module {module!r}, which does not exist"
    present = {p.stem for p in CHECKER.glob("*.py")} - {"__init__", "__main__"}
    assert present <= listed, f"checker modules missing from FORMAT.md's table: {sorted(present - listed)}"


def test_the_checker_package_docstring_has_the_same_table() -> None:
    import exactscape.checker as checker

    doc = checker.__doc__ or ""
    for number, modules in _table().items():
        m = re.search(rf"^\s*{number}\s+(.*)$", doc, flags=re.M)
        assert m is not None, f"section {number} missing from exactscape/checker/__init__.py"
        assert re.findall(r"``([a-z_]+)``", m.group(1)) == modules, number

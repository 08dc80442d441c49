"""Targeted rejections of the checker's 1.1 rules (FORMAT.md 5.4, 7, 8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exactscape.checker import check_certificate

CERTS = Path(__file__).resolve().parents[1] / "proofs" / "certificates"


def load(name: str) -> dict[str, Any]:
    return json.loads((CERTS / f"{name}.cert.json").read_text())


def reason(cert: dict[str, Any]) -> str:
    res = check_certificate(cert)
    assert not res.verified
    assert not res.reason.startswith("internal"), res.reason
    return res.reason


@pytest.mark.parametrize("name", ["kink.boundary", "zigzag-saddle.saddles", "kink-min.point"])
def test_new_kinds_and_verdicts_refused_in_1_0(name: str) -> None:
    cert = load(name)
    cert["version"] = "1.0"
    assert "new in version 1.1" in reason(cert)


def test_saddle_claimed_as_minimum_is_rejected() -> None:
    cert = load("zigzag-saddle.saddles")
    cert["claim"]["cases"][1]["verdict"] = "minimum"
    cert["claim"]["cases"][1]["gradient_zero"] = True
    del cert["cases"][1]["descent"], cert["cases"][1]["ascent"]
    assert "gradient_zero" in reason(cert)


def test_all_zero_sets_must_be_listed() -> None:
    cert = load("zigzag-saddle.saddles")
    del cert["claim"]["cases"][2], cert["cases"][2]
    assert "every non-empty zero set" in reason(cert)


def test_saddle_point_off_the_hyperplane_of_21_is_rejected() -> None:
    cert = load("zigzag-saddle.saddles")
    cert["cases"][1]["point"]["w"][1] = ["-6", "1"]  # still in C_1, but w_1 . g_1 != 0
    assert "[21] fails" in reason(cert)


def test_boundary_witness_with_the_wrong_sign_is_rejected() -> None:
    cert = load("kink.boundary")
    cert["minus"] = {"witness": {"z": ["-1"], "w": [["-10/13", "-10/13"]]}}
    assert "sign condition" in reason(cert)


def test_boundary_tree_cannot_replace_a_failing_condition() -> None:
    cert = load("kink-tree.boundary")
    cert["claim"]["plus"] = True
    assert "claim.plus" in reason(cert)


def test_point_minimum_with_a_wrong_lambda_is_rejected() -> None:
    cert = load("kink-min.point")
    cert["kkt"]["lambda"] = "-1/13"
    assert "kkt.lambda" in reason(cert)


def test_point_minimum_with_the_other_sign_of_z_is_rejected() -> None:
    cert = load("kink-min.point")
    cert["weights"]["z"] = ["-10/13"]
    cert["claim"]["loss"] = "469/52"  # the loss at z = -10/13: the claim is about this point
    assert "[41] fails" in reason(cert)


def test_new_verdict_inside_a_cell_is_rejected() -> None:
    cert = load("line-v.point")
    cert["version"] = "1.1"
    cert["claim"]["verdict"] = "not-a-local-minimum"
    cert["descent"] = {"dz": [[0, ["-1"]]], "dw": []}
    assert "inside a cell" in reason(cert)

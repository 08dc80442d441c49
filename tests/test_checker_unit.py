"""Unit tests of the independent certificate checker (proofs/FORMAT.md).

Every certificate here is built by hand from first principles (the arithmetic
is worked out in the comments), never by the producer, so that these tests
pin the checker to FORMAT.md alone. Each valid certificate verifies; each
mutation is rejected with a reason naming the field.
"""

import copy
import doctest
import json
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from exactscape.checker import CheckResult, check_certificate, check_file, main
from exactscape.checker import linalg as checker_linalg
from exactscape.checker import numbers as checker_numbers
from exactscape.checker import poly as checker_poly
from exactscape.checker.envelope import parse_instance
from exactscape.checker.curves import check_curve

REPO = Path(__file__).resolve().parents[1]

Cert = dict[str, Any]


def q(x: Fraction | int) -> str:
    """Canonical certificate text of a rational (FORMAT.md 1)."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def envelope(kind: str, X: list[list[Any]], y: list[Any], bias: bool) -> Cert:
    return {
        "format": "exactscape-certificate",
        "version": "1.0",
        "kind": kind,
        "instance": {"X": X, "y": y, "bias": bias},
    }


# ---------------------------------------------------------------- cell certificates


def cell_unique_genuine() -> Cert:
    """N = 2, bias: x_0 = (1, 1), x_1 = (2, 1); K = 1; both samples active.

    A = [[1, 1], [2, 1]], Gram [[2, 3], [3, 5]] has det 1: rank 2 = Kd, unique.
    u = (-1, 1): R0 = -(1, 1) + (2, 1) = (1, 0), p = (1, 2) = y, loss 0.
    z = 1, w = (1, 0): w . x_i = 1, 2 > 0, branch "+".
    """
    cert = envelope("cell", [[1], [2]], [1, 2], True)
    cert.update(
        claim={
            "feasible": True,
            "rank": 2,
            "kind": "unique",
            "dimension": 0,
            "loss": "0",
            "genuine": True,
            "branches": ["+"],
        },
        pattern=[[1], [1]],
        feasibility={"witness": [[1, 0]]},
        rank={"basis_rows": [0, 1], "combinations": []},
        minimiser={"u": [-1, 1]},
        genuineness={"z": [1], "w": [[1, 0]]},
    )
    return cert


def cell_infeasible() -> Cert:
    """No bias: x_0 = 1, x_1 = 2; neuron 0 active on 0 only: w > 0 and 2w < 0, empty.

    Farkas: 2 * (+1) * 1 + 1 * (-1) * 2 = 0. A = [[1], [0]]: basis {0}, A_1 = 0 A_0.
    u = 3: p = (3, 0), A^T (p - y) = 1 * (3 - 3) = 0, loss (0 + 25) / 2 = 25/2.
    """
    cert = envelope("cell", [[1], [2]], [3, 5], False)
    cert.update(
        claim={
            "feasible": False,
            "rank": 1,
            "kind": "unique",
            "dimension": 0,
            "loss": "25/2",
            "genuine": False,
            "branches": None,
        },
        pattern=[[1], [0]],
        feasibility={"neuron": 0, "multipliers": [[0, 2], [1, 1]]},
        rank={"basis_rows": [0], "combinations": [[1, ["0"]]]},
        minimiser={"u": ["3"]},
    )
    return cert


def cell_affine_genuine() -> Cert:
    """No bias, N = 1, x_0 = 1, y = 2, K = 2 both active: A = [[1, 1]], rank 1 < Kd = 2.

    u = 1: R0 = (1, 1), p = 2 = y, loss 0. Witness z = (2, 0), w = (1, 5):
    R = (2, 0), A R = 2; branches "+", "0".
    """
    cert = envelope("cell", [[1]], [2], False)
    cert.update(
        claim={
            "feasible": True,
            "rank": 1,
            "kind": "affine",
            "dimension": 1,
            "loss": 0,
            "genuine": True,
            "branches": ["+", "0"],
        },
        pattern=[[1, 1]],
        feasibility={"witness": [[1], [1]]},
        rank={"basis_rows": [0], "combinations": []},
        minimiser={"u": [1]},
        genuineness={"z": [2, 0], "w": [[1], [5]]},
    )
    return cert


def tree_leaves_for_neuron_0() -> dict[str, Any]:
    """Refutations of R_0 = (1, -1) for neuron 0 active on x_0 = (1, 0), x_1 = (0, 1).

    "+": R_02 = -1 (fit row 1) and R_02 > 0 (sign row (0, 1)): fit_1 = -1, sign = 1,
         combination -(0, 1) + (0, 1) = 0, beta = -1 * p_1 = 1 >= 0.
    "-": R_01 = 1 and -R_01 > 0: fit_0 = 1, sign (0, 0) = 1, beta = p_0 = 1 >= 0.
    "0": R_0 = 0 so fit row 0 reads 0 = p_0 = 1: fit_0 = 1, beta = 1 != 0.
    """
    return {
        "split": 0,
        "+": {"leaf": {"fit": [[1, -1]], "sign": [[0, 1, 1]]}},
        "-": {"leaf": {"fit": [[0, 1]], "sign": [[0, 0, 1]]}},
        "0": {"leaf": {"fit": [[0, 1]], "sign": []}},
    }


def cell_unique_tree() -> Cert:
    """No bias, x_0 = (1, 0), x_1 = (0, 1), y = (1, -1), K = 1 active on both.

    A = I: unique R* = (1, -1), neither in C = {w > 0} nor in -C nor 0: not genuine.
    """
    cert = envelope("cell", [[1, 0], [0, 1]], [1, -1], False)
    cert.update(
        claim={
            "feasible": True,
            "rank": 2,
            "kind": "unique",
            "dimension": 0,
            "loss": 0,
            "genuine": False,
            "branches": None,
        },
        pattern=[[1], [1]],
        feasibility={"witness": [[1, 1]]},
        rank={"basis_rows": [0, 1], "combinations": []},
        minimiser={"u": [1, -1]},
        genuineness={"tree": tree_leaves_for_neuron_0()},
    )
    return cert


def cell_affine_tree() -> Cert:
    """As cell_unique_tree, plus neuron 1 dead on both samples (C_1 = {w < 0}).

    A = [I, 0]: rank 2 of Kd = 4, affine of dimension 2, R_1 free. Neuron 1 stays
    free in the "+" and "-" leaves (its column of A is zero, so it cancels); under
    "0" it is split too, and every leaf there reads 0 = p_0 = 1.
    """
    cert = envelope("cell", [[1, 0], [0, 1]], [1, -1], False)
    tree = tree_leaves_for_neuron_0()
    zero_leaf = {"leaf": {"fit": [[0, 1]], "sign": []}}
    tree["0"] = {"split": 1, "+": zero_leaf, "-": copy.deepcopy(zero_leaf), "0": copy.deepcopy(zero_leaf)}
    cert.update(
        claim={
            "feasible": True,
            "rank": 2,
            "kind": "affine",
            "dimension": 2,
            "loss": 0,
            "genuine": False,
            "branches": None,
        },
        pattern=[[1, 0], [1, 0]],
        feasibility={"witness": [[1, 1], [-1, -1]]},
        rank={"basis_rows": [0, 1], "combinations": []},
        minimiser={"u": [1, -1]},
        genuineness={"tree": tree},
    )
    return cert


def cell_dependent_rows() -> Cert:
    """No bias, x = (1, 2), y = (1, 2), K = 1 active: A = [[1], [2]], A_1 = 2 A_0.

    u = 1: R0 = 1, p = (1, 2) = y. Genuine with z = 1, w = 1.
    """
    cert = envelope("cell", [[1], [2]], [1, 2], False)
    cert.update(
        claim={
            "feasible": True,
            "rank": 1,
            "kind": "unique",
            "dimension": 0,
            "loss": 0,
            "genuine": True,
            "branches": ["+"],
        },
        pattern=[[1], [1]],
        feasibility={"witness": [[1]]},
        rank={"basis_rows": [0], "combinations": [[1, [2]]]},
        minimiser={"u": [1]},
        genuineness={"z": [1], "w": [[1]]},
    )
    return cert


def cell_fractions() -> Cert:
    """Bias, x_0 = (1, 1), x_1 = (3, 1), x_2 = (2, 1); y = (0, 1, 0); K = 1 all active.

    A = X (3 x 2). Least squares on the line a t + b: sums t = 6, t^2 = 14, n = 3,
    ty = 3, y = 1: [[14, 6], [6, 3]] (a, b) = (3, 1) gives a = 1/2, b = -2/3.
    p = (-1/6, 5/6, 1/3); residual (-1/6, -1/6, 1/3); loss (1/36 + 1/36 + 1/9) / 3 = 1/18.
    Row 2 = (1/2) row 0 + (1/2) row 1. R0 = u_0 (1, 1) + u_1 (3, 1) = (1/2, -2/3):
    u_0 + 3 u_1 = 1/2, u_0 + u_1 = -2/3: u_1 = 7/12, u_0 = -5/4.
    R0 . x_i has mixed signs, so no branch works: the tree refutes it.
    "+": fit_0 = 1 on R . x_0 = -1/6, sign (0, 0) = 1: beta = -1/6 ... < 0 fails, so use
         fit_0 = -1, sign (0, 0) = 1: combination -x_0 + x_0 = 0, beta = 1/6 >= 0.
    "-": sign row (0, 1) reads -R . x_1 > 0 while R . x_1 = 5/6: fit_1 = 1, sign (0, 1) = 1,
         beta = 5/6 >= 0.
    "0": 0 = p_0 = -1/6: fit_0 = 1, beta = -1/6 != 0.
    """
    cert = envelope("cell", [[1], [3], [2]], [0, 1, 0], True)
    cert.update(
        claim={
            "feasible": True,
            "rank": 2,
            "kind": "unique",
            "dimension": 0,
            "loss": "1/18",
            "genuine": False,
            "branches": None,
        },
        pattern=[[1], [1], [1]],
        feasibility={"witness": [[1, 0]]},
        rank={"basis_rows": [0, 1], "combinations": [[2, ["1/2", "1/2"]]]},
        minimiser={"u": ["-5/4", "7/12"]},
        genuineness={
            "tree": {
                "split": 0,
                "+": {"leaf": {"fit": [[0, -1]], "sign": [[0, 0, 1]]}},
                "-": {"leaf": {"fit": [[1, 1]], "sign": [[0, 1, 1]]}},
                "0": {"leaf": {"fit": [[0, 1]], "sign": []}},
            }
        },
    )
    return cert


# ---------------------------------------------------------------- point certificates


def point_local_minimum() -> Cert:
    """Bias, x = (1, 1), (2, 1), y = (1, 2); z = 1, w = (1, 0): f = y, G = 0, loss 0."""
    cert = envelope("point", [[1], [2]], [1, 2], True)
    cert.update(weights={"z": [1], "w": [[1, 0]]}, claim={"verdict": "local-minimum", "loss": 0})
    return cert


def point_not_covered() -> Cert:
    """No bias, x = 1, 2; w = 0 lies on both hyperplanes; f = 0, loss (1 + 4) / 2."""
    cert = envelope("point", [[1], [2]], [1, 2], False)
    cert.update(
        weights={"z": [1], "w": [[0]]},
        claim={"verdict": "not-covered", "loss": "5/2"},
        on_hyperplanes=[[0, 0], [0, 1]],
    )
    return cert


def point_saddle() -> Cert:
    """No bias, x_0 = (1, 0), x_1 = (0, 1), y = (1, -1); z = 0, w = (1, 1).

    f = 0, e = (-1, 1), G = (-1, 1) != 0 but w . G = 0 and z G = 0: stationary, loss 1.
    Ascent: z = t: f = (t, t), L = ((t - 1)^2 + (t + 1)^2) / 2 = 1 + t^2.
    Descent: z = t, w = (1 + t, 1 - t): f = (t + t^2, t - t^2), L = 1 - t^2 + t^4.
    """
    cert = envelope("point", [[1, 0], [0, 1]], [1, -1], False)
    cert.update(
        weights={"z": [0], "w": [[1, 1]]},
        claim={"verdict": "saddle", "loss": 1},
        descent={"dz": [[0, [1]]], "dw": [[0, 0, [1]], [0, 1, [-1]]]},
        ascent={"dz": [[0, [1]]], "dw": []},
    )
    return cert


def point_not_stationary() -> Cert:
    """No bias, x = 1, 2, y = 0; z = 1, w = 1: f = x, loss 5/2, G = 1 + 4 = 5.

    Descent z = 1 - t: L = (5/2) (1 - t)^2, L - L(0) = -5 t + (5/2) t^2.
    """
    cert = envelope("point", [[1], [2]], [0, 0], False)
    cert.update(
        weights={"z": [1], "w": [[1]]},
        claim={"verdict": "not-stationary", "loss": "5/2"},
        descent={"dz": [[0, [-1]]], "dw": []},
    )
    return cert


def point_curve_leaves_cell() -> Cert:
    """Two neurons, no bias, x = 1, y = 1: z = (1, 1), w = (1, -1): f = 1, loss 0.

    Neuron 1 is inactive; the curve w_1 = -1 + t stays inactive near 0+ ([p]_+ = 0),
    while z_0 = 1 - t lowers f: L(t) = t^2, an ascent.
    """
    cert = envelope("point", [[1]], [1], False)
    cert.update(
        weights={"z": [1, 1], "w": [[1], [-1]]},
        claim={"verdict": "local-minimum", "loss": 0},
    )
    return cert


VALID = {
    "cell_unique_genuine": cell_unique_genuine,
    "cell_infeasible": cell_infeasible,
    "cell_affine_genuine": cell_affine_genuine,
    "cell_unique_tree": cell_unique_tree,
    "cell_affine_tree": cell_affine_tree,
    "cell_dependent_rows": cell_dependent_rows,
    "cell_fractions": cell_fractions,
    "point_local_minimum": point_local_minimum,
    "point_not_covered": point_not_covered,
    "point_saddle": point_saddle,
    "point_not_stationary": point_not_stationary,
    "point_curve_leaves_cell": point_curve_leaves_cell,
}


def verdict(cert: object) -> CheckResult:
    result = check_certificate(cert)
    assert isinstance(result, CheckResult)
    assert all(line.startswith("c ") for line in result.lines)
    return result


def rejected(cert: object, *fragments: str) -> str:
    result = verdict(cert)
    assert not result.verified, result.lines
    assert not result.reason.startswith("internal"), result.reason
    for fragment in fragments:
        assert fragment in result.reason, result.reason
    return result.reason


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_certificates_verify(name: str) -> None:
    result = verdict(VALID[name]())
    assert result.verified, result.reason
    assert result.reason == ""
    assert result.status_line == "s VERIFIED"


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_certificates_verify_from_file(name: str, tmp_path: Path) -> None:
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(VALID[name]()))
    code, lines = check_file(path)
    assert code == 0
    assert lines[-1] == "s VERIFIED"
    assert all(line.startswith("c ") for line in lines[:-1])
    assert sum(line.startswith("s ") for line in lines) == 1


def test_result_is_frozen() -> None:
    result = verdict(cell_unique_genuine())
    with pytest.raises(AttributeError):
        result.verified = False  # type: ignore[misc]


def test_detail_lines_name_the_steps() -> None:
    lines = verdict(cell_unique_tree()).lines
    text = "\n".join(lines)
    for step in ("c 1 pattern", "c 2 feasibility", "c 3 rank", "c 4 minimiser", "c 5 genuineness"):
        assert step in text
    assert "4 refuted leaves" not in text and "3 refuted leaves" in text


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


# ---------------------------------------------------------------- section 3: envelope


def test_unknown_fields_rejected_everywhere() -> None:
    cert = cell_unique_genuine()
    cert["comment"] = "hi"
    rejected(cert, "certificate: unknown field 'comment'")
    cert = cell_unique_genuine()
    cert["instance"]["name"] = "x"
    rejected(cert, "instance: unknown field 'name'")
    cert = cell_unique_genuine()
    cert["claim"]["extra"] = 1
    rejected(cert, "claim: unknown field 'extra'")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["note"] = []
    rejected(cert, "genuineness.tree.+.leaf: unknown field 'note'")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["weight"] = 1
    rejected(cert, "genuineness.tree: unknown field 'weight'")
    cert = point_saddle()
    cert["descent"]["dt"] = []
    rejected(cert, "descent: unknown field 'dt'")


def test_missing_fields_rejected() -> None:
    for key in ("instance", "claim", "pattern", "feasibility", "rank", "minimiser", "genuineness"):
        cert = cell_unique_genuine()
        del cert[key]
        rejected(cert, f"missing field '{key}'")
    cert = cell_unique_genuine()
    del cert["instance"]["bias"]
    rejected(cert, "instance: missing field 'bias'")
    cert = cell_unique_tree()
    del cert["genuineness"]["tree"]["-"]
    rejected(cert, "genuineness.tree: missing field '-'")


def test_wrong_kind_rejected() -> None:
    cert = cell_unique_genuine()
    cert["kind"] = "saddle"
    rejected(cert, "kind:")
    del cert["kind"]
    rejected(cert, "kind:")


def test_shape_errors_rejected() -> None:
    cert = cell_unique_genuine()
    cert["instance"]["X"][1] = [2, 3]
    rejected(cert, "instance.X[1]", "expected 1 entries")
    cert = cell_unique_genuine()
    cert["instance"]["X"] = []
    rejected(cert, "instance.X", "at least 1")
    cert = cell_unique_genuine()
    cert["instance"]["y"] = [1]
    rejected(cert, "instance.y", "expected 2 entries")
    cert = cell_unique_genuine()
    cert["pattern"] = [[1]]
    rejected(cert, "pattern", "expected 2 entries")
    cert = cell_unique_genuine()
    cert["pattern"][1] = [1, 1]
    rejected(cert, "pattern[1]")
    cert = cell_unique_genuine()
    cert["pattern"][1][0] = 2
    rejected(cert, "pattern[1][0]", "out of range")
    cert = cell_unique_genuine()
    cert["feasibility"]["witness"] = [[1, 0, 0]]
    rejected(cert, "feasibility.witness[0]")
    cert = cell_unique_genuine()
    cert["minimiser"]["u"] = [1]
    rejected(cert, "minimiser.u", "expected 2 entries")
    cert = cell_unique_genuine()
    cert["instance"] = [1, 2]
    rejected(cert, "instance: expected an object")


# ---------------------------------------------------------------- section 4: cells


def test_claim_mismatches_rejected() -> None:
    for field, wrong, message in (
        ("feasible", False, "claim.feasible: claimed false, derived true"),
        ("rank", 1, "claim.rank: claimed 1, derived 2"),
        ("dimension", 1, "claim.dimension: claimed 1, derived 0"),
        ("kind", "affine", 'claim.kind: claimed "affine", derived "unique"'),
        ("loss", "1/3", "claim.loss: claimed 1/3, derived 0"),
        ("genuine", False, "claim.genuine: claimed false, derived true"),
        ("branches", ["-"], 'claim.branches: claimed ["-"], derived ["+"]'),
        ("branches", None, 'claim.branches: claimed null, derived ["+"]'),
    ):
        cert = cell_unique_genuine()
        cert["claim"][field] = wrong
        assert rejected(cert) == message
    cert = cell_unique_genuine()
    cert["claim"]["kind"] = "both"
    rejected(cert, "claim.kind")
    cert["claim"]["kind"] = "unique"
    cert["claim"]["branches"] = ["+", "x"]
    rejected(cert, "claim.branches[1]")


def test_feasibility_witness_must_be_strictly_inside() -> None:
    cert = cell_unique_genuine()
    cert["feasibility"]["witness"] = [[1, -1]]  # w . x_0 = 0
    assert rejected(cert) == ("feasibility.witness[0]: w_0 . x_0 = 0 is not > 0 (neuron 0 active on sample 0)")
    cert = cell_infeasible()
    cert["feasibility"] = {"witness": [[1]]}  # w . x_1 = 2 > 0 but inactive there
    rejected(cert, "feasibility.witness[0]: w_0 . x_1 = 2 is not < 0")


def test_infeasibility_multipliers_checked() -> None:
    cert = cell_infeasible()
    cert["feasibility"]["multipliers"] = [[0, 1], [1, 1]]  # 1 - 2 != 0
    rejected(cert, "feasibility.multipliers: sum_i m_i s_i x_i is non-zero at coordinate 0")
    cert["feasibility"]["multipliers"] = [[1, 1], [0, 2]]
    rejected(cert, "feasibility.multipliers[1]", "strictly increasing")
    cert["feasibility"]["multipliers"] = [[0, -2], [1, -1]]
    rejected(cert, "feasibility.multipliers[0][1]: multiplier -2 is not > 0")
    cert["feasibility"]["multipliers"] = []
    rejected(cert, "feasibility.multipliers", "at least 1")
    cert["feasibility"]["multipliers"] = [[0, 2], [2, 1]]
    rejected(cert, "feasibility.multipliers[1][0]", "out of range")
    cert["feasibility"]["multipliers"] = [[0, 2], [-1, 1]]
    rejected(cert, "feasibility.multipliers[1][0]", "out of range")
    cert = cell_infeasible()
    cert["feasibility"]["neuron"] = 1
    rejected(cert, "feasibility.neuron", "out of range")
    cert = cell_infeasible()
    cert["claim"]["feasible"] = True
    rejected(cert, "claim.feasible: claimed true, derived false")


def test_infeasible_cell_forbids_genuineness() -> None:
    cert = cell_infeasible()
    cert["genuineness"] = {"z": [1], "w": [[1]]}
    rejected(cert, "genuineness: must be absent")
    cert = cell_infeasible()
    cert["claim"]["genuine"] = True
    rejected(cert, "claim.genuine")
    cert = cell_infeasible()
    cert["claim"]["branches"] = ["0"]
    rejected(cert, "claim.branches")


def test_rank_evidence_checked() -> None:
    cert = cell_dependent_rows()
    cert["rank"] = {"basis_rows": [0, 1], "combinations": []}
    rejected(cert, "rank.basis_rows: rows are linearly dependent")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = [[1, [3]]]
    rejected(cert, "rank.combinations[0]: A_1 differs from sum_k c_k A_(b_k) at column (0, 0)")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = []
    rejected(cert, "rank.combinations: row 1 is missing")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = [[0, [1]], [1, [2]]]
    rejected(cert, "rank.combinations[0]: row 0 listed where row 1")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = [[1, [2, 0]]]
    rejected(cert, "rank.combinations[0][1]", "expected 1 entries")
    cert = cell_unique_genuine()
    cert["rank"]["basis_rows"] = [1, 0]
    rejected(cert, "rank.basis_rows[1]", "strictly increasing")
    cert = cell_unique_genuine()
    cert["rank"]["basis_rows"] = [0]
    cert["minimiser"]["u"] = [1]
    rejected(cert, "rank.combinations: row 1 is missing")
    cert = cell_fractions()
    cert["rank"]["combinations"] = [[2, ["1/2", "1/3"]]]
    rejected(cert, "rank.combinations[0]: A_2 differs")


def test_minimiser_normal_equations_checked() -> None:
    cert = cell_unique_genuine()
    cert["minimiser"]["u"] = [0, 1]
    rejected(cert, "minimiser.u: normal equations A^T (A R0 - y) = 0 fail at column (0, 0)")
    cert = cell_fractions()
    cert["minimiser"]["u"] = ["-5/4", "1/2"]
    rejected(cert, "minimiser.u")


def test_genuineness_witness_checked() -> None:
    cert = cell_unique_genuine()
    cert["genuineness"]["w"] = [[2, 0]]  # R = (2, 0) is not a minimiser
    rejected(cert, "genuineness: R_j = z_j w_j is not a minimiser")
    cert = cell_unique_genuine()
    cert["genuineness"] = {"z": [-1], "w": [[-1, 0]]}  # R = (1, 0) but w outside C_0
    rejected(cert, "genuineness.w[0]: w_0 . x_0 = -1 is not > 0")
    cert = cell_affine_genuine()
    cert["claim"]["branches"] = ["+", "+"]
    rejected(cert, 'claim.branches: claimed ["+", "+"], derived ["+", "0"]')
    cert = cell_unique_genuine()
    cert["genuineness"]["extra"] = 1
    rejected(cert, "genuineness: unknown field 'extra'")


def test_tree_claims_must_say_not_genuine() -> None:
    cert = cell_unique_tree()
    cert["claim"]["genuine"] = True
    rejected(cert, "claim.genuine: claimed true, derived false")
    cert = cell_unique_tree()
    cert["claim"]["branches"] = ["+"]
    rejected(cert, "claim.branches")


def test_farkas_leaf_combination_must_vanish() -> None:
    cert = cell_affine_tree()
    cert["genuineness"]["tree"]["0"]["+"]["leaf"]["sign"] = [[1, 0, 1]]
    assert rejected(cert) == "genuineness.tree.0.+.leaf: combination non-zero at variable (1, 0)"
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["fit"] = [[1, 1]]
    assert rejected(cert) == "genuineness.tree.+.leaf: combination non-zero at variable (0, 1)"


def test_farkas_leaf_beta_checked() -> None:
    # Cell A is genuine ("+"): the "+" system is feasible, any valid combination has beta < 0.
    cert = cell_unique_genuine()
    cert["claim"].update(genuine=False, branches=None)
    cert["genuineness"] = {
        "tree": {
            "split": 0,
            "+": {"leaf": {"fit": [[0, -1]], "sign": [[0, 0, 1]]}},
            "-": {"leaf": {"fit": [[0, 1]], "sign": [[0, 0, 1]]}},
            "0": {"leaf": {"fit": [[0, 1]], "sign": []}},
        }
    }
    rejected(cert, "genuineness.tree.+.leaf: beta = -1 < 0")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["0"]["leaf"]["fit"] = []
    rejected(cert, "genuineness.tree.0.leaf: beta = 0 and no sign multiplier")


def test_farkas_leaf_multiplier_rules() -> None:
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["sign"] = [[0, 1, -1]]
    rejected(cert, "genuineness.tree.+.leaf.sign[0][2]: multiplier -1 is not > 0")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["fit"] = [[1, -1], [0, 0]]
    rejected(cert, "genuineness.tree.+.leaf.fit[1]", "strictly increasing")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["fit"] = [[0, 0], [1, -1]]
    rejected(cert, "genuineness.tree.+.leaf.fit[0][1]: zero multiplier")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["0"]["leaf"]["sign"] = [[0, 0, 1]]
    rejected(cert, "genuineness.tree.0.leaf.sign[0]: neuron 0 is not split with branch + or -")
    cert = cell_affine_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["sign"] = [[0, 1, 1], [1, 0, 1]]
    rejected(cert, "genuineness.tree.+.leaf.sign[1]: neuron 1 is not split")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["sign"] = [[0, 1]]
    rejected(cert, "genuineness.tree.+.leaf.sign[0]", "expected 3 entries")


def test_tree_splits_checked() -> None:
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["0"] = tree_leaves_for_neuron_0()
    rejected(cert, "genuineness.tree.0.split: neuron 0 is already split on this path")
    for bad in (1, -1, "0", None):
        cert = cell_unique_tree()
        cert["genuineness"]["tree"]["split"] = bad
        rejected(cert, "genuineness.tree.split")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["-"] = {"leaf": {"fit": [[0, 1]], "sign": [[0, 0, 1]]}, "split": 0}
    rejected(cert, "genuineness.tree.-: unknown field")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"] = {"leaf": {"fit": [[0, 1]], "sign": []}}  # uncovered + and -
    rejected(cert, "genuineness.tree.leaf")


def test_cyclic_and_deep_trees_terminate() -> None:
    cert = cell_unique_tree()
    tree = cert["genuineness"]["tree"]
    tree["+"] = tree  # a cycle re-splits neuron 0
    rejected(cert, "genuineness.tree.+.split: neuron 0 is already split")
    cert = cell_unique_tree()
    node: dict[str, Any] = {"leaf": {"fit": [], "sign": []}}
    for _ in range(5000):
        node = {"split": 0, "+": node, "-": node, "0": node}
    cert["genuineness"]["tree"] = node
    rejected(cert, "already split")


def test_not_feasible_certificate_reason_order() -> None:
    # The first failed check wins: a bad pattern is reported before a bad loss.
    cert = cell_infeasible()
    cert["pattern"][0][0] = 3
    cert["claim"]["loss"] = 0
    rejected(cert, "pattern[0][0]")


# ---------------------------------------------------------------- section 5: points


def test_point_loss_checked() -> None:
    cert = point_saddle()
    cert["claim"]["loss"] = "1/2"
    assert rejected(cert) == "claim.loss: claimed 1/2, derived 1"


def test_point_not_covered_checked() -> None:
    cert = point_not_covered()
    cert["on_hyperplanes"] = [[0, 0]]
    rejected(cert, "on_hyperplanes: lists [[0, 0]], derived [[0, 0], [0, 1]]")
    cert["on_hyperplanes"] = [[0, 1], [0, 0]]
    rejected(cert, "on_hyperplanes")
    cert["on_hyperplanes"] = [[0, 0], [0, 2]]
    rejected(cert, "on_hyperplanes[1][1]", "out of range")
    cert = point_local_minimum()
    cert["claim"]["verdict"] = "not-covered"
    cert["on_hyperplanes"] = []
    rejected(cert, "claim.verdict: 'not-covered' but no w_j . x_i is zero")
    cert = point_not_covered()
    cert["claim"]["verdict"] = "local-minimum"
    del cert["on_hyperplanes"]
    rejected(cert, "claim.verdict: 'local-minimum' but w_0 . x_0 = 0")


def test_point_evidence_fields_follow_the_verdict() -> None:
    cert = point_local_minimum()
    cert["descent"] = {"dz": [[0, [1]]], "dw": []}
    rejected(cert, "descent: not allowed for verdict 'local-minimum'")
    cert = point_saddle()
    del cert["ascent"]
    rejected(cert, "missing field 'ascent'")
    cert = point_not_covered()
    del cert["on_hyperplanes"]
    rejected(cert, "missing field 'on_hyperplanes'")
    cert = point_local_minimum()
    cert["claim"]["verdict"] = "maximum"
    rejected(cert, "claim.verdict: unknown verdict")


def test_point_stationarity_checked() -> None:
    cert = point_saddle()
    cert["claim"]["verdict"] = "local-minimum"
    del cert["descent"], cert["ascent"]
    rejected(cert, "claim.verdict: 'local-minimum' but G_0 is non-zero at entry 0")
    cert = point_saddle()
    cert["claim"]["verdict"] = "not-stationary"
    del cert["ascent"]
    rejected(cert, "claim.verdict: 'not-stationary' but the gradient of L in (z, w) is zero")
    cert = point_not_stationary()
    cert["claim"]["verdict"] = "saddle"
    cert["ascent"] = {"dz": [[0, [1]]], "dw": []}
    rejected(cert, "claim.verdict: 'saddle' but the gradient is non-zero")


def test_curves_checked() -> None:
    cert = point_saddle()
    cert["descent"], cert["ascent"] = cert["ascent"], cert["descent"]
    rejected(cert, "descent: not a descent curve: L(t) - L(0) = 1 t^2 + ...")
    cert = point_saddle()
    cert["ascent"] = {"dz": [], "dw": [[0, 0, [1]]]}  # z stays 0: L(t) = L(0)
    rejected(cert, "ascent: not a ascent curve: L(t) - L(0) is identically zero")
    cert = point_saddle()
    cert["descent"]["dz"] = [[0, [1, 0]]]
    rejected(cert, "descent.dz[0][1][1]: last coefficient is zero")
    cert = point_saddle()
    cert["descent"]["dw"] = [[0, 1, [-1]], [0, 0, [1]]]
    rejected(cert, "descent.dw[1]", "strictly increasing")
    cert = point_saddle()
    cert["descent"] = {"dz": [], "dw": []}
    rejected(cert, "descent: a curve moves at least one weight")
    cert = point_saddle()
    cert["descent"]["dz"] = [[0, []]]
    rejected(cert, "descent.dz[0][1]", "at least 1")
    cert = point_saddle()
    cert["descent"]["dw"][0] = [0, 2, [1]]
    rejected(cert, "descent.dw[0][1]", "out of range")
    cert = point_not_stationary()
    cert["descent"]["dz"] = [[0, [1]]]
    rejected(cert, "descent: not a descent curve: L(t) - L(0) = 5 t^1")


def test_positive_part_rule_on_curves() -> None:
    # w_1 = -1 + t stays inactive near 0+ ([p]_+ = 0); z_0 = 1 - t: f = 1 - t, L(t) = t^2.
    cert = point_curve_leaves_cell()
    inst = parse_instance(cert["instance"], "instance")
    z = [Fraction(1), Fraction(1)]
    w = [[Fraction(1)], [Fraction(-1)]]
    curve = {"dz": [[0, [-1]], [1, [5]]], "dw": [[1, 0, [1]]]}
    line = check_curve(curve, "ascent", z, w, inst, Fraction(0), descent=False)
    assert line == "c ascent curve: L(t) - L(0) = 1 t^2 + ..."
    # The point is a local minimum (G = 0): no descent curve exists, so a saddle claim fails.
    cert["claim"]["verdict"] = "saddle"
    cert["ascent"] = curve
    cert["descent"] = copy.deepcopy(curve)
    rejected(cert, "descent: not a descent curve: L(t) - L(0) = 1 t^2")
    # Crossing a hyperplane along the curve: w_0 = 1 - 2t is still active near 0+.
    line = check_curve({"dz": [], "dw": [[0, 0, [-2]]]}, "ascent", z, w, inst, Fraction(0), descent=False)
    assert line == "c ascent curve: L(t) - L(0) = 4 t^2 + ..."
    assert checker_poly.positive_part([Fraction(0), Fraction(1)]) == [Fraction(0), Fraction(1)]
    assert checker_poly.positive_part([Fraction(0), Fraction(-1), Fraction(9)]) == []
    assert checker_poly.positive_part([]) == []


# ---------------------------------------------------------------- section 6: protocol


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "cert.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_unreadable_inputs_exit_2(tmp_path: Path) -> None:
    valid = cell_unique_genuine()
    cases: list[tuple[str | bytes, str]] = [
        ("{not json", "not JSON"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ("3", "expected a JSON object"),
        (json.dumps({**valid, "format": "exactscape-instance"}), "format must be"),
        (json.dumps({k: v for k, v in valid.items() if k != "format"}), "no format field"),
        (json.dumps({**valid, "version": "2.0"}), "version '2.0' refused"),
        (json.dumps({**valid, "version": 1}), "version must be a string"),
        (json.dumps({**valid, "version": "1"}), "version must be a string"),
        ('{"format": "exactscape-certificate", "format": "x"}', "duplicate key"),
        ("[" * 100000 + "]" * 100000, "not JSON"),
        ("", "not JSON"),
    ]
    for text, fragment in cases:
        code, lines = check_file(write(tmp_path, text))
        assert code == 2, (text[:40], lines)
        assert len(lines) == 1 and lines[0].startswith("s REJECTED: "), lines
        assert fragment in lines[0], lines
    code, lines = check_file(tmp_path / "missing.json")
    assert code == 2 and lines[0].startswith("s REJECTED: cannot read")
    code, lines = check_file(tmp_path)
    assert code == 2


def test_minor_versions_of_major_1_accepted(tmp_path: Path) -> None:
    cert = cell_unique_genuine()
    cert["version"] = "1.7"
    assert check_file(write(tmp_path, json.dumps(cert)))[0] == 0


def test_check_certificate_rejects_unreadable_objects() -> None:
    objects: list[object] = [None, [], "x", {"format": "exactscape-certificate", "version": "3.0"}]
    for obj in objects:
        result = verdict(obj)
        assert not result.verified and result.reason


def test_reason_is_one_ascii_line() -> None:
    cert = cell_unique_genuine()
    cert["claim"]["\u00e9\nbad"] = 1
    reason = rejected(cert)
    assert "\n" not in reason and reason.isascii()


def test_main_prints_lines_and_returns_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, json.dumps(cell_affine_tree()))
    assert main([str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "s VERIFIED" and all(line.startswith("c ") for line in out[:-1])
    cert = cell_affine_tree()
    cert["claim"]["loss"] = 1
    path = write(tmp_path, json.dumps(cert))
    assert main([str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "s REJECTED: claim.loss: claimed 1, derived 0"
    assert main([]) == 2


def test_module_entry_point(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(point_saddle()))
    proc = subprocess.run(
        [sys.executable, "-m", "exactscape.checker", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "s VERIFIED"
    path.write_text("nope")
    proc = subprocess.run(
        [sys.executable, "-m", "exactscape.checker", str(path)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and proc.stdout.startswith("s REJECTED: not JSON")


# ---------------------------------------------------------------- robustness


JUNK: list[object] = [None, True, -1, 10**30, "x", "1/0", [], {}, 0.5, [[]], {"leaf": {}}, [0, [0, 0]]]


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            out += _paths(sub, prefix + (key,))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            out += _paths(sub, prefix + (index,))
    return out


def _replace(cert: Cert, path: tuple[Any, ...], new: object) -> Cert:
    out = copy.deepcopy(cert)
    parent: Any = out
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return out


@pytest.mark.parametrize("name", sorted(VALID))
def test_junk_anywhere_never_crashes(name: str) -> None:
    cert = VALID[name]()
    for path in _paths(cert)[1:]:
        for junk in JUNK:
            result = check_certificate(_replace(cert, path, junk))
            assert not result.reason.startswith("internal"), (path, junk, result.reason)
            original = _get(cert, path)
            unchanged = type(junk) is type(original) and junk == original
            if path[0] in ("format", "version", "claim", "pattern", "kind") and not unchanged:
                assert not result.verified, (path, junk)


@pytest.mark.parametrize("name", sorted(VALID))
def test_random_number_mutations_never_crash(name: str) -> None:
    rng = random.Random(20261125)
    cert = VALID[name]()
    leaves = [p for p in _paths(cert)[1:] if not isinstance(_get(cert, p), (dict, list))]
    for _ in range(200):
        path = rng.choice(leaves)
        new = rng.choice([0, 1, -1, 2, "1/2", "-3/7", 7])
        result = check_certificate(_replace(cert, path, new))
        assert not result.reason.startswith("internal"), (path, new, result.reason)


def _get(cert: Cert, path: tuple[Any, ...]) -> object:
    value: Any = cert
    for key in path:
        value = value[key]
    return value


def test_loss_mutation_always_rejected() -> None:
    for name, build in VALID.items():
        cert = build()
        cert["claim"]["loss"] = "1234567/3"
        result = check_certificate(cert)
        assert not result.verified, name
        assert result.reason.startswith("claim.loss"), (name, result.reason)


def test_doctests_of_checker_modules() -> None:
    for module in (checker_numbers, checker_poly, checker_linalg):
        failures, attempted = doctest.testmod(module)
        assert failures == 0 and attempted > 0, module.__name__

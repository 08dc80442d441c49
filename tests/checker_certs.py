"""Hand-built certificates and helpers for the checker's unit tests
(tests/test_checker_s*.py, one file per section of proofs/FORMAT.md).

Every certificate here is built by hand from first principles (the arithmetic
is worked out in the comments), never by the producer, so that the tests pin
the checker to FORMAT.md alone.
"""

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

from exactscape.checker import CheckResult, check_certificate

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

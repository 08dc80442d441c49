"""Checker, FORMAT.md section 5: kind ``point`` (5.2 verdicts, 5.3 curves)."""

import copy
from fractions import Fraction

from checker_certs import (
    point_curve_leaves_cell,
    point_local_minimum,
    point_not_covered,
    point_not_stationary,
    point_saddle,
    rejected,
)

from exactscape.checker import poly as checker_poly
from exactscape.checker.curves import check_curve
from exactscape.checker.envelope import parse_instance

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

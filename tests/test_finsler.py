"""Quadratic refutations in the Finsler form (docs/theory.md section 2.1, FORMAT 4.3): forged
certificates rejected with a reason, the producer's exact verification against the checker and
against the characteristic polynomial of F, and the refutations differential against the
exhaustive branch tree."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import flint
import pytest
import strategies

from exactscape.checker import check_certificate
from exactscape.core.model import Instance, Pattern
from exactscape.theory import finsler, minima
from exactscape.theory import quadratic as quad

GOLDEN = Path(__file__).resolve().parents[1] / "proofs" / "certificates" / "quad-finsler.cell.cert.json"


def _golden() -> dict[str, Any]:
    cert: dict[str, Any] = json.loads(GOLDEN.read_text())
    assert check_certificate(copy.deepcopy(cert)).verified
    assert "rho" in cert["genuineness"]["quadratic"]
    return cert


def _rejected(cert: dict[str, Any], words: str) -> None:
    res = check_certificate(json.loads(json.dumps(cert)))
    assert not res.verified
    assert not res.reason.startswith("internal"), res.reason
    assert words in res.reason, res.reason


def _q(cert: dict[str, Any]) -> dict[str, Any]:
    q: dict[str, Any] = cert["genuineness"]["quadratic"]
    return q


def test_a_margin_too_large_leaves_e_not_dominant() -> None:
    cert = _golden()
    _q(cert)["epsilon"] = str(Fraction(_q(cert)["epsilon"]) * 1000)
    _rejected(cert, "not diagonally dominant")


def test_a_wrong_factor_leaves_e_not_dominant() -> None:
    cert = _golden()
    q = _q(cert)
    q["L"][-1][0] += 2 ** q["bits"]  # one entry of L off by 1
    _rejected(cert, "not diagonally dominant")
    cert = _golden()
    _q(cert)["D"][0] *= 3
    _rejected(cert, "not diagonally dominant")


def test_a_negative_pivot_is_rejected() -> None:
    cert = _golden()
    _q(cert)["D"][0] = -_q(cert)["D"][0]
    _rejected(cert, "out of range 0..inf")


def test_a_negative_rho_is_rejected() -> None:
    cert = _golden()
    _q(cert)["rho"] = "-" + _q(cert)["rho"]
    _rejected(cert, "is negative")


def test_a_zero_epsilon_is_rejected() -> None:
    cert = _golden()
    _q(cert)["epsilon"] = "0"
    _rejected(cert, "epsilon = 0 is not > 0")


def test_l_must_be_unit_lower_triangular() -> None:
    cert = _golden()
    _q(cert)["L"][2].append(0)  # an entry on the diagonal
    _rejected(cert, "genuineness.quadratic.L[2]")
    cert = _golden()
    _q(cert)["L"].pop()
    _rejected(cert, "genuineness.quadratic.L")
    cert = _golden()
    _q(cert)["D"].append(1)
    _rejected(cert, "genuineness.quadratic.D")
    cert = _golden()
    _q(cert)["L"][3][0] = "1/2"
    _rejected(cert, "expected an integer")
    cert = _golden()
    _q(cert)["bits"] = 1000
    _rejected(cert, "out of range")


def test_the_finsler_form_needs_version_1_4() -> None:
    cert = _golden()
    cert["version"] = "1.3"
    _rejected(cert, "new in version 1.4")


def test_mixed_forms_are_rejected() -> None:
    cert = _golden()
    _q(cert)["R0"] = [["0"] * 3] * 2
    _rejected(cert, "unknown field")


def _psd(F: list[list[Fraction]]) -> bool:
    n = len(F)
    W = flint.fmpq_mat(n, n, [flint.fmpq(v.numerator, v.denominator) for r in F for v in r])
    cs = [Fraction(int(c.p), int(c.q)) for c in W.charpoly().coeffs()]
    return all(c * (-1) ** (n - k) >= 0 for k, c in enumerate(cs))


def _dense(form: finsler.ExactForm) -> list[list[Fraction]]:
    m = form.RR.nrows()
    F = [[Fraction(int(form.RR[r, c]), form.den) for c in range(m)] + [form.Rt[r]] for r in range(m)]
    return [*F, [*form.Rt, form.tt]]


def _cell(seed: int) -> tuple[Instance, Pattern] | None:
    """A small wide cell with dependent samples (Kd > N > d), integer data."""
    return strategies.integer_cell(seed, 5, 2, 2)


def _differential(seeds: range) -> tuple[int, int]:
    pytest.importorskip("cvxpy")
    from exactscape.floats.quadratic import finsler_factor, propose, rationalise

    refuted = genuine = 0
    for seed, inst, pat, a in strategies.analysed_cells(seeds, 5, 2, 2):
        fitted = a.fitted()
        prop = propose(inst, pat, fitted, ridge=1e-2)
        ref = None
        if prop is not None and prop.delta > 0:
            for e in (2, 3, 6):
                ref = quad.finsler_refutation(inst, pat, fitted, rationalise(prop.mu, 10**e), finsler_factor)
                if ref is not None:
                    break
        state = a.genuineness.state
        if state == "genuine":
            genuine += 1
            assert ref is None, f"seed {seed}: a genuine cell was refuted by the Finsler form"
        if ref is not None:
            refuted += 1  # the verified factor's F is semidefinite by its characteristic polynomial too
            form = finsler.exact_form(inst, pat, fitted, ref.mu, ref.rho, ref.epsilon)
            assert _psd(_dense(form)), f"seed {seed}: F is not semidefinite"
            f = finsler.Factor(ref.rho, ref.epsilon * 10**6, ref.bits, ref.L, ref.D)
            worse = finsler.exact_form(inst, pat, fitted, ref.mu, f.rho, f.epsilon)
            assert not finsler.verify(worse, f) or _psd(_dense(worse))
            assert state == "not-genuine", f"seed {seed}: refuted by the Finsler form, the branch tree says {state}"
    return refuted, genuine


def test_finsler_refutations_agree_with_the_exhaustive_branch_tree() -> None:
    refuted, genuine = _differential(range(12))
    assert refuted >= 1 and genuine >= 1, (refuted, genuine)


@pytest.mark.slow
def test_finsler_refutations_agree_with_the_exhaustive_branch_tree_more_seeds() -> None:
    refuted, genuine = _differential(range(12, 80))
    assert refuted >= 1, refuted


def test_cells_without_a_writable_basis_take_the_finsler_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact side's route when the null basis would be too long (forced here): the Finsler
    form, whose cell certificate the checker verifies."""
    pytest.importorskip("cvxpy")
    from dataclasses import replace

    from exactscape.floats.quadratic import finsler_factor, propose, rationalise
    from exactscape.io import certify

    cell = _cell(7)
    assert cell is not None
    inst, pat = cell
    a = minima.analyse_cell(inst, pat, engine="plain")
    fitted = a.fitted()
    prop = propose(inst, pat, fitted, ridge=1e-2)
    assert prop is not None
    monkeypatch.setattr(quad, "MAX_BASIS_DIGITS", -1)
    att = quad.refute(inst, pat, fitted, None, [rationalise(prop.mu, 10**e) for e in (2, 3)], None, finsler_factor)
    assert isinstance(att.refutation, finsler.FinslerRefutation), att.reason
    cert = certify.cell_certificate(replace(a, genuine=None, tree=None, quadratic=att.refutation, method=quad.METHOD))
    res = check_certificate(json.loads(json.dumps(cert)))
    assert res.verified, res.reason
    assert a.genuineness.state == "not-genuine"

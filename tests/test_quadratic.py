"""Quadratic refutations (docs/theory.md section 2.1, FORMAT 4.3): differential against the
exhaustive branch tree, forged certificates rejected with a reason, the exact LDL^T against the
characteristic polynomial, and the engine's hook."""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import flint
import pytest
import strategies

from exactscape.checker import check_certificate
from exactscape.checker.errors import CertificateError
from exactscape.checker.quadratic import semidefinite
from exactscape.core.model import Instance, Pattern
from exactscape.io import certify
from exactscape.theory import minima
from exactscape.theory import quadratic as quad

GOLDEN = Path(__file__).resolve().parents[1] / "proofs" / "certificates" / "quad-wide.cell.cert.json"


def _cell(seed: int) -> tuple[Instance, Pattern] | None:
    """A small wide cell with dependent samples (Kd > N > d), integer data."""
    return strategies.integer_cell(seed, 8, 2, 4)


def _differential(seeds: range) -> tuple[int, int]:
    pytest.importorskip("cvxpy")
    from exactscape.floats.quadratic import propose_candidates

    refuted = genuine = 0
    for seed, inst, pat, a in strategies.analysed_cells(seeds, 8, 2, 4):
        fitted = a.fitted()
        att = quad.refute(inst, pat, fitted, None, propose_candidates(inst, pat, fitted))
        state = a.genuineness.state
        if state == "genuine":
            genuine += 1
            assert att.refutation is None, f"seed {seed}: a genuine cell was refuted quadratically"
        if att.refutation is not None:
            refuted += 1
            assert state == "not-genuine", f"seed {seed}: refuted quadratically, the branch tree says {state}"
            cert = certify.cell_certificate(
                minima.CellAnalysis(
                    inst, pat, a.feasibility, a.lsq, None, None, 0, None, "quadratic", False, "", att.refutation
                )
            )
            res = check_certificate(json.loads(json.dumps(cert)))
            assert res.verified, (seed, res.reason)
    return refuted, genuine


def test_quadratic_refutations_agree_with_the_exhaustive_branch_tree() -> None:
    refuted, genuine = _differential(range(0, 16))
    assert refuted >= 3 and genuine >= 1  # the comparison is not vacuous


@pytest.mark.slow
def test_quadratic_refutations_agree_with_the_exhaustive_branch_tree_more_seeds() -> None:
    refuted, genuine = _differential(range(16, 120))
    assert refuted >= 10 and genuine >= 3


def _golden() -> dict[str, Any]:
    cert: dict[str, Any] = json.loads(GOLDEN.read_text())
    assert check_certificate(copy.deepcopy(cert)).verified
    return cert


def _rejected(cert: dict[str, Any], words: str) -> None:
    res = check_certificate(json.loads(json.dumps(cert)))
    assert not res.verified
    assert not res.reason.startswith("internal"), res.reason
    assert words in res.reason, res.reason


def test_a_negative_multiplier_is_rejected() -> None:
    cert = _golden()
    cert["genuineness"]["quadratic"]["mu"][0][3] = "-1/5"
    _rejected(cert, "is not > 0")


def test_a_diagonal_multiplier_is_rejected() -> None:
    cert = _golden()
    j, i, _, m = cert["genuineness"]["quadratic"]["mu"][0]
    cert["genuineness"]["quadratic"]["mu"][0] = [j, i, i, m]
    _rejected(cert, "i < k")


def test_a_wrong_R0_is_rejected() -> None:
    cert = _golden()
    q = cert["genuineness"]["quadratic"]
    q["R0"][0][0] = certify.fmt(Fraction(q["R0"][0][0]) + 1)
    _rejected(cert, "R0 is not a minimiser")


def test_an_incomplete_null_basis_is_rejected() -> None:
    cert = _golden()
    null = cert["genuineness"]["quadratic"]["null"]
    null["vectors"].pop()
    null["pivots"].pop()
    _rejected(cert, "genuineness.quadratic.null")


def test_a_dependent_null_basis_is_rejected() -> None:
    cert = _golden()
    vecs = cert["genuineness"]["quadratic"]["null"]["vectors"]
    vecs[1] = copy.deepcopy(vecs[0])
    _rejected(cert, "pivot")


def test_a_form_not_negative_on_the_minimiser_set_is_rejected() -> None:
    cert = _golden()
    q = cert["genuineness"]["quadratic"]
    q["epsilon"] = certify.fmt(Fraction(q["epsilon"]) * 1000)
    _rejected(cert, "not semidefinite")
    cert = _golden()
    cert["genuineness"]["quadratic"]["mu"] = cert["genuineness"]["quadratic"]["mu"][:1]
    _rejected(cert, "not semidefinite")


def test_a_zero_epsilon_is_rejected() -> None:
    cert = _golden()
    cert["genuineness"]["quadratic"]["epsilon"] = "0"
    _rejected(cert, "epsilon = 0 is not > 0")


def test_the_quadratic_form_needs_version_1_4() -> None:
    cert = _golden()
    cert["version"] = "1.3"
    _rejected(cert, "new in version 1.4")


def test_a_quadratic_refutation_cannot_claim_a_genuine_cell() -> None:
    cert = _golden()
    cert["claim"]["genuine"] = True
    _rejected(cert, "claim.genuine")


def _psd_by_charpoly(m: list[list[int]]) -> bool:
    n = len(m)
    cs = [int(c) for c in flint.fmpz_mat(m).charpoly().coeffs()]  # lowest degree first
    return all(c * (-1) ** (n - k) >= 0 for k, c in enumerate(cs))


def test_the_exact_ldl_agrees_with_the_characteristic_polynomial() -> None:
    rng = random.Random(7)
    seen = {True: 0, False: 0}
    for _ in range(300):
        n = rng.randint(1, 5)
        r = rng.randint(0, n)
        B = [[rng.randint(-2, 2) for _ in range(n)] for _ in range(r)]
        m = [[sum(B[t][a] * B[t][b] for t in range(r)) for b in range(n)] for a in range(n)]
        if rng.random() < 0.5:
            a, b = rng.randrange(n), rng.randrange(n)
            m[a][b] += 1 if a == b else 0
            m[a][a] -= rng.randint(0, 2)
        truth = _psd_by_charpoly(m)
        seen[truth] += 1
        try:
            semidefinite([[Fraction(v) for v in row] for row in m], "w")
            ok = True
        except CertificateError:
            ok = False
        assert ok == truth, m
        # the producer's Schur margin: the leading block PSD and the last pivot >= 0 iff PSD
        s = quad.schur_margin([[flint.fmpq(v) for v in row] for row in m]) if n > 1 else None
        if n > 1:
            assert (s is not None and s >= 0) == truth, m
    assert seen[True] > 30 and seen[False] > 30


def test_the_engine_decides_by_the_quadratic_form_under_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook of analyse_cell: a wide cell that no other structure decides, a proposer (here the
    golden multipliers), and a verified form: "not genuine", method quadratic, a 1.4 certificate."""
    cert = _golden()
    cell = _cell(9)
    assert cell is not None
    inst, pat = cell
    mu = tuple((j, i, k, Fraction(m)) for j, i, k, m in cert["genuineness"]["quadratic"]["mu"])
    monkeypatch.setattr(minima, "PLAIN_LIMIT", 0)
    monkeypatch.setattr(minima.fast, "decide", lambda *a, **k: None)
    seen: list[int] = []

    def propose(i: Instance, p: Pattern, fitted: Any) -> list[quad.Mu]:
        seen.append(1)
        return [mu]

    a = minima.analyse_cell(inst, pat, engine="fast", budget=30, quadratic=quad.FloatSide(propose))
    assert a.method == "quadratic" and a.genuineness.state == "not-genuine" and a.quadratic is not None
    out = certify.cell_certificate(a)
    assert out["version"] == "1.4" and check_certificate(json.loads(json.dumps(out))).verified
    # without a proposer the same cell goes to the box search
    b = minima.analyse_cell(inst, pat, engine="fast", budget=30)
    assert b.method != "quadratic"


def test_the_scs_path_solves_the_same_sdp_as_cvxpy() -> None:
    """The direct SCS formulation (svec order and scaling) against cvxpy on small random data:
    its answer satisfies the constraints, and its delta is at least the interior-point one."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("cvxpy")
    from exactscape.floats import quadratic as fq

    rng = np.random.default_rng(1)
    solved = 0
    for n in (3, 4, 6):
        iu = np.triu_indices(n)
        terms = []
        for _ in range(8):
            v = rng.normal(size=(2, n))
            M = np.outer(v[0], v[1])
            terms.append(((M + M.T) / 2 - np.eye(n) * rng.uniform(0, 1))[iu])
        coef = np.array(terms).T
        margin = np.zeros((n, n))
        margin[-1, -1] = 1.0
        got = fq._solve_scs(coef, margin, n, 30.0)
        ref = fq._solve_cvxpy(coef, margin, n)
        if isinstance(got, str):
            continue
        mu, delta, _ = got
        P = np.zeros((n, n))
        P[iu] = coef @ mu
        P = P + P.T - np.diag(np.diag(P))
        assert np.linalg.eigvalsh(-P - delta * margin).min() > -1e-6
        assert abs(mu.sum() - 1) < 1e-6 and mu.min() > -1e-6
        if not isinstance(ref, str):
            assert delta >= ref[1] - 1e-4
        solved += 1
    assert solved >= 2

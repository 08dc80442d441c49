"""The fast cell engine (minset.py, theory/genuine.py) against independent oracles.

Differential: on random small cells the fast engine, the plain branch tree, and
SymPy pinv + blind PPL enumeration of all 3^K branch vectors agree on rank, loss
and genuineness, and every certificate (format 1.2 rank evidence) verifies.
Then the budget (undecided is never "not genuine") and the 1.2 evidence's
corruptions.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import small_cells
from test_minima import oracle_cell

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.cli import main
from exactscape.core import minset
from exactscape.core.model import Instance, Pattern
from exactscape.theory import genuine
from exactscape.theory.minima import analyse_cell

F = Fraction
EX = Path(__file__).resolve().parents[1] / "examples"


def cells() -> st.SearchStrategy[tuple[Instance, Pattern]]:
    """Small cells of every shape the engine distinguishes: tall (fixed neurons), affine
    (free neurons), samples with full row rank (independent samples), zero rows."""
    return small_cells(n=(1, 6), d0=(1, 4), k=(1, 3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells(), st.sampled_from(["exact", "hinted"]))
def test_fast_engine_agrees_with_enumeration_and_the_plain_tree(cell: tuple[Instance, Pattern], backend: str) -> None:
    inst, pat = cell
    fast = api.cell(inst, pattern=pat, engine="fast", backend=backend)
    plain = api.cell(inst, pattern=pat, engine="plain", backend="exact")
    rank, loss, is_genuine = oracle_cell(inst, pat.I)
    for res in (fast, plain):
        s = res.summary
        assert (s["rank"], F(s["loss"])) == (rank, loss)
        if s["feasible"]:
            assert s["genuine"] == is_genuine
        assert res.certificate is not None and check_certificate(res.certificate).verified
    if fast.summary["feasible"] and fast.analysis.ms is not None:
        assert fast.certificate["version"] == "1.2"


def test_more_coordinates_than_samples() -> None:
    """rank X = N with a small Kd: the minimiser set is formed and the lazy search decides."""
    rng = random.Random(7)
    seen = set()
    for _ in range(12):
        N, d0, K = 4, 5, 2
        X = tuple(tuple(F(rng.randint(-4, 4)) for _ in range(d0)) for _ in range(N))
        y = tuple(F(rng.choice([-2, -1, 0, 1, 2])) for _ in range(N))
        I = tuple(tuple(rng.randint(0, 1) for _ in range(K)) for _ in range(N))
        inst, pat = Instance(X=X, y=y), Pattern(I)
        ms = minset.minimiser_set(inst, pat)
        if ms is None or not genuine.samples_independent(inst):
            continue
        a = analyse_cell(inst, pat, engine="fast")
        rank, loss, is_genuine = oracle_cell(inst, I)
        assert (a.rank, a.loss) == (rank, loss)
        if a.feasibility.feasible:
            assert a.genuineness.known() == is_genuine
            seen.add((a.method, is_genuine))
        res = api.cell(inst, pattern=pat, engine="fast")
        assert check_certificate(res.certificate).verified
    assert seen  # some feasible cells were compared


def test_wide_cells_use_the_covering_search() -> None:
    """Kd above the column limit and rank X = N: no minimiser is formed (format 1.2 '{}')."""
    rng = random.Random(3)
    N, d0, K = 5, 12, 110  # Kd = 1430 > COLUMN_LIMIT
    X = tuple(tuple(F(rng.randint(-5, 5)) for _ in range(d0)) for _ in range(N))
    y = (F(1), F(-1), F(2), F(0), F(-3))
    I = tuple(tuple(rng.randint(0, 1) for _ in range(K)) for _ in range(N))
    res = api.cell(Instance(X=X, y=y), pattern=Pattern(I), engine="fast")
    assert res.analysis.method == "independent-samples"
    assert res.certificate["minimiser"] == {}
    assert res.summary["genuine"] is True  # 110 neurons cover every sign
    assert check_certificate(res.certificate).verified


def test_covering_refutes_a_sample_no_sign_can_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """One neuron active on two independent samples with fitted values +1 and -1: branch +
    fails on the second sample, - on the first, 0 on either; the covering search refutes
    with one-sample leaves (forced by a zero column limit, so no minimiser is formed)."""
    monkeypatch.setattr(minset, "COLUMN_LIMIT", 0)
    monkeypatch.setattr(minset, "TALL_LIMIT", 0)
    X = ((F(1), F(0), F(2), F(0)), (F(0), F(1), F(0), F(3)))
    inst = Instance(X=X, y=(F(1), F(-1)), bias=False)
    res = api.cell(inst, pattern=Pattern(((1,), (1,))), engine="fast")
    assert res.analysis.method == "independent-samples"
    assert res.summary["genuine"] is False
    assert check_certificate(res.certificate).verified


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells())
def test_covering_agrees_with_enumeration(cell: tuple[Instance, Pattern]) -> None:
    inst, pat = cell
    saved = minset.COLUMN_LIMIT, minset.TALL_LIMIT
    minset.COLUMN_LIMIT = minset.TALL_LIMIT = 0  # the wide path: samples cover or refute
    try:
        res = api.cell(inst, pattern=pat, engine="fast")
    finally:
        minset.COLUMN_LIMIT, minset.TALL_LIMIT = saved
    rank, loss, is_genuine = oracle_cell(inst, pat.I)
    s = res.summary
    assert (s["rank"], F(s["loss"])) == (rank, loss)
    if s["feasible"]:
        assert s["genuine"] == is_genuine
    assert check_certificate(res.certificate).verified


def _search_cell() -> tuple[Instance, Pattern]:
    """A feasible cell with distinct activation columns and a minimiser set of positive
    dimension (N < Kd): the lazy search has work to do."""
    from exactscape.core.model import Weights, pattern_of

    rng = random.Random(11)
    N, d0, K = 12, 2, 6
    X = tuple(tuple(F(rng.randint(-9, 9), 4) for _ in range(d0)) for _ in range(N))
    y = tuple(F(rng.choice([-1, 1])) for _ in range(N))
    inst = Instance(X=X, y=y)
    while True:
        w = tuple(tuple(F(rng.randint(-5, 5), 3) for _ in range(d0 + 1)) for _ in range(K))
        pat, on = pattern_of(inst, Weights(z=tuple(F(1) for _ in range(K)), w=w))
        if not on and len(set(pat.column(j) for j in range(K))) == K:
            return inst, pat


def test_exhausted_budget_is_undecided_never_no(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst, pat = _search_cell()
    expired = genuine.Budget(deadline_ns=0)
    ms = minset.minimiser_set(inst, pat)
    assert ms is not None and ms.dimension > 0
    d = genuine.decide(inst, pat, ms, None, budget=expired)
    assert d is not None and d.undecided and d.genuine is None and d.tree is None
    res = api.cell(inst, pattern=pat, engine="fast", budget=F(1, 10**9))
    assert res.summary["genuine"] is None and res.summary["undecided"] is True and res.certificate == {}
    # the CLI: verdict undecided, exit 0, no certificate file
    inst_path = tmp_path / "i.json"
    inst_path.write_text(json.dumps({"format": "exactscape-instance", "version": 1, **inst.to_json()}))
    pat_path = tmp_path / "p.json"
    pat_path.write_text(json.dumps({"format": "exactscape-pattern", "version": 1, "I": pat.to_json()}))
    cert = tmp_path / "c.json"
    code = main(
        [
            "cell",
            str(inst_path),
            "--pattern",
            str(pat_path),
            "--engine",
            "fast",
            "--budget",
            "1e-9",
            "--cert",
            str(cert),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and out.splitlines()[0] == "verdict: undecided" and not cert.exists()
    # with time, the same cell is decided and certified
    full = api.cell(inst, pattern=pat, engine="fast")
    plain = api.cell(inst, pattern=pat, engine="plain")  # the branch tree, decided independently
    assert "undecided" not in full.summary and full.summary["genuine"] is plain.summary["genuine"]
    assert full.certificate["claim"]["genuine"] is full.summary["genuine"]
    assert check_certificate(full.certificate).verified


# ---------------------------------------------------------------- format 1.2 evidence


def _affine_certificate() -> dict[str, object]:
    inst, pat = _search_cell()
    I = [list(r) for r in pat.I]
    I[0][0] = 0  # a mixed pattern, still feasible with bias
    res = api.cell(inst, pattern=Pattern(tuple(tuple(r) for r in I)), engine="fast")
    assert res.certificate is not None
    return res.certificate


def test_rank_evidence_with_null_space_verifies_and_corruptions_are_rejected() -> None:
    inst, pat = _search_cell()
    res = api.cell(inst, pattern=pat, engine="fast")
    cert = res.certificate
    assert cert is not None and "null_space" in cert["rank"]
    assert check_certificate(cert).verified

    def rejected(mutate: object) -> None:
        bad = copy.deepcopy(cert)
        mutate(bad)  # type: ignore[operator]
        r = check_certificate(json.loads(json.dumps(bad)))
        assert not r.verified and not r.reason.startswith("internal"), r.reason

    rejected(lambda c: c["rank"]["minor"].__setitem__("modulus", 2305843009213693953))  # not prime
    rejected(lambda c: c["rank"]["minor"].__setitem__("modulus", 4))
    rejected(lambda c: c["rank"]["minor"]["columns"].__setitem__(0, c["rank"]["minor"]["columns"][1]))
    rejected(lambda c: c["rank"].pop("null_space"))
    rejected(lambda c: c["rank"]["null_space"]["vectors"].pop())
    rejected(lambda c: c["rank"]["null_space"]["pivots"].reverse())
    rejected(lambda c: c["rank"]["basis_rows"].pop())
    rejected(lambda c: c.__setitem__("version", "1.1"))
    rejected(lambda c: c.__setitem__("minimiser", {}))  # rank < non-zero rows: p is not y

    def bump_null(c: dict) -> None:  # type: ignore[type-arg]
        v = c["rank"]["null_space"]["vectors"][0]
        for blk in v:
            for k, e in enumerate(blk):
                if e != "0":
                    blk[k] = str(F(e) + 1)
                    return

    rejected(bump_null)

    def bump_r(c: dict) -> None:  # type: ignore[type-arg]
        c["minimiser"]["R"][0][0] = str(F(c["minimiser"]["R"][0][0]) + 1)

    rejected(bump_r)


def test_certificates_of_the_fast_engine_never_crash_the_checker_when_fields_are_dropped() -> None:
    cert = _affine_certificate()
    for key in ("rank", "minimiser", "pattern", "feasibility"):
        bad = copy.deepcopy(cert)
        bad.pop(key)
        r = check_certificate(bad)
        assert not r.verified and not r.reason.startswith("internal"), r.reason


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells(), st.booleans(), st.booleans())
def test_positive_reading_agrees_with_the_single_plain_node(
    cell: tuple[Instance, Pattern], active: bool, wide: bool
) -> None:
    """Part 2's reading (every z_j > 0): the fast engine (flexible groups, lazy rows, covering)
    against the plain search's one node (+, ..., +)."""
    from exactscape.experiments.trapped import plus_only

    inst, pat = cell
    if active:  # all-active cells: one flexible group whose sum is fixed
        pat = Pattern(tuple(tuple(1 for _ in range(pat.K)) for _ in range(inst.N)))
    a = analyse_cell(inst, pat, engine="plain")
    if not a.feasibility.feasible:
        return
    saved = minset.COLUMN_LIMIT, minset.TALL_LIMIT
    if wide:  # no minimiser formed: sample refutations and covering
        minset.COLUMN_LIMIT = minset.TALL_LIMIT = 0
    try:
        ms = minset.minimiser_set(inst, pat)
    finally:
        minset.COLUMN_LIMIT, minset.TALL_LIMIT = saved
    if ms is None:
        return
    d = genuine.decide(inst, pat, ms, a.feasibility.witness, positive_only=True)
    if d is None:  # no structure applies (wide A with dependent samples)
        return
    assert not d.undecided
    assert (d.genuine is not None) == plus_only(a, None)
    if d.genuine is not None:
        from exactscape.core.design import in_cell

        assert all(b == "+" for b in d.genuine.branches)
        assert all(in_cell(inst, pat, j, d.genuine.w[j]) for j in range(pat.K))
        R = [z * v for z, w in zip(d.genuine.z, d.genuine.w) for v in w]
        res = api.cell(inst, pattern=pat, engine="plain")
        assert res.certificate  # the witness is a genuine minimiser: A^T (A R - y) = 0
        from exactscape.core.design import design_matrix
        from exactscape.core.linalg import column, to_vec

        A = design_matrix(inst, pat)
        e = [p - q for p, q in zip(to_vec(A * column(R)), inst.y)]
        assert all(v == 0 for v in to_vec(A.transpose() * column(e)))

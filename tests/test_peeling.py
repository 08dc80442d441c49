"""Sparse corrections onto the minimiser set (theory/peeling.py, theory/witness.py).

Differential: on cells of sparse data with an exact zero-loss point, the sparse correction
(peeled triangular part and dense core) and the dense correction on pivot columns both
verify the same proposal, give the same branch vector, and both certificates replay; any
witness the verifier returns satisfies A_B R = p_B and every strict sign, recomputed here in
Fractions. The peeling's solve against plain elimination on random sparse systems, and
forged witnesses rejected by the checker.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import oracles
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape.checker import check_certificate
from exactscape.checker.linalg import det_mod_nonzero, peel_singletons
from exactscape.core import minset
from exactscape.core.model import Instance, Pattern, Weights, dot, pattern_of
from exactscape.core.numbers import fmt
from exactscape.io import certify
from exactscape.theory import peeling, witness
from exactscape.theory.minima import CellAnalysis, cell_feasibility

F = Fraction


def _analysis(inst: Instance, pat: Pattern, ms: minset.MinimiserSet, g: witness.Genuine) -> CellAnalysis:
    return CellAnalysis(inst, pat, cell_feasibility(inst, pat), None, g, None, 0, ms, witness.METHOD_GIVEN)


def _sparse_net(seed: int) -> tuple[Instance, Pattern, Weights] | None:
    """Sparse samples (most pixels 0, the others k/16), weights with thirds (so rounding to
    the dyadic grid needs a correction), labels y = f(x): the given point has loss 0."""
    rng = random.Random(seed)
    N, d0, K = rng.randint(3, 9), rng.randint(3, 7), rng.randint(1, 3)
    X = tuple(tuple(F(rng.randint(1, 16), 16) if rng.random() < 0.35 else F(0) for _ in range(d0)) for _ in range(N))
    z = tuple(F(rng.choice([-1, 1]) * rng.randint(1, 5), 3) for _ in range(K))
    w = tuple(tuple(F(rng.randint(-9, 9), 3) for _ in range(d0 + 1)) for _ in range(K))
    probe = Instance(X=X, y=(F(0),) * N, bias=True)
    wts = Weights(z, w)
    y = tuple(sum((zj * max(dot(wj, x), F(0)) for zj, wj in zip(z, w, strict=True)), F(0)) for x in probe.xs)
    inst = Instance(X=X, y=y, bias=True)
    pat, on = pattern_of(inst, wts)
    if on:
        return None
    return inst, pat, wts


def _satisfies(inst: Instance, pat: Pattern, ms: minset.MinimiserSet, g: witness.Genuine) -> bool:
    """A_B R = p_B and every strict sign, in Fractions (R_j = z_j w_j)."""
    p = ms.fitted()
    for i in ms.evidence.basis:
        val = sum((zj * dot(wj, inst.xs[i]) for zj, wj, on in zip(g.z, g.w, pat.I[i], strict=True) if on), F(0))
        if val != p[i]:
            return False
    for j, (zj, wj) in enumerate(zip(g.z, g.w, strict=True)):
        for i, x in enumerate(inst.xs):
            v = dot(wj, x)
            if (v > 0) != bool(pat.I[i][j]) or v == 0:
                return False
        if (zj > 0, zj < 0, zj == 0) != (g.branches[j] == "+", g.branches[j] == "-", g.branches[j] == "0"):
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32))
def test_sparse_and_dense_corrections_agree(seed: int) -> None:
    got = _sparse_net(seed)
    if got is None:
        return
    inst, pat, wts = got
    ms = minset.minimiser_set(inst, pat)
    if ms is None:
        return
    ver = witness.Verifier(inst, pat, ms, None)
    R = witness.given_point(wts)
    allowed = {j * inst.d + l for j in range(pat.K) if wts.z[j] for l in range(inst.d)}
    dense_cols = ver.columns(allowed)
    sparse = ver.verify(witness.Proposal(R))
    dense = ver.verify(witness.Proposal(R, tuple(dense_cols) if dense_cols is not None else None))
    # the given point is an exact zero-loss point strictly inside its cell: rounding it to the
    # 2^-40 grid and correcting keeps its margins (entries are sixteenths and thirds)
    assert sparse is not None and dense is not None
    assert sparse.genuine.branches == dense.genuine.branches
    for found in (sparse, dense):
        assert _satisfies(inst, pat, ms, found.genuine)
        cert = certify.cell_certificate(_analysis(inst, pat, ms, found.genuine))
        assert check_certificate(json.loads(certify.dumps(cert))).verified


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.integers(-30, 30))
def test_any_returned_witness_is_exact(seed: int, shift: int) -> None:
    """Whatever the proposal (the given point moved by shift/64 in one coordinate, so often
    off the minimiser set or outside the cell), a returned witness is on the minimiser set
    and strictly inside every cone, exactly."""
    got = _sparse_net(seed)
    if got is None:
        return
    inst, pat, wts = got
    ms = minset.minimiser_set(inst, pat)
    if ms is None:
        return
    R = [list(b) for b in witness.given_point(wts)]
    rng = random.Random(seed)
    R[rng.randrange(pat.K)][rng.randrange(inst.d)] += F(shift, 64)
    found = witness.Verifier(inst, pat, ms, None).verify(witness.Proposal(tuple(tuple(b) for b in R)))
    if found is not None:
        assert _satisfies(inst, pat, ms, found.genuine)


def _fraction_rank(rows: list[list[F]]) -> int:
    a = [list(r) for r in rows]
    rank = 0
    for c in range(len(a[0]) if a else 0):
        piv = next((r for r in range(rank, len(a)) if a[r][c]), None)
        if piv is None:
            continue
        a[rank], a[piv] = a[piv], a[rank]
        for r in range(len(a)):
            if r != rank and a[r][c]:
                f = a[r][c] / a[rank][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[rank], strict=True)]
        rank += 1
    return rank


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 8), st.integers(0, 8), st.floats(0.1, 0.9))
def test_peeled_solve_against_plain_elimination(seed: int, r: int, extra: int, density: float) -> None:
    """Random sparse integer rows: the peeled pivots are column singletons in their order
    (zero on every later row and on the core), and when the core has full rank the solve
    satisfies A_{.,C} delta = rhs exactly; it fails only when the minor is singular."""
    rng = random.Random(seed)
    n = r + extra
    dense = [[rng.randint(-5, 5) if rng.random() < density else 0 for _ in range(n)] for _ in range(r)]
    rows: list[peeling.SparseRow] = [[(c, v) for c, v in enumerate(row) if v] for row in dense]
    peeled = peeling.peel(rows)
    later = [a for a, _, _ in peeled.pivots]
    for k, (a, c, v) in enumerate(peeled.pivots):
        assert dense[a][c] == v != 0
        for b in [*later[k + 1 :], *peeled.core]:
            assert dense[b][c] == 0
    used = {c for _, c, _ in peeled.pivots}
    ccols = peeling.core_columns(rows, peeled.core, [c for c in range(n) if c not in used], minset.PRIMES)
    full = _fraction_rank([[F(v) for v in row] for row in dense]) == r
    if ccols is None:
        assert not full or peeled.core  # the core's rank modulo every prime tried fell short
        return
    rhs = [rng.randint(-20, 20) for _ in range(r)]
    got = peeling.solve(rows, peeled, ccols, rhs)
    assert got is not None and full
    nums, den = got
    assert den > 0
    assert set(nums) <= used | set(ccols)
    for a in range(r):
        assert sum(F(dense[a][c] * v, den) for c, v in nums.items()) == rhs[a]


def test_a_diagonal_design_is_peeled_completely() -> None:
    """Samples with private pixels: every row peels, the core is empty and the correction's
    denominators are those of the pivots (here powers of two: no new prime enters)."""
    X = tuple(tuple(F(4, 16) if l == i else F(0) for l in range(4)) for i in range(4))
    w = ((F(1, 3), F(2, 3), F(-1, 3), F(1, 3), F(1, 70)),)
    inst = Instance(X=X, y=(F(0),) * 4, bias=True)
    y = tuple(max(dot(w[0], x), F(0)) for x in inst.xs)
    inst = Instance(X=X, y=y, bias=True)
    wts = Weights((F(1),), w)
    pat, on = pattern_of(inst, wts)
    assert not on and pat.I == ((1,), (1,), (0,), (1,))
    ms = minset.minimiser_set(inst, pat)
    assert ms is not None
    choice = witness.sparse_choice(inst, pat, ms.evidence.basis)
    assert choice is not None and choice[0].core == () and len(choice[0].pivots) == ms.rank
    found = witness.Verifier(inst, pat, ms, None).verify(witness.Proposal(witness.given_point(wts)))
    assert found is not None and _satisfies(inst, pat, ms, found.genuine)
    for v in found.genuine.w[0]:
        assert (2**80 * ms.pden) % v.denominator == 0  # no prime beyond the grid's and p's


def test_forged_sparse_witnesses_are_rejected() -> None:
    """A verified sparse witness, then each forgery: one corrected coordinate moved by the
    smallest step of its denominator, a flipped output sign, a dropped neuron."""
    for seed in range(200):
        got = _sparse_net(seed)
        if got is None:
            continue
        inst, pat, wts = got
        ms = minset.minimiser_set(inst, pat)
        if ms is None:
            continue
        found = witness.Verifier(inst, pat, ms, None).verify(witness.Proposal(witness.given_point(wts)))
        if found is None or len(found.columns) == 0:
            continue
        cert = json.loads(certify.dumps(certify.cell_certificate(_analysis(inst, pat, ms, found.genuine))))
        assert check_certificate(cert).verified
        j, l = divmod(found.columns[0], inst.d)
        w = [list(b) for b in found.genuine.w]
        w[j][l] += F(1, w[j][l].denominator * 2**40)
        forged = json.loads(json.dumps(cert))
        forged["genuineness"]["w"] = [[fmt(v) for v in b] for b in w]
        assert not check_certificate(forged).verified
        flipped = json.loads(json.dumps(cert))
        flipped["genuineness"]["z"][j] = fmt(-found.genuine.z[j])
        assert not check_certificate(flipped).verified
        dropped = json.loads(json.dumps(cert))
        dropped["genuineness"]["z"][j] = "0"
        assert not check_certificate(dropped).verified
        return
    raise AssertionError("no sparse net with a corrected witness among 200 seeds")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 12), st.floats(0.05, 0.6), st.sampled_from([3, 5, 32749]))
def test_checker_peeling_keeps_the_determinant(seed: int, n: int, density: float, p: int) -> None:
    """The checker's singleton expansion before its elimination (det_mod_nonzero) against
    plain elimination modulo p, on sparse matrices (most of them partly triangular)."""
    rng = random.Random(seed)
    rows = [[rng.randint(-6, 6) if rng.random() < density else 0 for _ in range(n)] for _ in range(n)]
    if rng.random() < 0.5:  # a triangular matrix with a random dense corner
        for r in range(n):
            for c in range(r + 1, n):
                rows[r][c] = 0 if r < n // 2 else rows[r][c]
    assert det_mod_nonzero(rows, p) == oracles.det_mod_nonzero_plain(rows, p)
    left = peel_singletons(rows, p)
    assert left is None or len(left) <= n


def test_the_float_proposer_keeps_the_peeled_pivots() -> None:
    """The proposer's sparse columns (peeled pivots plus QR pivots of the core) contain every
    peeled pivot column, are r independent columns, and the verifier on them agrees with the
    verifier on the QR columns (same branch vector, both exact)."""
    from exactscape.floats.witness import _arrays, _design, peeled_qr_columns, qr_columns

    seen = 0
    for seed in range(120):
        got = _sparse_net(seed)
        if got is None:
            continue
        inst, pat, wts = got
        ms = minset.minimiser_set(inst, pat)
        if ms is None or ms.rank == 0:
            continue
        task = witness.Task(inst, pat, tuple(ms.fitted()), tuple(ms.evidence.basis), wts, None)
        X, I, _, rows = _arrays(task)
        AB = _design(X, I, rows)
        cols = peeled_qr_columns(task, AB)
        if cols is None:
            continue
        peeled = witness.peeled_rows(inst, pat, ms.evidence.basis)
        assert {c for _, c, _ in peeled.pivots} <= set(cols) and len(cols) == ms.rank
        ver = witness.Verifier(inst, pat, ms, None)
        R = witness.given_point(wts)
        a, b = ver.verify(witness.Proposal(R, cols)), ver.verify(witness.Proposal(R, qr_columns(AB)))
        if a is not None and b is not None:
            assert a.genuine.branches == b.genuine.branches
            assert _satisfies(inst, pat, ms, a.genuine) and _satisfies(inst, pat, ms, b.genuine)
            seen += 1
    assert seen >= 5

"""Witnesses for any cell (theory/witness.py, floats/witness.py) against the plain engine.

Differential: on random small cells, a proposal the exact verifier accepts is a genuine
point of a cell the plain branch tree also calls genuine, and its cell certificate verifies;
the plain engine's own witness, rounded and corrected, is accepted whenever its margins
survive; a wrong proposal is never turned into "not genuine". Then the pieces the verifier
and the scale paths rely on: the checker's packed elimination modulo p, rational
reconstruction of null vectors, the integer residuals and margins. A slow test trains a
network and certifies its cell from the trained weights.
"""

from __future__ import annotations

import json
import random
import sys
from fractions import Fraction
from pathlib import Path

import oracles
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import small_cells

from exactscape.checker import check_certificate
from exactscape.checker.linalg import det_mod_nonzero
from exactscape.core import minset
from exactscape.core.design import block_gradient
from exactscape.core.model import Instance, Pattern, Weights, dot, pattern_of
from exactscape.io import certify
from exactscape.landscape import crosscheck
from exactscape.landscape.point import residuals
from exactscape.theory import witness
from exactscape.theory.minima import CellAnalysis, analyse_cell, cell_feasibility

F = Fraction
ROOT = Path(__file__).resolve().parents[1]


def _with_witness(inst: Instance, pat: Pattern, ms: minset.MinimiserSet, g: witness.Genuine) -> CellAnalysis:
    feas = cell_feasibility(inst, pat)
    return CellAnalysis(inst, pat, feas, None, g, None, 0, ms, witness.METHOD_GIVEN)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cells(n=(1, 6), d0=(1, 4), k=(1, 3)), st.integers(0, 2**32))
def test_verified_proposals_agree_with_the_plain_engine(cell: tuple[Instance, Pattern], seed: int) -> None:
    inst, pat = cell
    plain = analyse_cell(inst, pat, engine="plain")
    if not plain.feasibility.feasible:
        return
    ms = minset.minimiser_set(inst, pat)
    if ms is None:
        return
    ver = witness.Verifier(inst, pat, ms, plain.feasibility.witness)
    rng = random.Random(seed)
    entry = lambda: F(rng.randint(-9, 9), rng.choice([1, 2, 3]))  # noqa: E731
    proposals = [tuple(tuple(entry() for _ in range(inst.d)) for _ in range(pat.K))]
    if plain.genuine is not None:
        g = plain.genuine
        proposals.append(tuple(tuple(zj * v for v in wj) for zj, wj in zip(g.z, g.w, strict=True)))
    for R in proposals:
        found = ver.verify(witness.Proposal(R))
        if found is None:
            continue  # a proposal that fails is dropped, never a "no"
        assert plain.genuine is not None, "the verifier accepted a point in a cell the plain tree refutes"
        cert = certify.cell_certificate(_with_witness(inst, pat, ms, found.genuine))
        assert check_certificate(json.loads(certify.dumps(cert))).verified


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cells(n=(2, 6), d0=(1, 3), k=(1, 3)))
def test_the_plain_witness_is_accepted_back(cell: tuple[Instance, Pattern]) -> None:
    """An exact genuine point of the minimiser set, proposed back, verifies (its rounding to
    the 2^-k grid is corrected on r columns; the margins of a rational point survive)."""
    inst, pat = cell
    plain = analyse_cell(inst, pat, engine="plain")
    ms = minset.minimiser_set(inst, pat)
    if plain.genuine is None or ms is None or "0" in plain.genuine.branches:
        return
    g = plain.genuine
    R = tuple(tuple(zj * v for v in wj) for zj, wj in zip(g.z, g.w, strict=True))
    found = witness.Verifier(inst, pat, ms, plain.feasibility.witness).verify(witness.Proposal(R))
    assert found is not None
    assert found.genuine.branches == g.branches
    cert = certify.cell_certificate(_with_witness(inst, pat, ms, found.genuine))
    assert check_certificate(json.loads(certify.dumps(cert))).verified


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cells(n=(2, 6), d0=(1, 3), k=(1, 3)))
def test_given_point_on_the_fast_engine_agrees_with_the_plain_tree(cell: tuple[Instance, Pattern]) -> None:
    """analyse_cell with the plain witness as the hint: the fast engine's answer (whatever
    method decided it) is the plain tree's, and its certificate verifies."""
    inst, pat = cell
    plain = analyse_cell(inst, pat, engine="plain")
    if plain.genuine is None:
        return
    hint = Weights(plain.genuine.z, plain.genuine.w)
    if pattern_of(inst, hint)[1]:
        return
    fast = analyse_cell(inst, pat, hint=hint, engine="fast")
    assert fast.genuine is not None and not fast.undecided
    assert check_certificate(json.loads(certify.dumps(certify.cell_certificate(fast)))).verified


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 7).flatmap(
        lambda n: st.lists(st.lists(st.integers(-4, 4), min_size=n, max_size=n), min_size=n, max_size=n)
    ),
    st.sampled_from([2, 3, 5, 7, 32749, 2305843009213693951]),
    st.booleans(),
)
def test_packed_elimination_agrees_with_plain_elimination(rows: list[list[int]], p: int, dependent: bool) -> None:
    if dependent and len(rows) > 1:
        rows = [*rows[:-1], [a - 2 * b for a, b in zip(rows[0], rows[1], strict=True)]]
    assert det_mod_nonzero(rows, p) == oracles.det_mod_nonzero_plain(rows, p)


@given(st.integers(-40, 40), st.integers(1, 40))
def test_rational_reconstruction(a: int, b: int) -> None:
    p = minset.PRIMES[0]
    assert minset._lift(a * pow(b, -1, p) % p, p) == F(a, b)


@settings(max_examples=40, deadline=None)
@given(small_cells(n=(1, 5), d0=(1, 3), k=(1, 3)), st.integers(0, 2**32))
def test_integer_residuals_gradients_and_margins_agree(cell: tuple[Instance, Pattern], seed: int) -> None:
    inst, _ = cell
    rng = random.Random(seed)
    K = rng.randint(1, 3)
    wts = Weights(
        tuple(F(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(K)),
        tuple(tuple(F(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(inst.d)) for _ in range(K)),
    )
    e = residuals(inst, wts)
    f = [sum((z * max(dot(w, x), F(0)) for z, w in zip(wts.z, wts.w, strict=True)), F(0)) for x in inst.xs]
    assert e == [a - y for a, y in zip(f, inst.y, strict=True)]
    pat, _ = pattern_of(inst, wts)
    from exactscape.landscape.point import gradient_blocks

    assert gradient_blocks(inst, pat, e) == [block_gradient(inst, pat, e, j) for j in range(K)]
    rob = crosscheck.robustness(inst, wts)
    rhos = [
        (abs(dot(w, x)) / den if (den := sum((abs(a * b) for a, b in zip(w, x, strict=True)), F(0))) else F(0))
        for w in wts.w
        for x in inst.xs
    ]
    assert rob.min_relative_margin == min(rhos)
    assert rob.min_margin == min(abs(dot(w, x)) for w in wts.w for x in inst.xs)


@pytest.mark.slow
def test_a_trained_network_is_certified_genuine_from_its_weights() -> None:
    """Gaussian data (N = 400, d0 = 10, K = 50) trained by full-batch Adam (benchmarks/train.py):
    the trained point's cell is decided genuine from the trained weights and the certificate
    verifies."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import train

    from exactscape.floats.convert import instance_from_arrays, weights_from_arrays
    from exactscape.floats.witness import proposer

    net = train.NETS["gaussian-N400-d10-K50"]
    X, y = train.data(net)
    z, w, loss = train.train(X, y, net.K, net.steps, net.lr, net.seed)
    assert loss < 1e-6
    inst = instance_from_arrays(X, y, bias=True)
    wts, _ = weights_from_arrays(z, w)
    pat, on = pattern_of(inst, wts)
    assert not on
    a = analyse_cell(inst, pat, hint=wts, propose=proposer(), budget=600)
    assert a.genuine is not None and a.method in (witness.METHOD_GIVEN, witness.METHOD_PROPOSED)
    assert check_certificate(json.loads(certify.dumps(certify.cell_certificate(a)))).verified

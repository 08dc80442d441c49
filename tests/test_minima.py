"""Theorem 1 / Section IV on cells: hand-computed examples and a differential
oracle (SymPy pinv + PPL with blind 3^K enumeration) on random tiny cells."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import oracles
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import small_cells

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core.model import Instance, Pattern, Weights
from exactscape.io.instances import load_instance, load_pattern

EX = Path(__file__).resolve().parents[1] / "examples"
F = Fraction

# Liu Part 1, Section IV-B (reconstructed): x1 = (1, 0), x2 = (0, 1), no bias, K = 1.
# Cell "ab" means I = [[a], [b]]: w . x1 = w_1 has sign a, w . x2 = w_2 has sign b.
# By hand: A = diag(a, b), R* solves R_1 = y_1 (if a), R_2 = y_2 (if b); other entries free.
# loss = (1/2) * sum of y_i^2 over inactive samples. Genuine iff some branch puts R* in the cell:
#   branch + needs sign(R_i) to match the pattern, branch - the opposite, branch 0 needs R* = 0 possible.
HAND = {
    # labels: {cell: (kind, dimension, loss, genuine, branches)}
    "positive": {
        "11": ("unique", 0, F(0), True, ["+"]),  # R* = (1, 1) in C
        "10": ("affine", 1, F(1, 2), True, ["+"]),  # R_1 = 1 > 0, R_2 free < 0
        "01": ("affine", 1, F(1, 2), True, ["+"]),
        "00": ("affine", 2, F(1), True, None),  # A = 0: R arbitrary; + (R in C), - and 0 all work
    },
    "negative": {
        "11": ("unique", 0, F(0), True, ["-"]),  # R* = (-1, -1): only z < 0 (Part 1's Fig. 2(c) says none)
        "10": ("affine", 1, F(1, 2), True, ["-"]),  # R_1 = -1: -R_1 > 0 and R_2 > 0 free
        "01": ("affine", 1, F(1, 2), True, ["-"]),
        "00": ("affine", 2, F(1), True, None),
    },
    "mixed": {
        "11": ("unique", 0, F(0), False, None),  # R* = (1, -1): neither R* nor -R* in the open quadrant
        "10": ("affine", 1, F(1, 2), True, ["+"]),  # R_1 = 1, R_2 < 0 free
        "01": ("affine", 1, F(1, 2), True, ["-"]),  # R_2 = -1: -R_2 > 0, -R_1 < 0 with R_1 free
        "00": ("affine", 2, F(1), True, None),
    },
}


@pytest.mark.parametrize("labels,cell", [(lab, c) for lab in HAND for c in HAND[lab]])
def test_toy_example_by_hand(labels: str, cell: str) -> None:
    kind, dim, loss, genuine, branches = HAND[labels][cell]
    inst = load_instance(EX / f"toy-{labels}.json")
    res = api.cell(inst, pattern=load_pattern(EX / f"toy-cell-{cell}.pattern.json"))
    s = res.summary
    assert (s["feasible"], s["kind"], s["dimension"], F(s["loss"]), s["genuine"]) == (True, kind, dim, loss, genuine)
    if branches is not None:
        assert s["branches"] == branches
    assert check_certificate(res.certificate).verified


def test_infeasible_pattern_is_reported_with_a_certificate() -> None:
    # 1-D with bias: samples x = -1, 0, 1; neuron active at -1 and 1 but not at 0 is impossible
    inst = Instance(X=((F(-1),), (F(0),), (F(1),)), y=(F(1), F(0), F(1)), bias=True)
    res = api.cell(inst, pattern=Pattern(((1,), (0,), (1,))))
    assert res.summary["feasible"] is False and res.summary["genuine"] is False
    assert res.certificate["feasibility"]["neuron"] == 0
    assert check_certificate(res.certificate).verified


def _design(inst: Instance, I: tuple[tuple[int, ...], ...]) -> list[list[Fraction]]:
    K = len(I[0])
    return [[(v if I[i][j] else F(0)) for j in range(K) for v in x] for i, x in enumerate(inst.xs)]


def oracle_cell(inst: Instance, I: tuple[tuple[int, ...], ...]) -> tuple[int, Fraction, bool]:
    """Rank, loss, genuineness by SymPy pinv and blind PPL enumeration."""
    rows = _design(inst, I)
    A = oracles.sympy_matrix(rows)
    y = oracles.sympy_matrix([[v] for v in inst.y])
    p = A * A.pinv() * y
    fitted = [oracles.to_fraction(p[i, 0]) for i in range(inst.N)]
    loss = sum(((a - b) ** 2 for a, b in zip(fitted, inst.y)), F(0)) / inst.N
    return oracles.rank(rows, len(rows[0])), loss, oracles.genuine_by_enumeration(inst.xs, I, fitted)


def tiny_cells() -> st.SearchStrategy[tuple[Instance, Pattern]]:
    return small_cells(n=(1, 4), d0=(1, 2), k=(1, 2))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_cells())
def test_cells_agree_with_sympy_and_ppl_enumeration(cell: tuple[Instance, Pattern]) -> None:
    inst, pat = cell
    res = api.cell(inst, pattern=pat)
    rank, loss, genuine = oracle_cell(inst, pat.I)
    s = res.summary
    assert s["rank"] == rank
    assert F(s["loss"]) == loss
    assert s["genuine"] == genuine
    assert check_certificate(res.certificate).verified


def test_random_k3_example_agrees_with_the_oracle() -> None:
    from exactscape.core.model import pattern_of
    from exactscape.io.instances import load_weights

    inst = load_instance(EX / "random-k3.json")
    wts = load_weights(EX / "random-k3.weights.json")
    pat, on = pattern_of(inst, wts)
    assert on == []
    res = api.cell(inst, weights=wts)
    rank, loss, genuine = oracle_cell(inst, pat.I)
    assert (res.summary["rank"], F(res.summary["loss"]), res.summary["genuine"]) == (rank, loss, genuine)


def test_every_pattern_of_a_k2_line_instance() -> None:
    """All 2^(N K) patterns of a 1-D instance with bias: infeasible ones are refuted,
    feasible ones agree with the oracle."""
    inst = load_instance(EX / "line.json")
    for bits in itertools.product((0, 1), repeat=inst.N * 2):
        I = tuple(tuple(bits[2 * i : 2 * i + 2]) for i in range(inst.N))
        res = api.cell(inst, pattern=Pattern(I))
        assert check_certificate(res.certificate).verified
        # in 1-D with bias, a neuron's active set is a prefix or suffix of the sorted samples
        cols = [[I[i][j] for i in range(inst.N)] for j in range(2)]
        monotone = all(c == sorted(c) or c == sorted(c, reverse=True) for c in cols)
        assert res.summary["feasible"] == monotone
        if monotone:
            assert res.summary["genuine"] == oracle_cell(inst, I)[2]


def test_weights_name_the_cell_they_lie_in() -> None:
    inst = load_instance(EX / "toy-mixed.json")
    w = Weights(z=(F(1),), w=((F(1), F(-1)),))
    res = api.cell(inst, weights=w)
    assert res.certificate["pattern"] == [[1], [0]]
    assert res.certificate["feasibility"] == {"witness": [["1", "-1"]]}

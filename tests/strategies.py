"""Hypothesis strategies shared by the differential tests."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from fractions import Fraction as F

from hypothesis import strategies as st

from exactscape.core.model import Instance, Pattern, Weights, pattern_of
from exactscape.theory.minima import CellAnalysis, analyse_cell


@st.composite
def small_cells(
    draw: st.DrawFn, *, n: tuple[int, int], d0: tuple[int, int], k: tuple[int, int]
) -> tuple[Instance, Pattern]:
    """An instance with N, d0, K drawn from the given inclusive ranges, entries of X
    and y in -3..3, the bias drawn, and any activation pattern (feasible or not)."""
    N = draw(st.integers(*n))
    D0 = draw(st.integers(*d0))
    K = draw(st.integers(*k))
    val = st.integers(-3, 3).map(F)
    X = tuple(tuple(draw(val) for _ in range(D0)) for _ in range(N))
    y = tuple(draw(val) for _ in range(N))
    bias = draw(st.booleans())
    I = tuple(tuple(draw(st.integers(0, 1)) for _ in range(K)) for _ in range(N))
    return Instance(X=X, y=y, bias=bias), Pattern(I)


def integer_cell(seed: int, N: int, d0: int, K: int) -> tuple[Instance, Pattern] | None:
    """A random cell with integer data (coordinates in [-5, 5], labels +-1) and the pattern of
    integer weights in [-4, 4]; None when a weight lies on a sample hyperplane. With Kd > N > d0 + 1
    it is wide with dependent samples (the quadratic refutations' small cases)."""
    rng = random.Random(seed)
    X = [[F(rng.randint(-5, 5)) for _ in range(d0)] for _ in range(N)]
    y = [F(rng.choice([-1, 1])) for _ in range(N)]
    inst = Instance(X, y)
    w = [[F(rng.randint(-4, 4)) for _ in range(d0 + 1)] for _ in range(K)]
    pat, on = pattern_of(inst, Weights([F(1)] * K, w))
    return None if on else (inst, pat)


def analysed_cells(
    seeds: Iterable[int], N: int, d0: int, K: int
) -> Iterator[tuple[int, Instance, Pattern, CellAnalysis]]:
    """For each seed whose :func:`integer_cell` exists and is feasible: the seed, the cell and
    its analysis by the plain (exhaustive) branch tree, the differential tests' reference."""
    for seed in seeds:
        cell = integer_cell(seed, N, d0, K)
        if cell is None:
            continue
        inst, pat = cell
        a = analyse_cell(inst, pat, engine="plain")
        if a.feasibility.feasible:
            yield seed, inst, pat, a

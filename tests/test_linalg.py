"""flint-backed linear algebra against SymPy (DomainMatrix; pinv on tiny cases)."""

from __future__ import annotations

from fractions import Fraction

import dense
import oracles
from hypothesis import given, settings
from hypothesis import strategies as st

from exactscape.core import linalg

small = st.fractions(min_value=-5, max_value=5, max_denominator=4)


@st.composite
def matrices(draw: st.DrawFn, max_rows: int = 5, max_cols: int = 6) -> list[list[Fraction]]:
    n = draw(st.integers(1, max_rows))
    m = draw(st.integers(1, max_cols))
    rows = [[draw(small) for _ in range(m)] for _ in range(n)]
    # force rank deficiency and zero columns often
    if n > 1 and draw(st.booleans()):
        k = draw(st.integers(0, n - 1))
        c = draw(small)
        rows.append([c * v for v in rows[k]])
    if draw(st.booleans()):
        z = draw(st.integers(0, m - 1))
        for r in rows:
            r[z] = Fraction(0)
    return rows


@settings(max_examples=150, deadline=None)
@given(matrices())
def test_rank_factorisation_matches_sympy(rows: list[list[Fraction]]) -> None:
    A = linalg.matrix(rows)
    fac = linalg.rank_factorisation(A)
    m = len(rows[0])
    assert fac.rank == oracles.rank(rows, m)
    # A = C A_B exactly, and the basis rows are independent
    for i, row in enumerate(rows):
        c = fac.combination(i)
        recon = [sum((c[k] * rows[b][col] for k, b in enumerate(fac.basis)), Fraction(0)) for col in range(m)]
        assert recon == row
    assert oracles.rank([rows[b] for b in fac.basis], m) == fac.rank


@settings(max_examples=60, deadline=None)
@given(matrices(max_rows=4, max_cols=4))
def test_pinv_matches_sympy_pinv(rows: list[list[Fraction]]) -> None:
    A = linalg.matrix(rows)
    ours = linalg.to_rows(dense.pinv(A))
    theirs = oracles.sympy_matrix(rows).pinv()
    assert [[oracles.to_fraction(v) for v in theirs.row(i)] for i in range(theirs.rows)] == ours


@settings(max_examples=120, deadline=None)
@given(matrices(), st.data())
def test_least_squares_is_the_min_norm_solution(rows: list[list[Fraction]], data: st.DataObject) -> None:
    y = [data.draw(small) for _ in rows]
    A = linalg.matrix(rows)
    ls = linalg.least_squares(A, y)
    P = dense.pinv(A)
    expect = linalg.to_vec(P * linalg.column(y))
    assert ls.R0 == expect
    m = len(rows[0])
    # normal equations A^T (A R0 - y) = 0
    fitted = [sum((r[c] * ls.R0[c] for c in range(m)), Fraction(0)) for r in rows]
    assert fitted == ls.fitted
    res = [f - v for f, v in zip(fitted, y)]
    assert all(sum((rows[i][c] * res[i] for i in range(len(rows))), Fraction(0)) == 0 for c in range(m))
    assert ls.dimension == m - oracles.rank(rows, m)


@settings(max_examples=80, deadline=None)
@given(matrices())
def test_null_space_basis(rows: list[list[Fraction]]) -> None:
    A = linalg.matrix(rows)
    Nb = linalg.null_space(A)
    m = len(rows[0])
    assert Nb.ncols() == m - oracles.rank(rows, m)
    assert all(v == 0 for v in (A * Nb).entries())
    if Nb.ncols():
        assert oracles.rank(linalg.to_rows(Nb.transpose()), m) == Nb.ncols()


def test_zero_matrix() -> None:
    A = linalg.matrix([[0, 0], [0, 0]])
    ls = linalg.least_squares(A, [Fraction(1), Fraction(2)])
    assert ls.rank == 0 and ls.dimension == 2 and ls.residual_sq == 5 and ls.R0 == [0, 0]


def test_wide_and_tall_paths_agree() -> None:
    rows = [[Fraction(i * j + 1, j + 2) for j in range(7)] for i in range(3)]
    y = [Fraction(1), Fraction(-2), Fraction(3, 5)]
    wide = linalg.least_squares(linalg.matrix(rows), y)  # N <= Kd: Gram path
    tall = linalg.least_squares(linalg.matrix([list(c) for c in zip(*rows)]), [Fraction(1)] * 7)  # A^T path
    assert wide.rank == tall.rank == oracles.rank(rows, 7)

"""Fast paths for cells of real-data size (sklearn digits, all 1,797 samples) against the
exact paths they replace, on small instances (differential; the sizes themselves are
measured in benchmarks/trained.py, never timed here).

* the sparse null space: a dependency whose lifted coefficients do not verify is solved
  exactly on its own support; forced on every column, the minimiser set is the same;
* the dispatch: a rank-deficient A beyond the tall path's size gets the sparse null space
  (forced by zero limits) and the cell's answer agrees with the enumeration oracle;
* the engine's c-space rows on short integers (only h carries R0's denominator).
"""

from __future__ import annotations

from fractions import Fraction

import flint
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import small_cells
from test_minima import oracle_cell

from exactscape import api, minset
from exactscape.checker import check_certificate
from exactscape.model import Instance, Pattern

F = Fraction


def _same_minimiser_set(a: minset.MinimiserSet, b: minset.MinimiserSet) -> None:
    assert (a.rank, a.loss, a.fitted()) == (b.rank, b.loss, b.fitted())
    assert a.evidence.null_pivots == b.evidence.null_pivots
    if a.Nb is None or b.Nb is None:
        assert a.Nb is None and b.Nb is None
        return
    # the same null space: each basis lies in the span of the other (equal ranks)
    both = flint.fmpz_mat(a.Nb.nrows(), a.Nb.ncols() + b.Nb.ncols(), [
        v for ra, rb in zip(a.Nb.tolist(), b.Nb.tolist(), strict=True) for v in (*ra, *rb)
    ])  # fmt: skip
    assert both.rank() == a.Nb.rank() == b.Nb.rank() == a.Nb.ncols()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(small_cells(n=(2, 7), d0=(1, 3), k=(1, 3)))
def test_support_null_vectors_agree_with_the_lift(
    monkeypatch: pytest.MonkeyPatch, cell: tuple[Instance, Pattern]
) -> None:
    """Every column forced through the exact support solve (no lift): the same rank, fitted
    values, loss and null space as the lifted echelon vectors."""
    inst, pat = cell
    nonzero = tuple(i for i in range(inst.N) if any(pat.I[i]) and any(minset.samples(inst).rows[i]))
    lifted = minset._sparse_null(inst, pat, nonzero)
    with monkeypatch.context() as m:
        m.setattr(minset, "_lift", lambda v, p: None)
        exact = minset._sparse_null(inst, pat, nonzero)
    if lifted is None:
        return
    assert exact is not None
    _same_minimiser_set(lifted, exact)
    assert exact.Nb is not None and exact.AZ is not None
    assert (exact.AZ * exact.Nb).is_zero()


def test_support_null_vector_of_a_long_dependency() -> None:
    """Column 2 = (10^12 + 1)/10^12 column 0 + column 1 / 10^12 needs coefficients beyond the
    lift's bound sqrt(p/2): the support solve gives the integer vector (10^12 + 1, 1, -10^12)."""
    t = 10**12
    AZ = flint.fmpz_mat([[t, 0, t + 1], [0, t, 1], [t, t, t + 2]])
    assert minset._support_null_vector(AZ, 2, [0, 1]) == {2: t, 0: -(t + 1), 1: -1}
    assert minset._support_null_vector(AZ, 2, [0]) is None  # no dependency on column 0 alone


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cells(n=(2, 7), d0=(1, 3), k=(1, 3)))
def test_sparse_dispatch_agrees_with_enumeration(cell: tuple[Instance, Pattern]) -> None:
    """Zero limits send every cell past the tall path: wide cells with independent rows keep
    the wide path, the others get the sparse null space; rank, loss and genuineness agree
    with SymPy pinv and blind PPL enumeration, and every certificate verifies."""
    inst, pat = cell
    saved = minset.COLUMN_LIMIT, minset.TALL_LIMIT
    minset.COLUMN_LIMIT = minset.TALL_LIMIT = 0
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

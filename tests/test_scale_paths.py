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


def _reference_leaf_ok(
    pattern: list[list[int]],
    xs: list[list[F]],
    fitted: list[F],
    sigma: dict[int, str],
    fit: list[tuple[int, F]],
    sign: list[tuple[int, int, F]],
) -> bool:
    """FORMAT 4.2 check 5 for one leaf, in Fractions (the checker's former path)."""
    k, d = len(pattern[0]), len(xs[0])
    comb = [[F(0)] * d for _ in range(k)]
    for i, m in fit:
        for j in range(k):
            if sigma.get(j) != "0" and pattern[i][j]:
                comb[j] = [a + m * b for a, b in zip(comb[j], xs[i], strict=True)]
    for j, i, m in sign:
        s = (1 if pattern[i][j] else -1) * (1 if sigma[j] == "+" else -1)
        comb[j] = [a + m * s * b for a, b in zip(comb[j], xs[i], strict=True)]
    if any(v for j in range(k) if sigma.get(j) != "0" for v in comb[j]):
        return False
    beta = sum((m * fitted[i] for i, m in fit), F(0))
    return beta >= 0 if sign else beta != 0


def test_integer_leaf_check_agrees_with_fractions() -> None:
    """The checker's leaf check in integers (common denominators) accepts exactly the leaves
    that the Fraction computation accepts: random leaves, half of them built to cancel."""
    import random

    from exactscape.checker.branchtree import check_leaf
    from exactscape.checker.errors import CertificateError
    from exactscape.checker.linalg import Fitted

    rng = random.Random(3)
    agree = accepted = 0
    for trial in range(300):
        n, k, d = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 3)
        xs = [[F(rng.randint(-3, 3), rng.choice((1, 2, 4))) for _ in range(d)] for _ in range(n)]
        pattern = [[rng.randint(0, 1) for _ in range(k)] for _ in range(n)]
        y = [F(rng.randint(-2, 2), rng.choice((1, 3))) for _ in range(n)]
        e = [rng.randint(-5, 5) for _ in range(n)]
        den = rng.choice((1, 7, 10**30 + 3))
        fitted = Fitted(y, e, den)
        sigma = {j: rng.choice("+-0") for j in range(k)}
        fit = [
            (i, F(rng.randint(-4, 4) or 1, rng.choice((1, 3)))) for i in sorted(rng.sample(range(n), rng.randint(0, n)))
        ]
        split = [j for j in range(k) if sigma[j] != "0"]
        sign = []
        if split and rng.random() < 0.7:
            j = rng.choice(split)
            sign = [
                (j, i, F(rng.randint(1, 3), rng.choice((1, 5))))
                for i in sorted(rng.sample(range(n), rng.randint(1, n)))
            ]
        if trial % 2 and split:  # make the combination vanish: one neuron, one sample, fit = -s m
            j, i = split[0], rng.randrange(n)
            pattern[i] = [1 if jj == j else 0 for jj in range(k)]
            s = 1 if sigma[j] == "+" else -1
            sign, fit = [(j, i, F(1))], [(i, F(-s))]
        want = _reference_leaf_ok(pattern, xs, list(fitted), sigma, fit, sign)
        leaf = {"fit": [[i, str(m)] for i, m in fit], "sign": [[j, i, str(m)] for j, i, m in sign]}
        try:
            check_leaf(leaf, "leaf", sigma, pattern, xs, fitted, frozenset(), None)
            got = True
        except CertificateError:
            got = False
        agree += got == want
        accepted += got
    assert agree == 300
    assert 20 < accepted < 280  # both outcomes occur


def test_farkas_hint_without_the_cap_row() -> None:
    """v > 3 and -4 v > 0: HiGHS sees the rows scaled by powers of two, so its beta sits on the
    cap beta <= 1 while the exact multipliers (4/5, 1/5) on the unscaled rows have beta = 12/5;
    the cap row made the exact support system inconsistent and the hint was lost (the
    decision fell back to the exact simplex; on digits all K = 32 every node did)."""
    from exactscape import polyhedra
    from exactscape.floats import hint

    s = polyhedra.System(n=1, G=((F(1),), (F(-4),)), h=(F(3), F(0)))
    cert = hint._farkas_hint(s, *hint._arrays(s))
    assert cert is not None and s.verify_farkas(cert)
    assert cert.mG == (F(4, 5), F(1, 5))


def test_farkas_ray_on_a_support_of_two_rays() -> None:
    """A float support holding two rays (v1 > 1, -v1 > 0 and v2 > 1, -v2 > 5): its null space is
    two-dimensional, so one row is dropped and the exact ray (0, 0, 1, 1) with beta = 6 is found."""
    from exactscape import polyhedra
    from exactscape.floats import hint

    G = ((F(1), F(0)), (F(-1), F(0)), (F(0), F(1)), (F(0), F(-1)))
    s = polyhedra.System(n=2, G=G, h=(F(1), F(0), F(1), F(5)))
    cert = hint._ray_on_support(s, list(G), [0, 1, 2, 3], [0, 1, 2, 3], 0, 4, 0)
    assert cert is not None and s.verify_farkas(cert)
    assert cert.mG == (0, 0, 1, 1)

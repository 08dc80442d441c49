"""Open-polyhedron decisions (cdd) against PPL's NNC polyhedra and brute force."""

from __future__ import annotations

import itertools
from fractions import Fraction

import oracles
from hypothesis import given, settings
from hypothesis import strategies as st

from exactscape.core.polyhedra import Farkas, Point, System, decide

coef = st.integers(-3, 3).map(Fraction)


@st.composite
def systems(draw: st.DrawFn) -> System:
    n = draw(st.integers(1, 3))

    def rows(k: int) -> tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]]:
        R = tuple(tuple(draw(coef) for _ in range(n)) for _ in range(k))
        b = tuple(draw(coef) for _ in range(k))
        return R, b

    E, f = rows(draw(st.integers(0, 2)))
    G, h = rows(draw(st.integers(0, 4)))
    H, k = rows(draw(st.integers(0, 2)))
    return System(n=n, E=E, f=f, G=G, h=h, H=H, k=k)


@settings(max_examples=300, deadline=None)
@given(systems(), st.sampled_from(["ppl", "cdd"]))
def test_decide_agrees_with_ppl_and_proves_itself(s: System, backend: str) -> None:
    """Both exact LP backends against PPL's NNC polyhedra (native strict inequalities)."""
    ans = decide(s, backend)
    empty = oracles.open_polyhedron_empty(s.n, list(zip(s.E, s.f)), list(zip(s.G, s.h)), list(zip(s.H, s.k)))
    if isinstance(ans, Point):
        assert not empty
        assert s.verify_point(ans.v)
    else:
        assert isinstance(ans, Farkas)
        assert empty
        assert s.verify_farkas(ans)


def test_strictness_matters_for_inhomogeneous_systems() -> None:
    # 0 < x < 1/1000 is non-empty although no margin of 1 fits
    s = System(n=1, G=((Fraction(1),), (Fraction(-1),)), h=(Fraction(0), Fraction(-1, 1000)))
    ans = decide(s)
    assert isinstance(ans, Point) and 0 < ans.v[0] < Fraction(1, 1000)
    # x > 0 and x < 0: empty, with a Farkas certificate using the strict rows
    s = System(n=1, G=((Fraction(1),), (Fraction(-1),)), h=(Fraction(0), Fraction(0)))
    ans = decide(s)
    assert isinstance(ans, Farkas) and s.verify_farkas(ans) and sum(ans.mG) > 0


def test_verify_farkas_rejects_wrong_multipliers() -> None:
    s = System(n=1, G=((Fraction(1),), (Fraction(-1),)), h=(Fraction(0), Fraction(0)))
    assert not s.verify_farkas(Farkas((), (Fraction(1), Fraction(2)), ()))
    assert not s.verify_farkas(Farkas((), (Fraction(-1), Fraction(-1)), ()))
    assert not s.verify_farkas(Farkas((), (Fraction(0), Fraction(0)), ()))


def test_brute_force_grid_on_one_dimensional_systems() -> None:
    """In one variable, emptiness is decidable by hand: check every sign system."""
    vals = [Fraction(v) for v in (-2, -1, 0, 1, 2)]
    for a1, b1, a2, b2 in itertools.product(vals, repeat=4):
        s = System(n=1, G=((a1,), (a2,)), h=(b1, b2))
        # brute force: the set is an intersection of open rays; sample candidate points
        cands = {Fraction(0), Fraction(10**6), Fraction(-(10**6))}
        for a, b in ((a1, b1), (a2, b2)):
            if a:
                r = b / a
                cands |= {r + Fraction(1, 10**6), r - Fraction(1, 10**6)}
        cands |= {(x + y) / 2 for x in list(cands) for y in list(cands)}
        nonempty = any(s.verify_point((c,)) for c in cands)
        assert isinstance(decide(s), Point) == nonempty


@settings(max_examples=150, deadline=None)
@given(systems())
def test_elimination_and_plain_paths_agree(s: System) -> None:
    """decide() eliminates equalities first; the plain LP path (used when the
    null space is too large to write down) must reach the same answer."""
    from exactscape.core.polyhedra import decide_plain

    a, b = decide(s), decide_plain(s, "ppl")
    assert isinstance(a, Point) == isinstance(b, Point)
    for ans in (a, b):
        assert s.verify_point(ans.v) if isinstance(ans, Point) else s.verify_farkas(ans)


def test_unique_solution_needs_no_lp() -> None:
    # x = 1, y = 2 (unique) with x - y > 0 violated: a one-row Farkas certificate
    s = System(
        n=2,
        E=((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))),
        f=(Fraction(1), Fraction(2)),
        G=((Fraction(1), Fraction(-1)), (Fraction(1), Fraction(1))),
        h=(Fraction(0), Fraction(0)),
    )
    ans = decide(s)
    assert isinstance(ans, Farkas) and ans.mG == (Fraction(1), Fraction(0)) and s.verify_farkas(ans)

"""Float hints for the exact polyhedron decision never change a verdict."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import numpy as np
import pytest

from exactscape.checker import check_certificate
from exactscape.core import polyhedra
from exactscape.core.model import pattern_of
from exactscape.experiments.data import gaussian, sample_weights
from exactscape.floats.hint import decide_hinted
from exactscape.io import certify
from exactscape.theory.minima import analyse_cell


def _random_system(rng: random.Random) -> polyhedra.System:
    n = rng.randint(1, 4)

    def row() -> tuple[Fraction, ...]:
        return tuple(Fraction(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(n))

    nE, nG = rng.randint(0, 2), rng.randint(0, 4)
    E = tuple(row() for _ in range(nE))
    G = tuple(row() for _ in range(nG))
    return polyhedra.System(
        n=n,
        E=E,
        f=tuple(Fraction(rng.randint(-2, 2)) for _ in E),
        G=G,
        h=tuple(Fraction(rng.randint(-1, 1)) for _ in G),
    )


def test_hinted_decisions_are_verified_and_agree_with_cdd() -> None:
    rng = random.Random(11)
    for _ in range(150):
        s = _random_system(rng)
        a, b = decide_hinted(s), polyhedra.decide(s)
        assert isinstance(a, polyhedra.Point) == isinstance(b, polyhedra.Point)
        assert s.verify_point(a.v) if isinstance(a, polyhedra.Point) else s.verify_farkas(a)


@pytest.mark.parametrize("loc", [3.0, 0.0, -3.0])
def test_hinted_cell_analysis_matches_cdd(loc: float) -> None:
    rng = np.random.default_rng(int(10 + loc))
    ds = gaussian(24, 2, rng)
    wts, _, _ = sample_weights(3, 2, loc, rng)
    pat, _ = pattern_of(ds.instance, wts)
    h = analyse_cell(ds.instance, pat, hint=wts, decide=decide_hinted)
    c = analyse_cell(ds.instance, pat, hint=wts)
    assert h.genuineness == c.genuineness and h.lsq.fitted == c.lsq.fitted
    assert check_certificate(json.loads(json.dumps(certify.cell_certificate(h)))).verified

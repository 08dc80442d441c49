"""Point classification against brute force: exact loss sampled around the point."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core.model import Instance, Pattern, Weights, pattern_of
from exactscape.io.instances import load_instance, load_weights
from exactscape.landscape.point import loss

EX = Path(__file__).resolve().parents[1] / "examples"
F = Fraction


def neighbours(w: Weights, ez: Fraction, ew: Fraction) -> list[Weights]:
    """(z + ez D_z, w + ew D_w) for every D in {-1, 0, 1}^(K (d + 1)) (tiny sizes only).

    Separate scales for z and w reach the saddle's cubic valley z_j ~ t^2, w_j ~ t."""
    K, d = w.K, len(w.w[0])
    n = K * (d + 1)
    if n <= 6:
        dirs: list[tuple[int, ...]] = list(itertools.product((-1, 0, 1), repeat=n))
    else:  # too many for the full grid: a seeded sample, plus the coordinate directions
        rng = random.Random(n)
        dirs = [tuple(rng.choice((-1, 0, 1)) for _ in range(n)) for _ in range(400)]
        dirs += [tuple(s if k == c else 0 for k in range(n)) for c in range(n) for s in (-1, 1)]
    out = []
    for D in dirs:
        if not any(D):
            continue
        z = tuple(w.z[j] + ez * D[j] for j in range(K))
        ww = tuple(tuple(w.w[j][l] + ew * D[K + j * d + l] for l in range(d)) for j in range(K))
        out.append(Weights(z, ww))
    return out


def brute_force(inst: Instance, w: Weights) -> tuple[bool, bool]:
    """(some sampled neighbour is lower, some is higher), staying in the point's cell."""
    L0 = loss(inst, w)
    pat, _ = pattern_of(inst, w)
    lower = higher = False
    for ez, ew in ((F(1, 100), F(1, 100)), (F(1, 10**4), F(1, 100)), (F(1, 10**6), F(1, 10**3))):
        for v in neighbours(w, ez, ew):
            p2, on = pattern_of(inst, v)
            if on or p2 != pat:
                continue
            L = loss(inst, v)
            lower |= L < L0
            higher |= L > L0
    return lower, higher


def agree(inst: Instance, w: Weights) -> str:
    res = api.point(inst, w)
    assert check_certificate(res.certificate).verified
    verdict = res.summary["verdict"]
    lower, higher = brute_force(inst, w)
    if verdict == "local-minimum":
        assert not lower
    elif verdict == "saddle":
        assert lower and higher
    elif verdict == "not-stationary":
        assert lower
    return str(verdict)


def test_bundled_points() -> None:
    assert agree(load_instance(EX / "line.json"), load_weights(EX / "line-v.weights.json")) == "local-minimum"
    assert agree(load_instance(EX / "zigzag.json"), load_weights(EX / "zigzag-saddle.weights.json")) == "saddle"
    assert agree(load_instance(EX / "toy-mixed.json"), load_weights(EX / "toy-point.weights.json")) == "local-minimum"
    assert agree(load_instance(EX / "random-k3.json"), load_weights(EX / "random-k3.weights.json")) == "not-stationary"


@st.composite
def instances(draw: st.DrawFn) -> tuple[Instance, Pattern]:
    N = draw(st.integers(2, 4))
    val = st.integers(-3, 3).map(F)
    X = tuple((draw(val),) for _ in range(N))
    y = tuple(draw(val) for _ in range(N))
    K = draw(st.integers(1, 2))
    I = tuple(tuple(draw(st.integers(0, 1)) for _ in range(K)) for _ in range(N))
    return Instance(X=X, y=y, bias=True), Pattern(I)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(instances(), st.data())
def test_genuine_witnesses_are_local_minima_and_random_points_agree(
    cell: tuple[Instance, Pattern], data: st.DataObject
) -> None:
    inst, pat = cell
    res = api.cell(inst, pattern=pat)
    if res.summary["genuine"]:
        g = res.analysis.genuine
        assert agree(inst, Weights(g.z, g.w)) == "local-minimum"
    val = st.fractions(min_value=-3, max_value=3, max_denominator=3)
    w = Weights(
        tuple(data.draw(val) for _ in range(pat.K)), tuple((data.draw(val), data.draw(val)) for _ in range(pat.K))
    )
    _, on = pattern_of(inst, w)
    if not on:
        agree(inst, w)

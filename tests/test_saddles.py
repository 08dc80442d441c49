"""Theorem 2 (theory.md §3): saddles per zero set, against SymPy + PPL oracles and
brute-force sampling of the exact loss around every claimed saddle/minimum."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import bruteforce as bf
import dense
import oracles
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core import linalg
from exactscape.core.model import Instance, Pattern, Weights
from exactscape.io.instances import load_instance, load_pattern, load_weights
from exactscape.theory.minima import cell_feasibility
from exactscape.theory.saddles import all_zero_sets, analyse_zero_set

EX = Path(__file__).resolve().parents[1] / "examples"
F = Fraction


def _dirs_around(inst: Instance, wts: Weights, limit: int = 400) -> list[bf.Params]:
    """A grid of directions, plus (dz_j = +-1, dw_j = c g_j) for every j with z_j = 0."""
    K, d = wts.K, inst.d
    p = K * (d + 1)
    grid = bf.directions(p)
    if len(grid) > limit:
        grid = grid[:: len(grid) // limit + 1]
    extra: list[bf.Params] = []
    e = [
        sum((z * max(oracles_dot(w, x), F(0)) for z, w in zip(wts.z, wts.w)), F(0)) - yi
        for x, yi in zip(inst.xs, inst.y)
    ]
    for j in range(K):
        if wts.z[j] != 0:
            continue
        g = [F(0)] * d
        for i, x in enumerate(inst.xs):
            if oracles_dot(wts.w[j], x) > 0:
                g = [a + e[i] * b for a, b in zip(g, x)]
        for sz in (1, -1):
            for c in (1, 10, 100, 1000, 10000):
                v = [F(0)] * p
                v[j * (d + 1)] = F(sz)
                for l in range(d):
                    v[j * (d + 1) + 1 + l] = c * g[l]
                extra.append(tuple(v))
    return grid + extra


def oracles_dot(a: tuple[Fraction, ...] | list[Fraction], b: tuple[Fraction, ...] | list[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(a, b)), F(0))


def check_claim_by_brute_force(inst: Instance, verdict: str, point: dict[str, list[str]]) -> None:
    z = tuple(F(v) for v in point["z"])
    w = tuple(tuple(F(v) for v in r) for r in point["w"])
    wts = Weights(z, w)
    p = bf.pack(z, w)
    dirs = _dirs_around(inst, wts)
    if verdict == "saddle":
        up, down = bf.ascent_and_descent(inst.xs, inst.y, p, wts.K, dirs)
        assert up and down, "brute force found no ascent or no descent at a claimed saddle"
    else:
        assert bf.second_order_descent(inst.xs, inst.y, p, wts.K, dirs) is None, "descent at a claimed minimum"


def test_zigzag_has_a_genuine_saddle() -> None:
    inst = load_instance(EX / "zigzag.json")
    res = api.saddles(inst, weights=load_weights(EX / "zigzag-saddle.weights.json"), all_zero_sets=True)
    assert [c["verdict"] for c in res.summary["cases"]] == ["none", "saddle", "none"]
    assert res.summary["saddle"] is True
    assert check_certificate(res.certificate).verified
    ev = res.certificate["cases"][1]
    check_claim_by_brute_force(inst, "saddle", ev["point"])
    # Z = {0}: g_0 != 0, yet C_0 does not meet {w . g_0 = 0}: no stationary point at all
    assert "cut" in res.certificate["cases"][0]


def test_zigzag_mixed_cell_gives_minimum_tree_and_cut() -> None:
    inst = load_instance(EX / "zigzag.json")
    res = api.saddles(inst, pattern=load_pattern(EX / "zigzag-mixed.pattern.json"))
    cases = res.summary["cases"]
    assert [c["verdict"] for c in cases] == ["minimum", "none", "none"]
    assert [c["gradient_zero"] for c in cases] == [True, True, False]
    ev = res.certificate["cases"]
    assert "point" in ev[0] and "tree" in ev[1] and "cut" in ev[2]
    check_claim_by_brute_force(inst, "minimum", ev[0]["point"])
    assert check_certificate(res.certificate).verified


def test_given_zero_set_and_default_from_weights() -> None:
    inst = load_instance(EX / "zigzag.json")
    wts = load_weights(EX / "zigzag-saddle.weights.json")
    a = api.saddles(inst, weights=wts)  # default: Z = {j : z_j = 0} = {1}
    b = api.saddles(inst, weights=wts, zero=(1,))
    assert a.certificate == b.certificate
    assert a.summary["cases"][0]["zero"] == [1] and a.summary["zero_sets"] == "given"


def test_solution_solves_the_normal_equations_of_20() -> None:
    inst = load_instance(EX / "zigzag.json")
    pat = load_pattern(EX / "zigzag-mixed.pattern.json")
    for Z in all_zero_sets(2):
        S = tuple(j for j in range(2) if j not in Z)
        case = analyse_zero_set(inst, pat, Z)
        if not S:
            continue
        M, b = dense.normal_equations(inst, pat, S)
        RS = linalg.column([v for j in S for v in case.solution[j]])
        assert M * RS == b


def oracle_verdict(inst: Instance, I: tuple[tuple[int, ...], ...], Z: tuple[int, ...]) -> str:
    """theory.md §3 re-derived: SymPy pinv for [19], PPL for every open polyhedron, blind {+,-}^S."""
    K, d, N = len(I[0]), inst.d, inst.N
    S = [j for j in range(K) if j not in Z]
    rows = [[(v if I[i][j] else F(0)) for j in S for v in x] for i, x in enumerate(inst.xs)]
    if S:
        A = oracles.sympy_matrix(rows)
        yv = oracles.sympy_matrix([[v] for v in inst.y])
        p = A * A.pinv() * yv
        fitted = [oracles.to_fraction(p[i, 0]) for i in range(N)]
    else:
        fitted = [F(0)] * N
    e = [a - b for a, b in zip(fitted, inst.y, strict=True)]
    gs = []
    for j in Z:
        g = [sum((e[i] * inst.xs[i][l] for i in range(N) if I[i][j]), F(0)) for l in range(d)]
        gs.append(g)
        strict = [([(1 if I[i][j] else -1) * v for v in inst.xs[i]], F(0)) for i in range(N)]
        if oracles.open_polyhedron_empty(d, [(g, F(0))], strict):
            return "none"
    genuine = False
    for sigma in itertools.product("+-", repeat=len(S)):
        n = d * len(S)
        eq = [(rows[i], fitted[i]) for i in range(N)]
        strict = []
        for b, j in enumerate(S):
            sg = 1 if sigma[b] == "+" else -1
            for i in range(N):
                row = [F(0)] * n
                row[b * d : (b + 1) * d] = [sg * (1 if I[i][j] else -1) * v for v in inst.xs[i]]
                strict.append((row, F(0)))
        if not oracles.open_polyhedron_empty(n, eq, strict):
            genuine = True
            break
    if not genuine:
        return "none"
    return "minimum" if all(not any(g) for g in gs) else "saddle"


@st.composite
def tiny_feasible_cells(draw: st.DrawFn) -> tuple[Instance, Pattern]:
    N = draw(st.integers(1, 4))
    d0 = draw(st.integers(1, 2))
    K = draw(st.integers(1, 2))
    val = st.integers(-3, 3).map(F)
    X = tuple(tuple(draw(val) for _ in range(d0)) for _ in range(N))
    y = tuple(draw(val) for _ in range(N))
    inst = Instance(X=X, y=y, bias=True)
    I = tuple(tuple(draw(st.integers(0, 1)) for _ in range(K)) for _ in range(N))
    return inst, Pattern(I)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tiny_feasible_cells())
def test_saddles_agree_with_oracle_and_brute_force(cell: tuple[Instance, Pattern]) -> None:
    inst, pat = cell
    res = api.saddles(inst, pattern=pat, all_zero_sets=True)
    assert check_certificate(res.certificate).verified
    feasible = cell_feasibility(inst, pat).feasible
    for c, ev in zip(res.summary["cases"], res.certificate["cases"], strict=True):
        Z = tuple(c["zero"])
        want = oracle_verdict(inst, pat.I, Z) if feasible else "none"
        if not feasible and c["verdict"] != "none":  # pragma: no cover - an infeasible cell has no point
            raise AssertionError("a point in an infeasible cell")
        assert c["verdict"] == want, (Z, c, want)
        if c["verdict"] in ("saddle", "minimum"):
            check_claim_by_brute_force(inst, c["verdict"], ev["point"])

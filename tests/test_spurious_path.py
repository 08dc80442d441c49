"""The `path` and `spurious` commands (kinds new in 1.2): producer against
independent oracles (direct evaluation, brute force, SymPy, per-branch LPs),
certificates against the checker, and the CLI contract."""

from __future__ import annotations

import copy
import itertools
import json
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.checker.sturm import weak_sign
from exactscape.cli import main
from exactscape.core import polyhedra
from exactscape.core.model import Instance, Pattern, Weights
from exactscape.io.instances import load_instance, load_weights
from exactscape.landscape.path import Segment, analyse_path, breakpoints, evaluate, simplest
from exactscape.landscape.point import classify_point
from exactscape.landscape.point import loss as point_loss
from exactscape.landscape.spurious import affine_fit, analyse_spurious, count_branch_vectors
from exactscape.theory.minima import CellSearch, Feasibility

EX = Path(__file__).resolve().parents[1] / "examples"
CERTS = Path(__file__).resolve().parents[1] / "proofs" / "certificates"

small = st.fractions(min_value=-3, max_value=3, max_denominator=3)


@st.composite
def path_case(draw: st.DrawFn) -> tuple[Instance, Weights, Weights]:
    n = draw(st.integers(1, 4))
    d0 = draw(st.integers(1, 2))
    k = draw(st.integers(1, 3))
    bias = draw(st.booleans())
    X = tuple(tuple(draw(small) for _ in range(d0)) for _ in range(n))
    y = tuple(draw(small) for _ in range(n))
    inst = Instance(X=X, y=y, bias=bias)

    def weights() -> Weights:
        return Weights(
            tuple(draw(small) for _ in range(k)), tuple(tuple(draw(small) for _ in range(inst.d)) for _ in range(k))
        )

    return inst, weights(), weights()


def _pattern(inst: Instance, w: Weights) -> tuple[int, ...]:
    """Signs (-1, 0, 1) of every pre-activation."""
    out = []
    for wj in w.w:
        for x in inst.xs:
            s = sum((a * b for a, b in zip(wj, x, strict=True)), F(0))
            out.append((s > 0) - (s < 0))
    return tuple(out)


# ------------------------------------------------------------------ path


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path_case(), st.lists(st.fractions(min_value=0, max_value=1, max_denominator=50), min_size=5, max_size=5))
def test_path_pieces_equal_direct_evaluation(case: tuple[Instance, Weights, Weights], ts: list[F]) -> None:
    inst, w0, w1 = case
    a = analyse_path(inst, w0, w1)
    seg = a.segment
    for t in [*ts, F(0), F(1), *a.breakpoints]:
        assert a.loss(t) == point_loss(inst, seg.at(t))
    for p in a.pieces:  # each piece's polynomial is the loss on its whole closed interval
        for t in (p.lo, p.hi, (p.lo + p.hi) / 2, p.lo + (p.hi - p.lo) / 7):
            assert evaluate(p.poly, t) == point_loss(inst, seg.at(t))
        assert len(p.poly) <= 5


@settings(max_examples=12, deadline=None)
@given(path_case())
def test_breakpoints_equal_brute_force(case: tuple[Instance, Weights, Weights]) -> None:
    """Every pattern change on a fine grid brackets a breakpoint, and the
    pattern differs just before and just after every breakpoint."""
    inst, w0, w1 = case
    seg = Segment(inst, w0, w1)
    bps = breakpoints(seg)
    grid = [F(k, 211) for k in range(212)]
    pats = [_pattern(inst, seg.at(t)) for t in grid]
    for (t0, p0), (t1, p1) in zip(zip(grid, pats), zip(grid[1:], pats[1:])):
        inside = [b for b in bps if t0 <= b <= t1]
        if p0 != p1 and 0 < t0 and t1 < 1:
            assert inside, (t0, t1)
    for b in bps:
        gap = min([b, 1 - b] + [abs(b - c) for c in bps if c != b]) / 4
        assert _pattern(inst, seg.at(b - gap)) != _pattern(inst, seg.at(b + gap))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path_case())
def test_path_certificate_verifies_and_trend_matches_sampling(case: tuple[Instance, Weights, Weights]) -> None:
    inst, w0, w1 = case
    res = api.path(inst, w0, w1)
    assert check_certificate(json.loads(json.dumps(res.certificate))).verified
    a = res.analysis
    vals = [a.loss(F(k, 64)) for k in range(65)]
    if a.monotone == "decreasing":
        assert all(u > v for u, v in zip(vals, vals[1:]))
    if a.monotone in ("non-increasing", "constant"):
        assert all(u >= v for u, v in zip(vals, vals[1:]))
    if a.monotone == "increasing":
        assert all(u < v for u, v in zip(vals, vals[1:]))
    assert a.minimum.bound <= min(vals) and a.maximum.bound >= max(vals)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(-4, 4), min_size=0, max_size=5),
    st.fractions(min_value=-2, max_value=2, max_denominator=4),
    st.fractions(min_value=F(1, 4), max_value=3, max_denominator=4),
    st.lists(st.fractions(min_value=-2, max_value=2, max_denominator=3), max_size=2),
)
def test_weak_sign_against_sympy(coefs: list[int], a: F, width: F, double_roots: list[F]) -> None:
    """The checker's Sturm/Yun sign decision against SymPy's exact real roots."""
    t = sympy.Symbol("t")
    expr = sympy.Poly(list(reversed(coefs)) or [0], t).as_expr()
    for r in double_roots:  # add even-multiplicity roots, sometimes inside the interval
        expr *= (t - sympy.Rational(r.numerator, r.denominator)) ** 2
    P = sympy.Poly(sympy.expand(expr), t)
    p = [F(int(c.p), int(c.q)) for c in reversed(P.all_coeffs())]
    while p and p[-1] == 0:
        p.pop()
    b = a + width
    got = weak_sign(p, a, b)
    if not p:
        assert got == 0
        return
    lo, hi = sympy.Rational(a.numerator, a.denominator), sympy.Rational(b.numerator, b.denominator)
    mult: dict[object, int] = {}
    for r in sympy.real_roots(P) if P.degree() > 0 else []:  # repeated per multiplicity
        mult[r] = mult.get(r, 0) + 1
    changes = any(m % 2 == 1 and bool(lo < r) and bool(r < hi) for r, m in mult.items())
    if changes:
        assert got is None
    else:
        mid_vals = [P.eval(lo + (hi - lo) * sympy.Rational(k, 13)) for k in range(1, 13)]
        sign = 1 if any(v > 0 for v in mid_vals) else -1
        assert got == sign


def test_simplest_rational() -> None:
    assert simplest(F(1, 3), F(1, 2)) == F(1, 2)
    assert simplest(F(2, 7), F(3, 10)) == F(2, 7)
    for x, y in [(F(3, 17), F(5, 19)), (F(-5, 3), F(-4, 3)), (F(22, 7), F(22, 7))]:
        s = simplest(x, y)
        assert x <= s <= y


def test_bundled_paths() -> None:
    inst = load_instance(EX / "zigzag.json")
    a = api.path(inst, load_weights(EX / "zigzag-path-c.weights.json"), load_weights(EX / "zigzag-lower.weights.json"))
    assert a.summary["monotone"] == "decreasing" and a.summary["breakpoints"] == ["7/8"]
    assert a.summary["minimum"]["value"] == "9/56" and a.summary["minimum"]["exact"]
    b = api.path(inst, load_weights(EX / "zigzag-path-a.weights.json"), load_weights(EX / "zigzag-path-b.weights.json"))
    assert b.summary["monotone"] == "no" and [p["trend"] for p in b.summary["pieces"]][2] == "mixed"
    assert not b.summary["minimum"]["exact"]


def _reason(cert: dict[str, object]) -> str:
    res = check_certificate(json.loads(json.dumps(cert)))
    assert not res.verified
    return res.reason


def test_mutated_path_certificates_are_rejected() -> None:
    good = json.loads((CERTS / "zigzag.path.cert.json").read_text())
    assert check_certificate(good).verified
    moved = copy.deepcopy(good)
    moved["claim"]["breakpoints"][1] = "1/2"
    assert "breakpoints" in _reason(moved)
    coef = copy.deepcopy(good)
    coef["claim"]["pieces"][0]["coefficients"][2] = "578/6"
    assert "claim.pieces" in _reason(coef)
    mono = copy.deepcopy(good)
    mono["claim"]["monotone"] = "decreasing"
    assert "monotone" in _reason(mono)
    trend = copy.deepcopy(good)
    trend["claim"]["pieces"][2]["trend"] = "decreasing"
    assert "trend" in _reason(trend)
    low = copy.deepcopy(good)
    low["claim"]["minimum"]["lower"] = low["claim"]["minimum"]["value"]  # the minimum is irrational: too high
    assert "crosses" in _reason(low)
    desc = json.loads((CERTS / "zigzag-descent.path.cert.json").read_text())
    lie = copy.deepcopy(desc)
    lie["claim"]["monotone"] = "no"
    lie["witness"] = {"up": ["0", "1/2"], "down": ["1/2", "1"]}
    assert "monotone" in _reason(lie)
    old = copy.deepcopy(desc)
    old["version"] = "1.1"
    assert "new in version 1.2" in _reason(old)


# -------------------------------------------------------------- spurious


def test_spurious_zigzag() -> None:
    inst = load_instance(EX / "zigzag.json")
    r = api.spurious(inst, 2, lower=load_weights(EX / "zigzag-lower.weights.json"))
    s = r.summary
    assert s["verdict"] == "spurious" and s["applicable"] and s["loss"] == "9/40" and s["lower_loss"] == "9/56"
    assert s["branches"] == ["+", "-"] and s["lower_minimum"] and s["gap"] == "9/140"
    m = r.analysis.minimum
    assert classify_point(inst, m).verdict == "local-minimum"
    cell = api.cell(inst, weights=m)  # the existing cell certificate agrees: the all-active cell is genuine
    assert cell.summary["genuine"] and cell.summary["loss"] == "9/40"
    assert api.point(inst, m).summary["verdict"] == "local-minimum"


def test_spurious_float_search_finds_a_lower_point() -> None:
    from exactscape.floats.spurious import search_lower

    inst = load_instance(EX / "zigzag.json")
    m = analyse_spurious(inst, 2).minimum
    assert m is not None
    low = search_lower(inst, m, F(9, 40), seed=0, restarts=4, steps=1500)
    assert low is not None and point_loss(inst, low) < F(9, 40)
    r = api.spurious(inst, 2, lower=low)
    assert r.summary["verdict"] == "spurious" and check_certificate(r.certificate).verified


@pytest.mark.parametrize(
    ("name", "k", "reason"),
    [
        ("affine.json", 2, "affine-fit-exact"),
        ("affine-noise.json", 3, "affine-fit-optimal"),
        ("opposite.json", 2, "no-all-active-cell"),
        ("kink.json", 1, "one-neuron-sign-change"),
    ],
)
def test_not_applicable(name: str, k: int, reason: str) -> None:
    r = api.spurious(load_instance(EX / name), k, search=False)
    assert r.summary["verdict"] == "not-applicable" and r.summary["reason"] == reason and not r.summary["applicable"]


def test_mutated_lower_loss_is_rejected() -> None:
    good = json.loads((CERTS / "zigzag.spurious.cert.json").read_text())
    assert check_certificate(good).verified
    for value in ("9/40", "1/7", "1/2"):
        bad = copy.deepcopy(good)
        bad["claim"]["lower_loss"] = value
        assert "lower_loss" in _reason(bad)
    bad = copy.deepcopy(good)
    bad["lower"]["w"][0][0] = "2"
    assert "lower" in _reason(bad)
    bad = copy.deepcopy(good)
    bad["version"] = "1.1"
    assert "new in version 1.2" in _reason(bad)


def _count_by_branch_search(inst: Instance, K: int) -> int:
    """Brute force: decide the open polyhedron of every branch vector of the all-active cell."""
    pat = Pattern(tuple((1,) * K for _ in range(inst.N)))
    _, p, _ = affine_fit(inst)
    search = CellSearch(inst, pat, list(p), Feasibility(True))
    n = 0
    for sigma in itertools.product("+-0", repeat=K):
        system, _, _ = search.system(dict(enumerate(sigma)))
        n += not isinstance(polyhedra.decide(system), polyhedra.Farkas)
    return n


@pytest.mark.parametrize(
    ("X", "y", "K"),
    [
        ([[-2], [-1], [1], [2]], [0, 1, 0, 1], 2),  # p > 0
        ([[-2], [-1], [1], [2]], [0, -1, 0, -1], 3),  # p < 0
        ([[-2], [-1], [1], [2]], [-2, -1, 2, 2], 2),  # p changes sign
        ([[0], [1], [2]], [1, -2, 1], 2),  # p = 0
    ],
)
def test_branch_vector_count_equals_per_branch_search(X: list[list[int]], y: list[int], K: int) -> None:
    inst = Instance(X=tuple(tuple(F(v) for v in r) for r in X), y=tuple(F(v) for v in y))
    _, p, _ = affine_fit(inst)
    assert count_branch_vectors(K, p) == _count_by_branch_search(inst, K)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path_case(), st.integers(1, 3))
def test_construction_is_always_a_certified_all_active_minimum(case: tuple[Instance, Weights, Weights], k: int) -> None:
    inst = case[0]
    a = analyse_spurious(inst, k)
    res = api.spurious(inst, k, search=False)
    assert check_certificate(json.loads(json.dumps(res.certificate))).verified
    if a.minimum is not None:
        v = classify_point(inst, a.minimum)
        assert v.verdict == "local-minimum" and v.loss == a.loss
        assert all(all(row) for row in v.pattern.I)
    else:
        assert a.verdict == "not-applicable"


# ------------------------------------------------------------------- CLI


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_spurious_json(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["spurious", str(EX / "zigzag.json"), "-K", "2", "--lower", str(EX / "zigzag-lower.weights.json"), "--json"]
    )
    obj = json.loads(capsys.readouterr().out)
    assert code == 0
    for key in ("applicable", "reason", "loss", "branches", "lower_loss", "certificate"):
        assert key in obj
    assert Path(obj["certificate"]).name == "zigzag.spurious.cert.json"
    code = main(["spurious", str(EX / "affine.json"), "-K", "2"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out[0] == "verdict: not-applicable" and any("affine-fit-exact" in line for line in out)
    assert main(["spurious", str(EX / "zigzag.json"), "-K", "2", "--branches", "++0"]) == 2


def test_cli_path_plot(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    args = ["path", str(EX / "zigzag.json"), "--from", str(EX / "zigzag-path-a.weights.json")]
    args += ["--to", str(EX / "zigzag-path-b.weights.json")]
    code = main([*args, "--plot", "p.png"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out[0] == "verdict: not-monotone" and (in_tmp / "p.png").read_bytes()[:4] == b"\x89PNG"
    (in_tmp / "notes.txt").write_text("mine")
    assert main([*args, "--plot", "notes.txt", "--cert", "c.json"]) == 3
    assert (in_tmp / "notes.txt").read_text() == "mine" and not (in_tmp / "c.json").exists()
    assert main([*args, "--plot", str(EX / "zigzag.json")]) == 3
    assert main([*args, "--plot", "p.png"]) == 0  # our own plot may be replaced
    for name in ("q.pdf", "q.svg"):
        assert main([*args, "--plot", name]) == 0 and main([*args, "--plot", name]) == 0
    (in_tmp / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n someone else's image")
    assert main([*args, "--plot", "photo.png"]) == 3

"""Theorem 3 (theory.md §4): non-differentiable minima on a face, against a SymPy
(D^+ of [44-45]) + PPL oracle, and brute-force sampling of the exact loss."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from pathlib import Path

import bruteforce as bf
import dense
import oracles
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core import linalg
from exactscape.core.model import Instance, Pattern, Weights
from exactscape.io import certify
from exactscape.io.instances import load_instance, load_weights
from exactscape.theory.boundary import analyse_face, sign_condition

EX = Path(__file__).resolve().parents[1] / "examples"
F = Fraction


def tangent_directions(inst: Instance, K: int, k: int, n: int) -> list[bf.Params]:
    """Directions that move w_k inside the hyperplane x_n . w = 0 (and the z's)."""
    d = inst.d
    xn = inst.xs[n]
    l0 = max(l for l in range(d) if xn[l] != 0)
    out = []
    for l in range(d):
        if l == l0:
            continue
        for s in (1, -1):
            v = [F(0)] * (K * (d + 1))
            v[k * (d + 1) + 1 + l] = F(s)
            v[k * (d + 1) + 1 + l0] = -s * xn[l] / xn[l0]
            out.append(tuple(v))
            for zs in (1, -1):
                u = list(v)
                u[k * (d + 1)] = F(zs)
                out.append(tuple(u))
    return out


def assert_brute_force(inst: Instance, wts: Weights, cert: dict, verdict: str) -> None:
    """Minima: no descent up to second order along a grid of directions (and
    along the hyperplane); otherwise the certificate's curve descends when the
    loss is evaluated directly."""
    K = wts.K
    if verdict in ("local-minimum", "non-differentiable-local-minimum"):
        dirs = bf.directions(K * (inst.d + 1))
        if "kkt" in cert:
            dirs += tangent_directions(inst, K, cert["kkt"]["neuron"], cert["kkt"]["sample"])
        assert bf.second_order_descent(inst.xs, inst.y, bf.pack(wts.z, wts.w), K, dirs) is None
        return
    if verdict == "saddle":  # the grid (with multiples of g_j) finds an ascent and a descent too
        from test_saddles import check_claim_by_brute_force

        check_claim_by_brute_force(inst, "saddle", cert["weights"])
    for name, sign in (("descent", -1), ("ascent", 1)):
        if name in cert:
            dz = {j: [F(c) for c in cs] for j, cs in cert[name]["dz"]}
            dw = {(j, l): [F(c) for c in cs] for j, l, cs in cert[name]["dw"]}
            assert bf.curve_descends(inst.xs, inst.y, K, wts.z, wts.w, dz, dw, sign)


def test_kink_minimum_exists_for_positive_z_only() -> None:
    inst = load_instance(EX / "kink.json")
    wts = load_weights(EX / "kink-min.weights.json")
    res = api.boundary(inst, wts, 0, 1)
    s = res.summary
    assert (s["plus"], s["minus"], F(s["lambda"]), F(s["e_n"])) == (True, False, F(-2, 13), F(1))
    assert res.certificate["minus"] == {"condition": "fails"}
    assert check_certificate(res.certificate).verified
    pt = api.point(inst, wts)
    assert pt.summary["verdict"] == "non-differentiable-local-minimum"
    assert_brute_force(inst, wts, pt.certificate, pt.summary["verdict"])
    # the same face with z < 0 is never a minimum: a descent curve at a point with z = -1
    neg = api.point(inst, Weights((F(-1),), wts.w))
    assert neg.summary["verdict"] == "not-a-local-minimum"
    assert_brute_force(inst, neg.analysis.weights, neg.certificate, "not-a-local-minimum")


def test_kink_tree_both_sign_conditions_hold_but_only_negative_z_factors() -> None:
    inst = load_instance(EX / "kink-tree.json")
    res = api.boundary(inst, load_weights(EX / "kink-tree.weights.json"), 0, 2)
    s = res.summary
    assert (s["plus"], s["minus"], s["lambda"], s["e_n"]) == (False, True, "0", "0")
    assert "tree" in res.certificate["plus"] and "witness" in res.certificate["minus"]
    assert check_certificate(res.certificate).verified
    w = res.certificate["minus"]["witness"]
    wts = Weights(tuple(F(v) for v in w["z"]), tuple(tuple(F(v) for v in r) for r in w["w"]))
    pt = api.point(inst, wts)
    assert pt.summary["verdict"] == "non-differentiable-local-minimum"
    assert_brute_force(inst, wts, pt.certificate, pt.summary["verdict"])


def oracle_face(
    inst: Instance, I: tuple[tuple[int, ...], ...], k: int, n: int
) -> tuple[Fraction, Fraction, bool, bool, bool]:
    """theory.md §4 re-derived: D [43] solved by SymPy's Gauss-Jordan (solvability [44]
    checked; one solution of the affine set [45]), PPL over every branch vector."""
    K, d, N = len(I[0]), inst.d, inst.N
    D, rhs = dense.kkt_system(inst, Pattern(I), k, n)
    Ds = oracles.sympy_matrix(linalg.to_rows(D))
    r = oracles.sympy_matrix(linalg.to_rows(rhs))
    try:
        sol, params = Ds.gauss_jordan_solve(r)
        solvable = True
    except ValueError:  # pragma: no cover - [44] always holds
        return F(0), F(0), False, False, False
    sol = sol.subs({p: 0 for p in params})
    v = [oracles.to_fraction(sol[i, 0]) for i in range(K * d + 1)]
    R, lam = v[:-1], v[-1]
    rows = [[(x if I[i][j] else F(0)) for j in range(K) for x in inst.xs[i]] for i in range(N)]
    fitted = [sum((a * b for a, b in zip(row, R)), F(0)) for row in rows]
    e_n = fitted[n] - inst.y[n]
    xn = inst.xs[n]
    cell_ok = [
        not oracles.open_polyhedron_empty(
            d, [], [([(1 if I[i][j] else -1) * x for x in inst.xs[i]], F(0)) for i in range(N)]
        )
        for j in range(K)
    ]
    found = {}
    for s in "+-":
        found[s] = False
        if not sign_condition(s, lam, e_n):
            continue
        others = [j for j in range(K) if j != k]
        for sigma in itertools.product("+-0", repeat=len(others)):
            br = dict(zip(others, sigma))
            br[k] = s
            if any(br[j] == "0" and not cell_ok[j] for j in others):
                continue
            blocks = [j for j in range(K) if br[j] != "0"]
            m = d * len(blocks)
            eq = []
            for i in range(N):
                row = [F(0)] * m
                for b, j in enumerate(blocks):
                    if I[i][j]:
                        row[b * d : (b + 1) * d] = inst.xs[i]
                eq.append((row, fitted[i]))
            row = [F(0)] * m
            kb = blocks.index(k)
            row[kb * d : (kb + 1) * d] = xn
            eq.append((row, F(0)))
            strict = []
            for b, j in enumerate(blocks):
                sg = 1 if br[j] == "+" else -1
                for i in range(N):
                    if (j, i) == (k, n):
                        continue
                    row = [F(0)] * m
                    row[b * d : (b + 1) * d] = [sg * (1 if I[i][j] else -1) * x for x in inst.xs[i]]
                    strict.append((row, F(0)))
            if not oracles.open_polyhedron_empty(m, eq, strict):
                found[s] = True
                break
    return lam, e_n, solvable, found["+"], found["-"]


@st.composite
def tiny_faces(draw: st.DrawFn) -> tuple[Instance, Pattern, int, int]:
    N = draw(st.integers(2, 4))
    d0 = draw(st.integers(1, 2))
    K = draw(st.integers(1, 2))
    val = st.integers(-3, 3).map(F)
    X = tuple(tuple(draw(val) for _ in range(d0)) for _ in range(N))
    y = tuple(draw(val) for _ in range(N))
    inst = Instance(X=X, y=y, bias=True)
    I = [[draw(st.integers(0, 1)) for _ in range(K)] for _ in range(N)]
    k, n = draw(st.integers(0, K - 1)), draw(st.integers(0, N - 1))
    I[n][k] = 0
    return inst, Pattern(tuple(tuple(r) for r in I)), k, n


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_faces())
def test_faces_agree_with_sympy_and_ppl(face: tuple[Instance, Pattern, int, int]) -> None:
    inst, pat, k, n = face
    a = analyse_face(inst, pat, k, n)
    cert = certify.boundary_certificate(a)
    assert check_certificate(cert).verified
    lam, e_n, solvable, plus, minus = oracle_face(inst, pat.I, k, n)
    assert solvable  # [44] holds on every instance (theory.md §4 is sharper here)
    assert (a.solution.lam, a.solution.e_n) == (lam, e_n)
    got = {r.sign: r.exists for r in a.results}
    if a.feasibility.feasible:
        assert (got["+"], got["-"]) == (plus, minus)
    else:
        assert not plus and not minus
    for r in a.results:  # every witness is a local minimum by brute force, and `point` agrees
        if r.genuine is not None:
            wts = Weights(r.genuine.z, r.genuine.w)
            res = api.point(inst, wts)
            assert res.summary["verdict"] == "non-differentiable-local-minimum"
            assert_brute_force(inst, wts, res.certificate, res.summary["verdict"])


def test_random_points_on_faces_agree_with_brute_force() -> None:
    """Points on one hyperplane with random z: each verdict is checked by brute force."""
    rng = random.Random(4)
    seen = set()
    for _ in range(60):
        N, K = rng.randint(2, 4), rng.randint(1, 2)
        inst = Instance(
            X=tuple((F(rng.randint(-3, 3)),) for _ in range(N)), y=tuple(F(rng.randint(-2, 2)) for _ in range(N))
        )
        xs = inst.xs
        n, k = rng.randrange(N), rng.randrange(K)
        a = F(rng.choice([-2, -1, 1, 2]))
        w = [(F(rng.randint(-3, 3)), F(rng.randint(-5, 5), 2)) for _ in range(K)]
        w[k] = (a, -a * xs[n][0])  # w_k . x_n = 0
        z = [F(rng.choice([-2, -1, 1, 2])) for _ in range(K)]
        wts = Weights(tuple(z), tuple(w))
        res = api.point(inst, wts)
        v = res.summary["verdict"]
        seen.add(v)
        assert check_certificate(res.certificate).verified
        assert v != "not-covered"  # Lemmas D and E decide every point (format 1.3)
        assert_brute_force(inst, wts, res.certificate, v)
    assert {"not-a-local-minimum", "non-differentiable-local-minimum"} <= seen


def test_z_k_zero_on_a_boundary_is_decided_by_lemma_d() -> None:
    """Theorem 3 needs the sign of z_k: here z = 0, w . x_3 = 0 (y_3 = 0), w dead
    elsewhere; the point is a (non-strict) local minimum, outside theory.md §4 but
    proved by Lemma D (§4.1: g_0 = 0 because e_3 = 0 and no sample is active)."""
    inst = Instance(X=((F(-2),), (F(-1),), (F(1),), (F(2),)), y=(F(1), F(1), F(-1), F(0)))
    wts = Weights((F(0),), ((F(1), F(-2)),))
    res = api.point(inst, wts)
    assert res.summary["verdict"] == "non-differentiable-local-minimum" and "local" in res.certificate
    assert res.certificate["version"] == "1.3"
    assert check_certificate(res.certificate).verified
    p = bf.pack(wts.z, wts.w)
    assert bf.second_order_descent(inst.xs, inst.y, p, 1, bf.directions(3)) is None


def test_parallel_samples_on_one_hyperplane_are_decided() -> None:
    inst = Instance(X=((F(1), F(1)), (F(2), F(2)), (F(1), F(-1))), y=(F(1), F(2), F(0)), bias=False)
    wts = Weights((F(1),), ((F(1), F(-1)),))
    res = api.point(inst, wts)
    assert res.summary["verdict"] == "not-a-local-minimum"
    assert res.summary["on_hyperplanes"] == [[0, 0], [0, 1]]
    assert check_certificate(res.certificate).verified
    assert_brute_force(inst, wts, res.certificate, "not-a-local-minimum")


def test_a_covered_point_may_not_claim_not_covered() -> None:
    inst = load_instance(EX / "kink.json")
    res = api.point(inst, load_weights(EX / "kink-min.weights.json"))
    cert = dict(res.certificate)
    cert["claim"] = {"verdict": "not-covered", "loss": cert["claim"]["loss"]}
    cert.pop("kkt")
    cert["on_hyperplanes"] = [[0, 1]]
    out = check_certificate(cert)
    assert not out.verified and "covered by Theorem 3" in out.reason


@pytest.mark.parametrize("name", ["kink", "kink-tree"])
def test_D_of_43_is_solved_by_the_face_solution(name: str) -> None:
    inst = load_instance(EX / f"{name}.json")
    wts = load_weights(EX / f"{name}-min.weights.json" if name == "kink" else EX / f"{name}.weights.json")
    n = 1 if name == "kink" else 2
    res = api.boundary(inst, wts, 0, n)
    a = res.analysis
    D, rhs = dense.kkt_system(inst, a.pattern, 0, n)
    v = [x for r in a.solution.R for x in r] + [a.solution.lam]
    assert D * linalg.column(v) == rhs


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_faces())
def test_faces_agree_with_sympy_and_ppl_many(face: tuple[Instance, Pattern, int, int]) -> None:
    test_faces_agree_with_sympy_and_ppl.hypothesis.inner_test(face)  # type: ignore[attr-defined]


def test_the_1_1_mutation_oracle_confirms_originals_and_refuses_lies() -> None:
    import json

    from oracle_1_1 import still_true_1_1

    certs = Path(__file__).resolve().parents[1] / "proofs" / "certificates"
    names = ["kink.boundary", "kink-tree.boundary", "zigzag-saddle.saddles", "zigzag-mixed.saddles"]
    for name in names:
        cert = json.loads((certs / f"{name}.cert.json").read_text())
        assert still_true_1_1(cert), name
        lie = json.loads(json.dumps(cert))
        key = "loss" if "loss" in lie["claim"] else "saddle"
        lie["claim"][key] = "12345" if key == "loss" else not lie["claim"][key]
        assert not still_true_1_1(lie), name


def test_theorem_3_holds_with_another_neuron_at_z_zero() -> None:
    """Neuron 1 has z_1 = 0 but is active on x = 1, 2 (branch 0 of the tree):
    Lemma C's part (ii) needs g_1 = 0, which holds because neuron 0 fits those
    samples exactly; the point is a non-differentiable local minimum."""
    inst = Instance(X=((F(-2),), (F(-1),), (F(1),), (F(2),)), y=(F(0), F(-1), F(2), F(3)))
    wts = Weights((F(1), F(0)), ((F(1), F(1)), (F(1), F(-1, 2))))
    res = api.point(inst, wts)
    assert res.summary["verdict"] == "non-differentiable-local-minimum"
    assert res.summary["lambda"] == "0"
    assert_brute_force(inst, wts, res.certificate, res.summary["verdict"])
    face = api.boundary(inst, wts, 0, 1)
    assert face.summary["plus"] is True
    # the paper's VI-A tests only the branches (16), (17) (z_j > 0 or < 0): that misses this minimum
    from exactscape.theory.branches import BranchProblem, search

    a = face.analysis
    plus_minus_only = BranchProblem(
        inst, a.pattern, a.solution.fitted, (("+",), ("+", "-")), None, frozenset({(0, 1)}), ((0, inst.xs[1]),)
    )
    assert search(plus_minus_only).genuine is None
    # with y_1 = +1 the sign condition [29] fails (lambda + e_n = -1 < 0): descent into cell 2
    inst2 = Instance(X=inst.X, y=(F(0), F(1), F(2), F(3)))
    res2 = api.point(inst2, wts)
    assert res2.summary["verdict"] == "not-a-local-minimum"
    assert_brute_force(inst2, wts, res2.certificate, "not-a-local-minimum")


def test_lambda_and_e_n_are_the_same_for_every_solution_of_D() -> None:
    """Lemma A: on an affine solution set [45], every null vector of D has a zero
    lambda-component and A-image, so [29]/[30] are one test, not half-spaces [46]."""
    inst = Instance(X=((F(1), F(2)), (F(-1), F(1))), y=(F(1), F(-1)))  # N = 2 < Kd = 6
    pat = Pattern(((1, 1), (0, 1)))
    a = analyse_face(inst, pat, 0, 1)
    assert a.solution.dimension > 0
    D, rhs = dense.kkt_system(inst, pat, 0, 1)
    null = linalg.null_space(D)
    assert null.ncols() == a.solution.dimension
    Kd = D.ncols() - 1
    A_rows = [[(x if pat.I[i][j] else F(0)) for j in range(2) for x in inst.xs[i]] for i in range(inst.N)]
    for c in range(null.ncols()):
        v = [linalg.frac(null[r, c]) for r in range(Kd + 1)]
        assert v[-1] == 0  # lambda is unique
        assert all(sum((a_ * b for a_, b in zip(row, v[:-1], strict=True)), F(0)) == 0 for row in A_rows)
        sol = [x for r in a.solution.R for x in r] + [a.solution.lam]
        assert D * linalg.column([s + t for s, t in zip(sol, v, strict=True)]) == rhs


def test_a_zero_sample_is_decided() -> None:
    """Without a bias a zero sample lies on every hyperplane (its 'hyperplane' is the whole
    space) and is never active: Lemma D leaves it out; here f(x_1) = 2 = y_1, so the loss
    equals the ray-group bound y_0^2 / 2 and the point is a global minimum."""
    inst = Instance(X=((F(0), F(0)), (F(1), F(1))), y=(F(1), F(2)), bias=False)
    wts = Weights((F(1),), ((F(1), F(1)),))
    res = api.point(inst, wts)
    assert res.summary["verdict"] == "non-differentiable-local-minimum" and "bound" in res.certificate
    assert check_certificate(res.certificate).verified
    worse = Weights((F(1),), ((F(1), F(0)),))  # f(x_1) = 1 < 2: not even stationary
    res = api.point(inst, worse)
    assert res.summary["verdict"] == "not-a-local-minimum"
    assert_brute_force(inst, worse, res.certificate, "not-a-local-minimum")


def test_face_range_errors_are_neutral_and_worded_by_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    """Below the CLI an out-of-range face names the value and carries the field;
    the CLI alone words it with the option flag."""
    from exactscape.cli import main
    from exactscape.errors import InputError
    from exactscape.theory.boundary import face_pattern

    inst, wts = load_instance(EX / "kink.json"), load_weights(EX / "kink-min.weights.json")
    for call, field, text in [
        (lambda: api.boundary(inst, wts, 5, 1), "neuron", "neuron 5 out of range 0..0"),
        (lambda: api.boundary(inst, wts, 0, -1), "sample", "sample -1 out of range 0..3"),
        (lambda: face_pattern(inst, wts, -1, 0), "neuron", "neuron -1 out of range 0..0"),
        (lambda: analyse_face(inst, Pattern(((0,),) * 4), 0, 4), "sample", "sample 4 out of range 0..3"),
    ]:
        with pytest.raises(InputError) as exc:
            call()
        assert exc.value.field == field and str(exc.value) == text
    argv = ["boundary", str(EX / "kink.json"), "--weights", str(EX / "kink-min.weights.json"), "--neuron", "0"]
    assert main([*argv, "--sample", "9"]) == 2
    assert capsys.readouterr().err == "exactscape boundary: error: --sample: sample 9 out of range 0..3\n"

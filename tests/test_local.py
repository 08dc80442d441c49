"""Any point on the hyperplanes (docs/theory.md section 4.1, Lemmas D and E; FORMAT 5.5):
the three points people look at first, random points on several hyperplanes against
brute force, and forged certificates."""

from __future__ import annotations

import copy
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import bruteforce as bf
import pytest
from test_boundary import assert_brute_force

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core.model import Instance, Weights
from exactscape.io.instances import load_instance, load_weights
from exactscape.theory.local import decide_point, ray_bound, ray_groups

EX = Path(__file__).resolve().parents[1] / "examples"
F = Fraction


def _nearby_is_not_lower(inst: Instance, wts: Weights, rng: random.Random, trials: int = 300) -> bool:
    """Direct evaluation at random points within 10^-3 .. 10^-6 of (z, w): none is lower."""
    L0 = bf.loss(inst.xs, inst.y, wts.z, wts.w)
    for _ in range(trials):
        eps = F(1, 10 ** rng.randint(3, 6))
        z = [v + eps * F(rng.randint(-8, 8), 8) for v in wts.z]
        w = [[v + eps * F(rng.randint(-8, 8), 8) for v in r] for r in wts.w]
        if bf.loss(inst.xs, inst.y, z, w) < L0:
            return False
    return True


def _decided(inst: Instance, wts: Weights, rng: random.Random) -> str:
    res = api.point(inst, wts)
    v = res.summary["verdict"]
    assert v != "not-covered", res.summary
    assert check_certificate(res.certificate).verified
    assert_brute_force(inst, wts, res.certificate, v)
    if v in ("local-minimum", "non-differentiable-local-minimum"):
        assert _nearby_is_not_lower(inst, wts, rng), (inst, wts)
    return str(v)


# ------------------------------------------------------------- the three points


def test_the_origin_of_the_section_iv_b_example_is_not_a_local_minimum() -> None:
    inst = load_instance(EX / "toy-mixed.json")
    wts = load_weights(EX / "toy-origin.weights.json")
    res = api.point(inst, wts)
    assert res.summary["verdict"] == "not-a-local-minimum" and res.summary["proof"] == "descent"
    assert res.certificate["version"] == "1.3" and check_certificate(res.certificate).verified
    assert_brute_force(inst, wts, res.certificate, "not-a-local-minimum")
    # every labelling of the toy's two samples: the origin descends unless y = 0
    for y in ((F(1), F(1)), (F(-1), F(-1)), (F(1), F(-1)), (F(0), F(2))):
        other = Instance(inst.X, y, bias=False)
        assert api.point(other, wts).summary["verdict"] == "not-a-local-minimum"
    zero = Instance(inst.X, (F(0), F(0)), bias=False)
    assert api.point(zero, wts).summary["proof"] == "bound"


def test_the_abs_fit_is_a_global_minimum_by_its_loss() -> None:
    inst = load_instance(EX / "vee.json")
    wts = load_weights(EX / "vee.weights.json")
    res = api.point(inst, wts)
    assert res.summary["verdict"] == "non-differentiable-local-minimum" and res.summary["loss"] == "0"
    assert res.certificate["bound"] == {"groups": [[0], [1], [2]]}
    assert res.summary["on_hyperplanes"] == [[0, 1], [1, 1]]
    assert check_certificate(res.certificate).verified
    # the same point is also a minimum by Lemma D (e = 0, so every alpha is 0)
    dec = decide_point(Instance(inst.X, inst.y, inst.bias), wts)
    assert dec.minimum and dec.groups is not None


def test_a_dead_neuron_beside_the_spurious_minimum_is_not_a_local_minimum() -> None:
    inst = load_instance(EX / "zigzag.json")
    dead = load_weights(EX / "zigzag-dead.weights.json")
    alive = Weights(dead.z[:2], dead.w[:2])  # the spurious minimum of zigzag.spurious.cert.json
    assert api.point(inst, alive).summary["verdict"] == "local-minimum"
    res = api.point(inst, dead)
    assert res.summary["verdict"] == "not-a-local-minimum"
    assert "z_2 = 0" in res.summary["how"]
    assert check_certificate(res.certificate).verified
    assert_brute_force(inst, dead, res.certificate, "not-a-local-minimum")
    # the curve moves the dead neuron only: z_2 = t, w_2 = t b
    cert = res.certificate
    assert [e[0] for e in cert["descent"]["dz"]] == [2] and {e[0] for e in cert["descent"]["dw"]} == {2}


def test_a_pieces_proof_where_one_multiplier_per_sample_does_not_exist() -> None:
    inst = load_instance(EX / "hat.json")
    wts = load_weights(EX / "hat-origin.weights.json")
    res = api.point(inst, wts)
    assert res.summary["verdict"] == "non-differentiable-local-minimum" and res.summary["proof"] == "local"
    proof = res.certificate["local"][0]["+"]
    assert len(proof["pieces"]) == 6  # 2 (C(2,0) + C(2,1)) cells of 3 lines through 0 in the plane
    assert check_certificate(res.certificate).verified
    assert _nearby_is_not_lower(inst, wts, random.Random(1))
    # z < 0 at the same w: a descent (the middle sample is lowered further)
    neg = Weights((F(-1),), wts.w)
    assert api.point(inst, neg).summary["verdict"] == "not-a-local-minimum"


def test_a_split_neuron_on_one_hyperplane_matches_theorem_3() -> None:
    """The kink minimum with its neuron split in two: two pairs, one multiplier each,
    alpha = s lambda = -2/13 (Theorem 3's lambda)."""
    inst = load_instance(EX / "kink.json")
    res = api.point(inst, load_weights(EX / "kink-double.weights.json"))
    assert res.certificate["local"] == [{"+": {"alpha": [[1, "-2/13"]]}}] * 2
    one = api.point(inst, load_weights(EX / "kink-min.weights.json"))
    assert one.summary["lambda"] == "-2/13" and one.summary["loss"] == res.summary["loss"]


# ------------------------------------------------------------------ the bound


def test_the_ray_group_bound_is_a_lower_bound_and_tight_for_duplicates() -> None:
    inst = Instance(X=((F(1), F(1)), (F(2), F(2)), (F(0), F(0)), (F(1), F(-1))), y=(F(1), F(3), F(2), F(0)), bias=False)
    groups = ray_groups(inst)
    assert groups == ((0, 1), (2,), (3,))
    # group (0, 1): min over phi of (phi - 1)^2 + (2 phi - 3)^2 = 1/5; zero sample: 4
    assert ray_bound(inst, groups) == (F(1, 5) + 4) / 4
    rng = random.Random(2)
    for _ in range(200):
        z = [F(rng.randint(-6, 6), 3) for _ in range(2)]
        w = [[F(rng.randint(-6, 6), 3) for _ in range(2)] for _ in range(2)]
        assert bf.loss(inst.xs, inst.y, z, w) >= ray_bound(inst, groups)
    at_bound = Weights((F(7, 5),), ((F(1), F(0)),))  # f(x_0) = 7/5 = phi, f(x_1) = 14/5, f(x_3) = 7/5
    assert api.point(inst, at_bound).summary["verdict"] in ("not-a-local-minimum", "non-differentiable-local-minimum")


# -------------------------------------------------------------- random points


def _random_case(rng: random.Random) -> tuple[Instance, Weights]:
    if rng.random() < 0.6:  # 1-D with a bias: walls are samples, w = 0 sees every sample
        N = rng.randint(2, 5)
        X: tuple[tuple[Fraction, ...], ...] = tuple((F(rng.randint(-3, 3)),) for _ in range(N))
        bias = True
    else:  # the plane without a bias: parallel samples and zero samples
        N = rng.randint(2, 4)
        X = tuple((F(rng.randint(-2, 2)), F(rng.randint(-2, 2))) for _ in range(N))
        bias = False
    inst = Instance(X=X, y=tuple(F(rng.randint(-2, 2)) for _ in range(N)), bias=bias)
    K = rng.randint(1, 3)
    z, w = [], []
    for _ in range(K):
        kind = rng.random()
        x = inst.xs[rng.randrange(N)]
        if kind < 0.3:
            wj = tuple(F(0) for _ in range(inst.d))
        elif kind < 0.8 and any(x):  # on the wall of x: a vector orthogonal to x
            a = F(rng.choice([-2, -1, 1, 2]))
            wj = (a * x[1], -a * x[0]) if len(x) == 2 else tuple(F(0) for _ in x)
        else:
            wj = tuple(F(rng.randint(-3, 3), 2) for _ in range(inst.d))
        w.append(wj)
        z.append(F(rng.choice([-2, -1, 0, 0, 1, 2])))
    return inst, Weights(tuple(z), tuple(w))


@pytest.mark.parametrize("cases", [pytest.param(40, id="40"), pytest.param(400, id="400", marks=pytest.mark.slow)])
def test_random_points_on_several_hyperplanes_agree_with_brute_force(cases: int) -> None:
    rng = random.Random(20 + cases)
    seen: dict[str, int] = {}
    proofs: dict[str, int] = {}
    for _ in range(cases):
        inst, wts = _random_case(rng)
        v = _decided(inst, wts, rng)
        seen[v] = seen.get(v, 0) + 1
        res = api.point(inst, wts, verify=False)
        if "proof" in res.summary:
            proofs[res.summary["proof"]] = proofs.get(res.summary["proof"], 0) + 1
    assert (
        seen.get("non-differentiable-local-minimum", 0) >= cases // 20
        and seen.get("not-a-local-minimum", 0) >= cases // 5
    )
    assert {"bound", "local", "descent"} <= set(proofs), proofs


def test_local_minima_of_the_origin_family_match_the_sign_of_the_residual_correlation() -> None:
    """w = 0, z_j = s: a local minimum iff s sum_i -y_i [b . x_i]_+ >= 0 for every b
    (Lemma D); by brute force over a grid of b on 1-D data with a bias."""
    rng = random.Random(3)
    grid = [(F(a), F(c)) for a in range(-4, 5) for c in range(-4, 5)]
    for _ in range(40):
        N = rng.randint(2, 4)
        inst = Instance(
            X=tuple((F(rng.randint(-3, 3)),) for _ in range(N)), y=tuple(F(rng.randint(-2, 2)) for _ in range(N))
        )
        for s in (F(1), F(-1)):
            wts = Weights((s,), ((F(0), F(0)),))
            minimum = api.point(inst, wts).summary["verdict"] == "non-differentiable-local-minimum"
            corr = [
                sum((-yi * max(F(0), b[0] * x[0] + b[1] * x[1]) for x, yi in zip(inst.xs, inst.y)), F(0)) for b in grid
            ]
            if minimum:
                assert all(s * c >= 0 for c in corr)
            else:  # the grid finds the descent unless the bound decided... it never does here
                assert any(s * c < 0 for c in corr) or ray_bound(inst, ray_groups(inst)) < bf.loss(
                    inst.xs, inst.y, wts.z, wts.w
                )


# ------------------------------------------------------------ forged certificates


def _cert(name: str) -> dict[str, Any]:
    import json

    return json.loads((Path(__file__).resolve().parents[1] / "proofs" / "certificates" / name).read_text())


def _rejected(cert: dict[str, Any], text: str) -> None:
    out = check_certificate(cert)
    assert not out.verified and text in out.reason, out.reason


def test_forged_local_certificates_are_rejected() -> None:
    hat = _cert("hat-origin.point.cert.json")
    assert check_certificate(hat).verified
    old = copy.deepcopy(hat)
    old["version"] = "1.2"
    _rejected(old, "new in version 1.3")
    lie = copy.deepcopy(hat)
    lie["instance"]["y"] = ["1", "1", "1"]  # the same loss 1, but g(b) = -sum [b . x_i]_+ <= 0 now descends
    _rejected(lie, "s r^sigma != sum_i mu_i sigma_i x_i")
    lie = copy.deepcopy(hat)
    lie["local"][0]["+"]["pieces"][0]["mu"] = [[0, "1"], [2, "1/2"]]
    _rejected(lie, "s r^sigma != sum_i mu_i sigma_i x_i")
    lie = copy.deepcopy(hat)
    lie["local"][0]["+"]["tree"]["+"]["+"]["-"] = {"piece": 0}
    _rejected(lie, "does not have this leaf's signs")
    lie = copy.deepcopy(hat)
    lie["local"][0]["+"]["tree"] = {"empty": [[0, "1"]]}
    _rejected(lie, "an empty leaf at the root")
    lie = copy.deepcopy(hat)
    lie["local"][0]["+"]["tree"]["+"]["-"] = {"empty": [[0, "1"]]}
    _rejected(lie, "non-zero")
    lie = copy.deepcopy(hat)
    lie["local"][0]["-"] = lie["local"][0]["+"]
    _rejected(lie, "unknown field")
    # the same pieces do not prove the z < 0 side (a descent exists there)
    neg = copy.deepcopy(hat)
    neg["weights"]["z"] = ["-1"]
    neg["local"] = [{"-": hat["local"][0]["+"]}]
    out = check_certificate(neg)
    assert not out.verified


def test_forged_alpha_and_bound_certificates_are_rejected() -> None:
    dbl = _cert("kink-double.point.cert.json")
    lie = copy.deepcopy(dbl)
    lie["local"][0]["+"]["alpha"] = [[1, "-3/13"]]
    _rejected(lie, "s G_j != sum_i alpha_i x_i")
    lie = copy.deepcopy(dbl)
    lie["local"][0]["+"]["alpha"] = [[0, "-2/13"]]
    _rejected(lie, "not a boundary sample")
    lie = copy.deepcopy(dbl)
    lie["weights"]["z"] = ["-5/13", "-5/13"]
    lie["claim"]["loss"] = "23/4"
    lie["local"] = [{"-": {"alpha": [[1, "2/13"]]}}] * 2
    assert not check_certificate(lie).verified
    vee = _cert("vee.point.cert.json")
    lie = copy.deepcopy(vee)
    lie["bound"] = {"groups": [[0, 2], [1]]}
    _rejected(lie, "not a positive multiple")
    lie["bound"] = {"groups": [[0], [2]]}
    _rejected(lie, "sample 1 is in no group")
    lie["bound"] = {"groups": [[0], [1, 1], [2]]}
    _rejected(lie, "in two groups")
    # a claimed minimum at a point that descends: the bound is not the loss
    dead = _cert("zigzag-dead.point.cert.json")
    lie = copy.deepcopy(dead)
    lie["claim"]["verdict"] = "non-differentiable-local-minimum"
    del lie["descent"]
    lie["bound"] = {"groups": [[0], [1], [2], [3]]}
    _rejected(lie, "the ray-group lower bound is 0")


def test_a_covered_point_may_use_lemma_d_and_an_uncovered_one_not_theorem_3() -> None:
    kink = _cert("kink-min.point.cert.json")
    lemma_d = copy.deepcopy(kink)
    del lemma_d["kkt"]
    lemma_d["version"] = "1.3"
    lemma_d["local"] = [{"+": {"alpha": [[1, "-2/13"]]}}]
    assert check_certificate(lemma_d).verified
    dbl = _cert("kink-double.point.cert.json")
    lie = copy.deepcopy(dbl)
    del lie["local"]
    lie["kkt"] = {"neuron": 0, "sample": 1, "lambda": "-2/13"}
    _rejected(lie, "needs exactly one pair")


@pytest.mark.parametrize("name", ["toy-mixed.origin", "zigzag-dead"])
def test_descents_outside_theorem_3_need_version_1_3(name: str) -> None:
    cert = _cert(f"{name}.point.cert.json")
    cert["version"] = "1.1"
    _rejected(cert, "new in version 1.3")


@pytest.mark.parametrize(
    "instance, weights, verdict, proof",
    [
        ("toy-mixed", "toy-origin", "not-a-local-minimum", "descent"),
        ("vee", "vee", "non-differentiable-local-minimum", "bound"),
        ("zigzag", "zigzag-dead", "not-a-local-minimum", "descent"),
        ("hat", "hat-origin", "non-differentiable-local-minimum", "local"),
    ],
)
def test_the_point_command_prints_the_decision(
    instance: str, weights: str, verdict: str, proof: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from exactscape.cli import main

    cert = tmp_path / "p.cert.json"
    args = ["point", str(EX / f"{instance}.json"), "--weights", str(EX / f"{weights}.weights.json")]
    assert main([*args, "--cert", str(cert)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"verdict: {verdict}" and any(line.startswith("decided by: ") for line in out)
    assert check_certificate(json.loads(cert.read_text())).verified
    assert main([*args, "--json", "--cert", str(tmp_path / "q.cert.json")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["verdict"], doc["proof"]) == (verdict, proof) and doc["certificate_verified"] is True


# ------------------------------------------------------------------ kind faces


def test_the_faces_certificate_proves_what_the_atlas_decided() -> None:
    """Every face of vee.faces.cert.json holds no local minimum by an independent route: the
    point decider at each face's points tried (the producer's face witnesses, every sign of z)."""
    from exactscape.landscape.atlas import atlas
    from exactscape.theory.local import neuron_faces

    cert = _cert("vee.faces.cert.json")
    assert check_certificate(cert).verified and cert["version"] == "1.3"
    inst = load_instance(EX / "vee.json")
    at = atlas(inst, 1, saddles=False)
    assert len(at.face_empty) == cert["claim"]["faces"] == 8 and len(at.face_minima) == 1
    witness = {f.signs: f.witness for f in neuron_faces(inst) or ()}
    for face in cert["faces"]:
        signs = tuple(face["signs"][0])
        for scale in (F(1), F(1, 3), F(5)):
            wts = Weights((F(face["z"][0]) * scale,), (tuple(scale * v for v in witness[signs]),))
            assert not decide_point(inst, wts).minimum


def test_forged_faces_certificates_are_rejected() -> None:
    cert = _cert("vee.faces.cert.json")
    old = copy.deepcopy(cert)
    old["version"] = "1.2"
    _rejected(old, "new in version 1.3")
    lie = copy.deepcopy(cert)
    lie["faces"][0]["farkas"][0][-1] = "1"
    _rejected(lie, "no contradiction")
    lie = copy.deepcopy(cert)
    lie["faces"][0]["farkas"] = [["side", 0, 0, "1"]]
    _rejected(lie, "needs z_j != 0")
    lie = copy.deepcopy(cert)
    lie["faces"][0]["farkas"][0][0] = "pieces"
    _rejected(lie, "unknown row tag")
    lie = copy.deepcopy(cert)
    lie["faces"][0]["pieces"][0][0]["witness"] = ["-1", "-1"]
    _rejected(lie, "not strictly inside")
    lie = copy.deepcopy(cert)
    lie["faces"][0]["farkas"] = list(reversed(lie["faces"][0]["farkas"]))
    _rejected(lie, "strictly increasing")
    lie = copy.deepcopy(cert)
    lie["claim"]["faces"] = 9
    _rejected(lie, "claim.faces")

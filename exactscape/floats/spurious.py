"""Float search for a point of lower loss than the constructed minimum.

Floats live here only to *propose*: plain gradient descent with Adam steps
(NumPy, float64) from random initialisations (He-scaled hidden weights,
standard normal output weights) and from perturbations of the constructed
minimum; every end point is rounded to rationals with small denominators
(2^4, 2^8, ..., then the exact dyadic value) and its loss is recomputed
exactly. The first rational point whose exact loss is strictly below the
target is returned; nothing float-valued is ever reported as a result.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..core.model import Instance, Weights
from ..landscape.point import loss as exact_loss
from .convert import float_to_rational


def _arrays(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    X = np.array([[float(v) for v in x] for x in inst.xs])
    y = np.array([float(v) for v in inst.y])
    return X, y


def adam(
    X: np.ndarray, y: np.ndarray, z: np.ndarray, w: np.ndarray, steps: int, lr: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Minimise (1/N) sum_i (sum_j z_j [w_j . x_i]_+ - y_i)^2 by Adam steps."""
    n = len(y)
    params = [z.copy(), w.copy()]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-12
    for t in range(1, steps + 1):
        zz, ww = params
        pre = X @ ww.T
        act = np.maximum(pre, 0.0)
        e = act @ zz - y
        gz = 2.0 / n * act.T @ e
        gw = 2.0 / n * ((np.outer(e, zz) * (pre > 0)).T @ X)
        for k, g in enumerate((gz, gw)):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            params[k] = params[k] - lr * (m[k] / (1 - b1**t)) / (np.sqrt(v[k] / (1 - b2**t)) + eps)
    zz, ww = params
    e = np.maximum(X @ ww.T, 0.0) @ zz - y
    return zz, ww, float(np.mean(e * e))


def _rationalise(z: np.ndarray, w: np.ndarray, den: int | None) -> Weights:
    return Weights(
        tuple(float_to_rational(v, "z", den) for v in z),
        tuple(tuple(float_to_rational(v, "w", den) for v in row) for row in w),
    )


def search_lower(
    inst: Instance,
    start: Weights,
    target: Fraction,
    *,
    seed: int = 0,
    restarts: int = 12,
    steps: int = 3000,
    lr: float = 0.01,
) -> Weights | None:
    """A rational point of exact loss < ``target``, or None if the search found none."""
    X, y = _arrays(inst)
    rng = np.random.default_rng(seed)
    K, d = start.K, inst.d
    z0 = np.array([float(v) for v in start.z])
    w0 = np.array([[float(v) for v in r] for r in start.w])
    scale = max(1.0, float(np.abs(w0).max()))
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for r in range(restarts):
        if r % 2 == 0:
            z = rng.normal(size=K)
            w = rng.normal(size=(K, d)) * np.sqrt(2.0 / d)
        else:
            z = z0 + rng.normal(size=K) * 0.5
            w = w0 + rng.normal(size=(K, d)) * 0.5 * scale
        zz, ww, f = adam(X, y, z, w, steps, lr)
        if not np.isfinite(f):
            continue
        if best is None or f < best[0]:
            best = (f, zz, ww)
        if f < float(target) * (1 - 1e-6):
            for den in (16, 256, 65536, 2**24, None):
                cand = _rationalise(zz, ww, den)
                if exact_loss(inst, cand) < target:
                    return cand
    if best is not None:
        for den in (16, 256, 65536, 2**24, None):
            cand = _rationalise(best[1], best[2], den)
            if exact_loss(inst, cand) < target:
                return cand
    return None

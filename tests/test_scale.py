"""Regression cells at Part 2's sizes (slow: run with -m slow).

Each is decided by the fast engine, its certificate verified by the independent
checker, and the verdict compared with what the structure of the cell implies.
Timings live in benchmarks/scale.py, never here.
"""

from __future__ import annotations

import numpy as np
import pytest

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core.model import Instance, pattern_of
from exactscape.experiments.data import gaussian, sample_weights

pytestmark = pytest.mark.slow


def _table(N: int, d0: int, K: int, bias: float) -> tuple[Instance, object]:
    rng = np.random.default_rng(0)
    ds = gaussian(N, d0, rng)
    wts, _, _ = sample_weights(K, d0, bias, rng)
    return ds.instance, wts


@pytest.mark.parametrize("bias", [20.0, 0.0])
def test_table_i_cells_are_decided_and_certified(bias: float) -> None:
    inst, wts = _table(2000, 3, 10, bias)
    res = api.cell(inst, weights=wts, budget=None)  # type: ignore[arg-type]
    s = res.summary
    assert check_certificate(res.certificate).verified
    if bias == 20.0:  # every neuron active on every sample: one flexible group reaches the fit
        assert s["genuine"] is True and s["method"] == "flexible-groups" and s["rank"] == 4
    else:  # N > Kd: a unique minimiser, decided by signs
        assert s["kind"] == "unique" and s["method"] == "fixed-signs"


def test_independent_samples_at_mnist_width() -> None:
    """N = 200 samples in d = 785 coordinates (integer pixels as MNIST's), K = 10."""
    rng = np.random.default_rng(1)
    from fractions import Fraction

    X = tuple(
        tuple(Fraction(int(v), 255) for v in rng.integers(0, 256, size=784) * (rng.random(784) < 0.2))
        for _ in range(200)
    )
    y = tuple(Fraction(1 if i < 100 else -1) for i in range(200))
    inst = Instance(X=X, y=y)
    wts, _, _ = sample_weights(10, 784, 0.0, rng)
    pat, on = pattern_of(inst, wts)
    assert not on
    res = api.cell(inst, weights=wts, budget=None)
    assert res.summary["method"] == "independent-samples"
    assert check_certificate(res.certificate).verified

"""Write the bundled examples of the float cross-checks; deterministic.
Run from the repo root: ``PYTHONPATH=. python examples/make_float_examples.py``.

* ``float-tie``: K = 1, no bias, x1 = (1, 0), x2 = (0, 1), x3 = (-3, 1), labels
  (1/10, 3/10, 1), cell I = (1, 1, 0). The unique minimiser R* = (1/10, 3/10)
  has 3 R*_1 - R*_2 = 0 exactly: it lies ON the hyperplane of the inactive
  sample x3, so no branch is genuine (exact). In float64, 3 * 0.1 - 0.3 =
  5.55e-17 > 0, and a float LP read with threshold 0 (or non-strictly, as
  Part 2's linprog) says "genuine".
* ``float-thin``: the same with y2 = 3/10 - 10^-12: the margin is 10^-12 > 0,
  exact says genuine, a float LP with threshold 1e-9 says "not genuine".
  Together: no float threshold is right for both.
* ``trained-tiny``: 10 rational samples in the plane with a bias, labels
  +-1, K = 2; ``trained-tiny.float-weights.json`` holds the float64 weights of
  a seeded NumPy gradient-descent run (JSON floats, read by the float path
  only), and ``trained-tiny-snap.weights.json`` the exact point
  ``exactscape crosscheck`` snaps them to (a genuine local minimum).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np

from exactscape.core.model import Instance
from exactscape.floats.convert import weights_from_arrays
from exactscape.floats.lp import instance_arrays, train
from exactscape.io import outputs
from exactscape.landscape.crosscheck import crosscheck

HERE = Path(__file__).resolve().parent


def fmt(q: Fraction | int) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def write(name: str, obj: dict) -> None:
    """Through exactscape.io.outputs: atomically, replacing only exactscape example files."""
    outputs.write_text(HERE / name, json.dumps(obj, indent=1) + "\n", may_replace=outputs.EXAMPLE_FILE)


def instance_doc(inst: Instance, name: str, description: str) -> dict:
    return {
        "format": "exactscape-instance",
        "version": 1,
        "name": name,
        "description": description,
        "X": [[fmt(v) for v in r] for r in inst.X],
        "y": [fmt(v) for v in inst.y],
        "bias": inst.bias,
    }


def trained_tiny() -> tuple[Instance, np.ndarray, np.ndarray]:
    """The seeded tiny training run (also used by tests/test_crosscheck.py)."""
    rng = np.random.default_rng(2)
    N, d0, K = 10, 2, 2
    X = tuple(tuple(Fraction(int(v), 4) for v in rng.integers(-8, 9, size=d0)) for _ in range(N))
    y = tuple(Fraction(int(v)) for v in rng.choice([-1, 1], size=N))
    inst = Instance(X=X, y=y, bias=True, name="trained-tiny")
    Xf, yf = instance_arrays(inst)
    z, w, _, _ = train(
        Xf, yf, rng.normal(size=K), rng.normal(size=(K, d0 + 1)), lr=0.05, max_steps=50000, grad_tol=1e-10
    )
    return inst, z, w


def main() -> None:
    F = Fraction
    X = ((F(1), F(0)), (F(0), F(1)), (F(-3), F(1)))
    tie = Instance(X=X, y=(F(1, 10), F(3, 10), F(1)), bias=False)
    thin = Instance(X=X, y=(F(1, 10), F(3, 10) - F(1, 10**12), F(1)), bias=False)
    write("float-tie.json", instance_doc(tie, "float-tie", "minimiser exactly on a hyperplane; float LP says genuine"))
    write("float-thin.json", instance_doc(thin, "float-thin", "margin 1e-12; float LP (tol 1e-9) says not genuine"))
    write("float-tie.pattern.json", {"format": "exactscape-pattern", "version": 1, "I": [[1], [1], [0]]})

    inst, z, w = trained_tiny()
    write("trained-tiny.json", instance_doc(inst, "trained-tiny", "10 rational samples, labels +-1, bias; K = 2"))
    write(
        "trained-tiny.float-weights.json",
        {
            "format": "exactscape-weights",
            "version": 1,
            "z": z.tolist(),
            "w": w.tolist(),
            "description": "float64 weights of a seeded NumPy GD run (JSON floats: read with the float path only)",
        },
    )
    wts, _ = weights_from_arrays(z, w)
    cc = crosscheck(inst, wts)
    if cc.verdict != "near-genuine-minimum" or cc.snap is None:
        raise SystemExit(f"trained-tiny: unexpected cross-check verdict {cc.verdict}")
    write("trained-tiny-snap.weights.json", {"format": "exactscape-weights", "version": 1, **cc.snap.weights.to_json()})


if __name__ == "__main__":
    main()

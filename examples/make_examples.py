"""Write the bundled example files (deterministic; run from the repo root:
``python examples/make_examples.py``). Every file is exact JSON."""

from __future__ import annotations

import json
import random
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from exactscape.io import outputs  # noqa: E402


def fmt(q: Fraction | int) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def write(name: str, obj: dict) -> None:
    """Through exactscape.io.outputs: atomically, replacing only exactscape example files."""
    outputs.write_text(HERE / name, json.dumps(obj, indent=1) + "\n", may_replace=outputs.EXAMPLE_FILE)


def instance(X, y, bias, name, description):
    return {
        "format": "exactscape-instance",
        "version": 1,
        "name": name,
        "description": description,
        "X": [[fmt(v) for v in r] for r in X],
        "y": [fmt(v) for v in y],
        "bias": bias,
    }


def weights(z, w):
    return {
        "format": "exactscape-weights",
        "version": 1,
        "z": [fmt(v) for v in z],
        "w": [[fmt(v) for v in r] for r in w],
    }


def pattern(I):
    return {"format": "exactscape-pattern", "version": 1, "I": I}


def main() -> None:
    # Paper Part 1, Section IV-B: one neuron, two samples in the plane, no bias
    # (reconstructed: the formulas were lost in extraction; x_1 = e_1, x_2 = e_2).
    X = [[1, 0], [0, 1]]
    for tag, y, text in [
        ("positive", [1, 1], "labels +1, +1"),
        ("negative", [-1, -1], "labels -1, -1"),
        ("mixed", [1, -1], "labels +1, -1"),
    ]:
        write(
            f"toy-{tag}.json",
            instance(X, y, False, f"toy-{tag}", f"Liu Part 1, Section IV-B: K=1, x1=(1,0), x2=(0,1), {text}"),
        )
    # the four cells of the toy example, by pattern (I[i][0] for samples 1, 2)
    for name, I in [("11", [[1], [1]]), ("10", [[1], [0]]), ("01", [[0], [1]]), ("00", [[0], [0]])]:
        write(f"toy-cell-{name}.pattern.json", pattern(I))
    # the toy point: w = (1, -1) lies in cell 10; z = 1
    write("toy-point.weights.json", weights([1], [[1, -1]]))

    # one-dimensional data with a bias: x in {-2, -1, 1, 2}, a "V" shaped target
    write(
        "line.json",
        instance([[-2], [-1], [1], [2]], [2, 1, 1, 2], True, "line", "1-D samples with a bias, V-shaped labels"),
    )
    # two neurons, one facing each side: w_j . (x, 1) = a x + b
    write("line-v.weights.json", weights([1, 1], [[-1, 0], [1, 0]]))
    # a differentiable saddle (Theorem 2, theory.md §3): neuron 0 is the least-squares line on all
    # samples, neuron 1 has z = 0 and w . g = 0 with g != 0
    write(
        "zigzag.json",
        instance([[-2], [-1], [1], [2]], [0, 1, 0, 1], True, "zigzag", "1-D samples with a bias, alternating labels"),
    )
    write("zigzag-saddle.weights.json", weights([1, 0], [[Fraction(1, 10), Fraction(1, 2)], [-6, 0]]))
    # a cell of zigzag whose zero sets give all three saddle verdicts of theory.md §3:
    # Z = {0} a minimum (every g_j = 0), Z = {1} none by a tree, Z = {0, 1} none by a cut
    write("zigzag-mixed.pattern.json", pattern([[0, 0], [0, 0], [1, 0], [1, 1]]))
    # the single branch vector (+, +) (FORMAT 13): genuine only with z_1 < 0 (refuted by one
    # leaf), and a cell whose minimum is genuine with every z_j > 0
    write("zigzag-hidden.pattern.json", pattern([[1, 1], [1, 0], [1, 0], [1, 0]]))
    write("zigzag-positive.pattern.json", pattern([[1, 0], [1, 0], [1, 0], [1, 1]]))

    # Theorem 3 (theory.md §4): a kink minimum. On the face w . x_1 = 0 (x_1 = -1) with
    # the neuron active on x = 1, 2 only, the constrained fit R = (10/13)(1, 1) has
    # lambda = -2/13 and e_n = 1: [29] holds (z > 0), [30] fails (z < 0).
    write(
        "kink.json",
        instance(
            [[-2], [-1], [1], [2]],
            [-2, -1, 2, 2],
            True,
            "kink",
            "1-D samples with a bias; a non-differentiable local minimum with z > 0 only",
        ),
    )
    write("kink-min.weights.json", weights([Fraction(10, 13)], [[1, 1]]))
    # both sign conditions hold (lambda = e_n = 0), but only z < 0 factors on the face
    write(
        "kink-tree.json",
        instance(
            [[-2], [-1], [1], [2]],
            [-2, -2, 0, -2],
            True,
            "kink-tree",
            "1-D samples with a bias; on the face w . x_2 = 0 a minimum exists with z < 0 only (tree for z > 0)",
        ),
    )
    write("kink-tree.weights.json", weights([1], [[1, -1]]))

    # points outside Theorems 1-3 (docs/theory.md section 4a, Lemmas D and E)
    # the origin of the Section IV-B example: not a local minimum (a dead neuron descends)
    write("toy-origin.weights.json", weights([0], [[0, 0]]))
    # f(x) = |x| fits x = -1, 0, 1 exactly; both neurons lie on the hyperplane of x = 0
    write("vee.json", instance([[-1], [0], [1]], [1, 0, 1], True, "vee", "1-D samples with a bias, labels |x|"))
    write("vee.weights.json", weights([1, 1], [[1, 0], [-1, 0]]))
    # the spurious minimum of zigzag (z = (1, -1)) with a dead neuron z_2 = 0, w_2 = 0 beside it
    write("zigzag-dead.weights.json", weights([1, -1, 0], [[Fraction(1, 10), Fraction(3, 2)], [0, 1], [0, 0]]))
    # the kink minimum with its neuron split in two: two pairs on one hyperplane (one multiplier per sample)
    write("kink-double.weights.json", weights([Fraction(5, 13), Fraction(5, 13)], [[1, 1], [1, 1]]))
    # w = 0 with z = 1: a local minimum whose proof needs the pieces of the fan (e_1 < 0)
    write("hat.json", instance([[0], [1], [2]], [-1, 1, -1], True, "hat", "1-D samples with a bias, labels -1, 1, -1"))
    write("hat-origin.weights.json", weights([1], [[0, 0]]))

    # a random rational instance with K = 3 (seeded)
    rng = random.Random(20261125)
    N, d0, K = 7, 2, 3
    Xr = [[Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(d0)] for _ in range(N)]
    yr = [Fraction(rng.randint(-4, 4), rng.randint(1, 2)) for _ in range(N)]
    write("random-k3.json", instance(Xr, yr, True, "random-k3", "seeded random rationals, N=7, d0=2, bias, K=3"))
    while True:  # weights whose neurons each see between 2 and N - 2 samples
        wr = [[Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(d0 + 1)] for _ in range(K)]
        pre = [[sum((a * b for a, b in zip(w, [*x, 1])), Fraction(0)) for x in Xr] for w in wr]
        if all(0 not in p and 2 <= sum(v > 0 for v in p) <= N - 2 for p in pre):
            break
    write("random-k3.weights.json", weights([1, -1, 1], wr))


if __name__ == "__main__":
    main()

"""Write the bundled examples of the ``spurious`` and ``path`` commands
(deterministic; run from the repo root: ``python examples/make_landscape_examples.py``).
Every file is exact JSON; the lower points are given as files so that the
bundled runs need no float search."""

from __future__ import annotations

from fractions import Fraction

from make_examples import instance, weights, write


def main() -> None:
    # an exactly affine data set: y = 2x + 1 (the spurious construction does not apply)
    write(
        "affine.json",
        instance([[-2], [-1], [1], [2]], [-3, -1, 3, 5], True, "affine", "1-D samples with a bias, labels 2x + 1"),
    )
    # repeated samples whose affine fit hits the mean label of each group: affine-optimal, loss > 0
    write(
        "affine-noise.json",
        instance(
            [[0], [0], [1], [1]],
            [0, 2, 1, 3],
            True,
            "affine-noise",
            "two samples at x = 0 and two at x = 1; group means 1 and 2 lie on a line",
        ),
    )
    # no bias and samples on both sides of 0: no neuron can be active on every sample
    write(
        "opposite.json",
        instance([[1], [-1], [2]], [1, 1, 0], False, "opposite", "1-D samples without a bias on both sides of 0"),
    )
    # a lower point for zigzag (labels 0, 1, 0, 1) with K = 2: a genuine local minimum of loss 9/56,
    # below the affine-fit minimum (loss 9/40)
    write(
        "zigzag-lower.weights.json",
        weights([1, 1], [[Fraction(12, 7), Fraction(-18, 7)], [Fraction(-1, 14), Fraction(2, 7)]]),
    )
    # two segments on zigzag: a non-monotone one and one ending at the lower minimum
    write("zigzag-path-a.weights.json", weights([1, -1], [[1, 1], [-1, 1]]))
    write("zigzag-path-b.weights.json", weights([1, 1], [[1, -1], [2, Fraction(1, 3)]]))
    write("zigzag-path-c.weights.json", weights([1, 1], [[1, -1], [-1, 1]]))


if __name__ == "__main__":
    main()

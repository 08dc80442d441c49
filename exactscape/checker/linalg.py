"""Exact linear algebra on lists of Fractions, and the matrix A of FORMAT.md 3.

A (SPEC [4]) is never formed: row i of A is (I[i][0] x_i, ..., I[i][K-1] x_i),
so products with A and A^T are computed block by block from the pattern and
the samples. Vectors in Q^{Kd} are lists of K blocks of length d; column
(j, l) of A is block j, entry l.

>>> determinant([[Fraction(2), Fraction(1)], [Fraction(4), Fraction(3)]])
Fraction(2, 1)
>>> determinant([])
Fraction(1, 1)
"""

from fractions import Fraction

Vector = list[Fraction]
Blocks = list[Vector]
Pattern = list[list[int]]

ZERO = Fraction(0)


def dot(u: Vector, v: Vector) -> Fraction:
    """The inner product u . v."""
    total = ZERO
    for a, b in zip(u, v, strict=True):
        if a and b:
            total += a * b
    return total


def add_scaled(acc: Vector, c: Fraction, v: Vector) -> None:
    """acc += c v, in place."""
    if c:
        for pos, b in enumerate(v):
            if b:
                acc[pos] += c * b


def first_nonzero(blocks: Blocks) -> tuple[int, int] | None:
    """The first (block, entry) index of a non-zero entry, or None if all are zero."""
    for j, block in enumerate(blocks):
        for pos, value in enumerate(block):
            if value:
                return j, pos
    return None


def determinant(m: list[list[Fraction]]) -> Fraction:
    """Determinant by Gaussian elimination over Q, O(r^3) (det of the 0 x 0 matrix is 1)."""
    a = [list(row) for row in m]
    size = len(a)
    det = Fraction(1)
    for col in range(size):
        pivot = next((r for r in range(col, size) if a[r][col]), None)
        if pivot is None:
            return ZERO
        if pivot != col:
            a[col], a[pivot] = a[pivot], a[col]
            det = -det
        head = a[col][col]
        det *= head
        for r in range(col + 1, size):
            factor = a[r][col] / head
            if factor:
                row, top = a[r], a[col]
                for c in range(col + 1, size):
                    row[c] -= factor * top[c]
    return det


def apply_a(pattern: Pattern, xs: list[Vector], blocks: Blocks) -> Vector:
    """(A R)_i = sum_j I[i][j] (x_i . R_j) for every sample i (SPEC [4])."""
    return [
        sum((dot(x, blocks[j]) for j, on in enumerate(row) if on), ZERO) for row, x in zip(pattern, xs, strict=True)
    ]


def apply_at(pattern: Pattern, xs: list[Vector], v: Vector, k: int) -> Blocks:
    """A^T v, as K blocks: block j is sum_i I[i][j] v_i x_i (SPEC [10-11])."""
    d = len(xs[0])
    out: Blocks = [[ZERO] * d for _ in range(k)]
    for row, x, vi in zip(pattern, xs, v, strict=True):
        if vi:
            for j, on in enumerate(row):
                if on:
                    add_scaled(out[j], vi, x)
    return out


def combine_rows(pattern: Pattern, xs: list[Vector], rows: list[int], coef: Vector, k: int) -> Blocks:
    """sum_k coef_k A_{rows_k}^T, as K blocks (FORMAT.md 4.2, checks 3 and 4)."""
    d = len(xs[0])
    out: Blocks = [[ZERO] * d for _ in range(k)]
    for b, c in zip(rows, coef, strict=True):
        if c:
            for j, on in enumerate(pattern[b]):
                if on:
                    add_scaled(out[j], c, xs[b])
    return out


def row_of_a(pattern: Pattern, xs: list[Vector], i: int) -> Blocks:
    """Row i of A, as K blocks: I[i][j] x_i."""
    x = xs[i]
    return [list(x) if on else [ZERO] * len(x) for on in pattern[i]]


def gram(pattern: Pattern, xs: list[Vector], rows: list[int]) -> list[list[Fraction]]:
    """The Gram matrix A_B A_B^T: entry (a, b) = |{j : I[a][j] = I[b][j] = 1}| (x_a . x_b)."""
    out: list[list[Fraction]] = []
    for a in rows:
        line: list[Fraction] = []
        for b in rows:
            common = sum(1 for p, q in zip(pattern[a], pattern[b], strict=True) if p and q)
            line.append(common * dot(xs[a], xs[b]) if common else ZERO)
        out.append(line)
    return out

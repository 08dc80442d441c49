"""The design matrix A of a cell [4] and the cell's sign rows (theory.md §1)."""

from __future__ import annotations

from fractions import Fraction

from . import linalg
from .model import Instance, Pattern


def design_rows(inst: Instance, pat: Pattern) -> list[list[Fraction]]:
    """Row i of A is (I_i1 x_i^T, ..., I_iK x_i^T) [4]; N x Kd, dense."""
    zero = [Fraction(0)] * inst.d
    rows = []
    for i, x in enumerate(inst.xs):
        row: list[Fraction] = []
        for j in range(pat.K):
            row.extend(x if pat.I[i][j] else zero)
        rows.append(row)
    return rows


def design_matrix(inst: Instance, pat: Pattern) -> linalg.QMat:
    """A as a flint rational matrix."""
    return linalg.matrix(design_rows(inst, pat), pat.K * inst.d)


def cell_sign(pat: Pattern, i: int, j: int) -> int:
    """s with s (w_j . x_i) > 0 inside C_j: +1 where I_ij = 1, -1 where I_ij = 0."""
    return 1 if pat.I[i][j] else -1


def in_cell(inst: Instance, pat: Pattern, j: int, w: tuple[Fraction, ...] | list[Fraction]) -> bool:
    """Is w strictly inside the open cone C_j (theory.md §1)?"""
    for i, x in enumerate(inst.xs):
        s = sum((a * b for a, b in zip(w, x, strict=True)), Fraction(0))
        if s == 0 or (s > 0) != bool(pat.I[i][j]):
            return False
    return True


def design_matrix_on(inst: Instance, pat: Pattern, neurons: list[int] | tuple[int, ...]) -> linalg.QMat:
    """A_S: the columns of A [4] of the neurons ``neurons`` only (N x |S| d), as in [20]."""
    d = inst.d
    rows: list[list[Fraction]] = []
    for i, x in enumerate(inst.xs):
        row: list[Fraction] = []
        for j in neurons:
            row.extend(x if pat.I[i][j] else [Fraction(0)] * d)
        rows.append(row)
    return linalg.matrix(rows, len(neurons) * d)


def block_gradient(
    inst: Instance, pat: Pattern, e: list[Fraction] | tuple[Fraction, ...], j: int
) -> tuple[Fraction, ...]:
    """sum_i I_ij e_i x_i: block j of A^T e (the g_j of [21], the G_j of Lemma 1)."""
    g = [Fraction(0)] * inst.d
    for i, x in enumerate(inst.xs):
        if pat.I[i][j] and e[i]:
            for l, v in enumerate(x):
                g[l] += e[i] * v
    return tuple(g)

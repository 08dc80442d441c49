"""Dense matrices of the paper's equations, for tests only.

The decisions never form these (they work with rank factorisations and the
design matrix); tests use them to state the equations literally:

* :func:`pinv`: the Moore-Penrose inverse A^+ = A_B^T (A_B A_B^T)^{-1} (C^T C)^{-1} C^T
  from the rank factorisation A = C A_B;
* :func:`normal_equations`: M = A_S^T A_S and b = A_S^T y of [20];
* :func:`kkt_system`: the matrix D and right-hand side of [27-28, 43].
"""

from __future__ import annotations

from exactscape.core import linalg
from exactscape.core.design import design_matrix, design_matrix_on
from exactscape.core.model import Instance, Pattern


def pinv(A: linalg.QMat) -> linalg.QMat:
    """Moore-Penrose inverse A^+ = A_B^T (A_B A_B^T)^{-1} (C^T C)^{-1} C^T (A = C A_B)."""
    fac = linalg.rank_factorisation(A)
    if fac.rank == 0:
        return linalg.QMat(A.ncols(), A.nrows())
    AB = linalg.select_rows(A, fac.basis)
    C = fac.coeffs
    Ct = C.transpose()
    return AB.transpose() * (AB * AB.transpose()).inv() * (Ct * C).inv() * Ct


def normal_equations(inst: Instance, pat: Pattern, S: tuple[int, ...]) -> tuple[linalg.QMat, linalg.QMat]:
    """M = A_S^T A_S and b = A_S^T y of [20]."""
    A = design_matrix_on(inst, pat, S)
    return A.transpose() * A, A.transpose() * linalg.column(inst.y)


def kkt_system(inst: Instance, pat: Pattern, k: int, n: int) -> tuple[linalg.QMat, linalg.QMat]:
    """D and rhs of [27-28, 43]: [[A^T A, -E_k x_n], [(E_k x_n)^T, 0]] (R, lambda) = (A^T y, 0)."""
    A = design_matrix(inst, pat)
    Kd = A.ncols()
    d = inst.d
    M = A.transpose() * A
    b = A.transpose() * linalg.column(inst.y)
    D = linalg.QMat(Kd + 1, Kd + 1)
    rhs = linalg.QMat(Kd + 1, 1)
    for r in range(Kd):
        for c in range(Kd):
            D[r, c] = M[r, c]
        rhs[r, 0] = b[r, 0]
    for l, v in enumerate(inst.xs[n]):
        D[k * d + l, Kd] = linalg.q(-v)
        D[Kd, k * d + l] = linalg.q(v)
    return D, rhs

"""Points on exactly one hyperplane (FORMAT.md 5.4, new in 1.1), and the KKT
equations and sign condition of Theorem 3 that 5.4, 8.2 and 9.2 share
(docs/theory.md §4).

Notation: neuron k on the hyperplane of sample n (x_n != 0); I the pattern of
cell 1 (I[n][k] = 0); e = A R - y; r_j = sum_i I[i][j] e_i x_i (block j of
A^T e). Lemma B (FORMAT.md 8.4): if r_j = 0 (j != k), r_k = lambda x_n and
z_k lambda <= 0 <= z_k (lambda + e_n) at a covered point, the point is a
local minimum.
"""

from fractions import Fraction

from .curves import check_curve
from .envelope import Instance, minor_version, require_1_1
from .errors import CertificateError
from .fields import compare, record
from .linalg import Blocks, Pattern, Vector, block_gradient, dot, first_nonzero, fitted_and_residual
from .numbers import integer, rational, show


def sign_condition(zk: int, lam: Fraction, e_n: Fraction) -> bool:
    """[29] (z_k > 0) and [30] (z_k < 0): z_k lambda <= 0 <= z_k (lambda + e_n)."""
    return zk * lam <= 0 <= zk * (lam + e_n)


def kkt(pattern: Pattern, inst: Instance, r: Blocks, k: int, n: int, path: str) -> tuple[Fraction, Fraction, Vector]:
    """[38], [41]: r_j = 0 for j != k and r_k = lambda x_n; returns (lambda, e_n, e)."""
    _, e = fitted_and_residual(pattern, inst.xs, inst.y, r)
    xn = inst.xs[n]
    for j in range(len(pattern[0])):
        if j == k:
            continue
        nz = first_nonzero([block_gradient(pattern, inst.xs, e, j)])
        if nz is not None:
            raise CertificateError(path, f"[38] fails: sum_i I[i][{j}] e_i x_i is non-zero at entry {nz[1]}")
    rk = block_gradient(pattern, inst.xs, e, k)
    lam = dot(rk, xn) / dot(xn, xn)
    diff = [a - lam * b for a, b in zip(rk, xn, strict=True)]
    nz = first_nonzero([diff])
    if nz is not None:
        raise CertificateError(path, f"[41] fails: sum_i I[i][{k}] e_i x_i is not a multiple of x_{n} (entry {nz[1]})")
    return lam, e[n], e


def not_covered_because(z: Vector, inst: Instance, on: list[tuple[int, int]]) -> str | None:
    """FORMAT 5.4: why the point is not covered (None: H = {(k, n)}, x_n != 0, z_k != 0)."""
    if len(on) >= 2:
        return f"{len(on)} pairs (j, i) with w_j . x_i = 0"
    if not on:
        return "the point is inside a cell"
    if first_nonzero([inst.xs[on[0][1]]]) is None:
        return f"x_{on[0][1]} = 0"
    if not z[on[0][0]]:
        return f"z_{on[0][0]} = 0"
    return None


def check_kkt_verdict(
    cert: dict[str, object], z: Vector, w: Blocks, pre: list[list[Fraction]], inst: Instance, pair: tuple[int, int]
) -> str:
    """FORMAT 5.4 (non-differentiable-local-minimum): with I the pattern of cell 1,
    ``kkt`` names (k, n) and lambda, [38] and [41] hold, and the sign condition holds."""
    k, n = pair
    pattern = [[1 if pre[j][i] > 0 else 0 for j in range(len(z))] for i in range(inst.n)]
    r = [[zj * a for a in wj] for zj, wj in zip(z, w, strict=True)]
    fields = record(cert["kkt"], "kkt", ("neuron", "sample", "lambda"))
    compare("kkt.neuron", integer(fields["neuron"], "kkt.neuron"), k)
    compare("kkt.sample", integer(fields["sample"], "kkt.sample"), n)
    lam, e_n, _ = kkt(pattern, inst, r, k, n, "claim.verdict")
    compare("kkt.lambda", rational(fields["lambda"], "kkt.lambda"), lam)
    zk = 1 if z[k] > 0 else -1
    if not sign_condition(zk, lam, e_n):
        raise CertificateError(
            "claim.verdict", f"sign condition fails: z_k = {show(z[k])}, lambda = {show(lam)}, e_n = {show(e_n)}"
        )
    return (
        f"c non-differentiable local minimum (FORMAT 8.4, Lemma B): w_{k} . x_{n} = 0, "
        f"lambda = {show(lam)}, e_n = {show(e_n)}"
    )


def check_point_on_hyperplane(
    cert: dict[str, object],
    verdict: str,
    z: Vector,
    w: Blocks,
    pre: list[list[Fraction]],
    inst: Instance,
    loss: Fraction,
    on: list[tuple[int, int]],
) -> str:
    """FORMAT 5.4: the verdicts of 1.1 for a point on a hyperplane. Returns a ``c`` line."""
    why = not_covered_because(z, inst, on)
    if verdict == "not-covered":
        if minor_version(cert) >= 1 and why is None:
            k, n = on[0]
            raise CertificateError(
                "claim.verdict", f"'not-covered' but the point is covered by Theorem 3 (pair ({k}, {n}))"
            )
        return f"c not covered: {why}"
    require_1_1(cert, f"verdict {verdict!r}", "claim.verdict")
    if why is not None:
        raise CertificateError(
            "claim.verdict", f"{verdict!r} needs exactly one pair on a hyperplane with x_n != 0 and z_k != 0 ({why})"
        )
    if verdict == "not-a-local-minimum":
        return check_curve(cert["descent"], "descent", z, w, inst, loss, descent=True)
    return check_kkt_verdict(cert, z, w, pre, inst, on[0])

"""Quadratic refutations of a cell: FORMAT.md 4.3 (new in 1.4; docs/theory.md section 2.1).

The evidence ``{"quadratic": {"mu", "R0", "null", "epsilon"}}`` proves that no minimiser of
the cell is genuine. With g_ij = s_ij x_i (s_ij = +1 if I[i][j] = 1 else -1), every genuine
point R of the minimiser set M = {R : A R = p} has R_j in C_j u (-C_j) u {0}, where
C_j = {r : g_ij . r >= 0 for all i}, so every product (g_ij . R_j)(g_kj . R_j) is >= 0 and

    q(R) = sum over entries [j, i, k, mu] of mu (g_ij . R_j)(g_kj . R_j)      (mu > 0)

is >= 0 at it. The checker replays, never searches:

1. ``mu``: entries [j, i, k, mu], keys (j, i, k) strictly increasing, i < k, mu > 0;
2. ``R0``: A R0 = p (the fitted values derived by checks 3-4);
3. ``null``: Kd - r vectors with A n = 0, independent by their pivots (the evidence of
   4.2 check 3): with rank A = r they span null(A), so M = {R0 + sum_a u_a n_a};
4. ``epsilon`` > 0, and the (m + 1) x (m + 1) matrix P of (u, t) -> q(R0 t + sum_a u_a n_a)
   (t last), recomputed here from the data, has -P - epsilon e_t e_t^T positive
   semidefinite: an exact LDL^T with symmetric pivoting whose pivots are > 0, or = 0 with
   a zero row. Then q <= -epsilon < 0 on M (t = 1): no point of M is genuine.
"""

from collections.abc import Callable, Sequence
from fractions import Fraction

from .envelope import Instance
from .errors import CertificateError
from .fields import at, item, keyed, matrix, record
from .linalg import ZERO, Pattern, Vector, apply_a_fast
from .numbers import rational, show

NullCheck = Callable[[object, str, Pattern, Instance, int], None]


def _multipliers(value: object, path: str, k: int, n: int) -> list[tuple[int, int, int, Fraction]]:
    """FORMAT 4.3 (1): the entries [j, i, k, mu] with i < k and mu > 0."""
    out = []
    for (j, i, kk), payload, p_path in keyed(value, path, (k, n, n), min_length=1):
        if i >= kk:
            raise CertificateError(p_path, f"samples ({i}, {kk}) must satisfy i < k (diagonal terms are not allowed)")
        m = rational(payload, p_path)
        if m <= 0:
            raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
        out.append((j, i, kk, m))
    return out


def _form(
    mu: list[tuple[int, int, int, Fraction]], pattern: Pattern, xs: list[Vector], columns: list[list[Vector]]
) -> list[list[Fraction]]:
    """FORMAT 4.3 (4): P = sum_j B_j^T Q_j B_j, with B_j the block j of the columns (n_1, ...,
    n_m, R0) and Q_j = sum mu (g_ij g_kj^T + g_kj g_ij^T) / 2."""
    d = len(xs[0])
    n = len(columns)
    q: dict[int, list[list[Fraction]]] = {}
    for j, i, kk, m in mu:
        qj = q.setdefault(j, [[ZERO] * d for _ in range(d)])
        h = m * (1 if pattern[i][j] else -1) * (1 if pattern[kk][j] else -1) / 2
        xi, xk = xs[i], xs[kk]
        for a in range(d):
            for b in range(d):
                qj[a][b] += h * (xi[a] * xk[b] + xk[a] * xi[b])
    p = [[ZERO] * n for _ in range(n)]
    for j, qj in q.items():
        block = [col[j] for col in columns]  # n vectors of length d
        image = [[sum((qj[a][b] * v[b] for b in range(d) if v[b]), ZERO) for a in range(d)] for v in block]
        for r in range(n):
            u = block[r]
            for c in range(r, n):
                s = sum((u[a] * image[c][a] for a in range(d) if u[a]), ZERO)
                if s:
                    p[r][c] += s
                    if c != r:
                        p[c][r] += s
    return p


def semidefinite(w: list[list[Fraction]], path: str) -> None:
    """FORMAT 4.3 (4): symmetric ``w`` is positive semidefinite, by an exact LDL^T with
    symmetric pivoting (the first remaining index with a positive diagonal entry is the pivot;
    when none is left, every remaining entry must be 0)."""
    n = len(w)
    a = [row[:] for row in w]
    todo = list(range(n))
    while todo:
        piv = next((r for r in todo if a[r][r] > 0), None)
        if piv is None:
            neg = next((r for r in todo if a[r][r] < 0), None)
            if neg is not None:
                raise CertificateError(path, f"-P - epsilon e_t e_t^T is not semidefinite (pivot {neg} is negative)")
            bad = next(((r, c) for r in todo for c in todo if a[r][c] != 0), None)
            if bad is not None:
                raise CertificateError(
                    path, f"-P - epsilon e_t e_t^T is not semidefinite (zero pivot {bad[0]} with entry {bad} non-zero)"
                )
            return
        todo.remove(piv)
        dp = a[piv][piv]
        prow = a[piv]
        for r in todo:
            v = a[r][piv]
            if not v:
                continue
            f = v / dp
            row = a[r]
            for c in todo:
                pc = prow[c]
                if pc:
                    row[c] -= f * pc


def check_quadratic(
    value: object,
    path: str,
    pattern: Pattern,
    inst: Instance,
    xs: list[Vector],
    fitted: Sequence[Fraction],
    rank: int,
    null_check: NullCheck,
) -> int:
    """FORMAT 4.3 (1)-(4) (module docstring). Returns the number of multipliers."""
    k, n, d = len(pattern[0]), len(xs), len(xs[0])
    fields = record(value, path, ("mu", "R0", "null", "epsilon"))
    mu = _multipliers(fields["mu"], at(path, "mu"), k, n)
    r_path = at(path, "R0")
    r0 = matrix(fields["R0"], r_path, k, d)
    image = apply_a_fast(pattern, xs, r0)
    bad = next((i for i in range(n) if image[i] != fitted[i]), None)
    if bad is not None:
        raise CertificateError(r_path, f"A R0 differs from the fitted value p_{bad}: R0 is not a minimiser")
    m = k * d - rank
    null_check(fields["null"], at(path, "null"), pattern, inst, m)
    vectors = fields["null"]["vectors"] if isinstance(fields["null"], dict) else []
    nulls = [matrix(v, item(at(at(path, "null"), "vectors"), a), k, d) for a, v in enumerate(vectors)]
    e_path = at(path, "epsilon")
    eps = rational(fields["epsilon"], e_path)
    if eps <= 0:
        raise CertificateError(e_path, f"epsilon = {show(eps)} is not > 0")
    p = _form(mu, pattern, xs, [*nulls, r0])
    w = [[-v for v in row] for row in p]
    w[m][m] -= eps
    semidefinite(w, path)
    return len(mu)

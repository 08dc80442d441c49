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

The Finsler form ``{"quadratic": {"mu", "epsilon", "rho", "bits", "L", "D"}}`` needs no point
and no basis: F = -Q (+) (-epsilon) + rho [A | -p]^T [A | -p] (the form
-q(R) - epsilon t^2 + rho ||A R - p t||^2) equals L D L^T + E with L unit lower triangular,
D >= 0 (numerators over 2^bits) and E diagonally dominant with a non-negative diagonal, so F is
positive semidefinite and, at t = 1 with A R = p, q(R) <= -epsilon (:func:`check_finsler`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .envelope import Instance
from .errors import CertificateError
from .fields import array, at, item, keyed, matrix, record
from .linalg import ZERO, Pattern, Vector, apply_a_fast
from .numbers import integer, rational, show

NullCheck = Callable[[object, str, Pattern, Instance, int], None]
FINSLER_FIELDS = ("mu", "epsilon", "rho", "bits", "L", "D")
mul = int.__mul__  # the product of two integers (the inner loops: sum(map(mul, row, column)))
MAX_BITS = 256  # FORMAT 4.3, Finsler form: the factor's numerators are over 2^bits, bits <= 256


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
    """FORMAT 4.3 (1)-(4) (module docstring), or the Finsler form (F1)-(F3) when the
    evidence has ``rho``. Returns the number of multipliers."""
    k, n, d = len(pattern[0]), len(xs), len(xs[0])
    if isinstance(value, dict) and "rho" in value:
        return check_finsler(value, path, pattern, xs, fitted)
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


def _lcm(values: list[int]) -> int:
    """The least common multiple of positive integers (Euclid's gcd)."""
    out = 1
    for v in set(values):
        a, b = out, v
        while b:
            a, b = b, a % b
        out = out // a * v
    return out


def _gram(pattern: Pattern, xz: list[list[int]], k: int, d: int) -> list[list[int]]:
    """FORMAT 4.3 (F3): Az^T Az (Kd x Kd integers), Az = Dx A: the block (j, l) sums
    Xz_ia Xz_ib over the samples active at both neurons j and l."""
    n_all = k * d
    g = [[0] * n_all for _ in range(n_all)]
    active = [[i for i in range(len(xz)) if pattern[i][j]] for j in range(k)]
    cols = [list(c) for c in zip(*xz, strict=True)]
    for j in range(k):
        sj = set(active[j])
        for l_ in range(j, k):
            idx = [i for i in active[l_] if i in sj]
            if not idx:
                continue
            sub = [[c[i] for i in idx] for c in cols]
            for a in range(d):
                ra = g[j * d + a]
                for b in range(d):
                    v = sum(map(mul, sub[a], sub[b]))
                    ra[l_ * d + b] = v
                    g[l_ * d + b][j * d + a] = v
    return g


@dataclass(frozen=True)
class _FinslerFields:
    """The Finsler form's fields: the multipliers mu, epsilon, rho, bits, and the integer
    numerators of L (row r: its r entries left of the unit diagonal) and D over 2^bits."""

    mu: list[tuple[int, int, int, Fraction]]
    eps: Fraction
    rho: Fraction
    bits: int
    low: list[list[int]]
    dg: list[int]


def _finsler_fields(value: object, path: str, k: int, n: int, size: int) -> _FinslerFields:
    """FORMAT 4.3, Finsler form: ``mu`` (check 1), ``epsilon`` > 0, ``rho`` >= 0,
    0 <= ``bits`` <= 256, ``L`` (``size`` rows, row r of r integers) and ``D`` (``size``
    integers >= 0)."""
    fields = record(value, path, FINSLER_FIELDS)
    mu = _multipliers(fields["mu"], at(path, "mu"), k, n)
    e_path = at(path, "epsilon")
    eps = rational(fields["epsilon"], e_path)
    if eps <= 0:
        raise CertificateError(e_path, f"epsilon = {show(eps)} is not > 0")
    r_path = at(path, "rho")
    rho = rational(fields["rho"], r_path)
    if rho < 0:
        raise CertificateError(r_path, f"rho = {show(rho)} is negative")
    bits = integer(fields["bits"], at(path, "bits"), 0, MAX_BITS)
    l_path = at(path, "L")
    rows = array(fields["L"], l_path, size)
    low: list[list[int]] = []
    for r, row in enumerate(rows):
        rp = item(l_path, r)
        entries = array(row, rp, r)
        low.append([integer(v, item(rp, c)) for c, v in enumerate(entries)])
    dg_path = at(path, "D")
    dg = [integer(v, item(dg_path, c), 0) for c, v in enumerate(array(fields["D"], dg_path, size))]
    return _FinslerFields(mu, eps, rho, bits, low, dg)


def _r_block(
    pattern: Pattern, xs: list[Vector], mu: list[tuple[int, int, int, Fraction]], rho: Fraction, k: int, d: int
) -> tuple[list[list[int]], int]:
    """(F3) the R block of F, -Q + rho A^T A, as integers over den = 2 muden rd Dx^2 (Dx the
    common denominator of the samples, muden of the multipliers, rho = rn / rd). Returns
    the integer block and den."""
    dx = _lcm([v.denominator for x in xs for v in x])
    xz = [[v.numerator * (dx // v.denominator) for v in x] for x in xs]
    muden = _lcm([m.denominator for *_, m in mu])
    rn, rd = rho.numerator, rho.denominator
    big = _gram(pattern, xz, k, d)
    fz = [[2 * muden * rn * v for v in row] for row in big]
    for j, i, kk, m in mu:
        c = m.numerator * (muden // m.denominator) * (1 if pattern[i][j] else -1) * (1 if pattern[kk][j] else -1)
        xi, xk = xz[i], xz[kk]
        for a in range(d):
            ca, da = c * xi[a], c * xk[a]
            row = fz[j * d + a]
            for b in range(d):
                row[j * d + b] -= rd * (ca * xk[b] + da * xi[b])
    return fz, 2 * muden * rd * dx * dx


def _t_row(
    path: str,
    pattern: Pattern,
    xs: list[Vector],
    fitted: Sequence[Fraction],
    f: _FinslerFields,
    full: list[list[int]],
    scaled: list[list[int]],
    scale: int,
) -> list[Fraction]:
    """The t row of E = F - L D L^T, with F_Rt = -rho A^T p and F_tt = rho ||p||^2 - epsilon
    (rationals): E_tt >= sum_r |E_rt| (diagonal dominance in row t). Returns E_Rt."""
    k, n, d = len(pattern[0]), len(xs), len(xs[0])
    m_all = k * d
    atp = [ZERO] * m_all
    for i in range(n):
        pi = fitted[i]
        if pi:
            for j in range(k):
                if pattern[i][j]:
                    for a in range(d):
                        atp[j * d + a] += pi * xs[i][a]
    last = scaled[m_all]
    e_t = [-f.rho * atp[r] - Fraction(sum(map(mul, last, full[r])), scale) for r in range(m_all)]
    e_tt = f.rho * sum((v * v for v in fitted), ZERO) - f.eps - Fraction(sum(map(mul, last, full[m_all])), scale)
    total = sum((abs(v) for v in e_t), ZERO)
    if e_tt < total:
        raise CertificateError(
            path, f"F - L D L^T is not diagonally dominant in row {m_all} (t): {show(e_tt)} < {show(total)}"
        )
    return e_t


def _r_rows(
    path: str,
    fz: list[list[int]],
    den: int,
    full: list[list[int]],
    scaled: list[list[int]],
    scale: int,
    e_t: list[Fraction],
) -> None:
    """The R rows of E = F - L D L^T, in integers over lcm(den, 2^(3 bits)): each diagonal
    entry is at least the sum of the absolute values of the row's other entries, its t
    entry included."""
    m_all = len(fz)
    t_all = _lcm([den, scale])
    fm, fs = t_all // den, t_all // scale
    off = [0] * m_all
    diag = [0] * m_all
    for r in range(m_all):
        sr, fr = scaled[r], fz[r]
        for c in range(r + 1):
            e = fr[c] * fm - sum(map(mul, sr, full[c])) * fs
            if c == r:
                diag[r] = e
            elif e:
                a = abs(e)
                off[r] += a
                off[c] += a
    for r in range(m_all):
        slack = diag[r] - off[r]
        if slack < 0 or Fraction(slack, t_all) < abs(e_t[r]):
            raise CertificateError(
                path, f"F - L D L^T is not diagonally dominant with a non-negative diagonal in row {r}"
            )


def check_finsler(value: object, path: str, pattern: Pattern, xs: list[Vector], fitted: Sequence[Fraction]) -> int:
    """FORMAT 4.3, Finsler form (F1)-(F3): F = -Q (+) (-epsilon) + rho [A | -p]^T [A | -p]
    equals L D L^T + E with L = L / 2^bits unit lower triangular, D = D / 2^bits >= 0 and E
    diagonally dominant with a non-negative diagonal, so F is positive semidefinite and
    q <= -epsilon < 0 on {A R = p}. The R block is done in integers over one denominator."""
    k, n, d = len(pattern[0]), len(xs), len(xs[0])
    f = _finsler_fields(value, path, k, n, k * d + 1)
    one = 2**f.bits
    full = [[*row, one] for row in f.low]  # L * 2^bits, row r of length r + 1
    scaled = [[v * w for v, w in zip(row, f.dg, strict=False)] for row in full]  # (L D) * 2^(2 bits)
    scale = 2 ** (3 * f.bits)
    fz, den = _r_block(pattern, xs, f.mu, f.rho, k, d)
    e_t = _t_row(path, pattern, xs, fitted, f, full, scaled, scale)
    _r_rows(path, fz, den, full, scaled, scale, e_t)
    return len(f.mu)

"""Exact linear algebra on lists of Fractions, and the matrix A of FORMAT.md 3.

Support module (no section of its own): products with A, the one checker of
rank evidence ``{basis_rows, combinations}`` (FORMAT.md 4.2 check 3, reused
by 7.2 and 8.2), ranks by elimination (9.2) and the modular determinant of
the 1.2 rank evidence.

A ([4]) is never formed: row i of A is (I[i][0] x_i, ..., I[i][K-1] x_i),
so products with A and A^T are computed block by block from the pattern and
the samples. Vectors in Q^{Kd} are lists of K blocks of length d; column
(j, l) of A is block j, entry l.

>>> determinant([[Fraction(2), Fraction(1)], [Fraction(4), Fraction(3)]])
Fraction(2, 1)
>>> determinant([])
Fraction(1, 1)
"""

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import overload

from .errors import CertificateError
from .fields import array, at, item, keyed, record, vector
from .numbers import integer

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
    """(A R)_i = sum_j I[i][j] (x_i . R_j) for every sample i ([4])."""
    return [
        sum((dot(x, blocks[j]) for j, on in enumerate(row) if on), ZERO) for row, x in zip(pattern, xs, strict=True)
    ]


def apply_at(pattern: Pattern, xs: list[Vector], v: Vector, k: int) -> Blocks:
    """A^T v, as K blocks: block j is sum_i I[i][j] v_i x_i ([10-11])."""
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


def fitted_and_residual(pattern: Pattern, xs: list[Vector], y: Vector, r: Blocks) -> tuple[Vector, Vector]:
    """p = A R and e = A R - y for R as K blocks ([4])."""
    fitted = []
    for row, x in zip(pattern, xs, strict=True):
        total = ZERO
        for j, on in enumerate(row):
            if on:
                total += sum((a * b for a, b in zip(r[j], x, strict=True)), ZERO)
        fitted.append(total)
    return fitted, [p - b for p, b in zip(fitted, y, strict=True)]


def block_gradient(pattern: Pattern, xs: list[Vector], e: Vector, j: int) -> Vector:
    """sum_i I[i][j] e_i x_i (block j of A^T e)."""
    g = [ZERO] * len(xs[0])
    for i, x in enumerate(xs):
        if pattern[i][j]:
            add_scaled(g, e[i], x)
    return g


def rank_of(rows: list[Vector], ncols: int) -> int:
    """Rank over Q by Gaussian elimination (a computation, not evidence: FORMAT.md 9.2)."""
    m = [list(r) for r in rows]
    r0 = 0
    for col in range(ncols):
        piv = next((r for r in range(r0, len(m)) if m[r][col]), None)
        if piv is None:
            continue
        m[r0], m[piv] = m[piv], m[r0]
        head = m[r0][col]
        for r in range(r0 + 1, len(m)):
            c = m[r][col] / head
            if c:
                m[r] = [a - c * b for a, b in zip(m[r], m[r0], strict=True)]
        r0 += 1
        if r0 == len(m):
            break
    return r0


# ---------------------------------------------------------------- rank evidence (FORMAT.md 4.2 check 3)

GramOf = Callable[[list[int]], list[list[Fraction]]]
"""The Gram matrix M_B M_B^T of the rows B of a matrix M."""
Difference = Callable[[int, list[int], Vector], object | None]
"""Where row i of M differs from sum_k c_k M_{b_k} (arguments i, B, c): a column label, or None."""


def basis_rows(value: object, path: str, n_rows: int) -> list[int]:
    """``basis_rows``: row indices of M, strictly increasing."""
    basis: list[int] = []
    for pos, entry in enumerate(array(value, path)):
        i = integer(entry, item(path, pos), 0, n_rows - 1)
        if basis and i <= basis[-1]:
            raise CertificateError(item(path, pos), f"row {i} not after row {basis[-1]} (must be strictly increasing)")
        basis.append(i)
    return basis


def check_independent(basis: list[int], path: str, gram_of: GramOf) -> None:
    """FORMAT 4.2 (3), lower bound (1.0): det(M_B M_B^T) != 0, so the rows B are independent."""
    if not determinant(gram_of(basis)):
        raise CertificateError(path, "rows are linearly dependent: det(A_B A_B^T) = 0")


def check_combinations(value: object, path: str, n_rows: int, basis: list[int], difference: Difference) -> None:
    """FORMAT 4.2 (3), upper bound (1.0): exactly the rows not in B, in increasing
    order, each with r coefficients such that M_i = sum_k c_k M_{b_k}; so rank M <= r."""
    in_basis = set(basis)
    expected = [i for i in range(n_rows) if i not in in_basis]
    entries = keyed(value, path, (n_rows,))
    for n, ((i,), payload, p_path) in enumerate(entries):
        e_path = item(path, n)
        if n >= len(expected) or i != expected[n]:
            wanted = f"row {expected[n]}" if n < len(expected) else "no further row"
            raise CertificateError(
                e_path, f"row {i} listed where {wanted} (the rows not in basis_rows, in order) is expected"
            )
        coef = vector(payload, p_path, len(basis))
        column = difference(i, basis, coef)
        if column is not None:
            raise CertificateError(e_path, f"A_{i} differs from sum_k c_k A_(b_k) at column {column}")
    if len(entries) < len(expected):
        missing = expected[len(entries)]
        raise CertificateError(path, f"row {missing} is missing (every row not in basis_rows is listed)")


def check_rank_evidence(value: object, path: str, n_rows: int, gram_of: GramOf, difference: Difference) -> list[int]:
    """FORMAT 4.2 (3), 1.0 evidence ``{basis_rows, combinations}`` for a matrix M given by
    its Gram minors and row differences: rank M = |B|. Returns B. The one rank checker of
    the checker (cells: M = A; saddles: A_S, 7.2; boundaries: [A; c^T], 8.2)."""
    fields = record(value, path, ("basis_rows", "combinations"))
    b_path = at(path, "basis_rows")
    basis = basis_rows(fields["basis_rows"], b_path, n_rows)
    check_independent(basis, b_path, gram_of)
    check_combinations(fields["combinations"], at(path, "combinations"), n_rows, basis, difference)
    return basis


def check_rank_rows(value: object, path: str, rows: list[Vector]) -> int:
    """:func:`check_rank_evidence` for an explicit matrix ``rows``; returns the rank."""

    def gram_of(basis: list[int]) -> list[list[Fraction]]:
        return [[dot(rows[p], rows[q]) for q in basis] for p in basis]

    def difference(i: int, basis: list[int], coef: Vector) -> int | None:
        combo = [ZERO] * len(rows[i])
        for c, b in zip(coef, basis, strict=True):
            add_scaled(combo, c, rows[b])
        return next((col for col, (a, b) in enumerate(zip(combo, rows[i], strict=True)) if a != b), None)

    return len(check_rank_evidence(value, path, len(rows), gram_of, difference))


# ---------------------------------------------------------------- integer fast paths


def gcd(a: int, b: int) -> int:
    """gcd(a, b) for a > 0, through the normalisation of Fraction (no import of math)."""
    return a // Fraction(a, b).numerator if b else a


def common_denominator(values: list[Fraction]) -> int:
    """The least common multiple of the denominators of ``values``."""
    den = 1
    for v in values:
        q = v.denominator
        if q != 1 and den % q:
            den = den * q // gcd(den, q)
    return den


def as_integers(values: list[Fraction]) -> tuple[list[int], int]:
    """(n, D) with values[k] = n[k] / D, D > 0 the least common denominator."""
    den = common_denominator(values)
    return [v.numerator * (den // v.denominator) for v in values], den


_SAMPLES: list[tuple[list[Vector], list[list[int]], int]] = []


def integer_samples(xs: list[Vector]) -> tuple[list[list[int]], int]:
    """The samples as integer rows over one common denominator (remembered for the last ``xs``)."""
    if _SAMPLES and _SAMPLES[0][0] is xs:
        return _SAMPLES[0][1], _SAMPLES[0][2]
    flat, den = as_integers([v for x in xs for v in x])
    d = len(xs[0])
    rows = [flat[i * d : (i + 1) * d] for i in range(len(xs))]
    _SAMPLES[:] = [(xs, rows, den)]
    return rows, den


_SPARSE: list[tuple[list[Vector], list[list[tuple[int, int]]]]] = []


def sparse_samples(xs: list[Vector]) -> list[list[tuple[int, int]]]:
    """The non-zero (position, integer) entries of every integer sample row (remembered for
    the last ``xs``): a product w . x_i runs over the shorter of the two supports."""
    if _SPARSE and _SPARSE[0][0] is xs:
        return _SPARSE[0][1]
    xz, _ = integer_samples(xs)
    out = [[(pos, v) for pos, v in enumerate(row) if v] for row in xz]
    _SPARSE[:] = [(xs, out)]
    return out


def _products(xs: list[Vector], wz: list[int], rows: Sequence[int] | None = None) -> list[int]:
    """x_i . w (integer rows times integer w) for the samples ``rows`` (all when None), each over
    the shorter of the supports of x_i and w."""
    xz, _ = integer_samples(xs)
    xs_nz = sparse_samples(xs)
    nz = [(pos, a) for pos, a in enumerate(wz) if a]
    out = []
    for i in range(len(xs)) if rows is None else rows:
        xn = xs_nz[i]
        if len(xn) < len(nz):
            out.append(sum(v * wz[pos] for pos, v in xn))
        else:
            xi = xz[i]
            out.append(sum(a * xi[pos] for pos, a in nz))
    return out


def apply_a_fast(pattern: Pattern, xs: list[Vector], blocks: Blocks) -> Vector:
    """(A R)_i = sum_j I[i][j] (x_i . R_j), computed in integers on common denominators;
    zero blocks are skipped."""
    totals, den = apply_a_int(pattern, xs, blocks)
    return [Fraction(t, den) if t else ZERO for t in totals]


class Fitted(Sequence[Fraction]):
    """The fitted values p_i = y_i + e_i / den, made Fractions only when read (a tree reads
    a few of them; making all of them costs one gcd of long integers each)."""

    def __init__(self, y: Vector, ez: list[int], den: int) -> None:
        self._y, self._ez, self._den = y, ez, den

    def __len__(self) -> int:
        return len(self._y)

    @property
    def y_values(self) -> Vector:
        """The labels y."""
        return self._y

    @property
    def integers(self) -> tuple[list[int], int]:
        """(e, den): p_i = y_i + e_i / den."""
        return self._ez, self._den

    @overload
    def __getitem__(self, i: int) -> Fraction: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Fraction]: ...

    def __getitem__(self, i: int | slice) -> Fraction | Sequence[Fraction]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        e = self._ez[i]
        return self._y[i] + Fraction(e, self._den) if e else self._y[i]


def residual_int(pattern: Pattern, xs: list[Vector], blocks: Blocks, y: Vector) -> tuple[list[int], int]:
    """A R - y as integers over one positive denominator."""
    totals, den = apply_a_int(pattern, xs, blocks)
    yz, yden = as_integers(y)
    return [t * yden - den * v for t, v in zip(totals, yz, strict=True)], den * yden


def apply_a_int(pattern: Pattern, xs: list[Vector], blocks: Blocks) -> tuple[list[int], int]:
    """(A R)_i = totals[i] / den, in integers (zero blocks skipped)."""
    _, dx = integer_samples(xs)
    rz, dr = as_integers([v for b in blocks for v in b])
    d = len(xs[0])
    totals = [0] * len(xs)
    for j in range(len(blocks)):
        rj = rz[j * d : (j + 1) * d]
        if not any(rj):
            continue
        active = [i for i, row in enumerate(pattern) if row[j]]
        for i, v in zip(active, _products(xs, rj, active), strict=True):
            totals[i] += v
    return totals, dx * dr


def apply_at_int_is_zero(pattern: Pattern, xs: list[Vector], vz: list[int], k: int) -> tuple[int, int] | None:
    """The first (block, entry) where A^T v is non-zero, for v given as integers (any common scale)."""
    xz, _ = integer_samples(xs)
    d = len(xs[0])
    acc = [[0] * d for _ in range(k)]
    for i, row in enumerate(pattern):
        vi = vz[i]
        if not vi:
            continue
        xi = xz[i]
        for j, on in enumerate(row):
            if on:
                a = acc[j]
                for pos, b in enumerate(xi):
                    if b:
                        a[pos] += vi * b
    for j in range(k):
        for pos in range(d):
            if acc[j][pos]:
                return j, pos
    return None


def signs_of_products(xs: list[Vector], w: Vector) -> list[int]:
    """sign(w . x_i) for every sample, in integers."""
    wz, _ = as_integers(w)
    return [(s > 0) - (s < 0) for s in _products(xs, wz)]


# ---------------------------------------------------------------- modular rank evidence (new in 1.2)

_WITNESSES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
PRIME_LIMIT = 3317044064679887385961981  # Miller-Rabin with the bases above is exact below this


def is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin for 2 <= n < PRIME_LIMIT (bases 2..41)."""
    if n < 2:
        return False
    for p in _WITNESSES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in _WITNESSES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def residue(x: Fraction, p: int) -> int | None:
    """x modulo the prime p (None when p divides the denominator)."""
    q = x.denominator % p
    if q == 0:
        return None
    return x.numerator * pow(q, -1, p) % p


def peel_singletons(rows: list[list[int]], p: int) -> list[list[int]] | None:
    """The square matrix left after expanding det(rows) modulo p along every column, then
    every row, with one non-zero entry among the rows and columns left (a triangular part:
    det = +- that entry times the minor without its row and column, non-zero modulo p);
    None when a row or a column left is zero modulo p (det = 0). O(non-zero entries)."""
    size = len(rows)
    red = [[(c, v % p) for c, v in enumerate(row) if v % p] for row in rows]
    col_rows: list[list[int]] = [[] for _ in range(size)]
    for r, row in enumerate(red):
        for c, _ in row:
            col_rows[c].append(r)
    row_alive, col_alive = [True] * size, [True] * size
    col_count = [len(rs) for rs in col_rows]
    row_count = [len(row) for row in red]
    if 0 in col_count or 0 in row_count:
        return None
    queue = [("c", c) for c in range(size) if col_count[c] == 1] + [("r", r) for r in range(size) if row_count[r] == 1]
    while queue:
        kind, k = queue.pop()
        if kind == "c":
            if not col_alive[k] or col_count[k] != 1:
                continue
            r = next(t for t in col_rows[k] if row_alive[t])
            c = k
        else:
            if not row_alive[k] or row_count[k] != 1:
                continue
            r = k
            c = next(t for t, _ in red[k] if col_alive[t])
        row_alive[r] = col_alive[c] = False
        for t, _ in red[r]:  # the columns of row r lose an entry
            if col_alive[t]:
                col_count[t] -= 1
                if col_count[t] == 0:
                    return None
                if col_count[t] == 1:
                    queue.append(("c", t))
        for t in col_rows[c]:  # the rows of column c lose an entry
            if row_alive[t]:
                row_count[t] -= 1
                if row_count[t] == 0:
                    return None
                if row_count[t] == 1:
                    queue.append(("r", t))
    keep = [c for c in range(size) if col_alive[c]]
    return [[rows[r][c] for c in keep] for r in range(size) if row_alive[r]]


def det_mod_nonzero(rows: list[list[int]], p: int) -> bool:
    """Is det(rows) != 0 modulo the prime p? The triangular part is expanded first
    (:func:`peel_singletons`), then Gaussian elimination over F_p on the rest, O(r^3).

    Each row is packed into one integer, entry c in bits [c W, (c + 1) W) with W one bit more
    than r p^2 has;
    a row operation row += (p - f) top is then one multiplication and one addition of
    integers, done by the interpreter's integer arithmetic. Entries are kept non-negative
    and reduced modulo p only where read (the pivot column, and the pivot row before it
    is used): each operation adds less than p^2 to an entry, so r operations stay below
    r p^2 < 2^W and no entry carries into the next. After column c is eliminated, each
    remaining row is shifted right by W (its entry in column c, now divisible by p, is no
    longer read), so the rows shrink as the elimination proceeds."""
    left = peel_singletons(rows, p)  # the triangular part costs O(non-zero entries), not O(r^3)
    if left is None:
        return False
    rows = left
    size = len(rows)
    width = (size * p * p).bit_length() + 1
    mask = (1 << width) - 1
    packed = []
    for entries in rows:
        v = 0
        for c in reversed(entries):
            v = (v << width) | (c % p)
        packed.append(v)
    for col in range(size):
        # packed[r] holds the entries col.. of row r, entry col in its lowest W bits
        pivot = next((r for r in range(col, size) if (packed[r] & mask) % p), None)
        if pivot is None:
            return False
        packed[col], packed[pivot] = packed[pivot], packed[col]
        # reduce the pivot row's entries modulo p
        t = packed[col]
        top = 0
        for c in range(size - col - 1, -1, -1):
            top = (top << width) | (((t >> (c * width)) & mask) % p)
        inv = pow(top & mask, -1, p)
        for r in range(col + 1, size):
            row = packed[r]
            f = (row & mask) % p
            packed[r] = ((row + (p - f * inv % p) * top) if f else row) >> width
    return True

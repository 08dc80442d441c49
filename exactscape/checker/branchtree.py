"""Branch trees with Motzkin leaves for the kinds of version 1.1
(FORMAT.md 7.2 saddle trees and 8.2 boundary trees).

A tree covers every branch vector sigma of the neurons that are not fixed:
a split node ``{"split": j, b: node, ...}`` has exactly one child per branch
b allowed for neuron j (not fixed, not yet split on the path); a leaf
``{"leaf": {"fit": ..., ["face": m,] "sign": ...}}`` proves that the system

    sum_{j: sigma_j != 0} I[i][j] (x_i . R_j) = p_i       (fit row i, all i)
    a . R_f = 0                                          (face row, boundary only)
    s_ji (x_i . R_j) > 0    (sigma_j in {+,-} fixed or split, (j, i) not skipped)

has no solution R, by multipliers whose combination vanishes on every
variable R_j (sigma_j != 0) with beta = sum_i fit_i p_i >= 0 when a sign
multiplier is present, beta != 0 otherwise (Motzkin's transposition theorem).
The walk is iterative; a neuron is split at most once per path, so the
depth is at most K.
"""

from collections.abc import Sequence
from fractions import Fraction

from .errors import CertificateError
from .fields import array, at, item, keyed, record
from .linalg import ZERO, Blocks, Pattern, Vector, add_scaled, determinant, first_nonzero
from .numbers import integer, integer_text, rational, show

Face = tuple[int, Vector]
"""(f, a): the face row a . R_f = 0 (Theorem 3's x_n . R_k = 0 [42])."""


def _check_leaf(
    value: object,
    path: str,
    sigma: dict[int, str],
    pattern: Pattern,
    xs: list[Vector],
    fitted: Sequence[Fraction],
    skip: frozenset[tuple[int, int]],
    face: Face | None,
) -> None:
    k, d, n = len(pattern[0]), len(xs[0]), len(xs)
    fields = record(value, path, ("fit", "face", "sign") if face is not None else ("fit", "sign"))
    variables = [j for j in range(k) if sigma.get(j) != "0"]
    combination: Blocks = [[ZERO] * d for _ in range(k)]
    beta = ZERO
    for (i,), payload, p_path in keyed(fields["fit"], at(path, "fit"), (n,)):
        m = rational(payload, p_path)
        if not m:
            raise CertificateError(p_path, "zero multiplier (zero multipliers are omitted)")
        beta += m * fitted[i]
        for j in variables:
            if pattern[i][j]:
                add_scaled(combination[j], m, xs[i])
    if face is not None:
        f, a = face
        mu = rational(fields["face"], at(path, "face"))
        if sigma.get(f) != "0":
            add_scaled(combination[f], mu, a)
    s_path = at(path, "sign")
    signs = keyed(fields["sign"], s_path, (k, n))
    for pos, ((j, i), payload, p_path) in enumerate(signs):
        if sigma.get(j) not in ("+", "-"):
            raise CertificateError(item(s_path, pos), f"neuron {j} is not split with branch + or - on this path")
        if (j, i) in skip:
            raise CertificateError(item(s_path, pos), f"pair ({j}, {i}) has no sign row (it lies on the face)")
        m = rational(payload, p_path)
        if m <= 0:
            raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
        s = (1 if pattern[i][j] else -1) * (1 if sigma[j] == "+" else -1)
        add_scaled(combination[j], m * s, xs[i])
    nz = first_nonzero(combination)
    if nz is not None:
        raise CertificateError(path, f"combination non-zero at variable {nz}")
    if signs and beta < 0:
        raise CertificateError(path, f"beta = {show(beta)} < 0: the rows combine to 0 > beta, no contradiction")
    if not signs and not beta:
        raise CertificateError(path, "beta = 0 and no sign multiplier: the rows combine to 0 = 0, no contradiction")


def check_tree(
    value: object,
    path: str,
    pattern: Pattern,
    xs: list[Vector],
    fitted: Sequence[Fraction],
    fixed: dict[int, str],
    allowed: tuple[str, ...],
    skip: frozenset[tuple[int, int]] = frozenset(),
    face: Face | None = None,
) -> int:
    """Walk the tree (module docstring); neurons in ``fixed`` are never split,
    the others split into ``allowed``. Returns the number of leaves."""
    k = len(pattern[0])
    leaves = 0
    stack: list[tuple[object, str, dict[int, str]]] = [(value, path, dict(fixed))]
    while stack:
        node, n_path, sigma = stack.pop()
        if isinstance(node, dict) and "leaf" in node:
            fields = record(node, n_path, ("leaf",))
            _check_leaf(fields["leaf"], at(n_path, "leaf"), sigma, pattern, xs, fitted, skip, face)
            leaves += 1
            continue
        fields = record(node, n_path, ("split",) + allowed)
        j = integer(fields["split"], at(n_path, "split"), 0, k - 1)
        if j in fixed:
            raise CertificateError(at(n_path, "split"), f"neuron {j} has a fixed branch and is never split")
        if j in sigma:
            raise CertificateError(at(n_path, "split"), f"neuron {j} is already split on this path")
        for branch in reversed(allowed):
            stack.append((fields[branch], at(n_path, branch), {**sigma, j: branch}))
    return leaves


def fitted_and_residual(pattern: Pattern, xs: list[Vector], y: Vector, r: Blocks) -> tuple[Vector, Vector]:
    """p = A R and e = A R - y for R as K blocks (SPEC [4])."""
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


def minor_version(cert: dict[str, object]) -> int:
    """The minor version (the envelope has already checked the form 'major.minor')."""
    return int(str(cert["version"]).partition(".")[2])


def require_1_1(cert: dict[str, object], what: str, path: str) -> None:
    """Kinds and verdicts new in 1.1 are refused in a 1.0 certificate (``path``: the field refused)."""
    if minor_version(cert) < 1:
        raise CertificateError(path, f"{what} is new in version 1.1; this certificate says version {cert['version']}")


def parse_pattern(value: object, path: str, n: int) -> Pattern:
    """N rows of K >= 1 entries, each the integer 0 or 1 (FORMAT.md 4.2 check 1)."""
    rows = array(value, path, n)
    k = len(array(rows[0], item(path, 0), min_length=1))
    pattern: Pattern = []
    for i, row in enumerate(rows):
        r_path = item(path, i)
        pattern.append([integer(e, item(r_path, j), 0, 1) for j, e in enumerate(array(row, r_path, k))])
    return pattern


def _text(value: object) -> str:
    """A claim value as it reads in JSON, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Fraction):
        return show(value)
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, int):
        return integer_text(value)
    return str(value)


def compare(path: str, claimed: object, derived: object) -> None:
    """Require a claim field to equal what the checker derived."""
    if claimed != derived:
        raise CertificateError(path, f"claimed {_text(claimed)}, derived {_text(derived)}")


def check_rank_rows(value: object, path: str, rows: list[Vector]) -> int:
    """``{basis_rows, combinations}`` (as in FORMAT.md 4.2 check 3) for the
    explicit matrix ``rows``: det of the Gram matrix of the basis rows != 0 and
    every other row, in order, a given combination of them. Returns the rank."""
    fields = record(value, path, ("basis_rows", "combinations"))
    b_path = at(path, "basis_rows")
    basis: list[int] = []
    for pos, entry in enumerate(array(fields["basis_rows"], b_path)):
        i = integer(entry, item(b_path, pos), 0, len(rows) - 1)
        if basis and i <= basis[-1]:
            raise CertificateError(
                item(b_path, pos), f"row {i} not after row {basis[-1]} (must be strictly increasing)"
            )
        basis.append(i)
    gram = [[sum((a * b for a, b in zip(rows[p], rows[q], strict=True)), ZERO) for q in basis] for p in basis]
    if not determinant(gram):
        raise CertificateError(b_path, "rows are linearly dependent: the Gram determinant is 0")
    expected = [i for i in range(len(rows)) if i not in set(basis)]
    c_path = at(path, "combinations")
    entries = keyed(fields["combinations"], c_path, (len(rows),))
    if [keys[0] for keys, _, _ in entries] != expected:
        raise CertificateError(c_path, "must list every row not in basis_rows, in increasing order")
    for (i,), payload, p_path in entries:
        coef = [rational(c, item(p_path, pos)) for pos, c in enumerate(array(payload, p_path, len(basis)))]
        combo = [ZERO] * len(rows[i])
        for c, b in zip(coef, basis, strict=True):
            add_scaled(combo, c, rows[b])
        if combo != rows[i]:
            raise CertificateError(p_path, f"row {i} is not the given combination of the basis rows")
    return len(basis)

"""Kind ``cell``: the minimisers of one cell and their genuineness (FORMAT.md 4).

The checks run in the order of FORMAT.md 4.2 and stop at the first failure:
1. pattern, 2. feasibility (witness or Farkas multipliers), 3. rank of A
(non-zero Gram minor and explicit row combinations), 4. minimiser (normal
equations [10-12], loss [14]), 5. genuineness [15-18] (witness (z, w), or a
tree of branch splits whose leaves carry Farkas multipliers).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .branchtree import check_tree as branch_tree
from .cones import cell_signs, check_empty_cone, check_in_cells
from .envelope import Instance, minor_version, parse_instance
from .errors import CertificateError
from .fields import array, at, compare, item, matrix, parse_pattern, record, vector
from .implied import NullSpace, check_implied_leaf, null_space_of
from .linalg import (
    PRIME_LIMIT,
    ZERO,
    Blocks,
    Fitted,
    Pattern,
    add_scaled,
    apply_a,
    apply_at,
    apply_at_int_is_zero,
    as_integers,
    basis_rows,
    check_rank_evidence,
    combine_rows,
    det_mod_nonzero,
    first_nonzero,
    gram,
    integer_samples,
    is_prime,
    residual_int,
    residue,
)
from .numbers import boolean, describe, integer, rational, show
from .quadratic import check_quadratic

ROOT_FIELDS = (
    "format",
    "version",
    "kind",
    "instance",
    "claim",
    "pattern",
    "feasibility",
    "rank",
    "minimiser",
)
CLAIM_FIELDS = ("feasible", "rank", "kind", "dimension", "loss", "genuine", "branches")
BRANCHES = ("+", "-", "0")


@dataclass(frozen=True)
class CellClaim:
    """The ``claim`` object of a cell certificate (FORMAT.md 4.1)."""

    feasible: bool
    rank: int
    kind: str
    dimension: int
    loss: Fraction
    genuine: bool
    branches: list[str] | None


def parse_claim(value: object, path: str) -> CellClaim:
    """Read the claim's fields and their types (FORMAT.md 4.1); values are compared later."""
    fields = record(value, path, CLAIM_FIELDS)
    kind = fields["kind"]
    if kind not in ("unique", "affine"):
        raise CertificateError(at(path, "kind"), f'expected "unique" or "affine", found {describe(kind)}')
    raw = fields["branches"]
    branches: list[str] | None = None
    if raw is not None:
        b_path = at(path, "branches")
        branches = []
        for n, entry in enumerate(array(raw, b_path)):
            if not isinstance(entry, str) or entry not in BRANCHES:
                raise CertificateError(item(b_path, n), f'expected "+", "-" or "0", found {describe(entry)}')
            branches.append(entry)
    return CellClaim(
        feasible=boolean(fields["feasible"], at(path, "feasible")),
        rank=integer(fields["rank"], at(path, "rank")),
        kind=str(kind),
        dimension=integer(fields["dimension"], at(path, "dimension")),
        loss=rational(fields["loss"], at(path, "loss")),
        genuine=boolean(fields["genuine"], at(path, "genuine")),
        branches=branches,
    )


def check_feasibility(value: object, path: str, pattern: Pattern, inst: Instance) -> tuple[bool, str]:
    """FORMAT 4.2 (2): a witness proves every C_j non-empty; multipliers prove one C_j empty.

    Returns (feasible, detail line).
    """
    k = len(pattern[0])
    if isinstance(value, dict) and "witness" in value:
        fields = record(value, path, ("witness",))
        w_path = at(path, "witness")
        check_in_cells(matrix(fields["witness"], w_path, k, inst.d), w_path, pattern, inst.xs)
        return True, "c 2 feasibility: witness strictly inside every cell C_j"
    fields = record(value, path, ("neuron", "multipliers"))
    j = integer(fields["neuron"], at(path, "neuron"), 0, k - 1)
    count = check_empty_cone(fields["multipliers"], at(path, "multipliers"), inst.xs, cell_signs(pattern, j))
    return False, f"c 2 feasibility: cell C_{j} is empty ({count} Farkas multipliers)"


def nonzero_rows(pattern: Pattern, inst: Instance) -> list[int]:
    """FORMAT 4.2 (3): the rows i of A that are not zero: some neuron active on i and x_i != 0."""
    return [i for i in range(inst.n) if any(pattern[i]) and any(inst.xs[i])]


def _check_minor(value: object, path: str, pattern: Pattern, inst: Instance, basis: list[int]) -> None:
    """FORMAT 4.2 (3), lower bound (new in 1.2): the r x r minor A_{B,C} is non-singular modulo a prime p."""
    fields = record(value, path, ("columns", "modulus"))
    k = len(pattern[0])
    c_path = at(path, "columns")
    cols: list[int] = []
    for n, entry in enumerate(array(fields["columns"], c_path, len(basis))):
        c = integer(entry, item(c_path, n), 0, k * inst.d - 1)
        if cols and c <= cols[-1]:
            raise CertificateError(item(c_path, n), f"column {c} not after column {cols[-1]} (strictly increasing)")
        cols.append(c)
    p_path = at(path, "modulus")
    p = integer(fields["modulus"], p_path, 2, PRIME_LIMIT - 1)
    if not is_prime(p):
        raise CertificateError(p_path, f"{p} is not a prime")
    d = inst.d
    where = [divmod(c, d) for c in cols]
    rows: list[list[int]] = []
    for i in basis:
        xi, on = inst.xs[i], pattern[i]
        res = [residue(v, p) if v else 0 for v in xi]  # one residue per sample entry, not per column
        row = [res[pos] if on[j] else 0 for j, pos in where]
        if None in row:
            raise CertificateError(p_path, f"the modulus divides the denominator of x_{i}")
        rows.append(row)  # type: ignore[arg-type]
    if not det_mod_nonzero(rows, p):
        raise CertificateError(path, "the minor A_{B,C} is singular modulo the modulus")


def _check_null_space(
    value: object, path: str, pattern: Pattern, inst: Instance, count: int
) -> list[list[tuple[int, int]]]:
    """FORMAT 4.2 (3), upper bound (new in 1.2): ``count`` vectors n_k with A n_k = 0, independent because
    n_k is non-zero at its own pivot and zero at every other vector's pivot. Returns them as
    sparse integer vectors (column j d + l, value), each scaled by its own positive factor.

    A n_k is computed on the support of n_k only: (A n)_i = sum over the support's columns
    (j, l) with I[i][j] = 1 of x_il n_jl, in integers."""
    fields = record(value, path, ("vectors", "pivots"))
    k, d = len(pattern[0]), inst.d
    p_path = at(path, "pivots")
    pivots = [integer(e, item(p_path, n), 0, k * d - 1) for n, e in enumerate(array(fields["pivots"], p_path, count))]
    if len(set(pivots)) != len(pivots):
        raise CertificateError(p_path, "pivots must be distinct")
    pivot_of = {c: m for m, c in enumerate(pivots)}
    xz, _ = integer_samples(inst.xs)
    active = [[i for i in range(inst.n) if pattern[i][j]] for j in range(k)]
    v_path = at(path, "vectors")
    out: list[list[tuple[int, int]]] = []
    for n, raw in enumerate(array(fields["vectors"], v_path, count)):
        e_path = item(v_path, n)
        blocks = matrix(raw, e_path, k, d)
        support = [(j * d + pos, v) for j, b in enumerate(blocks) for pos, v in enumerate(b) if v]
        at_pivots = {pivot_of[c] for c, _ in support if c in pivot_of}
        wrong = (at_pivots - {n}) | ({n} - at_pivots)  # pivots where n_k is non-zero iff it is another's
        if wrong:
            m = min(wrong)
            c = pivots[m]
            what = "zero at its own pivot" if m == n else f"non-zero at the pivot of vector {m}"
            raise CertificateError(e_path, f"vector is {what} (column {c})")
        ints, _ = as_integers([v for _, v in support])
        sparse = [(c, v) for (c, _), v in zip(support, ints, strict=True)]
        by_block: dict[int, list[tuple[int, int]]] = {}
        for c, v in sparse:
            by_block.setdefault(c // d, []).append((c % d, v))
        image = [0] * inst.n
        for j, entries in by_block.items():
            for i in active[j]:
                xi = xz[i]
                image[i] += sum(xi[pos] * v for pos, v in entries)
        bad = next((i for i, v in enumerate(image) if v), None)
        if bad is not None:
            raise CertificateError(e_path, f"A n is non-zero at row {bad}")
        out.append(sparse)
    return out


def _null_check(value: object, path: str, pattern: Pattern, inst: Instance, count: int) -> None:
    """:func:`_check_null_space` for the quadratic refutation (FORMAT 4.3), which keeps no vectors."""
    _check_null_space(value, path, pattern, inst, count)


def check_rank(
    value: object, path: str, pattern: Pattern, inst: Instance, version_1_2: bool
) -> tuple[list[int], list[list[tuple[int, int]]] | None]:
    """FORMAT 4.2 (3): rows B independent, and rank A <= |B|.

    1.0 evidence: det(A_B A_B^T) != 0 and every other row a combination of the rows B.
    1.2 evidence: a minor non-singular modulo a prime, and for the upper bound nothing
    when |B| is the number of non-zero rows or Kd, else a null-space basis.
    Returns B and a basis of the null space of A when the evidence gives one (none is
    needed when rank A = Kd: the empty list), else None."""
    k = len(pattern[0])
    new = isinstance(value, dict) and "minor" in value
    if new and not version_1_2:
        raise CertificateError(at(path, "minor"), "rank evidence by a modular minor is new in version 1.2")
    if not new:
        return check_rank_evidence(
            value, path, inst.n, lambda basis: gram(pattern, inst.xs, basis), _row_difference(pattern, inst)
        ), None
    fields = record(value, path, ("basis_rows", "minor"), ("null_space",))
    basis = basis_rows(fields["basis_rows"], at(path, "basis_rows"), inst.n)
    _check_minor(fields["minor"], at(path, "minor"), pattern, inst, basis)
    r, columns = len(basis), k * inst.d
    trivial = r in (len(nonzero_rows(pattern, inst)), columns)
    if "null_space" in fields:
        if trivial:
            raise CertificateError(at(path, "null_space"), "must be absent when rank = non-zero rows or Kd")
        return basis, _check_null_space(fields["null_space"], at(path, "null_space"), pattern, inst, columns - r)
    elif not trivial:
        raise CertificateError(path, "missing field 'null_space' (needed when rank < non-zero rows and < Kd)")
    return basis, ([] if r == columns else None)


def _row_difference(pattern: Pattern, inst: Instance) -> Callable[[int, list[int], list[Fraction]], object | None]:
    """Where A_i differs from sum_k c_k A_(b_k) (a column (j, l)), for the one rank checker."""
    k = len(pattern[0])

    def difference(i: int, basis: list[int], coef: list[Fraction]) -> tuple[int, int] | None:
        diff = combine_rows(pattern, inst.xs, basis, coef, k)
        for j, on in enumerate(pattern[i]):
            if on:
                add_scaled(diff[j], Fraction(-1), inst.xs[i])
        return first_nonzero(diff)

    return difference


def check_minimiser(
    value: object, path: str, pattern: Pattern, inst: Instance, basis: list[int], version_1_2: bool
) -> tuple[Sequence[Fraction], Fraction, Blocks | None]:
    """FORMAT 4.2 (4): a minimiser R0 satisfies A^T (A R0 - y) = 0 [10-11].

    1.0: R0 = sum_k u_k A_(b_k)^T. 1.2: R0 given as K x d blocks ``R``, or no minimiser at
    all (``{}``) when rank A equals the number of non-zero rows: then A maps onto the
    coordinates of those rows, so p_i = y_i there and p_i = 0 on the zero rows.
    Returns the fitted values p = A R0, the minimum loss (1/N) ||p - y||^2 [14] and R0
    (None for ``{}``)."""
    k = len(pattern[0])
    if isinstance(value, dict) and "u" not in value and not version_1_2:
        record(value, path, ("u",))
    if isinstance(value, dict) and value == {}:
        nz = nonzero_rows(pattern, inst)
        if len(basis) != len(nz):
            raise CertificateError(path, "an empty minimiser needs rank A = the number of non-zero rows")
        on = set(nz)
        fitted = [y if i in on else ZERO for i, y in enumerate(inst.y)]
        r0: Blocks | None = None
    elif isinstance(value, dict) and "R" in value:
        fields = record(value, path, ("R",))
        blocks = matrix(fields["R"], at(path, "R"), k, inst.d)
        ez, eden = residual_int(pattern, inst.xs, blocks, inst.y)
        pos = apply_at_int_is_zero(pattern, inst.xs, ez, k)
        if pos is not None:
            raise CertificateError(at(path, "R"), f"normal equations A^T (A R0 - y) = 0 fail at column {pos}")
        return Fitted(inst.y, ez, eden), Fraction(sum(e * e for e in ez), eden * eden * inst.n), blocks
    else:
        fields = record(value, path, ("u",))
        u_path = at(path, "u")
        u = vector(fields["u"], u_path, len(basis))
        r0 = combine_rows(pattern, inst.xs, basis, u, k)
        fitted = apply_a(pattern, inst.xs, r0)
        residual = [p - y for p, y in zip(fitted, inst.y, strict=True)]
        pos = first_nonzero(apply_at(pattern, inst.xs, residual, k))
        if pos is not None:
            raise CertificateError(u_path, f"normal equations A^T (A R0 - y) = 0 fail at column {pos}")
    return fitted, sum(((p - y) ** 2 for p, y in zip(fitted, inst.y, strict=True)), ZERO) / inst.n, r0


def check_genuine_witness(value: object, path: str, pattern: Pattern, inst: Instance) -> list[str]:
    """FORMAT 4.2 (5), witness: R_j = z_j w_j is a minimiser and every w_j is inside C_j [15-18].

    Returns the branch of every neuron ("+", "-" or "0" by the sign of z_j).
    """
    k = len(pattern[0])
    fields = record(value, path, ("z", "w"))
    z = vector(fields["z"], at(path, "z"), k)
    w_path = at(path, "w")
    w = matrix(fields["w"], w_path, k, inst.d)
    r = [[zj * a for a in wj] for zj, wj in zip(z, w, strict=True)]
    ez, _ = residual_int(pattern, inst.xs, r, inst.y)
    pos = apply_at_int_is_zero(pattern, inst.xs, ez, k)
    if pos is not None:
        raise CertificateError(path, f"R_j = z_j w_j is not a minimiser: A^T (A R - y) is non-zero at column {pos}")
    check_in_cells(w, w_path, pattern, inst.xs)
    return ["+" if zj > 0 else "-" if zj < 0 else "0" for zj in z]


def check_tree(
    value: object,
    path: str,
    pattern: Pattern,
    inst: Instance,
    fitted: Sequence[Fraction],
    null: NullSpace | None = None,
    version_1_4: bool = False,
) -> int:
    """FORMAT 4.2 (5), tree: every branch vector in {+,-,0}^K is covered by a refuted leaf (theory.md §2).

    The walk and the Farkas leaves are those of :func:`branchtree.check_tree`
    with every neuron split into {+, -, 0}, no skipped pair and no face row:
    variables R_j for sigma_j != "0"; fit rows sum_j I[i][j] (x_i . R_j) = p_i;
    sign rows s_ji (x_i . R_j) > 0 for split neurons with sigma_j in {+, -}.
    Returns the number of leaves. A leaf without ``fit`` has implied fit multipliers (new
    in 1.4, :mod:`implied`): refused in an older certificate, and without ``null`` (the null
    space and R0 of checks 3 and 4).
    """

    def implied(leaf: object, l_path: str, sigma: dict[int, str]) -> bool:
        if not isinstance(leaf, dict) or "fit" in leaf:
            return False
        if not version_1_4:
            raise CertificateError(l_path, "a leaf without fit multipliers is new in version 1.4")
        if null is None:
            raise CertificateError(
                l_path, "a leaf without fit multipliers needs rank evidence with a null space (or rank Kd) and R0"
            )
        check_implied_leaf(leaf, l_path, sigma, pattern, inst.xs, null)
        return True

    return branch_tree(value, path, pattern, inst.xs, fitted, {}, BRANCHES, leaf_check=implied)


@dataclass(frozen=True)
class MinimiserSet:
    """What checks 1-4 of FORMAT.md 4.2 derive: the instance, the pattern, whether
    every open cone is non-empty, rank A, the fitted values p = A R0 of every
    minimiser and the minimum loss (1/N) ||p - y||^2."""

    inst: Instance
    pattern: Pattern
    feasible: bool
    rank: int
    fitted: Sequence[Fraction]
    loss: Fraction
    null: NullSpace | None = None  # null-space basis and R0, when checks 3 and 4 give both


def check_minimiser_set(cert: dict[str, object], log: list[str], claim: CellClaim | None = None) -> MinimiserSet:
    """FORMAT 4.2 (1)-(4): pattern, feasibility, rank and minimiser; with ``claim``, the
    claim's feasibility, rank, kind, dimension and loss are compared as they are derived
    (kind ``branches`` of FORMAT 13 runs the same checks on its own claim)."""
    inst = parse_instance(cert["instance"], "instance")
    log.append(inst.summary())

    pattern = parse_pattern(cert["pattern"], "pattern", inst.n)
    k = len(pattern[0])
    log.append(f"c 1 pattern: {inst.n} x {k}")

    feasible, line = check_feasibility(cert["feasibility"], "feasibility", pattern, inst)
    if claim is not None:
        compare("claim.feasible", claim.feasible, feasible)
    log.append(line)

    new = minor_version(cert) >= 2
    basis, vectors = check_rank(cert["rank"], "rank", pattern, inst, new)
    r, columns = len(basis), k * inst.d
    kind = "unique" if r == columns else "affine"
    if claim is not None:
        compare("claim.rank", claim.rank, r)
        compare("claim.dimension", claim.dimension, columns - r)
        compare("claim.kind", claim.kind, kind)
    log.append(f"c 3 rank: rank A = {r} of Kd = {columns} columns ({kind})")

    fitted, loss, r0 = check_minimiser(cert["minimiser"], "minimiser", pattern, inst, basis, new)
    if claim is not None:
        compare("claim.loss", claim.loss, loss)
    log.append(f"c 4 minimiser: normal equations hold, minimum loss {show(loss)}")
    null = null_space_of(vectors, r0) if vectors is not None and r0 is not None else None
    return MinimiserSet(inst, pattern, feasible, r, fitted, loss, null)


def check_cell(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 4.2 in order, appending ``c`` lines to ``log``."""
    record(cert, "", ROOT_FIELDS, ("genuineness",))
    claim = parse_claim(cert["claim"], "claim")
    ms = check_minimiser_set(cert, log, claim)
    inst, pattern, feasible, fitted = ms.inst, ms.pattern, ms.feasible, ms.fitted
    k = len(pattern[0])

    if not feasible:
        compare("claim.genuine", claim.genuine, False)
        compare("claim.branches", claim.branches, None)
        if "genuineness" in cert:
            raise CertificateError("genuineness", "must be absent when the pattern is infeasible")
        log.append("c 5 genuineness: not applicable (infeasible pattern)")
        return
    if "genuineness" not in cert:
        raise CertificateError("", "missing field 'genuineness' (required when the pattern is feasible)")
    evidence = cert["genuineness"]
    if isinstance(evidence, dict) and "tree" in evidence:
        fields = record(evidence, "genuineness", ("tree",))
        leaves = check_tree(
            fields["tree"], "genuineness.tree", pattern, inst, fitted, ms.null, minor_version(cert) >= 4
        )
        compare("claim.genuine", claim.genuine, False)
        compare("claim.branches", claim.branches, None)
        log.append(f"c 5 genuineness: no minimiser is genuine ({leaves} refuted leaves cover {{+,-,0}}^{k})")
        return
    if isinstance(evidence, dict) and "quadratic" in evidence:
        if minor_version(cert) < 4:
            raise CertificateError(
                "genuineness.quadratic",
                f"a quadratic refutation is new in version 1.4; this certificate says version {cert['version']}",
            )
        fields = record(evidence, "genuineness", ("quadratic",))
        count = check_quadratic(
            fields["quadratic"], "genuineness.quadratic", pattern, inst, inst.xs, fitted, ms.rank, _null_check
        )
        compare("claim.genuine", claim.genuine, False)
        compare("claim.branches", claim.branches, None)
        log.append(
            f"c 5 genuineness: no minimiser is genuine (a quadratic form with {count} multipliers, >= 0 at every"
        )
        log.append("c   genuine point, is negative on the whole minimiser set)")
        return
    branches = check_genuine_witness(evidence, "genuineness", pattern, inst)
    compare("claim.genuine", claim.genuine, True)
    compare("claim.branches", claim.branches, branches)
    log.append(f"c 5 genuineness: genuine local minimum, branches {' '.join(branches)}")

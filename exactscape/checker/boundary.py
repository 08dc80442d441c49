"""Kind ``boundary`` (FORMAT.md 8, new in 1.1): non-differentiable local minima
on a face (docs/theory.md §4, Theorem 3).

Notation: neuron k on the hyperplane of sample n (x_n != 0); I the pattern of
cell 1 (I[n][k] = 0); e = A R - y; r_j = sum_i I[i][j] e_i x_i (block j of
A^T e); c = E_k x_n. The KKT equations and the sign condition are those of
:mod:`hyperplane` (5.4).

Lemma B (FORMAT.md 8.4) makes a witness sufficient; Lemma C (8.4, proved
there in full) makes a tree sufficient for "none": every local minimum of
the face with sign(z_k) = s solves [38]-[42] with the sign condition, all
solutions share A R (Lemma A), so a tree over the solution set
{A R = p, x_n . R_k = 0} refutes every one.
"""

from fractions import Fraction

from .branchtree import check_tree
from .cones import cell_signs, check_empty_cone, check_in_cells
from .envelope import Instance, parse_instance, require_1_1
from .errors import CertificateError
from .fields import at, compare, item, matrix, parse_pattern, record, vector
from .hyperplane import kkt, sign_condition
from .linalg import ZERO, Pattern, Vector, check_rank_rows, dot, first_nonzero
from .numbers import boolean, describe, integer, rational, show

ROOT_FIELDS = (
    "format",
    "version",
    "kind",
    "instance",
    "claim",
    "pattern",
    "neuron",
    "sample",
    "feasibility",
    "solution",
    "rank",
)
CLAIM_FIELDS = ("feasible", "lambda", "e_n", "loss", "dimension", "plus", "minus")
SIGNS = (("plus", "+"), ("minus", "-"))


def check_face(cert: dict[str, object], inst: Instance) -> tuple[Pattern, int, int]:
    """FORMAT 8.2 (1): pattern as in 4.2; 0 <= k < K, 0 <= n < N; I[n][k] = 0; x_n != 0."""
    pattern = parse_pattern(cert["pattern"], "pattern", inst.n)
    k = integer(cert["neuron"], "neuron", 0, len(pattern[0]) - 1)
    n = integer(cert["sample"], "sample", 0, inst.n - 1)
    if pattern[n][k]:
        raise CertificateError("pattern", f"I[{n}][{k}] must be 0 (the pattern of cell 1)")
    if first_nonzero([inst.xs[n]]) is None:
        raise CertificateError("sample", f"x_{n} = 0: outside Theorem 3")
    return pattern, k, n


def check_feasibility(value: object, path: str, pattern: Pattern, inst: Instance, k: int, n: int) -> bool:
    """FORMAT 8.2 (2): a witness on the face, or Farkas multipliers (never the pair
    (k, n); ``equality`` mu = 0 unless j = k) with sum_i m_i s_i x_i + mu x_n = 0."""
    kk = len(pattern[0])
    if isinstance(value, dict) and "witness" in value:
        fields = record(value, path, ("witness",))
        w_path = at(path, "witness")
        check_in_cells(matrix(fields["witness"], w_path, kk, inst.d), w_path, pattern, inst.xs, (k, n))
        return True
    fields = record(value, path, ("neuron", "multipliers", "equality"))
    j = integer(fields["neuron"], at(path, "neuron"), 0, kk - 1)
    mu = rational(fields["equality"], at(path, "equality"))
    if j != k and mu:
        raise CertificateError(at(path, "equality"), f"only neuron {k} has the face equality; must be 0")
    start = [mu * v for v in inst.xs[n]]
    skip = (k, n) if j == k else None
    check_empty_cone(
        fields["multipliers"], at(path, "multipliers"), inst.xs, cell_signs(pattern, j), start, " + mu x_n", skip
    )
    return False


def check_solution(
    cert: dict[str, object], claim: dict[str, object], pattern: Pattern, inst: Instance, k: int, n: int
) -> tuple[Fraction, Fraction, Fraction, Vector]:
    """FORMAT 8.2 (3), KKT [38]-[42] for ``solution``: x_n . R_k = 0, r_j = 0 (j != k),
    r_k = lambda x_n; lambda, e_n and the loss as claimed. Returns (lambda, e_n, loss, p = A R)."""
    xn = inst.xs[n]
    r = matrix(cert["solution"], "solution", len(pattern[0]), inst.d)
    if dot(r[k], xn):
        raise CertificateError("solution", f"[42] fails: x_{n} . R_{k} = {show(dot(r[k], xn))} != 0")
    lam, e_n, e = kkt(pattern, inst, r, k, n, "solution")
    loss = sum((v * v for v in e), ZERO) / inst.n
    compare("claim.lambda", rational(claim["lambda"], "claim.lambda"), lam)
    compare("claim.e_n", rational(claim["e_n"], "claim.e_n"), e_n)
    compare("claim.loss", rational(claim["loss"], "claim.loss"), loss)
    return lam, e_n, loss, [v + b for v, b in zip(e, inst.y, strict=True)]


def check_dimension(
    cert: dict[str, object], claim: dict[str, object], pattern: Pattern, inst: Instance, k: int, n: int
) -> int:
    """FORMAT 8.2 (3), rank: ``rank`` of [A; c^T] as in 4.2 check 3, and
    ``claim.dimension`` = Kd - rank (the dimension of the solution set [45])."""
    kk, d, xn = len(pattern[0]), inst.d, inst.xs[n]
    rows = [[v for j in range(kk) for v in (x if pattern[i][j] else [ZERO] * d)] for i, x in enumerate(inst.xs)]
    rows.append([v for j in range(kk) for v in (xn if j == k else [ZERO] * d)])
    dimension = kk * d - check_rank_rows(cert["rank"], "rank", rows)
    compare("claim.dimension", integer(claim["dimension"], "claim.dimension"), dimension)
    return dimension


def check_sign_witness(value: object, name: str, s: str, pattern: Pattern, inst: Instance, k: int, n: int) -> None:
    """FORMAT 8.2 (4), witness: sign(z_k) = s, w on the face, and R' = (z_j w_j) satisfies
    [38] and [41] with the sign condition for its own lambda' and e'_n (Lemma B)."""
    kk = len(pattern[0])
    fields = record(value, name, ("witness",))
    w_path = at(name, "witness")
    point = record(fields["witness"], w_path, ("z", "w"))
    z = vector(point["z"], at(w_path, "z"), kk)
    w = matrix(point["w"], at(w_path, "w"), kk, inst.d)
    zk = 1 if s == "+" else -1
    if z[k] * zk <= 0:
        raise CertificateError(item(at(w_path, "z"), k), f"z_{k} = {show(z[k])} does not have sign {s}")
    check_in_cells(w, at(w_path, "w"), pattern, inst.xs, (k, n))
    rw = [[zj * a for a in wj] for zj, wj in zip(z, w, strict=True)]
    lam_w, e_nw, _ = kkt(pattern, inst, rw, k, n, w_path)
    if not sign_condition(zk, lam_w, e_nw):
        raise CertificateError(w_path, "the sign condition fails at the witness")


def check_sign(
    cert: dict[str, object],
    name: str,
    s: str,
    claimed: bool,
    cond: bool,
    pattern: Pattern,
    inst: Instance,
    face: tuple[int, int],
    fitted: Vector,
) -> str:
    """FORMAT 8.2 (4), per sign s: ``{"condition": "fails"}`` (C_s fails, claim false),
    a witness (C_s holds, claim true) or a tree (C_s holds, claim false; Lemma C)."""
    k, n = face
    rel = ">" if s == "+" else "<"
    if name not in cert:
        raise CertificateError("", f"missing field {name!r} (required when the face is non-empty)")
    ev = cert[name]
    if isinstance(ev, dict) and "condition" in ev:
        fields = record(ev, name, ("condition",))
        if fields["condition"] != "fails":
            raise CertificateError(at(name, "condition"), f'expected "fails", found {describe(fields["condition"])}')
        if cond:
            raise CertificateError(at(name, "condition"), f"the sign condition for z_k {s} 0 holds")
        compare(f"claim.{name}", claimed, False)
        return f"c 4 z_k {rel} 0: sign condition {'[29]' if s == '+' else '[30]'} fails: none"
    if not cond:
        raise CertificateError(name, f"the sign condition for z_k {s} 0 fails; the evidence must say so")
    if isinstance(ev, dict) and "witness" in ev:
        check_sign_witness(ev, name, s, pattern, inst, k, n)
        compare(f"claim.{name}", claimed, True)
        return f"c 4 z_k {rel} 0: witness on the face satisfies Lemma B: a non-differentiable local minimum"
    fields = record(ev, name, ("tree",))
    others: tuple[str, ...] = ("+", "-", "0")
    xn = inst.xs[n]
    leaves = check_tree(
        fields["tree"], at(name, "tree"), pattern, inst.xs, fitted, {k: s}, others, frozenset({(k, n)}), (k, xn)
    )
    compare(f"claim.{name}", claimed, False)
    return f"c 4 z_k {rel} 0: {leaves} refuted leaves: no solution of [43] factors on the face"


def check_boundary(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 8.2 in order, appending ``c`` lines to ``log``."""
    require_1_1(cert, "kind 'boundary'", "kind")
    record(cert, "", ROOT_FIELDS, ("plus", "minus"))
    inst = parse_instance(cert["instance"], "instance")
    claim = record(cert["claim"], "claim", CLAIM_FIELDS)
    log.append(inst.summary())
    pattern, k, n = check_face(cert, inst)
    log.append(f"c 1 face: w_{k} . x_{n} = 0, pattern {inst.n} x {len(pattern[0])}")

    feasible = check_feasibility(cert["feasibility"], "feasibility", pattern, inst, k, n)
    compare("claim.feasible", boolean(claim["feasible"], "claim.feasible"), feasible)
    log.append(f"c 2 feasibility: the face is {'non-empty (witness)' if feasible else 'empty (Farkas multipliers)'}")

    lam, e_n, loss, fitted = check_solution(cert, claim, pattern, inst, k, n)
    log.append(f"c 3 KKT [38]-[42]: lambda = {show(lam)}, e_n = {show(e_n)}, loss {show(loss)}")
    dimension = check_dimension(cert, claim, pattern, inst, k, n)
    log.append(f"c 3 solution set [45]: {{R : A R = A R0, x_n . R_k = 0}} of dimension {dimension} (rank of [A; c^T])")

    for name, s in SIGNS:
        claimed = boolean(claim[name], f"claim.{name}")
        if not feasible:
            if name in cert:
                raise CertificateError(name, "must be absent when the face is empty")
            compare(f"claim.{name}", claimed, False)
            continue
        cond = sign_condition(1 if s == "+" else -1, lam, e_n)
        log.append(check_sign(cert, name, s, claimed, cond, pattern, inst, (k, n), fitted))

"""Kind ``saddle`` (FORMAT.md 7, new in 1.1): differentiable saddles of one
cell for given zero sets Z (docs/theory.md §3, Theorem 2).

Per case (zero set Z, S = the other neurons), with e = A R - y for a
solution R of [19] (R_j = 0 on Z; the normal equations on S,
sum_i I[i][j] e_i x_i = 0 for j in S, make e the same for every solution):
- ``saddle``: a point (z, w) strictly inside the cell with z_j = 0 exactly on
  Z, [19] and [21] (w_j . g_j = 0, g_j = sum_i I[i][j] e_i x_i) hold, some
  g_j != 0, and a descent and an ascent curve (5.3) are re-evaluated;
- ``minimum``: the same point checks with every g_j = 0 (then
  A^T (A R - y) = 0: a global minimum of the cell's quadratic);
- ``none``: a solution R and either a cut (C_j cut by {w . g_j = 0} is empty)
  or a tree over {+,-}^S refuting every genuine factorisation.
"""

from collections.abc import Iterator
from itertools import combinations

from .branchtree import check_tree
from .cones import cell_signs, check_empty_cone, check_in_cells
from .curves import check_curve
from .envelope import Instance, parse_instance, require_1_1
from .errors import CertificateError
from .fields import array, at, compare, item, matrix, parse_pattern, record, vector
from .linalg import (
    ZERO,
    Blocks,
    Pattern,
    Vector,
    block_gradient,
    check_rank_rows,
    dot,
    first_nonzero,
    fitted_and_residual,
)
from .numbers import boolean, describe, integer, rational, show

ROOT_FIELDS = ("format", "version", "kind", "instance", "claim", "pattern", "cases")
VERDICTS = ("saddle", "minimum", "none")


def zero_sets(k: int) -> Iterator[list[int]]:
    """Every non-empty subset of 0..K-1, by size, then lexicographically (lazily:
    the checker compares the listed cases one by one, never building all 2^K - 1)."""
    for size in range(1, k + 1):
        for subset in combinations(range(k), size):
            yield list(subset)


def _zero_list(value: object, path: str, k: int) -> list[int]:
    entries = array(value, path, min_length=1)
    out: list[int] = []
    for pos, entry in enumerate(entries):
        j = integer(entry, item(path, pos), 0, k - 1)
        if out and j <= out[-1]:
            raise CertificateError(item(path, pos), f"neuron {j} not after {out[-1]} (must be strictly increasing)")
        out.append(j)
    return out


def _stationary_on_s(
    r: Blocks, path: str, pattern: Pattern, inst: Instance, zero: list[int]
) -> tuple[Vector, list[Vector]]:
    """[19]: sum_i I[i][j] e_i x_i = 0 for j in S; returns e and the g_j of [21] (j in Z)."""
    k = len(pattern[0])
    _, e = fitted_and_residual(pattern, inst.xs, inst.y, r)
    for j in range(k):
        if j in zero:
            continue
        nz = first_nonzero([block_gradient(pattern, inst.xs, e, j)])
        if nz is not None:
            raise CertificateError(path, f"[19] fails: sum_i I[i][{j}] e_i x_i is non-zero at entry {nz[1]} (j in S)")
    return e, [block_gradient(pattern, inst.xs, e, j) for j in zero]


def check_case_rank(
    ev: dict[str, object],
    path: str,
    claim: dict[str, object],
    c_path: str,
    zero: list[int],
    pattern: Pattern,
    inst: Instance,
) -> None:
    """FORMAT 7.2 (1), rank: ``rank`` of A_S as in 4.2 check 3; ``dimension`` = |S| d - rank A_S."""
    k, d = len(pattern[0]), inst.d
    s_blocks = [j for j in range(k) if j not in zero]
    rows = [[v for j in s_blocks for v in (x if pattern[i][j] else [ZERO] * d)] for i, x in enumerate(inst.xs)]
    rank = check_rank_rows(ev["rank"], at(path, "rank"), rows)
    compare(at(c_path, "dimension"), integer(claim["dimension"], at(c_path, "dimension")), len(s_blocks) * d - rank)


def check_residual(
    r: Blocks, path: str, claim: dict[str, object], c_path: str, zero: list[int], pattern: Pattern, inst: Instance
) -> tuple[Vector, list[Vector], str]:
    """FORMAT 7.2 (2): [19] for R, the loss (1/N)||e||^2 and ``gradient_zero`` as claimed.
    Returns (e, the g_j of Z [21], the loss as text)."""
    e, gs = _stationary_on_s(r, path, pattern, inst, zero)
    loss = sum((v * v for v in e), ZERO) / inst.n
    gzero = all(first_nonzero([g]) is None for g in gs)
    compare(at(c_path, "loss"), rational(claim["loss"], at(c_path, "loss")), loss)
    compare(at(c_path, "gradient_zero"), boolean(claim["gradient_zero"], at(c_path, "gradient_zero")), gzero)
    return e, gs, show(loss)


def check_point_case(
    ev: dict[str, object],
    path: str,
    claim: dict[str, object],
    c_path: str,
    zero: list[int],
    pattern: Pattern,
    inst: Instance,
) -> str:
    """FORMAT 7.2 (3) ``saddle`` and (4) ``minimum``: the point strictly inside the cell,
    z_j = 0 exactly on Z, [19], [21]; some g_j != 0 and two curves, or every g_j = 0."""
    k, d = len(pattern[0]), inst.d
    verdict = claim["verdict"]
    names = ("point", "descent", "ascent") if verdict == "saddle" else ("point",)
    fields = record(ev, path, names)
    p_path = at(path, "point")
    point = record(fields["point"], p_path, ("z", "w"))
    z = vector(point["z"], at(p_path, "z"), k)
    w = matrix(point["w"], at(p_path, "w"), k, d)
    check_in_cells(w, at(p_path, "w"), pattern, inst.xs)
    for j in range(k):
        if (j in zero) != (z[j] == 0):
            raise CertificateError(item(at(p_path, "z"), j), f"z_{j} = {show(z[j])} but the zero set is {zero}")
    r = [[zj * a for a in wj] for zj, wj in zip(z, w, strict=True)]
    e, gs = _stationary_on_s(r, p_path, pattern, inst, zero)
    for j, g in zip(zero, gs, strict=True):
        if dot(w[j], g):
            raise CertificateError(item(at(p_path, "w"), j), f"[21] fails: w_{j} . g_{j} = {show(dot(w[j], g))} != 0")
    loss = sum((v * v for v in e), ZERO) / inst.n
    gzero = all(first_nonzero([g]) is None for g in gs)
    compare(at(c_path, "loss"), rational(claim["loss"], at(c_path, "loss")), loss)
    compare(at(c_path, "gradient_zero"), boolean(claim["gradient_zero"], at(c_path, "gradient_zero")), gzero)
    if verdict == "minimum":
        if not gzero:
            raise CertificateError(at(c_path, "verdict"), "'minimum' but some g_j != 0 (a saddle)")
        return f"c case Z = {zero}: minimum (A^T (A R - y) = 0 at a point inside the cell), loss {show(loss)}"
    if gzero:
        raise CertificateError(at(c_path, "verdict"), "'saddle' but every g_j = 0 (a minimum)")
    down = check_curve(fields["descent"], at(path, "descent"), z, w, inst, loss, descent=True)
    up = check_curve(fields["ascent"], at(path, "ascent"), z, w, inst, loss, descent=False)
    return f"c case Z = {zero}: saddle, loss {show(loss)}; {down[2:]}; {up[2:]}"


def check_cut(value: object, path: str, zero: list[int], gs: list[Vector], pattern: Pattern, inst: Instance) -> int:
    """FORMAT 7.2 (5), cut: j in Z, m_i > 0, sum_i m_i s_i x_i + mu g_j = 0: C_j misses
    {w . g_j = 0}. Returns j."""
    cut = record(value, path, ("neuron", "multipliers", "gradient"))
    j = integer(cut["neuron"], at(path, "neuron"), 0, len(pattern[0]) - 1)
    if j not in zero:
        raise CertificateError(at(path, "neuron"), f"neuron {j} is not in the zero set {zero}")
    mu = rational(cut["gradient"], at(path, "gradient"))
    start = [mu * v for v in gs[zero.index(j)]]
    check_empty_cone(cut["multipliers"], at(path, "multipliers"), inst.xs, cell_signs(pattern, j), start, " + mu g_j")
    return j


def check_none_case(
    ev: dict[str, object],
    path: str,
    claim: dict[str, object],
    c_path: str,
    zero: list[int],
    pattern: Pattern,
    inst: Instance,
) -> str:
    """FORMAT 7.2 (5) ``none``: a solution of [19] (R_j = 0 on Z), then a cut or a tree
    over {+,-}^S (the leaf system of 4.2 check 5, Z fixed at branch 0)."""
    k, d = len(pattern[0]), inst.d
    fields = record(ev, path, ("solution",), ("cut", "tree"))
    if ("cut" in fields) == ("tree" in fields):
        raise CertificateError(path, "a 'none' case carries exactly one of 'cut' and 'tree'")
    s_path = at(path, "solution")
    r = matrix(fields["solution"], s_path, k, d)
    for j in zero:
        if first_nonzero([r[j]]) is not None:
            raise CertificateError(item(s_path, j), f"R_{j} must be 0 (j in Z)")
    e, gs, loss = check_residual(r, s_path, claim, c_path, zero, pattern, inst)
    if "cut" in fields:
        j = check_cut(fields["cut"], at(path, "cut"), zero, gs, pattern, inst)
        return f"c case Z = {zero}: none (C_{j} does not meet w . g_{j} = 0), loss {loss}"
    fitted = [v + b for v, b in zip(e, inst.y, strict=True)]
    fixed = {j: "0" for j in zero}
    leaves = check_tree(fields["tree"], at(path, "tree"), pattern, inst.xs, fitted, fixed, ("+", "-"))
    return f"c case Z = {zero}: none ({leaves} refuted leaves cover {{+,-}}^S), loss {loss}"


def check_case(
    ev: object, path: str, claim: dict[str, object], c_path: str, zero: list[int], pattern: Pattern, inst: Instance
) -> str:
    """One case of FORMAT 7.2: the rank of A_S (1), then the verdict's evidence (2-5)."""
    if not isinstance(ev, dict) or "rank" not in ev:
        raise CertificateError(path, "missing field 'rank'")
    check_case_rank(ev, path, claim, c_path, zero, pattern, inst)
    rest = {key: value for key, value in ev.items() if key != "rank"}
    verdict = claim["verdict"]
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        raise CertificateError(at(c_path, "verdict"), f"unknown verdict {describe(verdict)}")
    rational(claim["loss"], at(c_path, "loss"))
    boolean(claim["gradient_zero"], at(c_path, "gradient_zero"))
    if verdict in ("saddle", "minimum"):
        return check_point_case(rest, path, claim, c_path, zero, pattern, inst)
    return check_none_case(rest, path, claim, c_path, zero, pattern, inst)


def check_zero_sets(claim: dict[str, object], cert: dict[str, object], k: int) -> tuple[str, list[list[int]]]:
    """FORMAT 7.2 (1), the zero sets: each ``zero`` is a non-empty strictly
    increasing list of neurons; ``"given"`` has exactly one case, ``"all"``
    every non-empty zero set of 0..K-1 by size, then lexicographically (counted
    first, then compared one by one: the work is linear in the cases present).
    Returns the mode and the zero sets, in the order of the cases."""
    mode = claim["zero_sets"]
    if mode not in ("given", "all"):
        raise CertificateError("claim.zero_sets", f'expected "given" or "all", found {describe(mode)}')
    ccases = array(claim["cases"], "claim.cases", min_length=1)
    array(cert["cases"], "cases", len(ccases))
    zeros = []
    for pos, c in enumerate(ccases):
        c_path = item("claim.cases", pos)
        fields = record(c, c_path, ("zero", "verdict", "loss", "gradient_zero", "dimension"))
        zeros.append(_zero_list(fields["zero"], at(c_path, "zero"), k))
    if mode == "all":
        # 2^K - 1 cases, each with its own evidence: the work is linear in the
        # cases actually present, never exponential in a K the file declares.
        if len(zeros) != 2**k - 1:
            raise CertificateError(
                "claim.cases",
                f"'all' lists every non-empty zero set of 0..{k - 1}: 2^{k} - 1 cases, found {len(zeros)}",
            )
        for pos, (got, want) in enumerate(zip(zeros, zero_sets(k), strict=True)):
            if got != want:
                raise CertificateError(
                    item("claim.cases", pos),
                    f"zero set {got} where 'all' lists {want} (by size, then lexicographically)",
                )
    if mode == "given" and len(zeros) != 1:
        raise CertificateError("claim.cases", "'given' has exactly one case")
    return str(mode), zeros


def check_saddle(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 7.2 in order, appending ``c`` lines to ``log``."""
    require_1_1(cert, "kind 'saddle'", "kind")
    record(cert, "", ROOT_FIELDS)
    inst = parse_instance(cert["instance"], "instance")
    claim = record(cert["claim"], "claim", ("zero_sets", "saddle", "cases"))
    log.append(inst.summary())
    pattern = parse_pattern(cert["pattern"], "pattern", inst.n)
    k = len(pattern[0])
    mode, zeros = check_zero_sets(claim, cert, k)
    claimed_saddle = boolean(claim["saddle"], "claim.saddle")
    ccases = array(claim["cases"], "claim.cases", min_length=1)
    ecases = array(cert["cases"], "cases", len(ccases))
    log.append(f"c pattern: {inst.n} x {k}; {len(zeros)} zero set(s) ({mode})")
    found = False
    for pos, (c, ev, zero) in enumerate(zip(ccases, ecases, zeros, strict=True)):
        c_path = item("claim.cases", pos)
        fields = record(c, c_path, ("zero", "verdict", "loss", "gradient_zero", "dimension"))
        log.append(check_case(ev, item("cases", pos), fields, c_path, zero, pattern, inst))
        found = found or fields["verdict"] == "saddle"
    compare("claim.saddle", claimed_saddle, found)
    log.append(f"c saddle: {'a genuine differentiable saddle exists' if found else 'no genuine differentiable saddle'}")

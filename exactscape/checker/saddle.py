"""Kind ``saddle`` (FORMAT.md 7, new in 1.1): differentiable saddles of one
cell for given zero sets Z (SPEC section 3, Theorem 2).

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

from .branchtree import (
    block_gradient,
    check_rank_rows,
    check_tree,
    compare,
    fitted_and_residual,
    parse_pattern,
    require_1_1,
)
from .envelope import Instance, parse_instance
from .errors import CertificateError
from .fields import array, at, item, keyed, matrix, record, vector
from .linalg import ZERO, Blocks, Pattern, Vector, add_scaled, dot, first_nonzero
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


def _strictly_inside(w: Blocks, path: str, pattern: Pattern, inst: Instance) -> None:
    for j, wj in enumerate(w):
        for i, x in enumerate(inst.xs):
            v = dot(wj, x)
            if (pattern[i][j] and v <= 0) or (not pattern[i][j] and v >= 0):
                want = "> 0" if pattern[i][j] else "< 0"
                raise CertificateError(item(path, j), f"w_{j} . x_{i} = {show(v)} is not {want} (cell of the pattern)")


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


def _check_case(
    ev: object, path: str, claim: dict[str, object], c_path: str, zero: list[int], pattern: Pattern, inst: Instance
) -> str:
    from .point import check_curve

    k, d = len(pattern[0]), inst.d
    if not isinstance(ev, dict) or "rank" not in ev:
        raise CertificateError(path, "missing field 'rank'")
    ev = dict(ev)
    s_blocks = [j for j in range(k) if j not in zero]
    rows = [[v for j in s_blocks for v in (x if pattern[i][j] else [ZERO] * d)] for i, x in enumerate(inst.xs)]
    rank = check_rank_rows(ev.pop("rank"), at(path, "rank"), rows)
    dimension = len(s_blocks) * d - rank
    compare(at(c_path, "dimension"), integer(claim["dimension"], at(c_path, "dimension")), dimension)
    verdict = claim["verdict"]
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        raise CertificateError(at(c_path, "verdict"), f"unknown verdict {describe(verdict)}")
    claimed_loss = rational(claim["loss"], at(c_path, "loss"))
    claimed_gzero = boolean(claim["gradient_zero"], at(c_path, "gradient_zero"))
    if verdict in ("saddle", "minimum"):
        names = ("point", "descent", "ascent") if verdict == "saddle" else ("point",)
        fields = record(ev, path, names)
        p_path = at(path, "point")
        point = record(fields["point"], p_path, ("z", "w"))
        z = vector(point["z"], at(p_path, "z"), k)
        w = matrix(point["w"], at(p_path, "w"), k, d)
        _strictly_inside(w, at(p_path, "w"), pattern, inst)
        for j in range(k):
            if (j in zero) != (z[j] == 0):
                raise CertificateError(item(at(p_path, "z"), j), f"z_{j} = {show(z[j])} but the zero set is {zero}")
        r = [[zj * a for a in wj] for zj, wj in zip(z, w, strict=True)]
        e, gs = _stationary_on_s(r, p_path, pattern, inst, zero)
        for j, g in zip(zero, gs, strict=True):
            if dot(w[j], g):
                raise CertificateError(
                    item(at(p_path, "w"), j), f"[21] fails: w_{j} . g_{j} = {show(dot(w[j], g))} != 0"
                )
        loss = sum((v * v for v in e), ZERO) / inst.n
        gzero = all(first_nonzero([g]) is None for g in gs)
        compare(at(c_path, "loss"), claimed_loss, loss)
        compare(at(c_path, "gradient_zero"), claimed_gzero, gzero)
        if verdict == "minimum":
            if not gzero:
                raise CertificateError(at(c_path, "verdict"), "'minimum' but some g_j != 0 (a saddle)")
            return f"c case Z = {zero}: minimum (A^T (A R - y) = 0 at a point inside the cell), loss {show(loss)}"
        if gzero:
            raise CertificateError(at(c_path, "verdict"), "'saddle' but every g_j = 0 (a minimum)")
        down = check_curve(fields["descent"], at(path, "descent"), z, w, inst, loss, descent=True)
        up = check_curve(fields["ascent"], at(path, "ascent"), z, w, inst, loss, descent=False)
        return f"c case Z = {zero}: saddle, loss {show(loss)}; {down[2:]}; {up[2:]}"
    fields = record(ev, path, ("solution",), ("cut", "tree"))
    if ("cut" in fields) == ("tree" in fields):
        raise CertificateError(path, "a 'none' case carries exactly one of 'cut' and 'tree'")
    s_path = at(path, "solution")
    r = matrix(fields["solution"], s_path, k, d)
    for j in zero:
        if first_nonzero([r[j]]) is not None:
            raise CertificateError(item(s_path, j), f"R_{j} must be 0 (j in Z)")
    e, gs = _stationary_on_s(r, s_path, pattern, inst, zero)
    loss = sum((v * v for v in e), ZERO) / inst.n
    gzero = all(first_nonzero([g]) is None for g in gs)
    compare(at(c_path, "loss"), claimed_loss, loss)
    compare(at(c_path, "gradient_zero"), claimed_gzero, gzero)
    if "cut" in fields:
        cut_path = at(path, "cut")
        cut = record(fields["cut"], cut_path, ("neuron", "multipliers", "gradient"))
        j = integer(cut["neuron"], at(cut_path, "neuron"), 0, k - 1)
        if j not in zero:
            raise CertificateError(at(cut_path, "neuron"), f"neuron {j} is not in the zero set {zero}")
        g = gs[zero.index(j)]
        mu = rational(cut["gradient"], at(cut_path, "gradient"))
        combination = [ZERO] * d
        add_scaled(combination, mu, g)
        m_path = at(cut_path, "multipliers")
        for (i,), payload, p_path in keyed(cut["multipliers"], m_path, (inst.n,), min_length=1):
            m = rational(payload, p_path)
            if m <= 0:
                raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
            add_scaled(combination, m if pattern[i][j] else -m, inst.xs[i])
        nz = first_nonzero([combination])
        if nz is not None:
            raise CertificateError(cut_path, f"sum_i m_i s_i x_i + mu g_{j} is non-zero at entry {nz[1]}")
        line = f"c case Z = {zero}: none (C_{j} does not meet w . g_{j} = 0), loss {show(loss)}"
    else:
        fitted = [v + b for v, b in zip(e, inst.y, strict=True)]
        fixed = {j: "0" for j in zero}
        leaves = check_tree(fields["tree"], at(path, "tree"), pattern, inst.xs, fitted, fixed, ("+", "-"))
        line = f"c case Z = {zero}: none ({leaves} refuted leaves cover {{+,-}}^S), loss {show(loss)}"
    if verdict != "none":  # pragma: no cover - verdict is "none" here
        raise CertificateError(at(c_path, "verdict"), "evidence of 'none'")
    return line


def check_saddle(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 7.2 in order, appending ``c`` lines to ``log``."""
    require_1_1(cert, "kind 'saddle'", "kind")
    record(cert, "", ROOT_FIELDS)
    inst = parse_instance(cert["instance"], "instance")
    claim = record(cert["claim"], "claim", ("zero_sets", "saddle", "cases"))
    log.append(inst.summary())
    pattern = parse_pattern(cert["pattern"], "pattern", inst.n)
    k = len(pattern[0])
    mode = claim["zero_sets"]
    if mode not in ("given", "all"):
        raise CertificateError("claim.zero_sets", f'expected "given" or "all", found {describe(mode)}')
    claimed_saddle = boolean(claim["saddle"], "claim.saddle")
    ccases = array(claim["cases"], "claim.cases", min_length=1)
    ecases = array(cert["cases"], "cases", len(ccases))
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
    log.append(f"c pattern: {inst.n} x {k}; {len(zeros)} zero set(s) ({mode})")
    found = False
    for pos, (c, ev, zero) in enumerate(zip(ccases, ecases, zeros, strict=True)):
        c_path = item("claim.cases", pos)
        fields = record(c, c_path, ("zero", "verdict", "loss", "gradient_zero", "dimension"))
        log.append(_check_case(ev, item("cases", pos), fields, c_path, zero, pattern, inst))
        found = found or fields["verdict"] == "saddle"
    compare("claim.saddle", claimed_saddle, found)
    log.append(f"c saddle: {'a genuine differentiable saddle exists' if found else 'no genuine differentiable saddle'}")

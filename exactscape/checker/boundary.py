"""Kind ``boundary`` (FORMAT.md 8) and the point verdicts on a hyperplane
(FORMAT.md 5.4), new in 1.1: non-differentiable local minima (SPEC section 4,
Theorem 3).

Notation: neuron k on the hyperplane of sample n (x_n != 0); I the pattern of
cell 1 (I[n][k] = 0); e = A R - y; r_j = sum_i I[i][j] e_i x_i (block j of
A^T e); c = E_k x_n.

Lemma B (FORMAT.md 8.4): if R = (z_j w_j) at a point with exactly the pair
(k, n) on a hyperplane and z_k != 0 satisfies r_j = 0 (j != k),
r_k = lambda x_n and z_k lambda <= 0 <= z_k (lambda + e_n), the point is a
local minimum. Lemma C: every local minimum of the face is such a point; and
all solutions R of [38]-[42] share A R, hence e and lambda (Lemma A), so a
tree over the solution set {A R = p, x_n . R_k = 0} refutes every one.
"""

from fractions import Fraction

from .branchtree import (
    block_gradient,
    check_rank_rows,
    check_tree,
    compare,
    fitted_and_residual,
    minor_version,
    parse_pattern,
    require_1_1,
)
from .envelope import Instance, parse_instance
from .errors import CertificateError
from .fields import at, item, keyed, matrix, record, vector
from .linalg import ZERO, Blocks, Pattern, Vector, add_scaled, dot, first_nonzero
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
SIGNS = (("plus", "+"), ("minus", "-"))


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


def _on_face(w: Blocks, path: str, pattern: Pattern, inst: Instance, k: int, n: int) -> None:
    """w_k . x_n = 0 and every other pair strictly on the side of the pattern."""
    for j, wj in enumerate(w):
        for i, x in enumerate(inst.xs):
            v = dot(wj, x)
            if (j, i) == (k, n):
                if v:
                    raise CertificateError(item(path, j), f"w_{k} . x_{n} = {show(v)} is not 0 (the face)")
            elif (pattern[i][j] and v <= 0) or (not pattern[i][j] and v >= 0):
                want = "> 0" if pattern[i][j] else "< 0"
                raise CertificateError(item(path, j), f"w_{j} . x_{i} = {show(v)} is not {want}")


def _feasibility(value: object, path: str, pattern: Pattern, inst: Instance, k: int, n: int) -> bool:
    kk = len(pattern[0])
    if isinstance(value, dict) and "witness" in value:
        fields = record(value, path, ("witness",))
        w_path = at(path, "witness")
        _on_face(matrix(fields["witness"], w_path, kk, inst.d), w_path, pattern, inst, k, n)
        return True
    fields = record(value, path, ("neuron", "multipliers", "equality"))
    j = integer(fields["neuron"], at(path, "neuron"), 0, kk - 1)
    mu = rational(fields["equality"], at(path, "equality"))
    if j != k and mu:
        raise CertificateError(at(path, "equality"), f"only neuron {k} has the face equality; must be 0")
    combination = [ZERO] * inst.d
    add_scaled(combination, mu, inst.xs[n])
    m_path = at(path, "multipliers")
    for (i,), payload, p_path in keyed(fields["multipliers"], m_path, (inst.n,), min_length=1):
        if (j, i) == (k, n):
            raise CertificateError(p_path, f"pair ({k}, {n}) lies on the face and has no sign row")
        m = rational(payload, p_path)
        if m <= 0:
            raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
        add_scaled(combination, m if pattern[i][j] else -m, inst.xs[i])
    nz = first_nonzero([combination])
    if nz is not None:
        raise CertificateError(m_path, f"the combination is non-zero at coordinate {nz[1]}")
    return False


def check_boundary(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 8.2 in order, appending ``c`` lines to ``log``."""
    require_1_1(cert, "kind 'boundary'", "kind")
    record(cert, "", ROOT_FIELDS, ("plus", "minus"))
    inst = parse_instance(cert["instance"], "instance")
    claim = record(cert["claim"], "claim", ("feasible", "lambda", "e_n", "loss", "dimension", "plus", "minus"))
    log.append(inst.summary())
    pattern = parse_pattern(cert["pattern"], "pattern", inst.n)
    kk = len(pattern[0])
    k = integer(cert["neuron"], "neuron", 0, kk - 1)
    n = integer(cert["sample"], "sample", 0, inst.n - 1)
    if pattern[n][k]:
        raise CertificateError("pattern", f"I[{n}][{k}] must be 0 (the pattern of cell 1)")
    xn = inst.xs[n]
    if first_nonzero([xn]) is None:
        raise CertificateError("sample", f"x_{n} = 0: outside Theorem 3")
    log.append(f"c 1 face: w_{k} . x_{n} = 0, pattern {inst.n} x {kk}")

    feasible = _feasibility(cert["feasibility"], "feasibility", pattern, inst, k, n)
    compare("claim.feasible", boolean(claim["feasible"], "claim.feasible"), feasible)
    log.append(f"c 2 feasibility: the face is {'non-empty (witness)' if feasible else 'empty (Farkas multipliers)'}")

    r = matrix(cert["solution"], "solution", kk, inst.d)
    if dot(r[k], xn):
        raise CertificateError("solution", f"[42] fails: x_{n} . R_{k} = {show(dot(r[k], xn))} != 0")
    lam, e_n, e = kkt(pattern, inst, r, k, n, "solution")
    loss = sum((v * v for v in e), ZERO) / inst.n
    compare("claim.lambda", rational(claim["lambda"], "claim.lambda"), lam)
    compare("claim.e_n", rational(claim["e_n"], "claim.e_n"), e_n)
    compare("claim.loss", rational(claim["loss"], "claim.loss"), loss)
    log.append(f"c 3 KKT [38]-[42]: lambda = {show(lam)}, e_n = {show(e_n)}, loss {show(loss)}")
    d = inst.d
    rows = [[v for j in range(kk) for v in (x if pattern[i][j] else [ZERO] * d)] for i, x in enumerate(inst.xs)]
    rows.append([v for j in range(kk) for v in (xn if j == k else [ZERO] * d)])
    dimension = kk * d - check_rank_rows(cert["rank"], "rank", rows)
    compare("claim.dimension", integer(claim["dimension"], "claim.dimension"), dimension)
    log.append(f"c 3 solution set [45]: {{R : A R = A R0, x_n . R_k = 0}} of dimension {dimension} (rank of [A; c^T])")
    fitted = [v + b for v, b in zip(e, inst.y, strict=True)]

    for name, s in SIGNS:
        claimed = boolean(claim[name], f"claim.{name}")
        zk = 1 if s == "+" else -1
        rel = ">" if zk > 0 else "<"
        if not feasible:
            if name in cert:
                raise CertificateError(name, "must be absent when the face is empty")
            compare(f"claim.{name}", claimed, False)
            continue
        if name not in cert:
            raise CertificateError("", f"missing field {name!r} (required when the face is non-empty)")
        cond = sign_condition(zk, lam, e_n)
        ev = cert[name]
        if isinstance(ev, dict) and "condition" in ev:
            fields = record(ev, name, ("condition",))
            if fields["condition"] != "fails":
                raise CertificateError(
                    at(name, "condition"), f'expected "fails", found {describe(fields["condition"])}'
                )
            if cond:
                raise CertificateError(at(name, "condition"), f"the sign condition for z_k {s} 0 holds")
            compare(f"claim.{name}", claimed, False)
            log.append(f"c 4 z_k {rel} 0: sign condition {'[29]' if zk > 0 else '[30]'} fails: none")
            continue
        if not cond:
            raise CertificateError(name, f"the sign condition for z_k {s} 0 fails; the evidence must say so")
        if isinstance(ev, dict) and "witness" in ev:
            fields = record(ev, name, ("witness",))
            w_path = at(name, "witness")
            point = record(fields["witness"], w_path, ("z", "w"))
            z = vector(point["z"], at(w_path, "z"), kk)
            w = matrix(point["w"], at(w_path, "w"), kk, inst.d)
            if z[k] * zk <= 0:
                raise CertificateError(item(at(w_path, "z"), k), f"z_{k} = {show(z[k])} does not have sign {s}")
            _on_face(w, at(w_path, "w"), pattern, inst, k, n)
            rw = [[zj * a for a in wj] for zj, wj in zip(z, w, strict=True)]
            lam_w, e_nw, _ = kkt(pattern, inst, rw, k, n, w_path)
            if not sign_condition(zk, lam_w, e_nw):
                raise CertificateError(w_path, "the sign condition fails at the witness")
            compare(f"claim.{name}", claimed, True)
            log.append(f"c 4 z_k {rel} 0: witness on the face satisfies Lemma B: a non-differentiable local minimum")
            continue
        fields = record(ev, name, ("tree",))
        others: tuple[str, ...] = ("+", "-", "0")
        leaves = check_tree(
            fields["tree"], at(name, "tree"), pattern, inst.xs, fitted, {k: s}, others, frozenset({(k, n)}), (k, xn)
        )
        compare(f"claim.{name}", claimed, False)
        log.append(f"c 4 z_k {rel} 0: {leaves} refuted leaves: no solution of [43] factors on the face")


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
    """FORMAT.md 5.4: verdicts of 1.1 for a point on a hyperplane. Returns a ``c`` line."""
    from .point import check_curve

    why = None
    if len(on) >= 2:
        why = f"{len(on)} pairs (j, i) with w_j . x_i = 0"
    elif not on:
        why = "the point is inside a cell"
    elif first_nonzero([inst.xs[on[0][1]]]) is None:
        why = f"x_{on[0][1]} = 0"
    elif not z[on[0][0]]:
        why = f"z_{on[0][0]} = 0"
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
    k, n = on[0]
    if verdict == "not-a-local-minimum":
        return check_curve(cert["descent"], "descent", z, w, inst, loss, descent=True)
    if verdict != "non-differentiable-local-minimum":  # pragma: no cover - dispatch passes only these
        raise CertificateError("claim.verdict", f"unknown verdict {describe(verdict)}")
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
    return f"c non-differentiable local minimum (Lemma B): w_{k} . x_{n} = 0, lambda = {show(lam)}, e_n = {show(e_n)}"

"""Producer-side re-derivation of the certificate kinds new in 1.1 (saddle,
boundary), for the mutation tests: a mutant that the checker accepts must be
confirmed here claim by claim and piece of evidence by piece of evidence, with
the producer's own code (flint least squares, exact Farkas verification,
exact loss polynomials), or it is a false certificate."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from exactscape import api
from exactscape.core import linalg
from exactscape.core.curves import Curve, loss_polynomial, lowest_change
from exactscape.core.design import block_gradient, cell_sign, in_cell
from exactscape.core.model import Instance, Pattern, Weights, dot, instance_from_json
from exactscape.core.numbers import parse_rational
from exactscape.core.polyhedra import Farkas
from exactscape.io import certify
from exactscape.theory.boundary import analyse_face, classify_boundary_point, sign_condition
from exactscape.theory.branches import BRANCHES, BranchProblem, BranchSearch

F = Fraction


def in_face(inst: Instance, pat: Pattern, k: int, n: int, j: int, w: tuple[Fraction, ...]) -> bool:
    """w in C_j (j != k), or on the face of neuron k (x_n . w = 0, strict elsewhere)."""
    if j != k:
        return in_cell(inst, pat, j, w)
    return dot(w, inst.xs[n]) == 0 and all(
        cell_sign(pat, i, k) * dot(w, x) > 0 for i, x in enumerate(inst.xs) if i != n
    )


def _q(v: Any) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, str) and "." in v):
        raise ValueError("not a certificate number")
    return parse_rational(v, "mutant", decimals=False)


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("not an integer")
    return v


def _instance(m: dict[str, Any]) -> Instance:
    return instance_from_json({"format": "exactscape-instance", "version": 1, **m["instance"]})


def _weights(p: dict[str, Any]) -> Weights:
    if set(p) != {"z", "w"}:
        raise ValueError("fields")
    return Weights(tuple(_q(v) for v in p["z"]), tuple(tuple(_q(v) for v in r) for r in p["w"]))


def _curve(c: dict[str, Any]) -> Curve:
    if set(c) != {"dz", "dw"}:
        raise ValueError("fields")
    return Curve(
        dz=tuple((_int(j), tuple(_q(v) for v in cs)) for j, cs in c["dz"]),
        dw=tuple((_int(j), _int(l), tuple(_q(v) for v in cs)) for j, l, cs in c["dw"]),
    )


def _residual(inst: Instance, pat: Pattern, R: list[tuple[Fraction, ...]]) -> list[Fraction]:
    return [sum((dot(R[j], x) for j in range(pat.K) if pat.I[i][j]), F(0)) - inst.y[i] for i, x in enumerate(inst.xs)]


def _rank_ok(rank: Any, rows: list[list[Fraction]]) -> bool:
    """Basis rows independent (flint rank), every other row the given combination, in order."""
    if set(rank) != {"basis_rows", "combinations"}:
        return False
    basis = [_int(b) for b in rank["basis_rows"]]
    if basis != sorted(set(basis)) or any(b < 0 or b >= len(rows) for b in basis):
        return False
    width = len(rows[0])
    if basis and linalg.rank_factorisation(linalg.matrix([rows[b] for b in basis], width)).rank != len(basis):
        return False
    combos = [(_int(i), [_q(c) for c in cs]) for i, cs in rank["combinations"]]
    if [i for i, _ in combos] != [i for i in range(len(rows)) if i not in basis]:
        return False
    for i, cs in combos:
        if len(cs) != len(basis):
            return False
        if [sum((c * rows[b][col] for c, b in zip(cs, basis, strict=True)), F(0)) for col in range(width)] != rows[i]:
            return False
    return True


def _tree_ok(node: Any, search: BranchSearch, sigma: dict[int, str], split: tuple[str, ...], face: bool) -> bool:
    if "leaf" in node:
        if set(node) != {"leaf"}:
            return False
        leaf = node["leaf"]
        if set(leaf) != ({"fit", "face", "sign"} if face else {"fit", "sign"}):
            return False
        system, _, keys = search.system(sigma)
        N = search.p.instance.N
        fit = {_int(i): _q(v) for i, v in leaf["fit"]}
        sign = {(_int(j), _int(i)): _q(v) for j, i, v in leaf["sign"]}
        if len(fit) != len(leaf["fit"]) or len(sign) != len(leaf["sign"]) or not set(sign) <= set(keys):
            return False
        mE = tuple(fit.get(i, F(0)) for i in range(N)) + ((_q(leaf["face"]),) if face else ())
        if set(fit) - set(range(N)):
            return False
        return system.verify_farkas(Farkas(mE, tuple(sign.get(k, F(0)) for k in keys), ()))
    j = _int(node["split"])
    if set(node) != {"split", *split} or j in sigma or len(search.p.allowed[j]) == 1:
        return False
    return all(_tree_ok(node[b], search, {**sigma, j: b}, split, face) for b in split)


def _curve_ok(inst: Instance, w: Weights, c: Any, sign: int) -> bool:
    low = lowest_change(loss_polynomial(inst, w, _curve(c)))
    return low is not None and (low[1] > 0) == (sign > 0)


def saddle_true(m: dict[str, Any]) -> bool:
    inst = _instance(m)
    pat = Pattern(tuple(tuple(_int(v) for v in r) for r in m["pattern"]))
    claim = m["claim"]
    mode = claim["zero_sets"]
    zs = [tuple(_int(j) for j in c["zero"]) for c in claim["cases"]]
    res = api.saddles(
        inst, pattern=pat, zero=zs[0] if mode == "given" else None, all_zero_sets=mode == "all", verify=False
    )
    if res.certificate["claim"] != claim or len(m["cases"]) != len(zs):
        return False
    K = pat.K
    for c, ev, Z in zip(claim["cases"], m["cases"], zs, strict=True):
        S = [j for j in range(K) if j not in Z]
        ev = dict(ev)
        rows = [[v for j in S for v in (x if pat.I[i][j] else (F(0),) * inst.d)] for i, x in enumerate(inst.xs)]
        if not _rank_ok(ev.pop("rank"), rows):
            return False
        if c["verdict"] in ("saddle", "minimum"):
            if set(ev) != ({"point", "descent", "ascent"} if c["verdict"] == "saddle" else {"point"}):
                return False
            w = _weights(ev["point"])
            if w.K != K or not all(in_cell(inst, pat, j, w.w[j]) for j in range(K)):
                return False
            if any((j in Z) != (w.z[j] == 0) for j in range(K)):
                return False
            R = [tuple(w.z[j] * v for v in w.w[j]) for j in range(K)]
            e = _residual(inst, pat, R)
            if any(any(block_gradient(inst, pat, e, j)) for j in S):
                return False
            if any(dot(w.w[j], block_gradient(inst, pat, e, j)) for j in Z):
                return False
            if c["verdict"] == "saddle" and not (
                _curve_ok(inst, w, ev["descent"], -1) and _curve_ok(inst, w, ev["ascent"], 1)
            ):
                return False
            continue
        if set(ev) not in ({"solution", "cut"}, {"solution", "tree"}):
            return False
        R = [tuple(_q(v) for v in r) for r in ev["solution"]]
        if len(R) != K or any(any(R[j]) for j in Z):
            return False
        e = _residual(inst, pat, R)
        if any(any(block_gradient(inst, pat, e, j)) for j in S):
            return False
        if "cut" in ev:
            cut = ev["cut"]
            if set(cut) != {"neuron", "multipliers", "gradient"}:
                return False
            j = _int(cut["neuron"])
            if j not in Z or not cut["multipliers"]:
                return False
            comb = [_q(cut["gradient"]) * v for v in block_gradient(inst, pat, e, j)]
            for i, mv in cut["multipliers"]:
                mi = _q(mv)
                if mi <= 0:
                    return False
                comb = [a + mi * cell_sign(pat, _int(i), j) * b for a, b in zip(comb, inst.xs[_int(i)], strict=True)]
            if any(comb):
                return False
        else:
            fitted = tuple(v + b for v, b in zip(e, inst.y, strict=True))
            prob = BranchProblem(inst, pat, fitted, tuple(("0",) if j in Z else ("+", "-") for j in range(K)))
            if not _tree_ok(ev["tree"], BranchSearch(prob), {j: "0" for j in Z}, ("+", "-"), False):
                return False
    return True


def boundary_true(m: dict[str, Any]) -> bool:
    inst = _instance(m)
    pat = Pattern(tuple(tuple(_int(v) for v in r) for r in m["pattern"]))
    k, n = _int(m["neuron"]), _int(m["sample"])
    a = analyse_face(inst, pat, k, n)
    if certify.boundary_claim(a) != m["claim"]:
        return False
    K, xn = pat.K, inst.xs[n]
    feas = m["feasibility"]
    if "witness" in feas:
        if set(feas) != {"witness"}:
            return False
        wit = [tuple(_q(v) for v in r) for r in feas["witness"]]
        if len(wit) != K or not all(in_face(inst, pat, k, n, j, wit[j]) for j in range(K)):
            return False
    else:
        if set(feas) != {"neuron", "multipliers", "equality"}:
            return False
        j, mu = _int(feas["neuron"]), _q(feas["equality"])
        if (j != k and mu) or not feas["multipliers"]:
            return False
        comb = [mu * v for v in xn]
        for i, mv in feas["multipliers"]:
            mi = _q(mv)
            if mi <= 0 or (j, _int(i)) == (k, n):
                return False
            comb = [x + mi * cell_sign(pat, _int(i), j) * b for x, b in zip(comb, inst.xs[_int(i)], strict=True)]
        if any(comb):
            return False
    R = [tuple(_q(v) for v in r) for r in m["solution"]]
    if len(R) != K or dot(R[k], xn) != 0:
        return False
    d = inst.d
    rows = [[v for j in range(K) for v in (x if pat.I[i][j] else (F(0),) * d)] for i, x in enumerate(inst.xs)]
    rows.append([v for j in range(K) for v in (xn if j == k else (F(0),) * d)])
    if not _rank_ok(m["rank"], rows):
        return False
    e = _residual(inst, pat, R)
    lam = a.solution.lam
    for j in range(K):
        want = tuple(lam * v for v in xn) if j == k else tuple(F(0) for _ in xn)
        if block_gradient(inst, pat, e, j) != want:
            return False
    for name, s in (("plus", "+"), ("minus", "-")):
        if not a.feasibility.feasible:
            if name in m:
                return False
            continue
        ev = m[name]
        cond = sign_condition(s, a.solution.lam, a.solution.e_n)
        if set(ev) == {"condition"}:
            if ev["condition"] != "fails" or cond:
                return False
        elif set(ev) == {"witness"}:
            w = _weights(ev["witness"])
            zk = w.z[k] if w.K == K else F(0)
            if not cond or (zk > 0) != (s == "+") or zk == 0:
                return False
            if not all(in_face(inst, pat, k, n, j, w.w[j]) for j in range(K)):
                return False
            if not classify_boundary_point(inst, w, k, n).minimum:
                return False
        elif set(ev) == {"tree"}:
            if not cond:
                return False
            fitted = tuple(v + b for v, b in zip(e, inst.y, strict=True))
            allowed = tuple((s,) if j == k else BRANCHES for j in range(K))
            prob = BranchProblem(inst, pat, fitted, allowed, None, frozenset({(k, n)}), ((k, xn),))
            if not _tree_ok(ev["tree"], BranchSearch(prob), {k: s}, BRANCHES, True):
                return False
        else:
            return False
    return True


def still_true_1_1(m: dict[str, Any]) -> bool:
    """Re-derive a ``saddle`` or ``boundary`` certificate; False if anything differs."""
    try:
        return saddle_true(m) if m["kind"] == "saddle" else boundary_true(m)
    except Exception:  # noqa: BLE001 - a malformed mutant is never "still true"
        return False

"""Producer-side re-derivation of a `region` certificate (FORMAT.md 9), for the
mutation tests: is a mutant the checker accepted still a true certificate?"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import cdd
import cdd.gmp as cg

from exactscape.core import polyhedra
from exactscape.core.design import in_cell
from exactscape.core.linalg import rank
from exactscape.core.model import Instance, Pattern
from exactscape.landscape.region import region
from exactscape.landscape.region_dd import (
    ZERO,
    Defining,
    Region,
    Row,
    cell_defining,
    describe,
    face_defining,
    primitive,
)
from exactscape.theory.saddles import analyse_zero_set


def _q(v: Any) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise TypeError("not an exact number")
    return Fraction(v)


def _vecs(rows: Any) -> list[tuple[Fraction, ...]]:
    return [tuple(_q(v) for v in r) for r in rows]


def still_true_region(m: dict[str, Any]) -> bool:
    inst = Instance(
        X=tuple(tuple(_q(v) for v in r) for r in m["instance"]["X"]),
        y=tuple(_q(v) for v in m["instance"]["y"]),
        bias=m["instance"]["bias"],
    )
    pat = Pattern(tuple(tuple(r) for r in m["pattern"]))
    claim = m["claim"]
    kind, branches = claim["region"], tuple(claim["branches"])
    face = (m["face"]["neuron"], m["face"]["sample"]) if "face" in m else None
    if m.get("version") not in ("1.2", "1.3"):
        return False
    res = region(inst, pat, branches, kind, face, verify=False)
    if res.certificate["claim"] != claim:
        return False
    reg = res.region
    R0 = _vecs([m["solution"]])[0]
    df = (
        face_defining(inst, pat, face[0], face[1], branches, R0)
        if face is not None
        else cell_defining(inst, pat, branches, R0)
    )
    if df.f != reg.defining.f:
        return False
    if kind == "saddle":
        d = inst.d
        if any(R0[j * d + i] for j, b in enumerate(branches) if b == "0" for i in range(d)):
            return False
    if face is not None and sum(a * b for a, b in zip(df.E[-1], R0, strict=True)) != 0:
        return False
    cl = m["closure"]
    if set(_vecs(cl["vertices"])) != set(reg.vertices):
        return False
    if {primitive(r) for r in _vecs(cl["rays"])} != set(reg.rays) or len(cl["rays"]) != len(reg.rays):
        return False
    n = reg.n
    lines = _vecs(cl["lines"])
    if len(lines) != len(reg.lines) or rank([*reg.lines, *lines], n) != len(reg.lines):
        return False
    eqs = _vecs(cl["equations"])
    if len(eqs) != len(reg.equations) or rank([*reg.equations, *eqs], n + 1) != len(reg.equations):
        return False
    ineq = reg.defining.inequalities()
    if sorted(tuple(k) for k in cl["facets"]) != sorted(ineq[i][2] for i in reg.facets):
        return False
    if not {tuple(k) for k in cl["implicit"]} <= {ineq[i][2] for i in reg.implicit}:
        return False
    if m["version"] == "1.3" and not _closure_proofs_true(cl, reg, claim, _vecs(cl["equations"])):
        return False
    if not claim["empty"]:
        if not reg.defining.system().verify_point(_vecs([m["interior"]])[0]):
            return False
        grads: dict[int, tuple[Fraction, ...]] = {}
        if kind == "saddle":
            grads = dict(analyse_zero_set(inst, pat, tuple(j for j, b in enumerate(branches) if b == "0")).g)
        for j, w in m["zero_witness"]:
            wq = tuple(_q(v) for v in w)
            if not in_cell(inst, pat, j, wq):
                return False
            if j in grads and sum(a * b for a, b in zip(wq, grads[j], strict=True)) != 0:
                return False
        return True
    e = m["emptiness"]
    if "condition" in e:
        return not res.condition
    mE = {int(r): _q(v) for r, v in e["equalities"]}
    mG = {(int(j), int(i)): _q(v) for j, i, v in e["sign"]}
    keys = list(reg.defining.keys)
    if not set(mG) <= set(keys) or not set(mE) <= set(range(len(reg.defining.E))):
        return False
    cert = polyhedra.Farkas(
        tuple(mE.get(r, Fraction(0)) for r in range(len(reg.defining.E))),
        tuple(mG.get(k, Fraction(0)) for k in keys),
        (),
    )
    return reg.defining.system().verify_farkas(cert)


def _closure_proofs_true(cl: dict[str, Any], reg: Region, claim: dict[str, Any], eqs: list[Row]) -> bool:
    """The evidence new in 1.3 (FORMAT 9.2 check 7), re-derived with the producer's exact
    arithmetic: the implicit rows are exactly cdd's, with a positive vanishing combination;
    a relative interior point; a boundedness combination; every redundant row implied."""
    df = reg.defining
    n = df.n
    ineq = df.inequalities()
    index = {ineq[i][2]: i for i in range(len(ineq))}
    J = sorted(index[tuple(k)] for k in cl["implicit"])
    if J != sorted(reg.implicit):
        return False

    def combination(proof: dict[str, Any]) -> tuple[list[Fraction], Fraction, list[int]] | None:
        comb, beta, used = [ZERO] * n, ZERO, []
        for r, v in proof["equalities"]:
            m = _q(v)
            comb = [c + m * a for c, a in zip(comb, df.E[int(r)], strict=True)]
            beta += m * df.f[int(r)]
        for j, i, v in proof["sign"]:
            m, r = _q(v), index[(int(j), int(i))]
            if m <= 0:
                return None
            comb = [c + m * a for c, a in zip(comb, ineq[r][0], strict=True)]
            beta += m * ineq[r][1]
            used.append(r)
        return comb, beta, used

    if reg.closure_empty:
        return not any(k in cl for k in ("relative_interior", "implicit_proof", "bounded_proof")) and not cl.get(
            "redundant"
        )
    if J:
        got = combination(cl["implicit_proof"])
        if got is None or any(got[0]) or got[1] != 0 or sorted(got[2]) != J:
            return False
    if "relative_interior" in cl:
        v = _vecs([cl["relative_interior"]])[0]
        E = list(df.E) + [ineq[i][0] for i in J]
        f = list(df.f) + [ineq[i][1] for i in J]
        others = [i for i in range(len(ineq)) if i not in J]
        sys_ = polyhedra.System(
            n=n, E=tuple(E), f=tuple(f), G=tuple(ineq[i][0] for i in others), h=tuple(ineq[i][1] for i in others)
        )
        if not sys_.verify_point(v):
            return False
    if claim["bounded"]:
        got = combination(cl["bounded_proof"])
        if got is None or any(got[0]) or rank(list(df.E) + [ineq[r][0] for r in got[2]], n) != n:
            return False
    rows = set()
    for entry in cl["redundant"]:
        r = index[tuple(entry["row"])]
        comb, const = [ZERO] * n, ZERO
        for j, i, v in entry["facets"]:
            m, f_ = _q(v), index[(int(j), int(i))]
            if m <= 0 or f_ not in reg.facets:
                return False
            comb = [c + m * a for c, a in zip(comb, ineq[f_][0], strict=True)]
            const += m * ineq[f_][1]
        for e, v in entry["equations"]:
            m = _q(v)
            comb = [c + m * a for c, a in zip(comb, eqs[int(e)][1:], strict=True)]
            const -= m * eqs[int(e)][0]
        if comb != list(ineq[r][0]) or const < ineq[r][1]:
            return False
        rows.add(r)
    return rows == set(range(len(ineq))) - set(reg.facets) - set(J)


def h_to_v_roundtrip(region: Region) -> tuple[tuple[Row, ...], tuple[Row, ...], tuple[Row, ...]]:
    """V -> H -> V: rebuild cl P from its generators with cdd, take its inequalities,
    enumerate again, and return the canonical (vertices, rays, lines); a test oracle:
    the V and H descriptions of a region must agree."""
    n = region.n
    rows: list[list[Fraction]] = []
    lin: set[int] = set()
    for v in region.vertices:
        rows.append([Fraction(1), *v])
    for r in region.rays:
        rows.append([ZERO, *r])
    for ln in region.lines:
        lin.add(len(rows))
        rows.append([ZERO, *ln])
    gm = cg.matrix_from_array(rows, rep_type=cdd.RepType.GENERATOR, lin_set=lin)
    hm = cg.copy_inequalities(cg.polyhedron_from_matrix(gm))
    h_rows = [[Fraction(x) for x in r] for r in hm.array]
    E = tuple(tuple(r[1:]) for k, r in enumerate(h_rows) if k in hm.lin_set)
    f = tuple(-r[0] for k, r in enumerate(h_rows) if k in hm.lin_set)
    H = tuple(tuple(r[1:]) for k, r in enumerate(h_rows) if k not in hm.lin_set)
    kk = tuple(-r[0] for k, r in enumerate(h_rows) if k not in hm.lin_set)
    df = Defining(n=n, E=E, f=f, G=(), h=(), keys=(), H=H, k=kk, hkeys=tuple((i,) for i in range(len(H))))
    back = describe(df)
    return back.vertices, back.rays, back.lines

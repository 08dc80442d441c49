"""Producer-side re-derivation of certificates of the kinds new in 1.2
(census, infimum): the oracle that confirms a mutant the checker accepted is
still true."""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

from exactscape.core.design import in_cell
from exactscape.core.model import Pattern
from exactscape.core.polyhedra import Farkas, System
from exactscape.landscape.atlas import census_certificate, infimum_certificate
from exactscape.theory.census import enumerate_cells
from exactscape.theory.infimum import cell_infimum, verify


def still_true_1_2(m: dict[str, Any]) -> bool:
    return census_still_true(m) if m["kind"] == "census" else infimum_still_true(m)


def census_still_true(m: dict[str, Any]) -> bool:
    """Producer-side re-derivation of a census certificate."""
    from exactscape.core.model import instance_from_json
    from exactscape.core.numbers import parse_rational

    inst = instance_from_json({"format": "exactscape-instance", "version": 1, **m["instance"]})
    census = enumerate_cells(inst)
    again = census_certificate(census, int(m["claim"]["neurons"]))
    if again["claim"] != m["claim"] or m["version"] not in ("1.2", "1.3"):
        return False
    if "walls" in m and not _walls_true(inst, census, m):
        return False
    cells = m["cells"]
    if sorted(tuple(c["active"]) for c in cells) != sorted(tuple(c["active"]) for c in again["cells"]):
        return False
    for c in cells:
        pat = Pattern(tuple((a,) for a in c["active"]))
        w = tuple(parse_rational(v, "w", decimals=False) for v in c["witness"])
        if not in_cell(inst, pat, 0, w):
            return False

    def walk(node: dict[str, Any], signs: list[int]) -> bool:
        if "empty" in node:
            G = tuple(tuple(s * v for v in inst.xs[i]) for i, s in enumerate(signs))
            mult = {int(i): parse_rational(v, "m", decimals=False) for i, v in node["empty"]}
            mG = tuple(mult.get(i, F(0)) for i in range(len(signs)))
            return all(v > 0 for v in mult.values()) and System(n=inst.d, G=G, h=(F(0),) * len(G)).verify_farkas(
                Farkas((), mG, ())
            )
        if "cell" in node:
            return cells[node["cell"]]["active"] == [1 if s > 0 else 0 for s in signs]
        return walk(node["+"], [*signs, 1]) and walk(node["-"], [*signs, -1])

    return walk(m["tree"], [])


def infimum_still_true(m: dict[str, Any]) -> bool:
    from exactscape.core.model import instance_from_json
    from exactscape.core.numbers import parse_rational
    from exactscape.theory.infimum import BranchInfimum

    inst = instance_from_json({"format": "exactscape-instance", "version": 1, **m["instance"]})
    pat = Pattern(tuple(tuple(r) for r in m["pattern"]))
    ci = cell_infimum(inst, pat)
    if ci is None or m["version"] not in ("1.2", "1.3") or (m["version"] == "1.3") != ("witness" in m):
        return False
    if m["claim"] != infimum_certificate(inst, ci)["claim"]:
        return False
    q = lambda v: parse_rational(v, "v", decimals=False)  # noqa: E731
    if "witness" in m:  # new in 1.3: the cell is non-empty
        wit = [tuple(q(v) for v in r) for r in m["witness"]]
        if len(wit) != pat.K or not all(in_cell(inst, pat, j, wit[j]) for j in range(pat.K)):
            return False
    for c, want in zip(m["cases"], ci.cases, strict=True):
        b = BranchInfimum(
            tuple(c["branches"]),
            tuple(tuple(q(v) for v in r) for r in c["R"]),
            tuple((int(j), int(i), q(v)) for j, i, v in c["multipliers"]),
            want.loss,
        )
        if not verify(inst, pat, b):
            return False
    return True


def _walls_true(inst: Any, census: Any, m: dict[str, Any]) -> bool:
    """FORMAT 10.2 check 6 re-derived: the same pairs as the producer decides, each entry's
    evidence valid (a point on the wall, or Farkas multipliers off the hyperplane's group)."""
    from exactscape.core.numbers import parse_rational
    from exactscape.landscape.atlas import neuron_facets, parallel_group

    if m["version"] != "1.3":
        return False
    want: dict[tuple[int, int], dict[str, Any]] = {}
    neuron_facets(inst, census, want)
    if [(c, n) for c, n, _ in m["walls"]] != sorted(want):
        return False
    q = lambda v: parse_rational(v, "v", decimals=False)  # noqa: E731
    order = {tuple(c.active): k for k, c in enumerate(census.cells)}
    cells = m["cells"]
    for c, n, ev in m["walls"]:
        active = cells[c]["active"]
        if tuple(active) not in order:
            return False
        group = parallel_group(inst, n)
        signs = [1 if a else -1 for a in active]
        if "witness" in ev:
            w = tuple(q(v) for v in ev["witness"])
            dots = [sum((a * b for a, b in zip(w, x, strict=True)), F(0)) for x in inst.xs]
            if dots[n] != 0 or any(i not in group and signs[i] * dots[i] <= 0 for i in range(inst.N)):
                return False
            if "witness" not in want[(c, n)]:
                return False
        else:
            mult = {int(i): q(v) for i, v in ev["empty"]}
            if any(i in group or v <= 0 for i, v in mult.items()) or not mult:
                return False
            mu = q(ev["mu"])
            comb = [mu * v for v in inst.xs[n]]
            for i, v in mult.items():
                comb = [c_ + v * signs[i] * x for c_, x in zip(comb, inst.xs[i], strict=True)]
            if any(comb):
                return False
    return True

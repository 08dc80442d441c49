"""Producer-side re-derivation of `path` and `spurious` certificates (kinds new
in 1.2), for the mutation test: is a mutant accepted by the checker still true?"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from exactscape.core import linalg
from exactscape.core.model import Instance, Weights, instance_from_json
from exactscape.core.numbers import parse_rational
from exactscape.landscape.path import analyse_path
from exactscape.landscape.point import classify_point
from exactscape.landscape.point import loss as point_loss
from exactscape.landscape.spurious import count_branch_vectors, group_sums


def _q(v: Any) -> Fraction:
    if isinstance(v, bool) or (isinstance(v, str) and "." in v):
        raise ValueError("not canonical")
    return parse_rational(v, "mutant", decimals=False)


def _w(obj: dict[str, Any]) -> Weights:
    return Weights(tuple(_q(v) for v in obj["z"]), tuple(tuple(_q(v) for v in r) for r in obj["w"]))


def _instance(m: dict[str, Any]) -> Instance:
    return instance_from_json({"format": "exactscape-instance", "version": 1, **m["instance"]})


def still_true_1_2(m: dict[str, Any]) -> bool:
    inst = _instance(m)
    if m["kind"] == "path":
        start, end = _w(m["from"]), _w(m["to"])
        a = analyse_path(inst, start, end)
        c = m["claim"]
        if [_q(t) for t in c["breakpoints"]] != list(a.breakpoints):
            return False
        for row, p in zip(c["pieces"], a.pieces, strict=True):
            if [_q(v) for v in row["coefficients"]] != list(p.poly) or row["trend"] != p.trend:
                return False
        if len(c["pieces"]) != len(a.pieces) or c["monotone"] != a.monotone:
            return False
        seg = a.segment
        if "witness" in m:
            (s1, s2), (s3, s4) = ([_q(v) for v in m["witness"][k]] for k in ("up", "down"))
            if not (0 <= s1 < s2 <= 1 and 0 <= s3 < s4 <= 1):
                return False
            ls = [point_loss(inst, seg.at(s)) for s in (s1, s2, s3, s4)]
            if not (ls[0] < ls[1] and ls[2] > ls[3]):
                return False
        for name, bound, ext, sign in (("minimum", "lower", a.minimum, 1), ("maximum", "upper", a.maximum, -1)):
            t, value, b = (_q(c[name][k]) for k in ("t", "value", bound))
            if not 0 <= t <= 1 or point_loss(inst, seg.at(t)) != value or sign * (value - b) < 0:
                return False
            if sign * (b - ext.bound) > 0:  # beyond the producer's proven bound: not confirmed
                return False
            if "location" in c[name] and not _location_true(c[name]["location"], m, a, ext, sign):
                return False
        return True
    c = m["claim"]
    a = [_q(v) for v in m["fit"]]
    X = linalg.matrix([list(x) for x in inst.xs], inst.d)
    p = [sum((ai * xi for ai, xi in zip(a, x, strict=True)), Fraction(0)) for x in inst.xs]
    e = [pi - yi for pi, yi in zip(p, inst.y, strict=True)]
    if any(v != 0 for v in (X.transpose() * linalg.column(e)).entries()):
        return False
    L = sum((v * v for v in e), Fraction(0)) / inst.N
    if _q(c["loss"]) != L:
        return False
    if c["verdict"] == "not-applicable":
        r = c["reason"]
        if r == "affine-fit-exact":
            return not any(e)
        if r == "affine-fit-optimal":
            return any(e) and not any(group_sums(inst, tuple(e)).values())
        if r == "no-all-active-cell":
            tot = [Fraction(0)] * inst.d
            for i, mm in m["multipliers"]:
                if _q(mm) <= 0:
                    return False
                for k, v in enumerate(inst.xs[i]):
                    tot[k] += _q(mm) * v
            return not any(tot)
        i, k = m["samples"]
        return c["neurons"] == 1 and p[i] * p[k] <= 0 and (p[i], p[k]) != (0, 0)
    mn = _w(m["minimum"])
    v = classify_point(inst, mn)
    if v.verdict != "local-minimum" or v.loss != L or any(0 in r for r in v.pattern.I):
        return False
    if c["branches"] != ["+" if z > 0 else "-" if z < 0 else "0" for z in mn.z]:
        return False
    if c["branch_vectors"] != count_branch_vectors(mn.K, tuple(p)):
        return False
    if c["verdict"] == "undecided":
        return c["lower_loss"] is None and c["lower_minimum"] is False
    low = _w(m["lower"])
    if point_loss(inst, low) != _q(c["lower_loss"]) or not point_loss(inst, low) < L:
        return False
    return not c["lower_minimum"] or classify_point(inst, low).verdict == "local-minimum"


def _location_true(loc: dict[str, Any], m: dict[str, Any], a: Any, ext: Any, sign: int) -> bool:
    """An irrational extremum's location (FORMAT 11.2 check 6, new in 1.3): the producer found
    it unique in the same piece, and the mutant's interval holds exactly that one root of L'."""
    from exactscape.landscape.path import derivative, evaluate, real_roots

    if m["version"] != "1.3" or ext.location is None or loc["piece"] != ext.location[0]:
        return False
    lo, hi = (_q(v) for v in loc["interval"])
    piece = a.pieces[loc["piece"]]
    if not piece.lo <= lo < hi <= piece.hi:
        return False
    q = derivative([sign * v for v in piece.poly])
    if not evaluate(q, lo) < 0 < evaluate(q, hi):
        return False
    inside = [r for r in real_roots(q, lo, hi) if r.value is None]
    _, plo, phi = ext.location
    return len(inside) == 1 and inside[0].lo < phi and plo < inside[0].hi

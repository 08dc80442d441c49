"""Genuine regions by double description (exactscape.landscape.region_dd, FORMAT.md 9) and
cell diameters / counts (exactscape.landscape.arrangement): differential tests against the LP
decisions of `cell`, PPL's generator enumeration, round trips, the checker."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from itertools import product
from pathlib import Path

import ppl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from region_oracle import h_to_v_roundtrip
from strategies import small_cells

from exactscape.checker import check_certificate
from exactscape.cli import main
from exactscape.core import linalg, polyhedra
from exactscape.core.design import design_matrix
from exactscape.core.linalg import rref
from exactscape.core.model import Instance, Pattern
from exactscape.landscape.arrangement import (
    Arrangement,
    chord,
    count_by_enumeration,
    count_by_zaslavsky,
    count_general_position,
    exact_diameter,
    random_direction,
    surd,
)
from exactscape.landscape.region import region
from exactscape.landscape.region_dd import Defining, Region, cell_defining, describe, primitive, project_out
from exactscape.theory.minima import CellSearch, Feasibility, analyse_cell, cell_feasibility

F = Fraction
ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "proofs" / "certificates"
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cells() -> st.SearchStrategy[tuple[Instance, Pattern]]:
    return small_cells(n=(2, 4), d0=(1, 2), k=(1, 2))


def _regions(inst: Instance, pat: Pattern) -> list[tuple[tuple[str, ...], Region]]:
    lsq = linalg.least_squares(design_matrix(inst, pat), inst.y)
    return [(br, describe(cell_defining(inst, pat, br, lsq.R0))) for br in product("+-0", repeat=pat.K)]


@SETTINGS
@given(cells())
def test_double_description_agrees_with_the_lp_decisions_of_cell(case: tuple[Instance, Pattern]) -> None:
    inst, pat = case
    feas = cell_feasibility(inst, pat)
    lsq = linalg.least_squares(design_matrix(inst, pat), inst.y)
    search = CellSearch(inst, pat, list(lsq.fitted), Feasibility(True))
    regions = _regions(inst, pat)
    for br, reg in regions:
        # the cell search's own node system (reduced to the active blocks), decided by the exact LP
        system, _, _ = search.system(dict(enumerate(br)))
        lp_empty = isinstance(polyhedra.decide(system), polyhedra.Farkas)
        assert reg.empty == lp_empty, br
        # the open region is the relative interior of the closure exactly when no strict row is implicit
        strict_implicit = any(reg.defining.inequalities()[i][3] for i in reg.implicit)
        assert reg.empty == (reg.closure_empty or strict_implicit)
    if feas.feasible:
        genuine = analyse_cell(inst, pat).genuineness.known()
        assert genuine == any(not reg.empty for _, reg in regions)


def _ppl_generators(df: Defining) -> tuple[set[tuple[Fraction, ...]], set[tuple[Fraction, ...]], list[list[Fraction]]]:
    """Independent enumeration: PPL's minimized generator system of the closure."""
    n = df.n
    vs = [ppl.Variable(i) for i in range(n)]
    cs = ppl.Constraint_System()

    def expr(a: tuple[Fraction, ...], b: Fraction) -> ppl.Linear_Expression:
        den = 1
        for c in (*a, b):
            den = den * c.denominator // __import__("math").gcd(den, c.denominator)
        e = ppl.Linear_Expression(int(-b * den))
        for v, c in zip(vs, a, strict=True):
            if c:
                e += int(c * den) * v
        return e

    for a, b in zip(df.E, df.f, strict=True):
        cs.insert(expr(a, b) == 0)
    for a, b, _, _ in df.inequalities():
        cs.insert(expr(a, b) >= 0)
    poly = ppl.C_Polyhedron(n, "universe")
    poly.add_constraints(cs)
    points, rays, lines = [], [], []
    for g in poly.minimized_generators():
        coef = [F(int(c)) for c in g.coefficients()] + [F(0)] * (n - len(g.coefficients()))
        if g.is_point():
            points.append(tuple(c / int(g.divisor()) for c in coef))
        elif g.is_ray():
            rays.append(tuple(coef))
        elif g.is_line():
            lines.append(coef)
    L = rref(lines, n)
    P = {project_out(p, L) for p in points}
    R = {primitive(project_out(r, L)) for r in rays if any(project_out(r, L))}
    return P, R, L


@SETTINGS
@given(cells())
def test_ppl_enumerates_the_same_vertices_rays_and_lines(case: tuple[Instance, Pattern]) -> None:
    inst, pat = case
    for _, reg in _regions(inst, pat):
        P, R, L = _ppl_generators(reg.defining)
        assert P == set(reg.vertices)
        assert R == set(reg.rays)
        assert [tuple(r) for r in L] == list(reg.lines)


@SETTINGS
@given(cells())
def test_v_to_h_to_v_round_trip_and_idempotent_canonical_form(case: tuple[Instance, Pattern]) -> None:
    inst, pat = case
    for _, reg in _regions(inst, pat):
        if reg.closure_empty:
            continue
        assert h_to_v_roundtrip(reg) == (reg.vertices, reg.rays, reg.lines)
        # the canonical H-representation, fed back in, describes itself again
        ineq = reg.defining.inequalities()
        H = tuple(ineq[i][0] for i in reg.facets)
        k = tuple(ineq[i][1] for i in reg.facets)
        E = tuple(tuple(r[1:]) for r in reg.equations)
        f = tuple(-r[0] for r in reg.equations)
        again = describe(
            Defining(n=reg.n, E=E, f=f, G=(), h=(), keys=(), H=H, k=k, hkeys=tuple((i,) for i in range(len(H))))
        )
        assert again.equations == reg.equations
        assert (again.vertices, again.rays, again.lines) == (reg.vertices, reg.rays, reg.lines)
        assert sorted(H[i] for i in again.facets) == sorted(H)
        assert again.redundant == () and again.implicit == ()


# ------------------------------------------------------------ certificates


def _golden(name: str) -> dict[str, object]:
    return json.loads((CERTS / name).read_text())


def test_golden_region_certificates_verify() -> None:
    for name in ("line.region.cert.json", "zigzag.region-empty.cert.json", "kink.region.cert.json"):
        assert check_certificate(_golden(name)).verified, name


def _rejected(cert: dict[str, object], why: str = "") -> str:
    """The checker rejects ``cert``, for a reason containing ``why``."""
    res = check_certificate(json.loads(json.dumps(cert)))
    assert not res.verified
    assert why in res.reason, res.reason
    return res.reason


def test_mutated_region_certificates_are_rejected() -> None:
    cert = _golden("line.region.cert.json")
    cl = cert["closure"]
    assert isinstance(cl, dict) and cl["rays"] and len(cl["vertices"]) == 2 and len(cl["facets"]) == 3
    # a vertex moved
    m = copy.deepcopy(cert)
    m["closure"]["vertices"][0][0] = str(F(m["closure"]["vertices"][0][0]) + F(1, 7))  # type: ignore[index]
    _rejected(m, "closure.vertices[0]: violates equality row")
    # a ray flipped
    m = copy.deepcopy(cert)
    m["closure"]["rays"][0] = [str(-F(v)) for v in m["closure"]["rays"][0]]  # type: ignore[index]
    _rejected(m, "closure.rays[0]: row")
    # an inequality dropped (and the count adjusted so only the list is wrong)
    for drop in range(3):
        m = copy.deepcopy(cert)
        del m["closure"]["facets"][drop]  # type: ignore[union-attr]
        m["claim"]["facets"] = 2  # type: ignore[index]
        assert "not a vertex of the listed H-representation" in _rejected(m)
    # an inequality weakened: an equation's constant moved, or a facet replaced by a non-facet row
    m = copy.deepcopy(cert)
    m["closure"]["equations"][0][0] = str(F(m["closure"]["equations"][0][0]) - 1)  # type: ignore[index]
    _rejected(m, "closure.equations[0]: does not hold on every generator")
    m = copy.deepcopy(cert)
    facets = m["closure"]["facets"]  # type: ignore[index]
    other = next([j, i] for j in range(2) for i in range(4) if [j, i] not in facets)
    facets[-1] = other
    facets.sort()
    _rejected(m, "not a facet")
    # a vertex dropped (count adjusted)
    m = copy.deepcopy(cert)
    del m["closure"]["vertices"][0]  # type: ignore[union-attr]
    m["claim"]["vertices"] = 1  # type: ignore[index]
    _rejected(m, "claim.dimension: claimed 2, derived 1")
    # kind region in a 1.1 certificate
    m = copy.deepcopy(cert)
    m["version"] = "1.1"
    assert "1.2" in _rejected(m)


def test_emptiness_claims_need_their_proof() -> None:
    cert = _golden("zigzag.region-empty.cert.json")
    m = copy.deepcopy(cert)
    m["claim"]["empty"] = False  # type: ignore[index]
    _rejected(m, "missing field 'interior'")
    m = copy.deepcopy(cert)
    m["emptiness"]["sign"] = []  # type: ignore[index]
    _rejected(m, "emptiness: the combination of the rows is not zero")


def test_saddle_and_boundary_regions() -> None:
    inst = Instance(X=((F(-2),), (F(-1),), (F(1),), (F(2),)), y=(F(0), F(1), F(0), F(1)))
    pat = Pattern(((1, 0), (1, 0), (1, 1), (1, 1)))
    res = region(inst, pat, ("+", "0"), "saddle")
    assert res.saddle is True and not res.region.empty and res.checker_lines
    kink = Instance(X=((F(-2),), (F(-1),), (F(1),), (F(2),)), y=(F(-2), F(-1), F(2), F(2)))
    face = Pattern(((0,), (0,), (1,), (1,)))
    plus = region(kink, face, ("+",), "boundary", (0, 1))
    minus = region(kink, face, ("-",), "boundary", (0, 1))
    assert not plus.region.empty and plus.condition and plus.region.vertices == ((F(10, 13), F(10, 13)),)
    # the sign condition fails, and the closure is empty too: its proof is then a Farkas certificate
    # for the closed rows (the failing sign condition says nothing about the closure's dimension -1)
    assert not minus.condition and minus.region.closure_empty and minus.certificate["claim"]["dimension"] == -1
    assert minus.certificate["emptiness"] == {"equalities": [[2, "-4"], [3, "3"]], "sign": [[0, 0, "1"]]}


# ------------------------------------------------------------ cells


def test_exact_diameter_of_a_square_and_surds() -> None:
    arr = Arrangement(((F(1), F(0)), (F(-1), F(0)), (F(0), F(1)), (F(0), F(-1))), F(1))
    d = exact_diameter(arr, (1, 1, 1, 1))
    assert d.bounded and d.squared == 8 and d.surd == "2*sqrt(2)" and d.vertices == 4
    assert not exact_diameter(arr, (-1, 1, 1, 1)).bounded
    assert [surd(q) for q in (F(1, 2), F(9, 4), F(12, 5), F(0))] == ["sqrt(2)/2", "3/2", "2*sqrt(15)/5", "0"]


@SETTINGS
@given(st.integers(0, 10**6))
def test_every_chord_is_a_lower_bound_and_counts_agree(seed: int) -> None:
    import random

    rng = random.Random(seed)
    N, d0 = rng.randint(3, 6), 2
    X = tuple(tuple(F(rng.randint(-3, 3)) for _ in range(d0)) for _ in range(N))
    if any(not any(x) for x in X):
        return
    arr = Arrangement(X, F(rng.choice([-1, 1, 2])))
    en, za = count_by_enumeration(arr), count_by_zaslavsky(arr)
    assert en == za
    gp = count_general_position(N, d0)
    assert en[0] <= gp[0]
    for _ in range(3):
        w = tuple(F(rng.randint(-40, 40), 16) for _ in range(d0))
        signs = arr.signs(w)
        if signs is None:
            continue
        ex = exact_diameter(arr, signs)
        for _ in range(5):
            c = chord(arr, w, random_direction(rng, d0, 6))
            if ex.squared is not None and c.squared is not None:
                assert c.squared <= ex.squared
            if c.squared is None:
                assert not ex.bounded


def test_parallel_lines_bound_no_cell() -> None:
    # three parallel lines in the plane: relatively bounded strips (Zaslavsky's (-1)^r chi(1) = 2
    # with r = 1) that are not bounded cells
    arr = Arrangement(((F(-2), F(-2)), (F(-3), F(-3)), (F(1), F(1))), F(1))
    assert count_by_enumeration(arr) == count_by_zaslavsky(arr) == (4, 0)


def test_general_position_count_is_attained_by_a_generic_arrangement() -> None:
    # and not by a degenerate one: the samples (1, t) all lie on one affine line, so their
    # hyperplanes x . w = -1 all pass through w = (-1, 0)
    degenerate = Arrangement(((F(1), F(0)), (F(1), F(1)), (F(1), F(-2)), (F(0), F(1))), F(1))
    assert count_by_enumeration(degenerate) == count_by_zaslavsky(degenerate) == (10, 2)
    assert count_general_position(4, 2) == (11, 3)
    X = ((F(1), F(0)), (F(0), F(1)), (F(1), F(1)), (F(2), F(-3)), (F(3), F(5)))
    arr = Arrangement(X, F(1))
    assert count_by_enumeration(arr) == count_by_zaslavsky(arr) == count_general_position(5, 2) == (16, 6)


# ------------------------------------------------------------ CLI


def test_cli_region_and_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ex = ROOT / "examples"
    cert = tmp_path / "r.json"
    args = ["region", str(ex / "line.json"), "--pattern", str(ex / "zigzag-mixed.pattern.json"), "--branches", "++"]
    assert main([*args, "--cert", str(cert)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "verdict: non-empty" and any(line.startswith("  vertex") for line in out)
    assert main(["check", str(cert), "--quiet"]) == 0
    capsys.readouterr()
    assert main([*args, "--cert", str(cert), "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert js["verdict"] == "non-empty" and len(js["vertices"]) == 2 and js["certificate_verified"]
    assert main([*args[:-1], "+-x", "--cert", str(cert)]) == 2
    inst = tmp_path / "sq.json"
    inst.write_text(
        json.dumps(
            {"format": "exactscape-instance", "version": 1, "X": [[1, 0], [-1, 0], [0, 1], [0, -1]], "y": [0, 0, 0, 0]}
        )
    )
    capsys.readouterr()
    assert main(["cells", str(inst), "--bias", "1", "--exact", "--points", "3", "--count", "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert js["verdict"] == "measured" and js["count"]["zaslavsky"] == {"cells": 9, "bounded": 1}
    for c in js["cells"]:
        assert (c["exact_squared"] == "8") == c["bounded"]
    with pytest.raises(SystemExit) as exc:  # the range is checked when the option is parsed
        main(["cells", str(inst), "--bias", "1", "--sample", "0"])
    assert exc.value.code == 2
    out_file = tmp_path / "cells.json"
    assert main(["cells", str(inst), "--bias", "1", "--sample", "5", "--out", str(out_file)]) == 0
    assert capsys.readouterr().out.startswith("verdict: measured")
    assert main(["cells", str(inst), "--bias", "1", "--sample", "5", "--out", str(inst)]) == 3


def test_table6_measure_gives_exact_lower_bounds() -> None:
    from exactscape.experiments.table6 import gaussian_int, line_reason, measure

    row = measure("g", gaussian_int(30, 2, 1), 1024, 4, 0, exact=True, decide_lp=False)
    assert row["bounded"] + row["unbounded"] == 4
    compared = 0
    for c in row["cells"]:
        if c.get("exact_squared") and c["lower_bound_squared"]:
            assert F(c["lower_bound_squared"]) <= F(c["exact_squared"])
            compared += 1
    assert compared > 0
    import numpy as np

    assert line_reason(np.array([[1, 0], [2, 0]])) is not None and line_reason(np.array([[1, 0], [0, 1]])) is None


def test_float_preselection_finds_the_exact_nearest_hyperplanes() -> None:
    import numpy as np

    from exactscape.experiments.table6 import gaussian_int, nearest_all

    Xi = gaussian_int(40, 3, 2)
    arr = Arrangement(tuple(tuple(F(int(v), 1024) for v in row) for row in Xi), F(1))
    rng = np.random.default_rng(3)
    DW = 1 << 20
    w_int = rng.integers(-DW, DW + 1, size=3)
    U = rng.integers(-(1 << 20), (1 << 20) + 1, size=(3, 12))
    C = [int(v) + 1024 * DW for v in Xi @ w_int]
    Af = Xi.astype(np.float64) @ U.astype(np.float64)
    res = nearest_all(np.array(C, dtype=np.float64), Af, C, np.rint(Af).astype(np.int64))
    w = tuple(F(int(v), DW) for v in w_int)
    for j, (s1, s2) in enumerate(res):
        u = tuple(F(int(v)) for v in U[:, j])
        c = chord(arr, w, u)
        if s1 is None or s2 is None:
            assert c.squared is None
        else:
            assert c.squared == ((s1 + s2) / DW) ** 2 * sum(v * v for v in u)
    assert any(s1 is not None and s2 is not None for s1, s2 in res)

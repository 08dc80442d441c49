"""The atlas: the census against Zaslavsky's theorem, the atlas against brute
force, the exact cell infimum, the toy example of Part 1 Section IV-B, and the
census / infimum certificates under mutation."""

from __future__ import annotations

import json
import random
from fractions import Fraction as F
from itertools import combinations, product
from pathlib import Path
from typing import Any

import pytest
import sympy
from conftest import ROOT
from mutations import mutants
from oracle_atlas import census_still_true as _census_still_true
from oracle_atlas import infimum_still_true as _infimum_still_true

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core.design import in_cell
from exactscape.core.model import Instance, Pattern, Weights, pattern_of
from exactscape.io.instances import load_instance
from exactscape.landscape.atlas import atlas, census_certificate, infimum_certificate
from exactscape.theory.census import enumerate_cells, region_bound
from exactscape.theory.infimum import cell_infimum, verify

EX = ROOT / "examples"


# ------------------------------------------------------------------ Zaslavsky


def zaslavsky_regions(xs: list[tuple[F, ...]]) -> int:
    """Regions of the central arrangement {w . x = 0} by Zaslavsky's theorem:
    (-1)^d chi(-1), chi(t) = sum over the intersection poset of mu(V, X) t^dim X,
    the poset and its Moebius function computed from spans of normals (SymPy ranks)."""
    d = len(xs[0])
    if any(not any(x) for x in xs):
        return 0  # a zero sample: its "hyperplane" is the whole space, no open region
    normals = [sympy.Matrix([list(x)]) for x in xs]
    flats: dict[tuple[int, ...], tuple[int, ...]] = {}  # closure (hyperplanes containing X) -> key

    def closure(S: tuple[int, ...]) -> tuple[int, ...]:
        if not S:
            return ()
        M = sympy.Matrix.vstack(*[normals[i] for i in S])
        r = M.rank()
        return tuple(i for i in range(len(xs)) if sympy.Matrix.vstack(M, normals[i]).rank() == r)

    for size in range(len(xs) + 1):
        for S in combinations(range(len(xs)), size):
            c = closure(S)
            flats[c] = c

    def rank_of(c: tuple[int, ...]) -> int:
        return 0 if not c else sympy.Matrix.vstack(*[normals[i] for i in c]).rank()

    order = sorted(flats, key=lambda c: (rank_of(c), c))
    mu: dict[tuple[int, ...], int] = {}
    for c in order:
        if not c:
            mu[c] = 1
            continue
        mu[c] = -sum(mu[b] for b in order if b != c and set(b) <= set(c) and b in mu)
    chi_minus_one = sum(mu[c] * (-1) ** (d - rank_of(c)) for c in order)
    return (-1) ** d * chi_minus_one


def _random_arrangement(rng: random.Random, d: int, n: int, degenerate: bool) -> list[tuple[F, ...]]:
    xs = [tuple(F(rng.randint(-3, 3)) for _ in range(d)) for _ in range(n)]
    xs = [x if any(x) else tuple(F(1) for _ in range(d)) for x in xs]
    if degenerate:
        kind = rng.choice(["repeat", "parallel", "negative", "coplanar"])
        if kind == "repeat":
            xs[-1] = xs[0]
        elif kind == "parallel":
            xs[-1] = tuple(2 * v for v in xs[0])
        elif kind == "negative":
            xs[-1] = tuple(-3 * v for v in xs[0])
        else:
            xs[-1] = tuple(a + b for a, b in zip(xs[0], xs[1]))
    return xs


def test_census_counts_equal_zaslavsky_on_random_arrangements() -> None:
    rng = random.Random(11)
    checked = 0
    for trial in range(16):
        d = rng.choice([2, 3])
        n = rng.randint(2, 5)
        xs = _random_arrangement(rng, d, n, degenerate=trial % 2 == 1)
        inst = Instance(X=tuple(xs), y=tuple(F(0) for _ in xs), bias=False)
        census = enumerate_cells(inst)
        assert len(census.cells) == zaslavsky_regions(xs), xs
        assert len(census.cells) <= region_bound(n, d)
        assert check_certificate(json.loads(json.dumps(census_certificate(census, 1)))).verified
        checked += 1
    assert checked == 16


def test_census_with_a_zero_sample_has_no_cells_and_is_certified() -> None:
    inst = Instance(X=((F(1), F(0)), (F(0), F(0)), (F(1), F(1))), y=(F(0),) * 3, bias=False)
    census = enumerate_cells(inst)
    assert census.cells == () and census.zero_samples == (1,)
    assert zaslavsky_regions(list(inst.xs)) == 0
    assert check_certificate(census_certificate(census, 2)).verified
    at = atlas(inst, 1)
    assert api.atlas is atlas
    from exactscape.landscape.atlas import summary

    s = summary(at)
    assert s["verdict"] == "not-covered" and s["network_cells"] == 0 and "zero vector" in s["not_covered"][0]


def test_general_position_reaches_the_bound() -> None:
    inst = load_instance(EX / "trained-tiny.json")
    assert len(enumerate_cells(inst).cells) == region_bound(inst.N, inst.d) == 92


def test_zaslavsky_oracle_is_not_vacuous() -> None:
    two = [(F(1), F(0)), (F(0), F(1))]
    assert zaslavsky_regions(two) == 4
    assert zaslavsky_regions([(F(1), F(0)), (F(2), F(0))]) == 2
    assert zaslavsky_regions([(F(1), F(0), F(0)), (F(0), F(1), F(0)), (F(1), F(1), F(0))]) == 6


# ------------------------------------------------------------------ toy example


def test_toy_positive_atlas_lists_the_minima_of_part_1_section_iv_b() -> None:
    """Labels (1, 1): four cells; the point minimum (cell ++, loss 0) is global; the lines of
    cells +- and -+ (loss 1/2) and the plateau of cell -- (loss 1) are genuine but spurious."""
    at = atlas(load_instance(EX / "toy-positive.json"), 1)
    rows = {"".join("+" if a else "-" for a in r.pattern.column(0)): r for r in at.cells}
    assert set(rows) == {"++", "+-", "-+", "--"}
    assert (rows["++"].analysis.kind, rows["++"].analysis.loss, rows["++"].analysis.genuineness.is_genuine) == (
        "unique",
        0,
        True,
    )
    for k in ("+-", "-+"):
        a = rows[k].analysis
        assert (a.kind, a.lsq.dimension, a.loss, a.genuineness.known()) == ("affine", 1, F(1, 2), True)
    assert (rows["--"].analysis.lsq.dimension, rows["--"].analysis.loss) == (2, 1)
    assert at.certified and at.upper == 0
    assert sorted(m.loss for m in at.spurious if m.where == "cell") == [F(1, 2), F(1, 2), F(1)]
    assert all(r.positive_genuine for r in at.cells)  # v = 1 hides nothing here


def test_toy_negative_atlas_shows_the_branch_the_fixed_output_weight_hides() -> None:
    """Labels (-1, -1): cell ++ has a genuine minimum with z = -1 (loss 0), which the paper's
    fixed v = 1 cannot see; with labels (1, -1) cell ++ has no genuine minimum at all."""
    at = atlas(load_instance(EX / "toy-negative.json"), 1)
    top = next(r for r in at.cells if r.pattern.column(0) == (1, 1))
    assert top.analysis.genuineness.is_genuine and top.analysis.genuine is not None
    assert top.analysis.genuine.branches == ("-",) and top.positive_genuine is False
    assert at.certified and at.upper == 0
    mixed = atlas(load_instance(EX / "toy-mixed.json"), 1)
    top = next(r for r in mixed.cells if r.pattern.column(0) == (1, 1))
    assert top.analysis.genuineness.is_refuted and top.infimum is not None and top.infimum.loss == F(1, 2)
    assert mixed.upper == F(1, 2) and mixed.certified


# ------------------------------------------------------------------ brute force


def _loss(inst: Instance, w: Weights) -> F:
    tot = F(0)
    for x, y in zip(inst.xs, inst.y):
        f = sum((z * max(F(0), sum((a * b for a, b in zip(wj, x)), F(0))) for z, wj in zip(w.z, w.w)), F(0))
        tot += (f - y) ** 2
    return tot / inst.N


def test_every_local_minimum_found_by_brute_force_is_in_the_atlas() -> None:
    """Dense rational grid, K = 1, 1-D samples with a bias: every point classified as a
    local minimum lies in a cell the atlas lists as genuine with the same loss; every
    non-differentiable minimum lies on a facet the atlas lists with that sign and loss,
    or (w = 0, outside Theorem 3) on a face the atlas lists with that sign and loss;
    and no grid point goes below the certified global minimum."""
    inst = Instance(X=((F(-1),), (F(0),), (F(1),)), y=(F(0), F(1), F(0)), bias=True)
    at = atlas(inst, 1)
    assert at.certified
    genuine = {r.pattern: r.analysis.loss for r in at.cells if r.analysis.genuineness.is_genuine}
    facets = {
        (f.analysis.pattern, f.analysis.neuron, f.analysis.sample, r.sign): f.analysis.solution.loss
        for f in at.faces
        for r in f.analysis.results
        if r.exists
    }
    general = {(m.face, m.branches[0]): m.loss for m in at.minima if m.where == "face" and m.branches and m.face}
    grid = [F(k, 2) for k in range(-4, 5)]
    zs = [F(-2), F(-1), F(1), F(1, 2), F(2)]
    found = boundary_found = face_found = 0
    for z, a, b in product(zs, grid, grid):
        w = Weights((z,), ((a, b),))
        assert _loss(inst, w) >= at.upper
        res = api.point(inst, w, verify=False)
        v = res.summary["verdict"]
        if v == "local-minimum":
            pat, on = pattern_of(inst, w)
            assert not on and pat in genuine and genuine[pat] == F(res.summary["loss"])
            found += 1
        elif v == "non-differentiable-local-minimum" and "neuron" not in res.summary:
            # outside Theorem 3 (here w = 0): a face minimum of the atlas (Lemma D, step 3a)
            signs = "".join("+" if d > 0 else "-" if d < 0 else "0" for d in (a * x[0] + b for x in inst.X))
            sign = "+" if z > 0 else "-"
            assert (signs, sign) in general and general[(signs, sign)] == F(res.summary["loss"])
            face_found += 1
        elif v == "non-differentiable-local-minimum":
            k, n = res.summary["neuron"], res.summary["sample"]
            pat, _ = pattern_of(inst, w)
            rows = [list(r) for r in pat.I]
            rows[n][k] = 0
            key = (Pattern(tuple(tuple(r) for r in rows)), k, n, "+" if z > 0 else "-")
            assert key in facets and facets[key] == F(res.summary["loss"])
            boundary_found += 1
    assert found >= 3 and boundary_found >= 1 and face_found >= 1


# ------------------------------------------------------------------ infimum


def test_cell_infimum_is_a_certified_minimum_over_the_closure() -> None:
    rng = random.Random(5)
    for _ in range(6):
        n = rng.randint(2, 4)
        inst = Instance(
            X=tuple((F(rng.randint(-3, 3)),) for _ in range(n)), y=tuple(F(rng.randint(-2, 2)) for _ in range(n))
        )
        census = enumerate_cells(inst)
        K = rng.choice([1, 2])
        for cells in list(product(census.cells, repeat=K))[:8]:
            pat = Pattern(tuple(tuple(c.active[i] for c in cells) for i in range(n)))
            ci = cell_infimum(inst, pat)
            assert ci is not None
            a = api.cell(inst, pattern=pat, verify=False).analysis
            assert ci.loss >= a.loss
            if a.genuineness.is_genuine:
                assert ci.loss == a.loss
            for c in ci.cases:
                assert verify(inst, pat, c)
            # random points inside the cell never go below the infimum
            for _ in range(5):
                w = tuple(tuple(v + F(rng.randint(-1, 1), 7) * v for v in c.witness) for c in cells)
                if not all(in_cell(inst, pat, j, w[j]) for j in range(K)):
                    continue
                z = tuple(F(rng.randint(-4, 4), 2) for _ in range(K))
                assert _loss(inst, Weights(z, w)) >= ci.loss
            cert = infimum_certificate(inst, ci)
            assert check_certificate(json.loads(json.dumps(cert))).verified


# ------------------------------------------------------------------ mutations


def _mutation_run(cert: dict[str, Any], oracle: Any) -> int:
    assert check_certificate(json.loads(json.dumps(cert))).verified
    count = 0
    for name, mutant in mutants(cert):
        text = json.dumps(mutant)
        if json.loads(text) == cert:
            continue
        count += 1
        res = check_certificate(json.loads(text, parse_float=float))
        if res.verified:
            try:
                ok = oracle(json.loads(text))
            except Exception:  # noqa: BLE001 - a mutant the oracle cannot read is not confirmed
                ok = False
            assert ok, f"accepted a false certificate: {name}"
    return count


def test_census_mutations_are_rejected() -> None:
    inst = Instance(X=((F(-1),), (F(1),), (F(2),)), y=(F(0),) * 3)
    cert = json.loads(json.dumps(census_certificate(enumerate_cells(inst), 2)))
    assert _mutation_run(cert, _census_still_true) > 50
    # the three named mutations
    drop_leaf = json.loads(json.dumps(cert))
    del drop_leaf["tree"]["-"]
    drop_cell = json.loads(json.dumps(cert))
    drop_cell["cells"].pop()
    swap = json.loads(json.dumps(cert))
    swap["cells"][0]["witness"], swap["cells"][1]["witness"] = swap["cells"][1]["witness"], swap["cells"][0]["witness"]
    for bad in (drop_leaf, drop_cell, swap):
        assert not check_certificate(bad).verified
    old = json.loads(json.dumps(cert))
    old["version"] = "1.1"
    res = check_certificate(old)
    assert not res.verified and "new in version 1.2" in res.reason


def test_census_with_a_gordan_leaf_survives_mutation() -> None:
    xs = ((F(1), F(0)), (F(2), F(0)), (F(0), F(1)), (F(-1), F(0)))
    cert = json.loads(json.dumps(census_certificate(enumerate_cells(Instance(X=xs, y=(F(0),) * 4, bias=False)), 1)))
    assert '"empty"' in json.dumps(cert)
    assert _mutation_run(cert, _census_still_true) > 50


def test_infimum_mutations_are_rejected() -> None:
    inst = load_instance(EX / "toy-mixed.json")
    ci = cell_infimum(inst, Pattern(((1,), (1,))))
    assert ci is not None and ci.loss == F(1, 2)
    cert = json.loads(json.dumps(infimum_certificate(inst, ci)))
    assert _mutation_run(cert, _infimum_still_true) > 30
    lie = json.loads(json.dumps(cert))
    lie["claim"]["loss"] = "0"
    assert not check_certificate(lie).verified


@pytest.mark.slow
def test_every_local_minimum_of_a_two_neuron_grid_is_in_the_atlas() -> None:
    inst = Instance(X=((F(-1),), (F(1),)), y=(F(1), F(1)), bias=True)
    at = atlas(inst, 2)
    genuine = {r.pattern: r.analysis.loss for r in at.cells if r.analysis.genuineness.is_genuine}
    grid = [F(k) for k in range(-2, 3)]
    found = 0
    for z0, z1, a0, b0, a1, b1 in product([F(-1), F(1)], [F(-1), F(1)], grid, grid, grid, grid):
        w = Weights((z0, z1), ((a0, b0), (a1, b1)))
        assert _loss(inst, w) >= at.upper
        res = api.point(inst, w, verify=False)
        if res.summary["verdict"] == "local-minimum":
            pat, _ = pattern_of(inst, w)
            assert pat in genuine and genuine[pat] == F(res.summary["loss"])
            found += 1
    assert found >= 1


def _cone_minimum_2d(inst: Instance, pat: Pattern, sign: int) -> F:
    """Independent oracle, K = 1 and d = 2: the minimum of (1/N)||A R - y||^2 over the closed
    2-D cone {R : sign s_i x_i . R >= 0} is attained at 0, on one of its boundary rays, or
    inside (then it is the unconstrained minimum L*, and the minimiser set meets the open cone)."""
    s = [sign * (1 if pat.I[i][0] else -1) for i in range(inst.N)]
    rows = [tuple(si * v for v in x) for si, x in zip(s, inst.xs)]
    act = [bool(pat.I[i][0]) for i in range(inst.N)]

    def q(R: tuple[F, F]) -> F:
        return (
            sum(((R[0] * x[0] + R[1] * x[1] if a else F(0)) - y) ** 2 for x, y, a in zip(inst.xs, inst.y, act)) / inst.N
        )

    best = q((F(0), F(0)))
    for x in inst.xs:
        for r in ((-x[1], x[0]), (x[1], -x[0])):
            if not any(r) or any(g[0] * r[0] + g[1] * r[1] < 0 for g in rows):
                continue
            ar = [(r[0] * x2[0] + r[1] * x2[1]) if a else F(0) for x2, a in zip(inst.xs, act)]
            den = sum(v * v for v in ar)
            t = max(F(0), sum(v * y for v, y in zip(ar, inst.y)) / den) if den else F(0)
            best = min(best, q((t * r[0], t * r[1])))
    from exactscape.core.polyhedra import Farkas, System, decide

    a = api.cell(inst, pattern=pat, verify=False).analysis
    E = tuple(tuple(x if on else (F(0), F(0))) for x, on in zip(inst.xs, act))
    sysm = System(n=2, E=E, f=tuple(a.lsq.fitted), G=tuple(rows), h=(F(0),) * len(rows))
    if not isinstance(decide(sysm), Farkas):
        best = min(best, a.loss)
    return best


def test_cell_infimum_equals_an_independent_two_dimensional_oracle() -> None:
    rng = random.Random(17)
    compared = 0
    for _ in range(8):
        n = rng.randint(2, 4)
        inst = Instance(
            X=tuple((F(rng.randint(-3, 3)),) for _ in range(n)), y=tuple(F(rng.randint(-2, 2)) for _ in range(n))
        )
        for cell in enumerate_cells(inst).cells:
            pat = Pattern(tuple((a,) for a in cell.active))
            ci = cell_infimum(inst, pat)
            assert ci is not None
            assert [c.loss for c in ci.cases] == [_cone_minimum_2d(inst, pat, 1), _cone_minimum_2d(inst, pat, -1)]
            compared += 1
    assert compared >= 20


@pytest.mark.parametrize(
    "xs, ys, scales",
    [
        pytest.param((-1, 2), (1, -1), (1,), id="N2"),
        pytest.param((-1, 0, 2), (1, -1, 1), (1, 3), id="N3", marks=pytest.mark.slow),
    ],
)
def test_face_decisions_agree_with_the_point_decider(
    xs: tuple[int, ...], ys: tuple[int, ...], scales: tuple[int, ...]
) -> None:
    """Step 3a against Lemma D at points: every relative-interior point tried (each face's
    witness, and its multiples, with every sign of z) that the point decider calls a local
    minimum lies on a face and sign the atlas lists with that loss; every listed face's
    witness is a local minimum by the point decider."""
    from exactscape.theory.local import decide_point

    inst = Instance(X=tuple((F(x),) for x in xs), y=tuple(F(y) for y in ys), bias=True)
    at = atlas(inst, 2, saddles=False)
    listed = {(m.face, m.branches): m.loss for m in at.minima if m.where == "face"}
    assert listed
    for fm in at.face_minima:
        assert fm.decision.witness is not None and decide_point(inst, fm.decision.witness).minimum
    nf = at.neuron_faces
    texts = {c: "".join("+" if s > 0 else "-" if s < 0 else "0" for s in f.signs) for c, f in enumerate(nf)}
    hits = 0
    for a, b in product(range(len(nf)), repeat=2):
        for za, zb in product((F(1), F(-1), F(0)), repeat=2):
            for scale in map(F, scales):
                wts = Weights((za, zb), (tuple(scale * v for v in nf[a].witness), nf[b].witness))
                if not decide_point(inst, wts).minimum:
                    continue
                pairs = sorted([(a, -int(za)), (b, -int(zb))])
                key = (
                    "|".join(texts[c] for c, _ in pairs),
                    tuple("+" if s < 0 else "-" if s > 0 else "0" for _, s in pairs),
                )
                walls = any(s == 0 for c, _ in pairs for s in nf[c].signs)
                if key in listed:
                    hits += 1
                    assert listed[key] == _loss(inst, wts)
                else:  # then Theorem 1 or 3 decided it: no wall, or one neuron on one wall with z != 0
                    assert not walls or sum(1 for c, zz in pairs if any(s == 0 for s in nf[c].signs)) == 1
    assert hits >= 3


def test_the_face_lp_limit_stops_the_walk_and_says_what_is_left() -> None:
    inst = load_instance(ROOT / "examples" / "toy-mixed.json")
    full = atlas(inst, 2, saddles=False)
    part = atlas(inst, 2, saddles=False, max_face_lps=50)
    assert full.faces_examined == 204 and full.faces_skipped == 0
    assert part.faces_examined == 50 and part.faces_skipped >= full.faces_examined - 50
    assert any(line.startswith("at most ") for line in part.not_covered)
    assert {(m.faces, m.zsigns) for m in part.face_minima} <= {(m.faces, m.zsigns) for m in full.face_minima}
    none = atlas(inst, 2, saddles=False, max_face_lps=0)
    assert none.faces_examined == 0 and any("the LP limit is 0" in line for line in none.not_covered)


def test_the_global_minimums_point_attains_it_when_it_is_a_boundary_minimum(tmp_path: Path) -> None:
    """A global minimum attained only on a facet (Theorem 3): atlas.json's point is the facet
    minimum's witness, with that loss (it was the z = 0 point, loss (1/N)||y||^2, and the bundle
    check rejected it). The one-feature digits slice of docs/tutorial.py."""
    from exactscape.landscape.atlas import write_bundle
    from exactscape.landscape.point import loss

    xs = ["-9/8", "-43/64", "-9/16", "-73/64", "39/32", "11/32", "3/8", "1/16"]
    inst = Instance(X=tuple((F(x),) for x in xs), y=tuple(F(v) for v in [1] * 4 + [-1] * 4), bias=True)
    at = atlas(inst, 1)
    assert at.certified and at.upper == F(4157, 7757) and at.upper_from.startswith("boundary minimum")
    assert at.point is not None and loss(inst, at.point) == at.upper
    write_bundle(at, tmp_path / "b")  # replays the whole bundle; raises if the checker rejects it

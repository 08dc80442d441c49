"""Forged certificates and bundles that an earlier checker accepted: each is rejected now,
with a reason naming what is wrong (FORMAT.md 9.2 checks 6-7, 10.3, 10.4, 13).

Regions: a closure that is a point claimed empty (dimension -1), and the (+,+) region of
zigzag's all-active cell (a quadrilateral) cut down to a claimed dimension 1; infimum: a
cell whose open cones are empty; bundles: a loss edited to 0, genuine flags flipped, the
spurious list dropped, boundary and saddle certificates deleted (with and without editing
atlas.json to match), and a sample of deletions and atlas.json edits (mutation tests).
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest
from mutations import mutants

from exactscape.checker import check_certificate, check_file
from exactscape.core.model import Instance, Pattern
from exactscape.landscape.atlas import atlas, cell_witness, infimum_certificate, write_bundle
from exactscape.landscape.region import region
from exactscape.theory.infimum import cell_infimum

ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "proofs" / "certificates"
ZIGZAG = Instance(X=((F(-2),), (F(-1),), (F(1),), (F(2),)), y=(F(0), F(1), F(0), F(1)))
NEW_IN_1_3 = ("relative_interior", "implicit_proof", "bounded_proof", "redundant")


def _golden(name: str) -> dict[str, Any]:
    return dict(json.loads((CERTS / name).read_text()))


def _rejected(cert: dict[str, Any], *words: str) -> str:
    res = check_certificate(json.loads(json.dumps(cert)))
    assert not res.verified, "a forged certificate verified"
    assert not res.reason.startswith("internal"), res.reason
    for w in words:
        assert w in res.reason, (w, res.reason)
    return res.reason


def _as_1_2(cert: dict[str, Any]) -> dict[str, Any]:
    """The same certificate without the evidence new in 1.3 (what an older producer wrote)."""
    old = copy.deepcopy(cert)
    old["version"] = "1.2"
    for name in NEW_IN_1_3:
        old["closure"].pop(name, None)
    return old


# ------------------------------------------------------------------ regions


def test_a_point_closure_claimed_empty_is_rejected() -> None:
    cert = _golden("zigzag.region-empty.cert.json")  # cl P is the point R = (1, -1; 0, 0)
    assert check_certificate(cert).verified and cert["claim"]["dimension"] == 0
    forged = copy.deepcopy(cert)
    forged["closure"]["vertices"] = []
    forged["closure"]["equations"] = []
    forged["claim"].update({"dimension": -1, "vertices": 0})
    for name in NEW_IN_1_3:
        forged["closure"].pop(name)
    forged["closure"]["redundant"] = []
    for version in (forged, _as_1_2(forged)):
        # its emptiness multipliers have beta = 0: they prove the open region empty, not the closure
        _rejected(version, "emptiness", "beta = 0", "dimension -1 needs beta > 0")


def _quadrilateral() -> dict[str, Any]:
    res = region(ZIGZAG, Pattern(((1, 1), (1, 1), (1, 1), (1, 1))), ("+", "+"), "cell")
    claim = res.certificate["claim"]
    assert (claim["dimension"], claim["vertices"], claim["facets"], claim["bounded"]) == (2, 4, 4, True)
    assert res.checker_lines
    return res.certificate


def _tight(key: list[int], v: list[F]) -> bool:
    """Is the strict row (j, i) of the all-active (+,+) region tight at v (x_i . R_j = 0)?"""
    j, i = key
    x = [*ZIGZAG.X[i], F(1)]
    return sum((a * b for a, b in zip(x, v[2 * j : 2 * j + 2])), F(0)) == 0


def test_the_quadrilateral_cut_to_dimension_one_is_rejected() -> None:
    cert = _quadrilateral()
    cl = cert["closure"]
    verts = [[F(x) for x in v] for v in cl["vertices"]]
    # two opposite vertices (no common facet), a facet through each, the interior point moved
    # to the middle of that diagonal and the line through them added as an equation
    v0, v1 = next(
        (p, q)
        for p in range(4)
        for q in range(p + 1, 4)
        if not any(_tight(k, verts[p]) and _tight(k, verts[q]) for k in cl["facets"])
    )
    f0 = next(k for k in cl["facets"] if _tight(k, verts[v0]) and not _tight(k, verts[v1]))
    f1 = next(k for k in cl["facets"] if _tight(k, verts[v1]) and not _tight(k, verts[v0]))
    a, b = verts[v0], verts[v1]
    diff = [p - q for p, q in zip(b, a)]
    rows = [[F(x) for x in e[1:]] for e in cl["equations"]]
    from exactscape.core.linalg import rank

    c = next(
        cand
        for p in range(4)
        for q in range(p + 1, 4)
        if (cand := [diff[q] if t == p else -diff[p] if t == q else F(0) for t in range(4)])
        and any(cand)
        and rank([*rows, cand], 4) == len(rows) + 1
    )
    forged = copy.deepcopy(cert)
    fc = forged["closure"]
    fc["vertices"] = [cl["vertices"][v0], cl["vertices"][v1]]
    fc["facets"] = sorted([f0, f1])
    fc["equations"] = cl["equations"] + [[str(-sum((x * y for x, y in zip(c, a)), F(0)))] + [str(x) for x in c]]
    forged["interior"] = [str((p + q) / 2) for p, q in zip(a, b)]
    forged["claim"].update({"dimension": 1, "vertices": 2, "facets": 2})
    for version in (forged, _as_1_2(forged)):
        _rejected(version, "claim.dimension", "the interior point")


def test_bounded_and_minimal_need_their_proofs() -> None:
    cert = _quadrilateral()
    no_proof = copy.deepcopy(cert)
    del no_proof["closure"]["bounded_proof"]
    _rejected(no_proof, "bounded_proof", "the claim says bounded")
    line = _golden("line.region.cert.json")  # unbounded: one ray
    lie = copy.deepcopy(line)
    lie["closure"]["rays"] = []
    lie["claim"].update({"rays": 0, "bounded": True})
    _rejected(lie)
    dropped = copy.deepcopy(cert)  # one facet left out of the H-representation
    dropped["closure"]["facets"] = cert["closure"]["facets"][1:]
    dropped["claim"]["facets"] -= 1
    _rejected(dropped)
    no_red = copy.deepcopy(cert)
    no_red["closure"]["redundant"] = []
    _rejected(no_red, "facets, implicit and redundant rows must name every strict row")


def test_1_2_regions_say_what_they_do_not_prove() -> None:
    old = _as_1_2(_quadrilateral())
    res = check_certificate(old)
    assert res.verified
    assert any("version 1.2 does not prove boundedness" in line for line in res.lines)


# ------------------------------------------------------------------ infimum


def test_an_infimum_over_an_empty_cell_is_rejected() -> None:
    inst = Instance(X=((F(1),), (F(2),)), y=(F(1), F(1)), bias=False)
    pat = Pattern(((1,), (0,)))  # w . 1 > 0 and w . 2 < 0: the open cone is empty
    assert cell_witness(inst, pat) is None
    ci = cell_infimum(inst, pat)
    assert ci is not None
    with pytest.raises(Exception, match="the cell is empty"):
        infimum_certificate(inst, ci)
    forged = infimum_certificate(inst, ci, witness=((F(1),),))  # any witness: it is not inside
    _rejected(forged, "witness[0]", "is not < 0")
    del forged["witness"]
    _rejected(forged, "missing field 'witness'")
    forged["version"] = "1.2"  # an older certificate: verified, but it no longer claims the infimum over the cell
    res = check_certificate(forged)
    assert res.verified
    assert not any("infimum over the cell" in line for line in res.lines)
    assert any("does not prove the cell non-empty" in line for line in res.lines)


# ------------------------------------------------------------------ branches (kind new in 1.3)


def test_the_single_branch_reading_is_certified() -> None:
    hidden = _golden("zigzag-hidden.branches.cert.json")  # genuine with z_1 < 0 only
    positive = _golden("zigzag-positive.branches.cert.json")
    assert check_certificate(hidden).verified and not hidden["claim"]["genuine"]
    assert check_certificate(positive).verified and positive["claim"]["genuine"]
    lie = copy.deepcopy(hidden)
    lie["claim"].update({"genuine": True, "branches": ["+", "+"]})
    _rejected(lie, "claim.genuine")
    other = copy.deepcopy(positive)
    other["claim"]["branch_vectors"] = [["+", "-"]]  # the witness's branch vector is not in the set
    _rejected(other, "not in the set")
    older = copy.deepcopy(hidden)
    older["version"] = "1.2"
    _rejected(older, "new in version 1.3")


# ------------------------------------------------------------------ path (location new in 1.3)


def test_a_path_location_must_isolate_the_minimum() -> None:
    cert = _golden("zigzag.path.cert.json")  # the minimum is irrational, in piece 2
    loc = cert["claim"]["minimum"]["location"]
    assert check_certificate(cert).verified and loc["piece"] == 2
    lo, hi = F(loc["interval"][0]), F(loc["interval"][1])
    moved = copy.deepcopy(cert)  # the right half only: L' no longer changes sign inside
    moved["claim"]["minimum"]["location"]["interval"] = [str((lo + hi) / 2 + (hi - lo) / 4), str(hi)]
    _rejected(moved, "claim.minimum.location.interval")
    # the whole piece 2 is a true (wider) location; piece 3, where L increases, is not
    ends = [F(0), *map(F, cert["claim"]["breakpoints"]), F(1)]
    wide = copy.deepcopy(cert)
    wide["claim"]["minimum"]["location"]["interval"] = [str(ends[2]), str(ends[3])]
    assert check_certificate(wide).verified
    wrong = copy.deepcopy(cert)
    wrong["claim"]["minimum"]["location"] = {"piece": 3, "interval": [str(ends[3]), str(ends[4])]}
    _rejected(wrong, "claim.minimum.location.interval", "does not change sign")
    older = copy.deepcopy(cert)
    older["version"] = "1.2"
    _rejected(older, "unknown field 'location'")


# ------------------------------------------------------------------ bundles


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("atlas") / "zigzag-k1"
    write_bundle(atlas(ZIGZAG, 1), folder)
    code, lines = check_file(folder)
    assert code == 0 and lines[-1] == "s VERIFIED", lines[-3:]
    return folder


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _doc(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "atlas.json").read_text()))


def _write(folder: Path, doc: dict[str, Any]) -> None:
    (folder / "atlas.json").write_text(json.dumps(doc))


def _bundle_rejected(folder: Path, *words: str) -> str:
    code, lines = check_file(folder)
    assert code == 1, lines[-3:]
    last = lines[-1]
    assert last.startswith("s REJECTED") and "internal" not in last, last
    for w in words:
        assert w in last, (w, last)
    return last


def test_a_loss_edited_to_zero_is_rejected(bundle: Path, tmp_path: Path) -> None:
    f = _copy(bundle, tmp_path / "b")
    doc = _doc(f)
    i = next(k for k, c in enumerate(doc["cells"]) if c["loss"] != "0")
    doc["cells"][i]["loss"] = "0"
    _write(f, doc)
    _bundle_rejected(f, f"cells[{i}].loss", "says", "prove")


def test_flipped_genuine_flags_and_a_dropped_spurious_list_are_rejected(bundle: Path, tmp_path: Path) -> None:
    f = _copy(bundle, tmp_path / "b")
    doc = _doc(f)
    for c in doc["cells"]:
        c["genuine"] = not c["genuine"]
    doc["spurious"] = []
    _write(f, doc)
    _bundle_rejected(f, "cells[0].genuine")
    doc = _doc(bundle)
    assert doc["spurious"]
    doc["spurious"] = []
    _write(f, doc)
    _bundle_rejected(f, "spurious")
    doc = _doc(bundle)
    hidden = next(c for c in doc["cells"] if c["genuine_with_positive_z"] is False)
    hidden["genuine_with_positive_z"] = True
    _write(f, doc)
    _bundle_rejected(f, "genuine_with_positive_z")


def test_deleted_boundary_and_saddle_certificates_are_rejected(bundle: Path, tmp_path: Path) -> None:
    f = _copy(bundle, tmp_path / "b")
    for p in [*f.glob("boundary-*.cert.json")][:2] + [*f.glob("saddle-*.cert.json")][:2]:
        p.unlink()
    _bundle_rejected(f, "not in the bundle")
    # delete a face without local minima and its line: the census's walls still ask for it
    f = _copy(bundle, tmp_path / "c")
    doc = _doc(f)
    face = next(x for x in doc["faces"] if not x["plus"] and not x["minus"])
    (f / face["certificate"]).unlink()
    doc["faces"] = [x for x in doc["faces"] if x is not face]
    _write(f, doc)
    _bundle_rejected(f, "faces", "the census's walls give")
    # delete a saddle certificate and its line while saddles_analysed says every cell has one
    f = _copy(bundle, tmp_path / "d")
    doc = _doc(f)
    cell = doc["cells"][0]
    (f / cell["certificates"].pop("saddle")).unlink()
    del cell["saddles"]
    _write(f, doc)
    _bundle_rejected(f, "cells[0].certificates.saddle")


def test_an_unlisted_certificate_and_an_old_summary_are_rejected(bundle: Path, tmp_path: Path) -> None:
    f = _copy(bundle, tmp_path / "b")
    shutil.copy(CERTS / "zigzag-hidden.branches.cert.json", f / "extra.cert.json")
    _bundle_rejected(f, "extra.cert.json", "not named in atlas.json")
    f = _copy(bundle, tmp_path / "c")
    doc = _doc(f)
    doc["version"] = "1"
    _write(f, doc)
    _bundle_rejected(f, "atlas.json", "only version 2")


def test_uncertified_counts_must_still_be_present(bundle: Path, tmp_path: Path) -> None:
    """faces_not_examined is not re-derived (the face list's completeness is not proved), but a
    bundle without it, or with a negative count, is rejected."""
    f = _copy(bundle, tmp_path / "a")
    doc = _doc(f)
    del doc["faces_not_examined"]
    _write(f, doc)
    _bundle_rejected(f, "faces_not_examined")
    f = _copy(bundle, tmp_path / "b")
    doc = _doc(f)
    doc["faces_not_examined"] = -1
    _write(f, doc)
    _bundle_rejected(f, "faces_not_examined", "non-negative integer")


# lines of atlas.json that state no fact a certificate could prove (printed as such by the CLI)
UNCERTIFIED = ("census_lps", "attained_by", "not_covered", "faces_not_examined")


def test_bundle_mutations_are_rejected(bundle: Path, tmp_path: Path) -> None:
    """Deleting any of a sample of files, and a sample of single-field edits of atlas.json."""
    rng = random.Random(18)
    files = sorted(p.name for p in bundle.glob("*.cert.json"))
    by_kind: dict[str, str] = {}
    for name in files:
        by_kind.setdefault(json.loads((bundle / name).read_text())["kind"], name)
    sample = sorted(set(by_kind.values()) | set(rng.sample(files, 4)))
    for n, name in enumerate(sample):
        f = _copy(bundle, tmp_path / f"del{n}")
        (f / name).unlink()
        _bundle_rejected(f, name)
    original = _doc(bundle)
    edits = [(what, m) for what, m in mutants(original) if not any(u in what for u in UNCERTIFIED)]
    edits = [(what, m) for what, m in edits if json.loads(json.dumps(m)) != original]
    assert len(edits) > 100
    f = _copy(bundle, tmp_path / "edit")
    for what, m in rng.sample(edits, 40):
        _write(f, m)
        code, lines = check_file(f)
        assert code == 1 and "internal" not in lines[-1], (what, lines[-1])


@pytest.mark.slow
def test_every_atlas_json_edit_is_rejected(bundle: Path, tmp_path: Path) -> None:
    original = _doc(bundle)
    f = _copy(bundle, tmp_path / "edit")
    count = 0
    for what, m in mutants(original):
        if any(u in what for u in UNCERTIFIED) or json.loads(json.dumps(m)) == original:
            continue
        _write(f, m)
        code, lines = check_file(f)
        assert code == 1 and "internal" not in lines[-1], (what, lines[-1])
        count += 1
    assert count > 100

"""The atlas of a small instance: every cell, every minimum, saddle and
boundary minimum, with the cell list proved complete.

For an instance and K neurons:

1. **Census.** Every open cell of one neuron's arrangement (the N sample
   hyperplanes {w : w . x_i = 0} in Q^d) with a witness, and the sign tree
   proving the list complete (:mod:`exactscape.theory.census`). The network
   cells are all K-tuples of neuron cells (no symmetry reduction).
2. **Cells.** For every network cell: Theorem 1 (minimiser set, exact loss L*,
   genuineness with a branch vector; :func:`exactscape.theory.minima.analyse_cell`),
   whether the minimum is genuine with every z_j > 0 (what a fixed positive
   output weight sees), and Theorem 2 for every non-empty zero set
   (:func:`exactscape.theory.saddles.analyse_saddles`).
3. **Facets.** For every neuron k and sample n whose hyperplane is a facet of
   k's cell (the face {w_k . x_n = 0, every other sample strict} is non-empty),
   Theorem 3 on that face from the side w_k . x_n < 0
   (:func:`exactscape.theory.boundary.analyse_face`), once per facet. Walls on a
   hyperplane shared by parallel samples, faces of codimension >= 2, and z_k = 0
   on a boundary are outside Theorem 3 and listed as not covered.
4. **Global minimum, from both sides.** Per cell without a genuine minimum,
   the exact infimum of the loss over the cell
   (:func:`exactscape.theory.infimum.cell_infimum`: the least minimum of the
   convex quadratic over the closed cones sigma_j cl C_j, sigma in {+,-}^K,
   KKT-certified; for a genuine cell the infimum is L*). Every weight lies in
   a cell's closure, where the loss is the cell's quadratic of R, so the
   global minimum is the least cell infimum (``lower``); each infimum is
   attained by an exact point (z_j = sigma_j, w_j = sigma_j R_j, possibly on a
   boundary), a genuine minimum, a boundary minimum or z = 0 (``upper``). The
   global minimum is certified when lower = upper, which holds whenever every
   infimum was computed; a cell whose active-set iteration gave up contributes
   only its L* (a lower bound), and the result is then the interval
   [lower, upper], never a certified value.
5. **Spurious minima.** Local minima (genuine cell minima, boundary minima)
   whose loss is above ``upper`` (hence above the global minimum); when the
   global minimum is not certified, those with lower < loss <= upper are
   undecided.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Any

from . import certify, outputs, polyhedra
from .claims import mark_json
from .errors import InputError, OutputError
from .model import Instance, Pattern, Vec, Weights
from .numbers import fmt, fmt_vec
from .theory.boundary import FaceAnalysis, analyse_face
from .theory.branches import BranchProblem, search
from .theory.census import Census, CensusCell, CensusLeaf, CensusNode, TooMany, enumerate_cells
from .theory.census import region_bound as region_bound
from .theory.infimum import CellInfimum, cell_infimum
from .theory.minima import CellAnalysis, analyse_cell
from .theory.saddles import SaddleAnalysis, analyse_saddles

DEFAULT_MAX_CELLS = 100_000
VERSION_1_2 = "1.2"
MAX_SADDLE_K = 8  # all 2^K - 1 zero sets per cell up to this K
MAX_K = 12  # the infimum certificate lists 2^K branch vectors (FORMAT 10.3)


@dataclass(frozen=True)
class CellRecord:
    """One network cell: neuron cells (indices into the census), its analyses."""

    index: int
    cells: tuple[int, ...]
    pattern: Pattern
    analysis: CellAnalysis
    positive_genuine: bool | None  # genuine with every z_j > 0 (None: not genuine at all)
    saddles: SaddleAnalysis | None
    infimum: CellInfimum | None  # the exact infimum over the cell (None: genuine, or not computed)

    @property
    def lower(self) -> Fraction:
        """A proved lower bound of the loss over the cell: its exact infimum when known, else L*."""
        if self.analysis.genuineness.is_genuine:
            return self.analysis.loss
        return self.infimum.loss if self.infimum is not None else self.analysis.loss

    @property
    def exact(self) -> bool:
        """Is :attr:`lower` the exact infimum (attained)?"""
        return self.analysis.genuineness.is_genuine or self.infimum is not None


@dataclass(frozen=True)
class FaceRecord:
    """Theorem 3 on the facet w_k . x_n = 0 of network cell ``cell`` (its side w_k . x_n < 0)."""

    cell: int
    analysis: FaceAnalysis


@dataclass(frozen=True)
class Wall:
    """A codimension-one wall outside Theorem 3: neuron cell ``neuron_cell``'s wall on the
    hyperplane shared by the parallel samples ``samples``."""

    neuron_cell: int
    samples: tuple[int, ...]


@dataclass(frozen=True)
class Minimum:
    """A local minimum found: ``where`` is "cell" or "boundary"."""

    where: str
    cell: int
    loss: Fraction
    neuron: int | None = None
    sample: int | None = None
    sign: str | None = None
    branches: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Atlas:
    """Everything the atlas decided (module docstring)."""

    instance: Instance
    K: int
    census: Census
    cells: tuple[CellRecord, ...]
    faces: tuple[FaceRecord, ...]
    walls: tuple[Wall, ...]
    lower: Fraction | None
    upper: Fraction
    upper_from: str
    minima: tuple[Minimum, ...]
    point: Weights | None = None  # an exact point with loss ``upper`` (None: it is a boundary minimum)

    @property
    def certified(self) -> bool:
        return self.lower is not None and self.lower == self.upper

    @property
    def spurious(self) -> tuple[Minimum, ...]:
        return tuple(m for m in self.minima if m.loss > self.upper)

    @property
    def undecided(self) -> tuple[Minimum, ...]:
        if self.certified or self.lower is None:
            return ()
        lo = self.lower
        return tuple(m for m in self.minima if lo < m.loss <= self.upper)

    @property
    def not_covered(self) -> list[str]:
        out = []
        zs = self.census.zero_samples
        if zs:
            out.append(
                f"sample(s) {', '.join(map(str, zs))} are the zero vector: no open cell exists, every weight "
                "lies on a boundary; the whole landscape is outside Theorems 1-3"
            )
        for w in self.walls:
            out.append(
                f"wall of neuron cell {w.neuron_cell} on the hyperplane shared by samples "
                f"{', '.join(map(str, w.samples))} (a weight on several sample hyperplanes)"
            )
        if not zs:
            out.append("faces of codimension >= 2 (a weight on two hyperplanes, or two neurons on hyperplanes at once)")
            out.append("points on a boundary with z_k = 0 for the neuron on the boundary")
        return out


def _facet_system(inst: Instance, signs: tuple[int, ...], n: int, group: tuple[int, ...]) -> polyhedra.System:
    """{w : w . x_n = 0, s_i x_i . w > 0 for samples i outside n's parallel group}."""
    G = tuple(tuple((1 if signs[i] else -1) * v for v in x) for i, x in enumerate(inst.xs) if i not in group)
    return polyhedra.System(n=inst.d, E=(inst.xs[n],), f=(Fraction(0),), G=G, h=tuple(Fraction(0) for _ in G))


def parallel_group(inst: Instance, n: int) -> tuple[int, ...]:
    """The samples m with x_m = c x_n for some c != 0 (n included): one shared hyperplane."""
    xn = inst.xs[n]
    out = []
    for m, x in enumerate(inst.xs):
        # x parallel to xn iff every 2x2 minor vanishes (and x != 0)
        if any(x) and all(x[a] * xn[b] == x[b] * xn[a] for a in range(inst.d) for b in range(a + 1, inst.d)):
            out.append(m)
    return tuple(out)


def neuron_facets(inst: Instance, census: Census) -> tuple[dict[int, list[tuple[int, Vec]]], list[Wall]]:
    """Per neuron cell: the samples n (inactive in the cell) whose hyperplane is a Theorem 3
    facet, with a witness on it; and the walls on shared hyperplanes (not covered)."""
    facets: dict[int, list[tuple[int, Vec]]] = {}
    walls: list[Wall] = []
    groups = {n: parallel_group(inst, n) for n in range(inst.N) if any(inst.xs[n])}
    for c, cell in enumerate(census.cells):
        facets[c] = []
        for n, group in groups.items():
            if cell.active[n] or n != min(group):
                continue
            ans = polyhedra.decide(_facet_system(inst, cell.active, n, group))
            if isinstance(ans, polyhedra.Farkas):
                continue
            if len(group) == 1:
                facets[c].append((n, tuple(ans.v)))
            else:
                walls.append(Wall(c, group))
    return facets, walls


def network_patterns(census: Census, K: int) -> list[tuple[tuple[int, ...], Pattern]]:
    """All K-tuples of neuron cells (lexicographic) with their patterns."""
    out = []
    for combo in product(range(len(census.cells)), repeat=K):
        rows = tuple(tuple(census.cells[c].active[i] for c in combo) for i in range(census.instance.N))
        out.append((combo, Pattern(rows)))
    return out


def check_size(inst: Instance, K: int, max_cells: int) -> int:
    """Refuse (one-line InputError, field ``max_cells``) when the cell bound is too large; return the bound."""
    per = region_bound(inst.N, inst.d)
    est: int = per**K
    if per > max_cells:
        raise InputError(
            f"up to {_big(est)} network cells ({_big(per)} per neuron: 2 sum_(i<d) C(N-1, i) with N = {inst.N}, "
            f"d = {inst.d}, to the power K = {K}) exceed the limit of {max_cells} cells; raise the limit to "
            "enumerate them",
            field="max_cells",
        )
    return est


def _big(n: int) -> str:
    """An integer, or "about 10^k" when it has more than 15 digits.

    >>> _big(12345), _big(10**40 + 7)
    ('12345', 'about 10^40')
    """
    s = str(n)
    return s if len(s) <= 15 else f"about 10^{len(s) - 1}"


def atlas(
    inst: Instance,
    K: int,
    *,
    max_cells: int = DEFAULT_MAX_CELLS,
    saddles: bool = True,
    faces: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> Atlas:
    """The atlas of ``inst`` with ``K`` neurons (module docstring)."""
    if K < 1:
        raise InputError("K must be at least 1", field="K")
    if K > MAX_K:
        raise InputError(f"K = {K}: the atlas handles at most {MAX_K} neurons (2^K branch vectors per cell)", field="K")
    if max_cells < 1:
        raise InputError(f"the cell limit must be at least 1, got {max_cells}", field="max_cells")
    check_size(inst, K, max_cells)
    try:
        census = enumerate_cells(inst, max_cells)
    except TooMany:
        raise InputError(f"more than {max_cells} cells per neuron; raise the cell limit", field="max_cells") from None
    c = len(census.cells)
    if c**K > max_cells:
        raise InputError(
            f"{c} cells per neuron give {c**K} network cells (K = {K}), more than the limit of {max_cells} cells; "
            "raise the limit to enumerate them",
            field="max_cells",
        )
    if K > MAX_SADDLE_K and saddles:
        raise InputError(
            f"K = {K} > {MAX_SADDLE_K}: every zero set of every cell is too many; leave the saddles out",
            field="saddles",
        )
    facets, walls = neuron_facets(inst, census) if faces else ({}, [])
    records: list[CellRecord] = []
    face_records: list[FaceRecord] = []
    minima: list[Minimum] = []
    nets = network_patterns(census, K)
    ones = tuple(Fraction(1) for _ in range(K))
    for idx, (combo, pat) in enumerate(nets):
        if progress is not None:
            progress("cells", idx, len(nets))
        wit = tuple(census.cells[cc].witness for cc in combo)
        hint = Weights(ones, wit)
        a = analyse_cell(inst, pat, hint=hint)
        pos: bool | None = None
        if a.genuine is not None:
            if all(b == "+" for b in a.genuine.branches):
                pos = True
            else:
                prob = BranchProblem(inst, pat, tuple(a.least_squares().fitted), tuple(("+",) for _ in range(K)), wit)
                pos = search(prob).genuine is not None
            minima.append(Minimum("cell", idx, a.loss, branches=a.genuine.branches))
        sd = analyse_saddles(inst, pat, None, hint) if saddles else None
        # the infimum over the closure is computed whenever the cell is not known genuine
        # (not genuine, or undecided: it is a lower bound either way)
        inf = None if a.genuineness.is_genuine else cell_infimum(inst, pat)
        records.append(CellRecord(idx, combo, pat, a, pos, sd, inf))
        if faces:
            for k, cc in enumerate(combo):
                for n, wk in facets.get(cc, []):
                    fw = Weights(ones, tuple(wk if j == k else wit[j] for j in range(K)))
                    fa = analyse_face(inst, pat, k, n, hint=fw)
                    face_records.append(FaceRecord(idx, fa))
                    for sr in fa.results:
                        if sr.exists:
                            minima.append(Minimum("boundary", idx, fa.solution.loss, k, n, sr.sign))
    if progress is not None:
        progress("cells", len(nets), len(nets))
    zero_loss = sum((v * v for v in inst.y), Fraction(0)) / inst.N
    upper, upper_from = zero_loss, "z = 0 (any w): loss (1/N) ||y||^2"
    point: Weights | None = None
    for m in minima:
        if m.loss < upper:
            upper = m.loss
            upper_from = (
                f"genuine minimum of cell {m.cell}"
                if m.where == "cell"
                else f"boundary minimum of cell {m.cell} on w_{m.neuron} . x_{m.sample} = 0"
            )
    for r in records:
        if r.infimum is not None and r.infimum.loss < upper:
            b = r.infimum.best
            upper = b.loss
            upper_from = f"the closure of cell {r.index} (branches {' '.join(b.branches)}; a point on its boundary)"
            sg = tuple(Fraction(1 if s == "+" else -1) for s in b.branches)
            point = Weights(sg, tuple(tuple(g * v for v in blk) for g, blk in zip(sg, b.R, strict=True)))
    if point is None:
        point = _attaining_point(inst, K, records, upper, census)
    lower = min((r.lower for r in records), default=None)
    if lower is not None and lower > upper:
        from .errors import InternalError

        raise InternalError("the lower bound of the global minimum exceeds an attained loss")
    return Atlas(
        inst,
        K,
        census,
        tuple(records),
        tuple(face_records),
        tuple(walls),
        lower,
        upper,
        upper_from,
        tuple(minima),
        point,
    )


def _attaining_point(
    inst: Instance, K: int, records: list[CellRecord], upper: Fraction, census: Census
) -> Weights | None:
    """An exact weight vector with loss ``upper`` (a genuine cell minimum, or z = 0)."""
    for r in records:
        g = r.analysis.genuine
        if g is not None and r.analysis.loss == upper:
            return Weights(g.z, g.w)
    if census.cells:
        return Weights(tuple(Fraction(0) for _ in range(K)), tuple(census.cells[0].witness for _ in range(K)))
    return None


# ------------------------------------------------------------------ JSON


def pattern_text(census: Census, combo: tuple[int, ...]) -> str:
    """The network cell as one +/- string per neuron, e.g. ``"+-|++"``."""
    return "|".join("".join("+" if a else "-" for a in census.cells[c].active) for c in combo)


def _minimum_json(m: Minimum) -> dict[str, Any]:
    out: dict[str, Any] = {"where": m.where, "cell": m.cell, "loss": fmt(m.loss)}
    if m.branches is not None:
        out["branches"] = list(m.branches)
    if m.neuron is not None:
        out.update({"neuron": m.neuron, "sample": m.sample, "sign": m.sign})
    return out


def summary(at: Atlas) -> dict[str, Any]:
    """The ``--json`` object (README: atlas)."""
    cells = []
    for r in at.cells:
        a = r.analysis
        rec: dict[str, Any] = {
            "index": r.index,
            "neuron_cells": list(r.cells),
            "pattern": pattern_text(at.census, r.cells),
            "feasible": a.feasibility.feasible,
            "kind": a.kind,
            "dimension": a.dimension,
            "loss": fmt(a.loss),
            "genuine": a.genuineness.known(),
            **a.genuineness.to_json(),
            "branches": list(a.genuine.branches) if a.genuine else None,
            "genuine_with_positive_z": r.positive_genuine,
            "infimum": fmt(r.lower) if r.exact else None,
            "lower_bound": fmt(r.lower),
        }
        if r.saddles is not None:
            rec["saddles"] = [
                {"zero": list(c.zero), "verdict": c.verdict, "loss": fmt(c.loss)} for c in r.saddles.cases
            ]
        cells.append(rec)
    faces = [
        {
            "cell": f.cell,
            "neuron": f.analysis.neuron,
            "sample": f.analysis.sample,
            "loss": fmt(f.analysis.solution.loss),
            "lambda": fmt(f.analysis.solution.lam),
            "plus": bool((p := f.analysis.result("+")) and p.exists),
            "minus": bool((q := f.analysis.result("-")) and q.exists),
        }
        for f in at.faces
    ]
    gm: dict[str, Any] = {
        "certified": at.certified,
        "lower": fmt(at.lower) if at.lower is not None else None,
        "upper": fmt(at.upper),
        "attained_by": at.upper_from,
    }
    if at.certified:
        gm["loss"] = fmt(at.upper)
    gm["point"] = at.point.to_json() if at.point is not None else None
    doc = {
        "verdict": verdict(at),
        "N": at.instance.N,
        "d": at.instance.d,
        "K": at.K,
        "neuron_cells": len(at.census.cells),
        "neuron_cell_bound": region_bound(at.instance.N, at.instance.d),
        "network_cells": len(at.cells),
        "census_lps": at.census.lps,
        "genuineness_counts": {
            state: sum(1 for r in at.cells if r.analysis.genuineness.state == state)
            for state in ("genuine", "not-genuine", "undecided")
        },
        "cells": cells,
        "boundary_minima": [f for f in faces if f["plus"] or f["minus"]],
        "faces": faces,
        "global_minimum": gm,
        "minima": [_minimum_json(m) for m in at.minima],
        "spurious": [_minimum_json(m) for m in at.spurious],
        "undecided": [_minimum_json(m) for m in at.undecided],
        "not_covered": at.not_covered,
    }
    # the single-branch reading has no certificate kind; the lists' completeness and the counts
    # are not re-derived by the bundle check (each entry has its own certificate)
    return mark_json(
        doc, ["cells[].genuine_with_positive_z", "genuineness_counts", "minima", "spurious", "boundary_minima"]
    )


def verdict(at: Atlas) -> str:
    """``complete`` (cells listed, global minimum certified), ``bounds`` (global minimum only
    bracketed), or ``not-covered`` (no open cell: a zero sample)."""
    if not at.census.cells:
        return "not-covered"
    return "complete" if at.certified else "bounds"


# ------------------------------------------------------------ certificates


def _census_tree_json(t: CensusNode) -> dict[str, Any]:
    if isinstance(t, CensusLeaf):
        return {"empty": [[i, fmt(m)] for i, m in t.multipliers]}
    if isinstance(t, CensusCell):
        return {"cell": t.index}
    return {"split": t.sample, "+": _census_tree_json(t.plus), "-": _census_tree_json(t.minus)}


def census_certificate(census: Census, K: int) -> dict[str, Any]:
    """Certificate of kind ``census`` (FORMAT 10, new in 1.2)."""
    c = len(census.cells)
    cert = certify.envelope(
        "census",
        census.instance.to_json(),
        {"neurons": K, "neuron_cells": c, "network_cells": c**K},
    )
    cert["version"] = VERSION_1_2
    cert["cells"] = [{"active": list(x.active), "witness": fmt_vec(x.witness)} for x in census.cells]
    cert["tree"] = _census_tree_json(census.tree)
    return cert


def infimum_certificate(inst: Instance, ci: CellInfimum) -> dict[str, Any]:
    """Certificate of kind ``infimum`` (FORMAT 10.3, new in 1.2)."""
    b = ci.best
    cert = certify.envelope("infimum", inst.to_json(), {"loss": fmt(b.loss), "branches": list(b.branches)})
    cert["version"] = VERSION_1_2
    cert["pattern"] = ci.pattern.to_json()
    cert["cases"] = [
        {
            "branches": list(c.branches),
            "R": [fmt_vec(blk) for blk in c.R],
            "multipliers": [[j, i, fmt(m)] for j, i, m in c.multipliers],
        }
        for c in ci.cases
    ]
    return cert


def certificates(at: Atlas) -> list[tuple[str, dict[str, Any]]]:
    """(file name, certificate) for the whole bundle: the census, then per cell its
    ``cell`` and ``saddle`` certificates, then one ``boundary`` certificate per facet."""
    out: list[tuple[str, dict[str, Any]]] = [("census.cert.json", census_certificate(at.census, at.K))]
    width = max(3, len(str(len(at.cells))))
    for r in at.cells:
        if r.analysis.undecided:
            raise InputError(
                f"cell {r.index} is undecided ({r.analysis.genuineness.reason_text()}): no certificate exists for "
                "it, so no complete bundle can be written; leave out --out"
            )
        out.append((f"cell-{r.index:0{width}d}.cert.json", certify.cell_certificate(r.analysis)))
        if r.infimum is not None:
            out.append((f"infimum-{r.index:0{width}d}.cert.json", infimum_certificate(at.instance, r.infimum)))
        if r.saddles is not None:
            out.append((f"saddle-{r.index:0{width}d}.cert.json", certify.saddle_certificate(r.saddles)))
    for f in at.faces:
        a = f.analysis
        name = f"boundary-{f.cell:0{width}d}-k{a.neuron}-n{a.sample}.cert.json"
        out.append((name, certify.boundary_certificate(a)))
    return out


def ours(path: Path) -> bool:
    """An existing file exactscape wrote: a certificate, an atlas summary, or a marked plot."""
    if path.suffix.lower() in (".png", ".svg"):
        return _is_our_plot(path)
    data = outputs.read_prefix(path)
    if data is None:
        return False
    fields = outputs.top_fields(data)
    return fields.get("format") in (certify.FORMAT, "exactscape-atlas")


def check_target(path: Path, protected: tuple[Path, ...]) -> None:
    """Refuse an input (``protected``), a folder, a special file, or an existing file that
    exactscape did not write (exactscape.outputs, with :func:`ours`)."""
    outputs.check_target(path, protected, ours)


PLOT_MARK = b"exactscape-atlas-plot"


def _is_our_plot(path: Path) -> bool:
    """Plots carry the marker ``exactscape-atlas-plot`` in their metadata."""
    try:
        return PLOT_MARK in path.read_bytes()[:200_000]
    except OSError:
        return False


def write_bundle(at: Atlas, folder: Path, protected: tuple[Path, ...] = ()) -> list[Path]:
    """Write every certificate of :func:`certificates` and ``atlas.json`` (the summary) into
    ``folder``; every certificate is replayed by the checker first."""
    certs = certificates(at)
    for _, cert in certs:
        certify.self_check(cert)
    targets = [folder / name for name, _ in certs] + [folder / "atlas.json"]
    for t in targets:  # check every output before writing any
        check_target(t, protected)
    if folder.is_dir():
        names = {t.name for t in targets}
        stale = sorted(p.name for p in folder.glob("*.cert.json") if p.name not in names)
        if stale:
            raise OutputError(
                f"{folder}: holds {len(stale)} other certificate(s) (first: {stale[0]}), which would make the "
                "bundle inconsistent; use a new or empty folder"
            )
    written = []
    for name, cert in certs:
        written.append(
            outputs.write_bytes(folder / name, certify.dumps(cert).encode("utf-8"), inputs=protected, may_replace=ours)
        )
    doc = {"format": "exactscape-atlas", "version": "1", **summary(at)}
    written.append(
        outputs.write_bytes(
            folder / "atlas.json", (json.dumps(doc, indent=1) + "\n").encode(), inputs=protected, may_replace=ours
        )
    )
    return written

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
   (:func:`exactscape.theory.boundary.analyse_face`), once per facet.
3a. **Every other face** (docs/theory.md section 4.1): every K-tuple of faces of
   the neurons' arrangements (cells, walls, their intersections down to w_j = 0)
   and every sign of z outside Theorems 1 and 3 (a weight on two or more
   hyperplanes or on a wall shared by parallel samples, several neurons on
   walls, z_k = 0 on a wall, w_j = 0), decided by one exact LP each
   (:func:`exactscape.theory.local.decide_face`, Lemma D on the whole face), one
   ordering of the neurons only (the loss is symmetric under their permutations): a
   face with a local minimum gives a witness point whose ``point`` certificate
   (Lemma D, format 1.3) is in the bundle; "no local minimum on this face" is
   an exact decision without a certificate, counted as such. At most
   ``max_face_lps`` LPs; the rest is counted as not examined.
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
from itertools import combinations_with_replacement, product
from math import comb
from pathlib import Path
from typing import Any

from ..core import polyhedra
from ..core.model import Instance, Mat, Pattern, Vec, Weights
from ..core.numbers import fmt, fmt_vec
from ..errors import InputError, InternalError, OutputError
from ..io import certify, outputs
from ..theory.boundary import FaceAnalysis, analyse_face
from ..theory.branches import BranchProblem, Genuine, Leaf, Split, Tree, search
from ..theory.census import Census, CensusCell, CensusLeaf, CensusNode, TooMany, enumerate_cells
from ..theory.census import region_bound as region_bound
from ..theory.infimum import CellInfimum, cell_infimum
from ..theory.local import MAX_PIECES, FaceDecision, FanCache, NeuronFace, decide_face, neuron_faces
from ..theory.minima import CellAnalysis, analyse_cell
from ..theory.saddles import SaddleAnalysis, analyse_saddles
from .point import classify_point

DEFAULT_MAX_CELLS = 100_000
VERSION_1_2 = "1.2"
VERSION_1_3 = "1.3"
MAX_SADDLE_K = 8  # all 2^K - 1 zero sets per cell up to this K
MAX_K = 12  # the infimum certificate lists 2^K branch vectors (FORMAT 10.3)
DEFAULT_MAX_FACE_LPS = 1_000  # faces x signs of z outside Theorems 1 and 3 decided per atlas
MAX_FACE_LPS = 10_000_000


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
    positive_evidence: Genuine | Leaf | None = None  # the (+,...,+) answer's witness or refuting leaf

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
    face: str | None = None  # where == "face": the neurons' faces, e.g. "00-|+--" (0: on the wall)


@dataclass(frozen=True)
class FaceMinimum:
    """A face outside Theorems 1 and 3 (indices into Atlas.neuron_faces, signs of z) and its
    decision: a local minimum (Lemma D) with its witness, or none with Farkas multipliers."""

    faces: tuple[int, ...]
    zsigns: tuple[int, ...]
    decision: FaceDecision


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
    wall_proofs: WallProof | None = None  # every (neuron cell, inactive sample) decided (None: faces not analysed)
    neuron_faces: tuple[NeuronFace, ...] = ()  # every face of one neuron's arrangement (3a)
    face_minima: tuple[FaceMinimum, ...] = ()
    face_empty: tuple[FaceMinimum, ...] = ()  # the faces decided without a local minimum
    faces_examined: int = 0  # face and z-sign combinations outside Theorems 1 and 3 decided by an LP
    faces_skipped: int = 0  # at most this many more not examined (the LP limit stopped the walk)
    faces_note: str = ""  # why no face outside Theorems 1 and 3 was examined at all

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
        if self.faces_examined == 0:
            for w in self.walls:
                out.append(
                    f"wall of neuron cell {w.neuron_cell} on the hyperplane shared by samples "
                    f"{', '.join(map(str, w.samples))} (a weight on several sample hyperplanes)"
                )
        none = self.faces_examined - len(self.face_minima)
        if self.faces_examined:
            out.append(
                f"faces outside Theorems 1 and 3 (a weight on two or more hyperplanes, several neurons on walls, "
                f"z_k = 0 on a wall, w_j = 0): all {self.faces_examined} examined are decided, "
                f"{len(self.face_minima)} with local minima (listed, with certified witness points) and {none} "
                "without (certified by Farkas multipliers in faces.cert.json); that the list of faces is "
                "complete is not certified"
            )
        if self.faces_note:
            out.append(
                f"faces outside Theorems 1 and 3 (a weight on two or more hyperplanes, several neurons on walls, "
                f"z_k = 0 on a wall, w_j = 0) not examined: {self.faces_note}"
            )
        if self.faces_skipped:
            out.append(
                f"at most {self.faces_skipped} more faces and signs of z outside Theorems 1 and 3 not examined "
                "(the LP limit stopped the walk): local minima there are not listed (any given point is decided "
                "by `exactscape point`)"
            )
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


WallProof = dict[tuple[int, int], dict[str, Any]]
"""(neuron cell, sample) -> the census's 1.3 ``walls`` entry: a witness on the wall, or Farkas multipliers."""


def neuron_facets(
    inst: Instance, census: Census, proofs: WallProof | None = None
) -> tuple[dict[int, list[tuple[int, Vec]]], list[Wall]]:
    """Per neuron cell: the samples n (inactive in the cell) whose hyperplane is a Theorem 3
    facet, with a witness on it; and the walls on shared hyperplanes (not covered). With
    ``proofs``, every decision's evidence is stored there (the census's ``walls``, FORMAT 10.2)."""
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
                if proofs is not None:
                    outside = [i for i in range(inst.N) if i not in group]
                    proofs[(c, n)] = {
                        "empty": [[i, fmt(m)] for i, m in zip(outside, ans.mG, strict=True) if m != 0],
                        "mu": fmt(ans.mE[0]),
                    }
                continue
            if proofs is not None:
                proofs[(c, n)] = {"witness": fmt_vec(ans.v)}
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
    max_face_lps: int = DEFAULT_MAX_FACE_LPS,
) -> Atlas:
    """The atlas of ``inst`` with ``K`` neurons (module docstring)."""
    census = _census(inst, K, max_cells, saddles, max_face_lps)
    wall_proofs: WallProof = {}
    facets, walls = neuron_facets(inst, census, wall_proofs) if faces else ({}, [])
    records, face_records, minima = _analyse_cells(inst, K, census, facets, saddles, faces, progress)
    if progress is not None:
        progress("cells", len(records), len(records))
    nfaces, face_minima, face_empty, examined, skipped, note = (
        _other_faces(inst, K, census, max_face_lps, progress) if faces else ((), [], [], 0, 0, "")
    )
    minima[:0] = _face_minima(nfaces, face_minima)
    upper, upper_from, point = _least_attained(inst, records, minima)
    if point is None:
        point = _attaining_point(inst, K, records, face_records, face_minima, upper, census)
    lower = min((r.lower for r in records), default=None)
    if lower is not None and lower > upper:
        from ..errors import InternalError

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
        wall_proofs if faces else None,
        nfaces,
        tuple(face_minima),
        tuple(face_empty),
        examined,
        skipped,
        note,
    )


def _census(inst: Instance, K: int, max_cells: int, saddles: bool, max_face_lps: int) -> Census:
    """The cells of one neuron, after every limit is checked (K, the cell limit, the face LPs, the size)."""
    if K < 1:
        raise InputError("K must be at least 1", field="K")
    if K > MAX_K:
        raise InputError(f"K = {K}: the atlas handles at most {MAX_K} neurons (2^K branch vectors per cell)", field="K")
    if max_cells < 1:
        raise InputError(f"the cell limit must be at least 1, got {max_cells}", field="max_cells")
    if not 0 <= max_face_lps <= MAX_FACE_LPS:
        raise InputError(f"must be between 0 and {MAX_FACE_LPS}, got {max_face_lps}", field="max_face_lps")
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
    return census


def _analyse_cells(
    inst: Instance,
    K: int,
    census: Census,
    facets: dict[int, list[tuple[int, Vec]]],
    saddles: bool,
    faces: bool,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[list[CellRecord], list[FaceRecord], list[Minimum]]:
    """Every network cell decided (Theorems 1 and 2, the infimum of its closure), the facets of
    its neurons (Theorem 3), and the minima found."""
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
        evidence: Genuine | Leaf | None = None
        if a.genuine is not None:
            evidence = positive_decision(a, wit)
            pos = isinstance(evidence, Genuine)
            minima.append(Minimum("cell", idx, a.loss, branches=a.genuine.branches))
        sd = analyse_saddles(inst, pat, None, hint) if saddles else None
        # the infimum over the closure is computed whenever the cell is not known genuine
        # (not genuine, or undecided: it is a lower bound either way)
        inf = None if a.genuineness.is_genuine else cell_infimum(inst, pat)
        records.append(CellRecord(idx, combo, pat, a, pos, sd, inf, evidence))
        if faces:
            for k, cc in enumerate(combo):
                for n, wk in facets.get(cc, []):
                    fw = Weights(ones, tuple(wk if j == k else wit[j] for j in range(K)))
                    fa = analyse_face(inst, pat, k, n, hint=fw)
                    face_records.append(FaceRecord(idx, fa))
                    for sr in fa.results:
                        if sr.exists:
                            minima.append(Minimum("boundary", idx, fa.solution.loss, k, n, sr.sign))
    return records, face_records, minima


def _face_minima(nfaces: tuple[NeuronFace, ...], face_minima: list[Any]) -> list[Minimum]:
    """The local minima on other faces, listed first (cell -1): the order the bundle check re-derives
    (FORMAT 10.4)."""
    face_mins = []  # listed first (cell -1): the order the bundle check re-derives (FORMAT 10.4)
    for fm in face_minima:
        if fm.decision.loss is not None:
            face_mins.append(
                Minimum(
                    "face",
                    -1,
                    fm.decision.loss,
                    branches=tuple(_SIGN[s] for s in fm.zsigns),
                    face=face_text(nfaces, fm.faces),
                )
            )
    return face_mins


def _least_attained(
    inst: Instance, records: list[CellRecord], minima: list[Minimum]
) -> tuple[Fraction, str, Weights | None]:
    """The least loss attained (z = 0, a minimum found, or a cell closure's infimum), what attains
    it, and the point when an infimum does."""
    zero_loss = sum((v * v for v in inst.y), Fraction(0)) / inst.N
    upper, upper_from = zero_loss, "z = 0 (any w): loss (1/N) ||y||^2"
    point: Weights | None = None
    for m in minima:
        if m.loss < upper:
            upper = m.loss
            upper_from = (
                f"genuine minimum of cell {m.cell}"
                if m.where == "cell"
                else f"local minimum on the face {m.face}"
                if m.where == "face"
                else f"boundary minimum of cell {m.cell} on w_{m.neuron} . x_{m.sample} = 0"
            )
    for r in records:
        if r.infimum is not None and r.infimum.loss < upper:
            b = r.infimum.best
            upper = b.loss
            upper_from = f"the closure of cell {r.index} (branches {' '.join(b.branches)}; a point on its boundary)"
            sg = tuple(Fraction(1 if s == "+" else -1) for s in b.branches)
            point = Weights(sg, tuple(tuple(g * v for v in blk) for g, blk in zip(sg, b.R, strict=True)))
    return upper, upper_from, point


_SIGN = {1: "+", -1: "-", 0: "0"}


def face_text(nfaces: tuple[NeuronFace, ...], combo: tuple[int, ...]) -> str:
    """The neurons' faces as one +/-/0 string per neuron, e.g. ``"00-|+--"``."""
    return "|".join("".join("+" if s > 0 else "-" if s < 0 else "0" for s in nfaces[c].signs) for c in combo)


def _covered_face(inst: Instance, fcs: tuple[NeuronFace, ...], zsigns: tuple[int, ...], cells_ok: bool) -> bool:
    """Does Theorem 1 (every neuron in an open cell) or Theorem 3 (one neuron with z_k != 0 on
    the wall of one sample with no parallel sample, the others in open cells) decide it?"""
    walls = [[i for i in f.walls if any(inst.xs[i])] for f in fcs]
    on = [j for j, w in enumerate(walls) if w]
    if not cells_ok:
        return False
    if not on:
        return True
    if len(on) == 1 and len(walls[on[0]]) == 1 and zsigns[on[0]] != 0:
        n = walls[on[0]][0]
        return len(parallel_group(inst, n)) == 1
    return False


def _other_faces(
    inst: Instance,
    K: int,
    census: Census,
    max_lps: int,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[tuple[NeuronFace, ...], list[FaceMinimum], list[FaceMinimum], int, int, str]:
    """Step 3a: every face and sign of z outside Theorems 1 and 3, one exact LP each."""
    if max_lps == 0:
        return (), [], [], 0, 0, "the LP limit is 0"
    nf = neuron_faces(inst)
    if nf is None:
        return (), [], [], 0, 0, f"one neuron's arrangement has more than {MAX_PIECES} faces"
    items = sorted((c, -z) for c in range(len(nf)) for z in (1, -1, 0))
    total = comb(len(items) + K - 1, K)  # one ordering of the neurons: multisets of K (face, sign) pairs
    cells_ok = bool(census.cells)  # with a zero sample no open cell exists: Theorem 1 decided nothing
    found: list[FaceMinimum] = []
    none: list[FaceMinimum] = []
    examined = skipped = done = 0
    cache: FanCache = {}
    for pairs in combinations_with_replacement(items, K):  # sorted: the loss is symmetric under permutations
        combo = tuple(c for c, _ in pairs)
        zs = tuple(-m for _, m in pairs)
        fcs = tuple(nf[c] for c in combo)
        if _covered_face(inst, fcs, zs, cells_ok):
            done += 1
            continue
        if examined >= max_lps:
            skipped = total - done  # an upper bound: some of the rest are Theorem 1 or 3's
            break
        done += 1
        examined += 1
        if progress is not None and examined % 100 == 0:
            progress("faces", done, total)
        dec = decide_face(inst, fcs, zs, cache)
        (found if dec.minimum else none).append(FaceMinimum(combo, zs, dec))
    return nf, found, none, examined, skipped, ""


def positive_decision(a: CellAnalysis, wit: Mat | None) -> Genuine | Leaf | None:
    """Is some minimiser of a feasible cell genuine with every z_j > 0 (the single branch vector
    (+, ..., +))? The cell's own witness when its branches are all +, else the exact branch
    search restricted to + (a witness or one refuting leaf)."""
    if a.genuine is not None and all(b == "+" for b in a.genuine.branches):
        return a.genuine
    K = a.pattern.K
    prob = BranchProblem(a.instance, a.pattern, tuple(a.least_squares().fitted), tuple(("+",) for _ in range(K)), wit)
    found = search(prob)
    return found.genuine if found.genuine is not None else _plus_leaf(found.tree)


def positive_certificate(inst: Instance, pat: Pattern) -> dict[str, Any]:
    """Certificate of kind ``branches`` (FORMAT 13) for the single branch vector (+, ..., +)."""
    a = analyse_cell(inst, pat)
    plus = tuple("+" for _ in range(pat.K))
    ev = positive_decision(a, a.feasibility.witness) if a.feasibility.feasible else None
    gen = ev if isinstance(ev, Genuine) else None
    leaves = [ev] if isinstance(ev, Leaf) else None
    return certify.branches_certificate(a, [plus], gen, leaves)


def _plus_leaf(tree: Tree | None) -> Leaf | None:
    """The leaf of a tree over the single branch vector (+, ..., +) (every split has one child)."""
    while isinstance(tree, Split):
        tree = dict(tree.children).get("+")
    return tree


def _attaining_point(
    inst: Instance,
    K: int,
    records: list[CellRecord],
    face_records: list[FaceRecord],
    face_minima: list[FaceMinimum],
    upper: Fraction,
    census: Census,
) -> Weights | None:
    """An exact weight vector with loss ``upper``: a genuine cell minimum, a minimum on a
    facet (Theorem 3) or on another face (Lemma D), each its witness, or z = 0 when
    (1/N) ||y||^2 is the value; None if none of them attains it."""
    for r in records:
        g = r.analysis.genuine
        if g is not None and r.analysis.loss == upper:
            return Weights(g.z, g.w)
    for f in face_records:
        for sr in f.analysis.results:
            if sr.genuine is not None and f.analysis.solution.loss == upper:
                return Weights(sr.genuine.z, sr.genuine.w)
    for fm in face_minima:
        if fm.decision.witness is not None and fm.decision.loss == upper:
            return fm.decision.witness
    zero_loss = sum((v * v for v in inst.y), Fraction(0)) / inst.N
    if census.cells and upper == zero_loss:
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
    if m.face is not None:
        out["face"] = m.face
    return out


def file_names(at: Atlas) -> tuple[dict[int, dict[str, str]], list[str]]:
    """The bundle's certificate names: per cell index its ``cell``, ``infimum``, ``saddle``
    and ``branches`` certificates (those it has), and one name per face record."""
    width = max(3, len(str(len(at.cells))))
    cells: dict[int, dict[str, str]] = {}
    for r in at.cells:
        names = {"cell": f"cell-{r.index:0{width}d}.cert.json"}
        if r.infimum is not None:
            names["infimum"] = f"infimum-{r.index:0{width}d}.cert.json"
        if r.saddles is not None:
            names["saddle"] = f"saddle-{r.index:0{width}d}.cert.json"
        g = r.analysis.genuine
        if r.positive_evidence is not None and g is not None and not all(b == "+" for b in g.branches):
            # the (+,...,+) column of a cell whose own witness has some z_j <= 0: kind branches
            names["branches"] = f"positive-{r.index:0{width}d}.cert.json"
        cells[r.index] = names
    faces = [f"boundary-{f.cell:0{width}d}-k{f.analysis.neuron}-n{f.analysis.sample}.cert.json" for f in at.faces]
    return cells, faces


def summary(at: Atlas, bundle: bool = False) -> dict[str, Any]:
    """The ``--json`` object (docs/manual.md: atlas); with ``bundle``, also the certificate file of
    every line (``atlas.json`` of a bundle, FORMAT 10.4: the checker re-derives every line)."""
    names, face_names = file_names(at)
    cells = [_cell_json(at, r) for r in at.cells]
    if bundle:
        for rec in cells:
            rec["certificates"] = names[rec["index"]]
    faces = _faces_json(at)
    if bundle:
        for face, name in zip(faces, face_names, strict=True):
            face["certificate"] = name
    gm = _global_json(at)
    out: dict[str, Any] = {
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
        "face_minima": [
            {
                "face": face_text(at.neuron_faces, fm.faces),
                "z_signs": [_SIGN[s] for s in fm.zsigns],
                "loss": fmt(fm.decision.loss) if fm.decision.loss is not None else None,
                "witness": fm.decision.witness.to_json() if fm.decision.witness is not None else None,
            }
            for fm in at.face_minima
        ],
        "faces_examined": at.faces_examined,
        "faces_not_examined": at.faces_skipped,
        "not_covered": at.not_covered,
    }
    if bundle:
        for rec_, name in zip(out["face_minima"], face_minimum_names(at), strict=True):
            rec_["certificate"] = name
        out["faces_certificate"] = "faces.cert.json" if at.face_empty else None
        out["census"] = "census.cert.json"
        out["saddles_analysed"] = all(r.saddles is not None for r in at.cells)
        out["faces_analysed"] = at.wall_proofs is not None
    return out


def _cell_json(at: Atlas, r: CellRecord) -> dict[str, Any]:
    """One network cell of the summary: its pattern, minimiser set, genuineness, infimum, saddles."""
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
        rec["saddles"] = [{"zero": list(c.zero), "verdict": c.verdict, "loss": fmt(c.loss)} for c in r.saddles.cases]
    return rec


def _faces_json(at: Atlas) -> list[dict[str, Any]]:
    """The facets examined (Theorem 3): the face, its KKT loss and multiplier, minima for z_k > 0 / < 0."""
    return [
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


def _global_json(at: Atlas) -> dict[str, Any]:
    """The global minimum: its bounds, what attains the upper one, and whether they meet (certified)."""
    gm: dict[str, Any] = {
        "certified": at.certified,
        "lower": fmt(at.lower) if at.lower is not None else None,
        "upper": fmt(at.upper),
        "attained_by": at.upper_from,
    }
    if at.certified:
        gm["loss"] = fmt(at.upper)
    gm["point"] = at.point.to_json() if at.point is not None else None
    return gm


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


def census_certificate(census: Census, K: int, walls: WallProof | None = None) -> dict[str, Any]:
    """Certificate of kind ``census`` (FORMAT 10, new in 1.2); with ``walls`` (new in 1.3),
    the decision of every wall of every cell (FORMAT 10.2 check 6)."""
    c = len(census.cells)
    cert = certify.envelope(
        "census",
        census.instance.to_json(),
        {"neurons": K, "neuron_cells": c, "network_cells": c**K},
    )
    cert["version"] = VERSION_1_2
    cert["cells"] = [{"active": list(x.active), "witness": fmt_vec(x.witness)} for x in census.cells]
    cert["tree"] = _census_tree_json(census.tree)
    if walls is not None:
        cert["version"] = VERSION_1_3
        cert["walls"] = [[c, n, walls[(c, n)]] for c, n in sorted(walls)]
    return cert


def cell_witness(inst: Instance, pat: Pattern) -> tuple[Vec, ...] | None:
    """A weight strictly inside every open cone C_j of the cell (exact LPs), or None when one is empty."""
    out = []
    for j in range(pat.K):
        G = tuple(tuple((1 if pat.I[i][j] else -1) * v for v in x) for i, x in enumerate(inst.xs))
        ans = polyhedra.decide(polyhedra.System(n=inst.d, G=G, h=tuple(Fraction(0) for _ in G)))
        if isinstance(ans, polyhedra.Farkas):
            return None
        out.append(tuple(ans.v))
    return tuple(out)


def infimum_certificate(inst: Instance, ci: CellInfimum, witness: tuple[Vec, ...] | None = None) -> dict[str, Any]:
    """Certificate of kind ``infimum`` (FORMAT 10.3; the cell's ``witness``, new in 1.3, proves
    it non-empty: computed here when not given; an empty cell has no infimum certificate)."""
    b = ci.best
    cert = certify.envelope("infimum", inst.to_json(), {"loss": fmt(b.loss), "branches": list(b.branches)})
    w = witness if witness is not None else cell_witness(inst, ci.pattern)
    if w is None:
        raise InputError("the cell is empty (an open cone C_j has no point): it has no infimum")
    cert["version"] = VERSION_1_3
    cert["pattern"] = ci.pattern.to_json()
    cert["witness"] = [fmt_vec(v) for v in w]
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
    out: list[tuple[str, dict[str, Any]]] = [("census.cert.json", census_certificate(at.census, at.K, at.wall_proofs))]
    names, face_names = file_names(at)
    plus = tuple("+" for _ in range(at.K))
    for r in at.cells:
        if r.analysis.undecided:
            raise InputError(
                f"cell {r.index} is undecided ({r.analysis.genuineness.reason_text()}): no certificate exists for "
                "it, so no complete bundle can be written; leave out --out"
            )
        n = names[r.index]
        out.append((n["cell"], certify.cell_certificate(r.analysis)))
        if r.infimum is not None:
            wit = r.analysis.feasibility.witness
            out.append((n["infimum"], infimum_certificate(at.instance, r.infimum, wit)))
        if r.saddles is not None:
            out.append((n["saddle"], certify.saddle_certificate(r.saddles)))
        if "branches" in n:
            ev = r.positive_evidence
            gen = ev if isinstance(ev, Genuine) else None
            leaves = [ev] if isinstance(ev, Leaf) else None
            out.append((n["branches"], certify.branches_certificate(r.analysis, [plus], gen, leaves)))
    for f, name in zip(at.faces, face_names, strict=True):
        out.append((name, certify.boundary_certificate(f.analysis)))
    if at.face_empty:
        out.append(("faces.cert.json", faces_certificate(at)))
    for fm, name in zip(at.face_minima, face_minimum_names(at), strict=True):
        if fm.decision.witness is None:  # pragma: no cover - a face minimum always has its witness
            raise InternalError("a face minimum without its witness point")
        v = classify_point(at.instance, fm.decision.witness)
        if v.verdict not in ("local-minimum", "non-differentiable-local-minimum"):
            raise InternalError(f"the witness of a face minimum is classified {v.verdict!r}")
        out.append((name, certify.point_certificate(v)))
    return out


def face_minimum_names(at: Atlas) -> list[str]:
    """The bundle's ``point`` certificate of each face minimum's witness."""
    fw = max(3, len(str(len(at.face_minima))))
    return [f"point-face-{m:0{fw}d}.cert.json" for m in range(len(at.face_minima))]


def faces_certificate(at: Atlas) -> dict[str, Any]:
    """Certificate of kind ``faces`` (FORMAT 5.6, new in 1.3): every face decided without a
    local minimum, with its pieces and the Farkas multipliers of its named rows."""
    cert = certify.envelope("faces", at.instance.to_json(), {"neurons": at.K, "faces": len(at.face_empty)})
    cert["version"] = VERSION_1_3
    entries = []
    for fm in at.face_empty:
        dec = fm.decision
        entries.append(
            {
                "signs": [list(at.neuron_faces[c].signs) for c in fm.faces],
                "z": list(fm.zsigns),
                "pieces": [[{"active": list(a), "witness": fmt_vec(b)} for a, b in pc] for pc in dec.pieces],
                "farkas": [[tag, *idx, fmt(m)] for (tag, idx), m in dec.farkas],
            }
        )
    cert["faces"] = entries
    return cert


ours = outputs.AnyOf(
    (outputs.CERTIFICATE, outputs.JsonFormat("exactscape-atlas", "an atlas summary"), outputs.ATLAS_PLOT),
    "an exactscape certificate, atlas summary or atlas plot",
)
"""An existing file exactscape wrote: a certificate, an atlas summary, or a marked plot."""


def check_target(path: Path, protected: tuple[Path, ...]) -> None:
    """Refuse an input (``protected``), a folder, a special file, or an existing file that
    exactscape did not write (exactscape.io.outputs, with :func:`ours`)."""
    outputs.check_target(path, protected, ours)


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
    doc = {"format": "exactscape-atlas", "version": "2", **summary(at, bundle=True)}
    written.append(
        outputs.write_bytes(
            folder / "atlas.json", (json.dumps(doc, indent=1) + "\n").encode(), inputs=protected, may_replace=ours
        )
    )
    # the bundle as a whole (FORMAT 10.4): every line of atlas.json re-derived by the checker
    from ..checker import check_file
    from ..errors import InternalError

    code, lines = check_file(folder)
    if code != 0:
        raise InternalError(f"the independent checker rejected the bundle just written: {lines[-1]}")
    return written

"""Genuine regions as exact polyhedra, by double description (cdd.gmp).

A *defining system* over v in Q^n is

    E v = f  (equalities),   G v > h  (strict rows, each with a key),

for instance the genuine minimisers of one cell with one branch vector sigma
(theory.md §2 [15-18]) in R-space, n = K d:

    A R = p                 (p = A R0, R0 any minimiser: the minimiser set),
    R_j = 0                 (sigma_j = 0),
    s_ji x_i . R_j > 0      (sigma_j in {+,-}, s_ji = (2 I_ij - 1) sign(sigma_j), key (j, i)).

The genuine set is the *relatively open* polyhedron P of this system; its
closure cl P (the strict rows made non-strict) is what cdd computes with.
:func:`describe` returns, exactly:

* the canonical minimal H-representation of cl P: a basis of its affine hull
  (equations b + a . v = 0, reduced row echelon form in a, so canonical) and
  its facets, each named by the key of the defining row it comes from; the
  rows that are implicit equalities of cl P and those that are redundant;
* the V-representation of cl P: vertices (points of the minimal faces, taken
  orthogonal to the lineality space), extreme rays (primitive integer
  vectors, orthogonal to the lineality space) and a lineality basis (reduced
  row echelon form); dimension and boundedness;
* the open set itself: P = relint cl P when no strict row is an implicit
  equality of cl P (then every facet is removed by strictness and a relative
  interior point, the centroid of the vertices plus the sum of the rays, is
  given), else P is empty although cl P may not be; emptiness is decided
  independently by :func:`exactscape.core.polyhedra.decide` (Farkas certificate)
  and the two answers must agree.

Algorithm: cdd's matrix_canonicalize (LPs, exact) finds implicit equalities
and redundant rows; polyhedron_from_matrix runs the double description
method (exact, GMP) on the canonical matrix. Cost: exponential in the worst
case (the number of vertices of a polyhedron with m facets in dimension n can
be of order m^(n/2)); fine for the small instances a reader inspects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

import cdd
import cdd.gmp as cg

from ..core import polyhedra
from ..core.design import cell_sign, design_rows
from ..core.linalg import rref
from ..core.model import Instance, Pattern, dot
from ..errors import BackendError, InputError, InternalError, clip

Row = tuple[Fraction, ...]
Key = tuple[int, ...]
ZERO = Fraction(0)


def primitive(v: Sequence[Fraction]) -> Row:
    """The positive multiple of v with coprime integer entries (v != 0)."""
    den = lcm(*(x.denominator for x in v))
    ints = [x.numerator * (den // x.denominator) for x in v]
    g = 0
    for x in ints:
        g = gcd(g, x)
    return tuple(Fraction(x // g) for x in ints)


def project_out(v: Sequence[Fraction], basis: Sequence[Sequence[Fraction]]) -> Row:
    """v minus its orthogonal projection on span(basis) (Gram-Schmidt, exact)."""
    ortho: list[list[Fraction]] = []
    for b in basis:
        u = list(b)
        for o in ortho:
            c = dot(u, o) / dot(o, o)
            u = [x - c * y for x, y in zip(u, o, strict=True)]
        if any(u):
            ortho.append(u)
    out = list(v)
    for o in ortho:
        c = dot(out, o) / dot(o, o)
        if c:
            out = [x - c * y for x, y in zip(out, o, strict=True)]
    return tuple(out)


@dataclass(frozen=True)
class Defining:
    """E v = f, G v > h (strict) and H v >= k (non-strict), each inequality keyed."""

    n: int
    E: tuple[Row, ...]
    f: Row
    G: tuple[Row, ...]
    h: Row
    keys: tuple[Key, ...]
    H: tuple[Row, ...] = ()
    k: Row = ()
    hkeys: tuple[Key, ...] = ()

    def system(self) -> polyhedra.System:
        return polyhedra.System(n=self.n, E=self.E, f=self.f, G=self.G, h=self.h, H=self.H, k=self.k)

    def inequalities(self) -> list[tuple[Row, Fraction, Key, bool]]:
        """All inequality rows as (a, b, key, strict) meaning a . v > b (strict) or >= b."""
        out = [(a, b, key, True) for a, b, key in zip(self.G, self.h, self.keys, strict=True)]
        out += [(a, b, key, False) for a, b, key in zip(self.H, self.k, self.hkeys, strict=True)]
        return out


@dataclass(frozen=True)
class Region:
    """The exact description of a defining system's open set P and its closure (module docstring)."""

    defining: Defining
    equations: tuple[Row, ...]  # rows (b, a_1..a_n): b + a . v = 0, a basis of aff cl P (RREF)
    facets: tuple[int, ...]  # indices into defining.inequalities()
    implicit: tuple[int, ...]  # inequality rows that are equalities on cl P
    redundant: tuple[int, ...]
    vertices: tuple[Row, ...]
    rays: tuple[Row, ...]
    lines: tuple[Row, ...]
    closure_empty: bool
    interior: Row | None  # a point of P (None: P empty)
    farkas: polyhedra.Farkas | None  # Farkas certificate that P is empty

    @property
    def n(self) -> int:
        return self.defining.n

    @property
    def empty(self) -> bool:
        return self.interior is None

    @property
    def dimension(self) -> int:
        """dim cl P (-1 when cl P is empty); equals dim P when P is not empty."""
        return -1 if self.closure_empty else self.n - len(self.equations)

    @property
    def bounded(self) -> bool:
        return not self.rays and not self.lines

    def strict_facets(self) -> tuple[int, ...]:
        """Facets of cl P that P does not contain (defined by strict rows)."""
        ineq = self.defining.inequalities()
        return tuple(i for i in self.facets if ineq[i][3])


def _cdd_rows(df: Defining) -> tuple[list[list[Fraction]], set[int], int]:
    """cdd H-matrix rows [b, a] (b + a.v >= 0): equalities first (lin_set), then inequalities."""
    rows: list[list[Fraction]] = []
    lin: set[int] = set()
    for a, b in zip(df.E, df.f, strict=True):
        lin.add(len(rows))
        rows.append([-b, *a])
    start = len(rows)
    for a, b, _, _ in df.inequalities():
        rows.append([-b, *a])
    return rows, lin, start


def describe(df: Defining, backend: str = polyhedra.DEFAULT_BACKEND) -> Region:
    """The canonical H- and V-representations of cl P and the status of P (module docstring)."""
    n = df.n
    rows, lin, start = _cdd_rows(df)
    ineq = df.inequalities()
    if not rows:
        rows, lin, start = [[ZERO] * (n + 1)], set(), 1  # the whole space: 0 >= 0
    try:
        mat = cg.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY, lin_set=lin)
        implicit_set, redundant_set, newpos = cg.matrix_canonicalize(mat)
        canon = [[Fraction(x) for x in r] for r in mat.array]
        canon_lin = set(mat.lin_set)
        poly = cg.polyhedron_from_matrix(mat)
        gen = cg.copy_generators(poly)
        garr = [[Fraction(x) for x in r] for r in gen.array]
        glin = set(gen.lin_set)
    except Exception as exc:  # cdd raises bare RuntimeError/ValueError
        raise BackendError(f"cdd double description failed: {exc}") from exc
    points = [tuple(v / r[0] for v in r[1:]) for k, r in enumerate(garr) if k not in glin and r[0] != 0]
    if not points and all(r[0] == 0 for r in canon):
        points = [tuple(ZERO for _ in range(n))]  # cdd lists only rays and lines for a homogeneous cone
    raw_rays = [tuple(r[1:]) for k, r in enumerate(garr) if k not in glin and r[0] == 0]
    raw_lines = [tuple(r[1:]) for k, r in enumerate(garr) if k in glin]
    closure_empty = not points
    lines = tuple(tuple(r) for r in rref(raw_lines, n)) if raw_lines else ()
    verts = sorted({project_out(p, lines) for p in points})
    rays = sorted({primitive(project_out(r, lines)) for r in raw_rays if any(project_out(r, lines))})
    # rows of the canonical matrix: equalities (lin) and facets; map back to inequality indices
    pos_to_orig: dict[int, int] = {}
    for orig, pos in enumerate(newpos):
        if pos is not None:
            pos_to_orig[pos] = orig
    facets = sorted(pos_to_orig[p] - start for p in range(len(canon)) if p not in canon_lin and pos_to_orig[p] >= start)
    implicit = sorted(i - start for i in implicit_set if i >= start)
    redundant = sorted(i - start for i in redundant_set if i >= start and (i - start) not in implicit)
    if closure_empty:
        equations: tuple[Row, ...] = ()
        facets, implicit, redundant = [], [], []
    else:
        eq_rows = [canon[p] for p in range(len(canon)) if p in canon_lin]
        # RREF on the a-part (columns 1..n), b carried along as the last column
        moved = [[*r[1:], r[0]] for r in eq_rows]
        red = rref(moved, n)
        equations = tuple((r[n], *r[:n]) for r in red)
        if any(all(c == 0 for c in r[1:]) for r in equations):
            raise InternalError("cdd reported an inconsistent affine hull for a non-empty polyhedron")
    # the open set P
    decided = polyhedra.decide(df.system(), backend)
    strict_implicit = any(ineq[i][3] for i in implicit)
    interior: Row | None = None
    farkas: polyhedra.Farkas | None = None
    if isinstance(decided, polyhedra.Farkas):
        farkas = decided
        if not closure_empty and not strict_implicit:
            raise InternalError("cdd and the exact LP disagree: cl P has no strict implicit equality but P is empty")
    else:
        if closure_empty or strict_implicit:
            raise InternalError("cdd and the exact LP disagree: the LP found a point of P, cdd says P is empty")
        centre = [sum((v[c] for v in verts), ZERO) / len(verts) for c in range(n)]
        for r in rays:
            centre = [x + y for x, y in zip(centre, r, strict=True)]
        interior = tuple(centre) if df.system().verify_point(centre) else decided.v
    return Region(
        defining=df,
        equations=equations,
        facets=tuple(facets),
        implicit=tuple(implicit),
        redundant=tuple(redundant),
        vertices=tuple(verts),
        rays=tuple(rays),
        lines=lines,
        closure_empty=closure_empty,
        interior=interior,
        farkas=farkas,
    )


# --------------------------------------------------------------------------
# Defining systems of the three kinds, in R-space (n = K d, block j = R_j)


def _sign_rows(
    inst: Instance, pat: Pattern, branches: Sequence[str], skip: frozenset[tuple[int, int]] = frozenset()
) -> tuple[list[Row], list[Key]]:
    d, K = inst.d, pat.K
    G: list[Row] = []
    keys: list[Key] = []
    for j, b in enumerate(branches):
        if b == "0":
            continue
        sg = 1 if b == "+" else -1
        for i, x in enumerate(inst.xs):
            if (j, i) in skip:
                continue
            row = [ZERO] * (K * d)
            row[j * d : (j + 1) * d] = [sg * cell_sign(pat, i, j) * v for v in x]
            G.append(tuple(row))
            keys.append((j, i))
    return G, keys


def _fit_rows(
    inst: Instance, pat: Pattern, branches: Sequence[str], p: Sequence[Fraction]
) -> tuple[list[Row], list[Fraction]]:
    """A R = p, and R_j = 0 (d unit rows) for every neuron on branch 0."""
    d, K = inst.d, pat.K
    E = [tuple(Fraction(r) for r in row) for row in design_rows(inst, pat)]
    f = list(p)
    for j, b in enumerate(branches):
        if b == "0":
            for l in range(d):
                row = [ZERO] * (K * d)
                row[j * d + l] = Fraction(1)
                E.append(tuple(row))
                f.append(ZERO)
    return E, f


def parse_branches(text: str, K: int, allowed: str = "+-0") -> tuple[str, ...]:
    """A branch vector such as "+-0" (spaces and commas ignored), one symbol per neuron."""
    sym = tuple(c for c in text if c not in " ,")
    if len(sym) != K or any(c not in allowed for c in sym):
        raise InputError(f"expected {K} branch symbols from {' '.join(allowed)}, got {clip(text)}", field="branches")
    return sym


def cell_defining(inst: Instance, pat: Pattern, branches: Sequence[str], R0: Sequence[Fraction]) -> Defining:
    """The genuine minimisers of the cell with branch vector ``branches`` ([15-18]);
    ``R0`` is a minimiser of the cell's quadratic (p = A R0)."""
    A = design_rows(inst, pat)
    p = [dot(row, R0) for row in A]
    E, f = _fit_rows(inst, pat, branches, p)
    G, keys = _sign_rows(inst, pat, branches)
    n = pat.K * inst.d
    return Defining(n=n, E=tuple(E), f=tuple(f), G=tuple(G), h=tuple(ZERO for _ in G), keys=tuple(keys))


def face_defining(
    inst: Instance, pat: Pattern, k: int, n_: int, branches: Sequence[str], R0: Sequence[Fraction]
) -> Defining:
    """The defining system of the boundary minima on the face (k, n) [38-46], z_k of sign branches[k]:
    A R = A R0, x_n . R_k = 0, strict rows for every other pair (Lemma A: lambda and
    e_n are the same on the whole solution set, so the sign condition [29-30] is
    a yes/no, decided by the caller)."""
    d, K = inst.d, pat.K
    A = design_rows(inst, pat)
    p = [dot(row, R0) for row in A]
    E, f = _fit_rows(inst, pat, branches, p)
    face = [ZERO] * (K * d)
    face[k * d : (k + 1) * d] = inst.xs[n_]
    E.append(tuple(face))
    f.append(ZERO)
    G, keys = _sign_rows(inst, pat, branches, frozenset({(k, n_)}))
    return Defining(n=K * d, E=tuple(E), f=tuple(f), G=tuple(G), h=tuple(ZERO for _ in G), keys=tuple(keys))


# --------------------------------------------------------------------------
# What proves the closure's dimension, boundedness and H-representation
# (FORMAT.md 9.2 check 7, new in 1.3): multipliers and points by exact LPs


def _multipliers(n: int, rows: Sequence[Row], eq_count: int, positive: Sequence[int]) -> tuple[Fraction, ...] | None:
    """Multipliers m (free on the first ``eq_count`` rows, >= 1 on the rows ``positive``,
    0 elsewhere) with sum m_r rows_r = 0 over Q^n, or None when there are none
    (an exact LP in the multipliers)."""
    used = list(range(eq_count)) + list(positive)
    m = len(used)
    E = tuple(tuple(rows[r][c] for r in used) for c in range(n))
    H = tuple(tuple(Fraction(1) if q == p else ZERO for q in range(m)) for p in range(eq_count, m))
    ans = polyhedra.decide(polyhedra.System(n=m, E=E, f=tuple(ZERO for _ in E), H=H, k=tuple(Fraction(1) for _ in H)))
    if isinstance(ans, polyhedra.Farkas):
        return None
    out = [ZERO] * len(rows)
    for q, r in enumerate(used):
        out[r] = ans.v[q]
    return tuple(out)


@dataclass(frozen=True)
class ClosureProofs:
    """The evidence of FORMAT 9.2 check 7 (indices into ``defining.inequalities()``)."""

    closure_farkas: polyhedra.Farkas | None  # when cl P is empty: mE, and mH on the strict rows made >=
    relative_interior: Row | None  # when P is empty and cl P is not
    implicit: tuple[tuple[Fraction, ...], tuple[Fraction, ...]] | None  # (equality m, strict m): exactly J
    bounded: tuple[tuple[Fraction, ...], tuple[Fraction, ...]] | None  # (equality m, strict m > 0 on every row)
    redundant: tuple[tuple[int, tuple[tuple[int, Fraction], ...], tuple[tuple[int, Fraction], ...]], ...]
    """(row, [(facet, m > 0)], [(equation, m)]): a_r = sum m a_f + sum m a_e."""


def closure_proofs(reg: Region) -> ClosureProofs:
    """Multipliers and points proving what :func:`describe` says about cl P (FORMAT 9.2 check 7):
    the implicit rows (a positive combination vanishing with beta = 0), a relative interior
    point, boundedness (a positive combination of every strict row vanishing, with the
    equality rows of full rank) and every redundant row implied by the equations and facets."""
    df = reg.defining
    n = df.n
    ineq = df.inequalities()
    if reg.closure_empty:
        closed = polyhedra.System(
            n=n, E=df.E, f=df.f, H=tuple(a for a, _, _, _ in ineq), k=tuple(b for _, b, _, _ in ineq)
        )
        fk = polyhedra.decide(closed)
        if not isinstance(fk, polyhedra.Farkas):
            raise InternalError("cdd says cl P is empty, the exact LP found a point")
        return ClosureProofs(fk, None, None, None, ())
    rows = [tuple([*a, -b]) for a, b in zip(df.E, df.f, strict=True)] + [tuple([*a, -b]) for a, b, _, _ in ineq]
    ne = len(df.E)
    # rows carry their constant as column n, so a vanishing combination has beta = 0
    implicit = None
    if reg.implicit:
        m = _multipliers(n + 1, rows, ne, [ne + i for i in reg.implicit])
        if m is None:
            raise InternalError("the implicit rows of cl P have no positive vanishing combination")
        implicit = (m[:ne], m[ne:])
    rel: Row | None = None
    if reg.empty:
        J = set(reg.implicit)
        E = list(df.E) + [ineq[i][0] for i in sorted(J)]
        f = list(df.f) + [ineq[i][1] for i in sorted(J)]
        others = [i for i in range(len(ineq)) if i not in J]
        sys_ = polyhedra.System(
            n=n, E=tuple(E), f=tuple(f), G=tuple(ineq[i][0] for i in others), h=tuple(ineq[i][1] for i in others)
        )
        ans = polyhedra.decide(sys_)
        if isinstance(ans, polyhedra.Farkas):
            raise InternalError("cl P has no relative interior point although it is not empty")
        rel = ans.v
    bounded = None
    if reg.bounded:
        m = _multipliers(n, [r[:n] for r in rows], ne, list(range(ne, len(rows))))
        if m is None:
            raise InternalError("cl P is bounded but no positive combination of its rows vanishes")
        bounded = (m[:ne], m[ne:])
    facets = list(reg.facets)
    eqs = list(reg.equations)
    red = []
    for r in range(len(ineq)):
        if r in reg.facets or r in reg.implicit:
            continue
        a_r, b_r = ineq[r][0], ineq[r][1]
        # unknowns: lambda_f >= 0 (facets), mu_e free (equations b_e + a_e . v = 0):
        # sum lambda_f a_f + sum mu_e a_e = a_r, sum lambda_f b_f - sum mu_e b_e >= b_r
        k = len(facets) + len(eqs)
        cols = [ineq[f][0] for f in facets] + [e[1:] for e in eqs]
        Ecols = tuple(tuple(cols[q][c] for q in range(k)) for c in range(n))
        H = [tuple(Fraction(1) if q == p else ZERO for q in range(k)) for p in range(len(facets))]
        kk = [ZERO] * len(facets)
        H.append(tuple([ineq[f][1] for f in facets] + [-e[0] for e in eqs]))
        kk.append(b_r)
        ans = polyhedra.decide(polyhedra.System(n=k, E=Ecols, f=tuple(a_r), H=tuple(H), k=tuple(kk)))
        if isinstance(ans, polyhedra.Farkas):
            raise InternalError(f"row {ineq[r][2]} is not implied by the equations and facets of cl P")
        lam = tuple((facets[q], ans.v[q]) for q in range(len(facets)) if ans.v[q] != 0)
        mu = tuple((e, ans.v[len(facets) + e]) for e in range(len(eqs)) if ans.v[len(facets) + e] != 0)
        red.append((r, lam, mu))
    return ClosureProofs(None, rel, implicit, bounded, tuple(red))

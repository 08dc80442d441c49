"""Cells of the sample arrangement in weight space: exact diameters, the
sampling estimator of Part 2 Section VI with exact chord lengths, and cell counts.

With the bias entry of a neuron fixed at b, the hidden weight w in Q^{d0}
meets the N affine hyperplanes H_i = {w : x_i . w + b = 0} (x_i the raw
samples). A cell is a connected component of the complement, a sign vector
s in {+1,-1}^N with the open polyhedron {w : s_i (x_i . w + b) > 0} non-empty.

* **Exact diameter.** The closure of a cell is a polyhedron; cdd's double
  description lists its vertices, rays and lines. It is bounded iff there
  are no rays and no lines, and then its diameter is the largest distance
  between two vertices (the distance is convex, so its maximum over a
  polytope is attained at a pair of vertices): diam^2 = max ||u - v||^2, a
  rational, and diam = sqrt(p/q) is printed as a simplified surd
  a sqrt(c) / e. An unbounded cell has infinite diameter.
* **Boundedness without vertex enumeration** (large d0): a direction v with
  s_i x_i . v >= 0 for all i and v != 0 is a ray of the cell; one exists if
  some coordinate is zero on every sample (v = e_k is then a line), if
  rank X < d0 (a null vector of X is a line), or else iff the LP
  {s_i x_i . v >= 0, sum_i s_i x_i . v >= 1} is feasible (exact, with a
  Farkas certificate of boundedness when not).
* **The estimator of Part 2** (Section VI): from w walk along M directions
  u_j both ways until the first hyperplane: s_ij = -(x_i . w + b)/(x_i . u_j),
  s1_j = min{s_ij > 0}, s2_j = |max{s_ij < 0}|, chord_j = (s1_j + s2_j)||u_j||;
  the paper reports max_j chord_j as the cell's diameter. The chord is a
  segment inside the closed cell, so every chord is a LOWER BOUND on the
  diameter. Directions are random integer vectors, so s_ij are rational and
  chord_j^2 = (s1_j + s2_j)^2 (u_j . u_j) is an exact rational. A direction
  with no hyperplane on one side is a ray: the cell is unbounded.
* **Counts.** Enumeration: add the hyperplanes one at a time and split every
  cell the new hyperplane crosses (two exact LPs per cell and hyperplane).
  Zaslavsky's theorem: with chi(t) = sum over subsets S of hyperplanes with
  non-empty intersection of (-1)^|S| t^(d0 - rank X_S) (Whitney's formula),
  the number of cells is (-1)^d0 chi(-1) and the number of bounded cells is
  (-1)^r chi(1), r = rank X. General position (the paper's count):
  sum_{i=0}^{d0} C(N, i) cells, C(N-1, d0) bounded.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import comb, isqrt

import cdd
import cdd.gmp as cg

from ..core import polyhedra
from ..core.linalg import rank
from ..core.model import dot
from ..errors import BackendError, InputError

ZERO = Fraction(0)

Vec = tuple[Fraction, ...]


@dataclass(frozen=True)
class Arrangement:
    """The hyperplanes x_i . w + b = 0 in Q^{d0}."""

    X: tuple[Vec, ...]
    b: Fraction

    @property
    def N(self) -> int:
        return len(self.X)

    @property
    def d0(self) -> int:
        return len(self.X[0])

    def signs(self, w: Sequence[Fraction]) -> tuple[int, ...] | None:
        """The cell of w as a sign vector, None when w lies on a hyperplane."""
        out = []
        for x in self.X:
            v = dot(x, w) + self.b
            if v == 0:
                return None
            out.append(1 if v > 0 else -1)
        return tuple(out)

    def system(self, signs: Sequence[int]) -> polyhedra.System:
        """s_i x_i . w > -s_i b."""
        G = tuple(tuple(s * v for v in x) for s, x in zip(signs, self.X, strict=True))
        h = tuple(-s * self.b for s in signs)
        return polyhedra.System(n=self.d0, G=G, h=h)


SURD_TRIAL_LIMIT = 10_000


def surd(q: Fraction) -> str:
    """sqrt(q) for q >= 0 as an exact surd 'a', 'a/e' or 'a*sqrt(c)/e': square factors of
    c are removed by trial division up to SURD_TRIAL_LIMIT (c is square-free when it has
    no prime factor above that; the value is exact either way) and c is never a square."""
    if q < 0:
        raise ValueError("negative")
    num, den = q.numerator * q.denominator, q.denominator  # sqrt(p/q) = sqrt(p q)/q
    a, c = 1, num
    root = isqrt(c)
    if root * root == c:
        return str(Fraction(root, den))
    f = 2
    while f * f <= c and f <= SURD_TRIAL_LIMIT:
        while c % (f * f) == 0:
            a *= f
            c //= f * f
        f += 1 if f == 2 else 2
    root = isqrt(c)
    if root * root == c:
        a, c = a * root, 1
    r = Fraction(a, den)
    head = str(r.numerator) if r.numerator != 1 or c == 1 else ""
    if c == 1:
        return str(r)
    core = f"sqrt({c})" if not head else f"{head}*sqrt({c})"
    return core if r.denominator == 1 else f"{core}/{r.denominator}"


def approx_sqrt(q: Fraction, digits: int = 6) -> str:
    """A decimal of sqrt(q) truncated to ``digits`` places (integer arithmetic only)."""
    scale = 10**digits
    v = isqrt(q.numerator * scale * scale // q.denominator)
    return f"{v // scale}.{v % scale:0{digits}d}"


@dataclass(frozen=True)
class Generators:
    vertices: tuple[Vec, ...]
    rays: int
    lines: int


def generators(arr: Arrangement, signs: Sequence[int]) -> Generators:
    """cdd double description of the closed cell (vertices, and counts of rays and lines)."""
    rows = [[s * arr.b, *(s * v for v in x)] for s, x in zip(signs, arr.X, strict=True)]
    try:
        mat = cg.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY)
        gen = cg.copy_generators(cg.polyhedron_from_matrix(mat))
    except Exception as exc:  # cdd raises bare RuntimeError/ValueError
        raise BackendError(f"cdd vertex enumeration failed: {exc}") from exc
    arr_ = [[Fraction(v) for v in r] for r in gen.array]
    lin = set(gen.lin_set)
    verts = tuple(tuple(v / r[0] for v in r[1:]) for k, r in enumerate(arr_) if k not in lin and r[0] != 0)
    rays = sum(1 for k, r in enumerate(arr_) if k not in lin and r[0] == 0)
    return Generators(verts, rays, len(lin))


@dataclass(frozen=True)
class Diameter:
    """The exact diameter of one cell: squared (None when unbounded) and its surd."""

    bounded: bool
    squared: Fraction | None
    vertices: int

    @property
    def surd(self) -> str:
        return "infinite" if self.squared is None else surd(self.squared)


def exact_diameter(arr: Arrangement, signs: Sequence[int]) -> Diameter:
    """max ||u - v||^2 over vertex pairs of the closed cell (module docstring)."""
    g = generators(arr, signs)
    if g.rays or g.lines or not g.vertices:
        return Diameter(False, None, len(g.vertices))
    best = ZERO
    V = g.vertices
    for a in range(len(V)):
        for c in range(a + 1, len(V)):
            dist = sum(((p - q) * (p - q) for p, q in zip(V[a], V[c], strict=True)), ZERO)
            best = max(best, dist)
    return Diameter(True, best, len(V))


@dataclass(frozen=True)
class Chord:
    """One direction of the estimator: squared chord length (None: a ray of the cell)."""

    squared: Fraction | None


def chord(arr: Arrangement, w: Sequence[Fraction], u: Sequence[Fraction]) -> Chord:
    """The chord of the cell of w along +-u (module docstring)."""
    s1: Fraction | None = None
    s2: Fraction | None = None
    for x in arr.X:
        xu = dot(x, u)
        if xu == 0:
            continue
        s = -(dot(x, w) + arr.b) / xu
        if s > 0:
            s1 = s if s1 is None or s < s1 else s1
        elif s < 0:
            s2 = -s if s2 is None or -s < s2 else s2
    if s1 is None or s2 is None:
        return Chord(None)
    return Chord((s1 + s2) * (s1 + s2) * dot(u, u))


def random_point(rng: random.Random, d0: int, box: Fraction, bits: int = 20) -> Vec:
    """Uniform on a grid of step box / 2^bits in [-box, box]^d0 (exact rationals)."""
    m = 1 << bits
    return tuple(box * Fraction(rng.randrange(-m, m + 1), m) for _ in range(d0))


def random_direction(rng: random.Random, d0: int, bits: int = 20) -> Vec:
    """A non-zero integer vector, uniform in [-2^bits, 2^bits]^d0."""
    m = 1 << bits
    while True:
        u = tuple(Fraction(rng.randrange(-m, m + 1)) for _ in range(d0))
        if any(u):
            return u


def unbounded_proof(arr: Arrangement, signs: Sequence[int], xrank: int | None = None) -> tuple[bool, str]:
    """Decide boundedness of the closed cell without vertex enumeration (module docstring).

    Returns (bounded, reason)."""
    d0 = arr.d0
    for c in range(d0):
        if all(x[c] == 0 for x in arr.X):
            return False, f"coordinate {c} is zero on every sample: e_{c} is a line of every cell"
    r = xrank if xrank is not None else rank([list(x) for x in arr.X], d0)
    if r < d0:
        return False, f"rank X = {r} < d0 = {d0}: a null vector of X is a line of every cell"
    H = [tuple(s * v for v in x) for s, x in zip(signs, arr.X, strict=True)]
    total = tuple(sum((row[c] for row in H), ZERO) for c in range(d0))
    sys_ = polyhedra.System(n=d0, H=(*H, total), k=(*(ZERO for _ in H), Fraction(1)))
    ans = polyhedra.decide(sys_)
    if isinstance(ans, polyhedra.Point):
        return False, "an exact LP found a ray of the cell"
    return True, "an exact LP proved the recession cone is {0} (Farkas certificate)"


@dataclass(frozen=True)
class CellSample:
    """One sampled cell: its estimator value (lower bound), exact diameter when computed, boundedness."""

    point: Vec
    lower_sq: Fraction | None  # max squared chord over finite chords (None: no finite chord)
    ray_found: bool  # some direction had no hyperplane on one side
    bounded: bool | None  # None: not decided
    reason: str
    exact: Diameter | None


MAX_DRAWS = 1000
"""Random weights drawn for one point before giving up when each lies on a hyperplane."""


def sample_cells(
    arr: Arrangement,
    points: int,
    directions: int,
    seed: int,
    box: Fraction,
    exact: bool,
    decide_bounded: bool,
    progress: Callable[[int, int], None] | None = None,
) -> list[CellSample]:
    """Draw ``points`` random weights in [-box, box]^d0 and measure the cell of each."""
    if points < 1 or directions < 0:
        raise InputError("need at least one point and a non-negative number of directions")
    rng = random.Random(seed)
    d0 = arr.d0
    xrank: int | None = None
    out: list[CellSample] = []
    for p in range(points):
        if progress is not None:
            progress(p, points)
        for _ in range(MAX_DRAWS):
            w = random_point(rng, d0, box)
            signs = arr.signs(w)
            if signs is not None:
                break
        else:  # every draw on a hyperplane: only possible for a degenerate box and bias
            raise InputError(
                f"{MAX_DRAWS} random weights in [-box, box]^d0 all lie on a hyperplane; change --box or --bias"
            )
        lower: Fraction | None = None
        ray = False
        for _ in range(directions):
            c = chord(arr, w, random_direction(rng, d0))
            if c.squared is None:
                ray = True
            elif lower is None or c.squared > lower:
                lower = c.squared
        ex: Diameter | None = None
        bounded: bool | None = None
        reason = "not decided"
        if exact:
            ex = exact_diameter(arr, signs)
            bounded = ex.bounded
            reason = "vertex enumeration (cdd)"
        elif ray:
            bounded, reason = False, "a sampled direction is a ray of the cell"
        elif decide_bounded:
            if xrank is None:
                xrank = rank([list(x) for x in arr.X], d0)
            bounded, reason = unbounded_proof(arr, signs, xrank)
        out.append(CellSample(w, lower, ray, bounded, reason, ex))
    if progress is not None:
        progress(points, points)
    return out


# ----------------------------------------------------------------- counting


def count_by_enumeration(arr: Arrangement) -> tuple[int, int]:
    """(cells, bounded cells) by incremental splitting with exact LPs."""
    d0 = arr.d0
    cells: list[tuple[int, ...]] = [()]
    for i in range(arr.N):
        sub = Arrangement(arr.X[: i + 1], arr.b)
        nxt = []
        for s in cells:
            for t in (1, -1):
                cand = (*s, t)
                if isinstance(polyhedra.decide(sub.system(cand)), polyhedra.Point):
                    nxt.append(cand)
        cells = nxt
    if not arr.X or rank([list(x) for x in arr.X], d0) < d0:
        return len(cells), 0
    bounded = sum(1 for s in cells if unbounded_proof(arr, s)[0])
    return len(cells), bounded


def characteristic_polynomial(arr: Arrangement) -> dict[int, int]:
    """chi(t) = sum_{S central} (-1)^|S| t^(d0 - rank X_S) as {power: coefficient} (2^N subsets)."""
    d0 = arr.d0
    chi: dict[int, int] = {}
    for size in range(arr.N + 1):
        for S in combinations(range(arr.N), size):
            rows = [list(arr.X[i]) for i in S]
            r = rank(rows, d0) if rows else 0
            aug = rank([[*arr.X[i], -arr.b] for i in S], d0 + 1) if rows else 0
            if aug != r:
                continue  # the hyperplanes of S do not meet
            chi[d0 - r] = chi.get(d0 - r, 0) + (-1) ** size
    return chi


def count_by_zaslavsky(arr: Arrangement) -> tuple[int, int]:
    """(cells, bounded cells) = ((-1)^d0 chi(-1), (-1)^r chi(1)) with r = rank of the normals.

    (-1)^r chi(1) counts the *relatively* bounded regions (bounded modulo the lineality
    space); they are bounded only when the arrangement is essential (r = d0). Otherwise every
    region contains a line, and there are no bounded cells (e.g. parallel lines in the plane)."""
    chi = characteristic_polynomial(arr)
    r = rank([list(x) for x in arr.X], arr.d0)
    cells = (-1) ** arr.d0 * sum(c * (-1) ** p for p, c in chi.items())
    bounded = (-1) ** r * sum(chi.values()) if r == arr.d0 else 0
    return cells, bounded


def count_general_position(N: int, d0: int) -> tuple[int, int]:
    """sum_{i<=d0} C(N, i) cells and C(N-1, d0) bounded cells (N affine hyperplanes in general position)."""
    return sum(comb(N, i) for i in range(d0 + 1)), comb(N - 1, d0) if N >= 1 else 0

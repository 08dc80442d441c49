"""Every open cell of one neuron's arrangement, proved complete (sign tree).

The cells of one neuron (theory.md §1) are the non-empty open cones

    C(s) = { w in Q^d : s_i x_i . w > 0 for every sample i },  s in {+1, -1}^N,

of the central arrangement of the N sample hyperplanes {w : w . x_i = 0}.
Algorithm: a depth-first sign tree over the samples in order 0..N-1. A node
at depth t is a partial sign vector (s_0, ..., s_{t-1}); its open cone is the
homogeneous strict system s_i x_i . w > 0 (i < t). By Gordan's theorem (the
homogeneous case of Motzkin's transposition theorem) the cone is empty iff
there are m_i >= 0, not all zero, with sum_i m_i s_i x_i = 0; such a node is
a leaf with those multipliers (valid for every completion: completing adds
rows). A non-empty node carries a rational point w strictly inside. Its two
children are decided without a linear program where possible:

* if w . x_t != 0, the child of sign(w . x_t) contains w itself;
* if w . x_t = 0 and x_t != 0, both children contain w +- eps x_t for a small
  exact eps > 0 (every earlier row stays strictly positive).

Only the other child needs an exact LP (:func:`exactscape.core.polyhedra.decide`).
A zero sample x_t = 0 closes both children with the one multiplier m_t = 1:
then no open cell exists at all (every weight lies on that "hyperplane").
Leaves at depth N are the cells, each with its witness.

Count: a central arrangement of N hyperplanes in Q^d has at most
2 sum_{i=0}^{d-1} C(N-1, i) regions (Cover 1965; equality in general
position), so the tree has at most N times that many non-empty nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import comb

from ..core import polyhedra
from ..core.model import Instance, Vec, dot


def region_bound(N: int, d: int) -> int:
    """2 sum_{i=0}^{d-1} C(N-1, i): the most regions N central hyperplanes in Q^d can make.

    >>> region_bound(2, 2), region_bound(3, 2), region_bound(3, 3), region_bound(1, 1)
    (4, 6, 8, 2)
    """
    if N == 0:
        return 1
    return 2 * sum(comb(N - 1, i) for i in range(d))


@dataclass(frozen=True)
class NeuronCell:
    """One open cell: ``active[i]`` = 1 iff w . x_i > 0 inside; ``witness`` strictly inside."""

    active: tuple[int, ...]
    witness: Vec


@dataclass(frozen=True)
class CensusLeaf:
    """An empty partial sign vector: m_i >= 0 (i, m), not all 0, sum m_i s_i x_i = 0."""

    multipliers: tuple[tuple[int, Fraction], ...]


@dataclass(frozen=True)
class CensusCell:
    """A full-depth leaf: index into :attr:`Census.cells`."""

    index: int


@dataclass(frozen=True)
class CensusSplit:
    """Split on sample ``sample``: children for w . x_i > 0 (``plus``) and < 0 (``minus``)."""

    sample: int
    plus: CensusNode
    minus: CensusNode


CensusNode = CensusLeaf | CensusCell | CensusSplit


@dataclass(frozen=True)
class Census:
    """The complete list of one neuron's open cells and the sign tree proving it complete."""

    instance: Instance
    cells: tuple[NeuronCell, ...]
    tree: CensusNode
    lps: int

    @property
    def zero_samples(self) -> tuple[int, ...]:
        return tuple(i for i, x in enumerate(self.instance.xs) if not any(x))


class TooMany(Exception):
    """Raised inside the enumeration when more cells than allowed were found."""


def _nudge(rows: list[Vec], w: Vec, x: Vec, sign: int) -> Vec:
    """w + sign eps x with every row r . (w + sign eps x) > 0 (given r . w > 0 for all rows)."""
    eps = Fraction(1)
    for r in rows:
        rx = sign * dot(r, x)
        if rx < 0:
            eps = min(eps, dot(r, w) / (-2 * rx))
    return tuple(a + sign * eps * b for a, b in zip(w, x, strict=True))


def enumerate_cells(
    inst: Instance,
    max_cells: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Census:
    """The census of one neuron's arrangement (module docstring).

    Raises :class:`TooMany` when more than ``max_cells`` cells exist.
    """
    xs = inst.xs
    N, d = inst.N, inst.d
    cells: list[NeuronCell] = []
    lps = 0

    def decide(signs: list[int]) -> Vec | CensusLeaf:
        nonlocal lps
        lps += 1
        if progress is not None:
            progress(len(cells), lps)
        G = tuple(tuple(s * v for v in xs[i]) for i, s in enumerate(signs))
        ans = polyhedra.decide(polyhedra.System(n=d, G=G, h=tuple(Fraction(0) for _ in G)))
        if isinstance(ans, polyhedra.Farkas):
            return CensusLeaf(tuple((i, m) for i, m in enumerate(ans.mG) if m != 0))
        return tuple(ans.v)

    def grow(signs: list[int], w: Vec) -> CensusNode:
        t = len(signs)
        if t == N:
            if max_cells is not None and len(cells) >= max_cells:
                raise TooMany
            cells.append(NeuronCell(tuple(1 if s > 0 else 0 for s in signs), w))
            return CensusCell(len(cells) - 1)
        x = xs[t]
        if not any(x):
            leaf = CensusLeaf(((t, Fraction(1)),))
            return CensusSplit(t, leaf, leaf)
        rows = [tuple(s * v for v in xs[i]) for i, s in enumerate(signs)]
        v = dot(w, x)
        kids: dict[int, Vec | CensusLeaf] = {}
        if v != 0:
            same = 1 if v > 0 else -1
            kids[same] = w
            kids[-same] = decide([*signs, -same])
        else:
            kids[1] = _nudge(rows, w, x, 1)
            kids[-1] = _nudge(rows, w, x, -1)
        out: dict[int, CensusNode] = {}
        for s in (1, -1):
            k = kids[s]
            out[s] = k if isinstance(k, CensusLeaf) else grow([*signs, s], k)
        return CensusSplit(t, out[1], out[-1])

    tree = grow([], tuple(Fraction(0) for _ in range(d)))  # the root has no rows: w = 0 is inside
    return Census(inst, tuple(cells), tree, lps)


def neuron_sign_vector(cell: NeuronCell) -> str:
    """The cell as a +/- string over the samples, e.g. ``"+-+"``.

    >>> neuron_sign_vector(NeuronCell((1, 0, 1), ()))
    '+-+'
    """
    return "".join("+" if a else "-" for a in cell.active)

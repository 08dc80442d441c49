"""Genuineness at scale: the decision of Theorem 1 [15-18] in the intrinsic
dimension of the cell, with the certificate shapes of FORMAT.md 4 (a witness
(z, w), or a branch tree with Farkas leaves).

Input: a cell (instance, pattern) whose minimiser set {R0 + Nb c} was built by
:mod:`exactscape.core.minset`. Three structures decide most cells without
enumerating {+, -, 0}^K:

1. **Fixed neurons.** A neuron j whose block is zero in every null vector has
   R_j = R0_j on the whole minimiser set, so its branches are decided by signs
   alone: ``+`` iff s_ij x_i . R0_j > 0 for all i, ``-`` iff all < 0, ``0`` iff
   R0_j = 0. If some fixed neuron has no branch, the cell is refuted by a tree
   of three leaves (split that neuron), each leaf built algebraically: the
   functional R -> x_i . R_j (or R -> R_jl) is constant on the minimiser set,
   hence lies in the row space of A, A^T m = g, and m is the Farkas
   multiplier on the fit rows (solved with the r x r minor A_{B,P}). A unique
   minimiser (rank A = Kd) makes every neuron fixed: no LP at all.
   The same holds for single samples and coordinates of a free neuron: where
   x_i . R_j (row i of Z Nb_j zero) or R_jl (row (j, l) of Nb zero) is the same
   on every minimiser, a wrong sign for + and for - and a non-zero R_jl refute
   the neuron by three one-row leaves (method ``constant-samples``; sklearn
   digits, all samples: every pixel zero on a neuron's active images makes
   such samples), again without an LP, before any witness is tried.
2. **Free neurons in the coordinates c** (dimension Kd - r). Each node of the
   branch search is an open polyhedron in c whose rows are the sign rows of
   the split free neurons, generated lazily: an exact LP on the rows learnt so
   far (:func:`exactscape.core.polyhedra.decide`), then every row checked exactly
   at its point with one integer matrix product, violated rows added, until
   the point is valid for all rows or the subsystem is infeasible (then its
   Farkas multipliers are valid for the whole node). A Farkas answer in c is
   turned into fit multipliers in R-space by the same row-space solve. The
   search dives first (every free neuron on the branch its current block
   suggests, one LP), and splits the neurons named by the last conflict
   first; a leaf is reused for every node that agrees with it on the neurons
   it depends on.
   Neurons with identical activation columns form a group; a group of two or
   more is *flexible*: its members enter the fit only through their sum S,
   and any S is reached inside the cells (R_a = S + lam v, R_b = -lam v with
   v in the group's cone and lam large, the others 0), so flexible neurons
   carry no sign rows and are never split (every neuron of an all-active
   cell at bias 20 is flexible: no LP at all beyond one point).
3. **Samples** (whenever A has independent non-zero rows, so p_i = y_i there): a
   sample's fit row and its sign rows alone refute a branch vector in which its
   fitted value cannot be split among its active neurons with the signs their
   branches require, whatever the rank of X; the DPLL search below then refutes
   a cell outright when every branch vector fails on some sample. When the
   samples themselves are independent this test is also sufficient:
   **Independent samples** (the augmented samples X have full row rank, as
   for real MNIST cells with N = 200 < d = 785): u_j = X R_j is free in Q^N,
   so sample i is satisfiable under a branch vector iff its fitted value p_i
   can be split among its active neurons with the signs their branches
   require. A DPLL search over neurons decides this combinatorially; a
   refuted sample gives a leaf with one fit multiplier and one sign
   multiplier per active neuron; a witness solves X_C R_j = u_j on N
   independent columns C of X.

Every search can be given a budget (a deadline): when it runs out the result
is ``undecided`` with what was explored, never "not genuine".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm
from typing import TypeVar

import flint

from ..core import deadline, polyhedra
from ..core.minset import (
    MinimiserSet,
    ZMat,
    design_integers,
    samples,
    samples_independent,
    selection_matrix,
    sign_solutions,
)
from ..core.model import Instance, Mat, Pattern
from .branches import BRANCHES, Genuine, Leaf, Split, Tree, genuine_from_blocks

Decider = Callable[[polyhedra.System], polyhedra.Point | polyhedra.Farkas]


# violated sign rows a node's lazy loop adds per neuron and round (at most q + 1 are ever needed
# at once; on digits all K = 32, q = 654, adding q + 1 per neuron made exact LPs of 17,000 rows)
ROWS_PER_ROUND = 24


# rank from which a cell tree's leaves leave their fit multipliers implied by the null space
# (FORMAT 4.2 check 5, new in 1.4): each would otherwise be the solution of an r x r system
# A_{B,P}^T m = g, with numbers of about 3 r digits on 8 x 8 digits (1,300 at r = 399)
IMPLIED_RANK = 300


class OutOfBudget(Exception):
    """The deadline passed during the search (internal; reported as undecided)."""


@dataclass(frozen=True)
class Decision:
    """A witness, a refuting tree, or neither (``undecided``; ``reason`` names why, default
    the method: ``budget`` when the budget ran out)."""

    genuine: Genuine | None
    tree: Tree | None
    method: str
    nodes: int
    leaves: int
    undecided: bool = False
    reason: str = ""


@dataclass
class Budget:
    """A deadline in monotonic nanoseconds (None: no limit) and a node counter."""

    deadline_ns: int | None = None
    nodes: int = 0
    progress: Callable[[int, int], None] | None = None

    @staticmethod
    def seconds(limit: int | Fraction | None, progress: Callable[[int, int], None] | None = None) -> Budget:
        if limit is None:
            return Budget(None, 0, progress)
        return Budget(time.monotonic_ns() + int(Fraction(limit) * 1_000_000_000), 0, progress)

    def tick(self, depth: int) -> None:
        self.nodes += 1
        if self.progress is not None:
            self.progress(self.nodes, depth)
        if self.deadline_ns is not None and time.monotonic_ns() > self.deadline_ns:
            raise OutOfBudget

    def bound(self, decide: Decider) -> Decider:
        """``decide`` under this budget's hard deadline: a large LP still running at the
        deadline is stopped and the search sees :class:`OutOfBudget` (:mod:`exactscape.core.deadline`)."""
        return deadline.bounded(decide, self.deadline_ns, OutOfBudget)


T = TypeVar("T")


def _split(j: int, first: str, child: Callable[[str], tuple[Tree | None, T | None]]) -> tuple[Tree | None, T | None]:
    """Split neuron j: its branches in the order first, the other sign, 0; the first witness
    found ends the search, else the refuted children form a Split (in the order +, -, 0)."""
    kids: list[tuple[str, Tree]] = []
    for b in (first, "-" if first == "+" else "+", "0"):
        sub, found = child(b)
        if found is not None:
            return None, found
        if sub is None:  # pragma: no cover - a child returns a tree or a witness
            raise RuntimeError("search returned neither a tree nor a witness")
        kids.append((b, sub))
    kids.sort(key=lambda kb: BRANCHES.index(kb[0]))
    return Split(j, tuple(kids)), None


def _sign(pat: Pattern, i: int, j: int) -> int:
    return 1 if pat.I[i][j] else -1


def _branch_sign(b: str) -> int:
    return 1 if b == "+" else -1


@dataclass
class _RowSpace:
    """Solves A^T m = g for g in the row space of A, with m on the rows B (FORMAT 4.2 leaves)."""

    inst: Instance
    pat: Pattern
    ms: MinimiserSet
    _mat: flint.fmpz_mat | None = None

    def solve(self, g: list[Fraction]) -> tuple[tuple[int, Fraction], ...]:
        ev = self.ms.evidence
        B, P = list(ev.basis), list(ev.columns)
        if self._mat is None:
            AZ = self.ms.AZ if self.ms.AZ is not None else design_integers(self.inst, self.pat)
            sub = selection_matrix(AZ.nrows(), B).transpose() * AZ * selection_matrix(AZ.ncols(), P)
            self._mat = sub.transpose()  # A_Z{B,P}^T, r x r
        D = samples(self.inst).D
        den = _lcm_all([g[c] for c in P])
        rhs = ZMat(len(P), 1, [int(g[c] * den) * D for c in P])
        sol = self._mat.solve(rhs)  # A_Z^T m = D g  <=>  A^T m = g
        out = []
        for k, i in enumerate(B):
            v = sol[k, 0]
            if v != 0:
                out.append((i, Fraction(int(v.p), int(v.q) * den)))
        return tuple(out)


def _lcm_all(values: Sequence[Fraction]) -> int:
    """The least common denominator of ``values`` (1 for none)."""
    return lcm(*{v.denominator for v in values})


def _row_vector(inst: Instance, K: int, j: int, i: int, coef: Fraction) -> list[Fraction]:
    """coef * (x_i in block j) as a vector of Q^{Kd}."""
    d = inst.d
    g = [Fraction(0)] * (K * d)
    for l, v in enumerate(inst.xs[i]):
        g[j * d + l] = coef * v
    return g


class _Engine:
    """Fixed/free decomposition and the lazy search over free neurons (module docstring)."""

    def __init__(
        self,
        inst: Instance,
        pat: Pattern,
        ms: MinimiserSet,
        zero_witness: Mat | None,
        budget: Budget,
        decide: Decider | None,
    ) -> None:
        self.inst, self.pat, self.ms = inst, pat, ms
        self.K, self.d, self.N = pat.K, inst.d, inst.N
        self.zw = zero_witness
        self.budget = budget
        self.decide: Decider = decide if decide is not None else polyhedra.decide
        self.rowspace = _RowSpace(inst, pat, ms)
        S = samples(inst)
        self.Z, self.D = S.Z, S.D
        if ms.R0z is None:
            raise ValueError("the engine needs a minimiser R0")
        self.R0z, self.R0den = ms.R0z, ms.R0den
        # x_i . R0_j = V0[i, j] / (D R0den)
        R0blocks = ZMat(self.d, self.K, [ms.R0z[j * self.d + l, 0] for l in range(self.d) for j in range(self.K)])
        self.V0 = [[int(v) for v in row] for row in (self.Z * R0blocks).tolist()]
        self.free = ms.free_neurons()
        self.q = ms.Nb.ncols() if ms.Nb is not None else 0
        self._Y: dict[int, flint.fmpz_mat] = {}  # N x q: x_i . Nb_j c = (Y_j c)_i / D, formed on first use
        self.Nbj: dict[int, list[list[int]]] = {}
        if ms.Nb is not None:
            Nrows = ms.Nb.tolist()
            for j in self.free:
                self.Nbj[j] = [[int(v) for v in Nrows[j * self.d + l]] for l in range(self.d)]
        self._yrow: dict[tuple[int, int], list[int]] = {}  # (j, i) -> row i of Y_j, on demand
        self.cands: dict[int, set[int]] = {j: set() for j in self.free}
        groups: dict[tuple[int, ...], list[int]] = {}
        for j in range(self.K):
            groups.setdefault(pat.column(j), []).append(j)
        self.groups = [g for g in groups.values() if len(g) >= 2]
        self.flex = {j for g in self.groups for j in g}
        self.search = tuple(j for j in self.free if j not in self.flex)
        self.cache: list[tuple[dict[int, str], Leaf]] = []
        self.leaves = 0
        # leaves with implied fit multipliers need the certificate's null space (or rank Kd)
        has_null = ms.evidence.null_pivots is not None or ms.rank == self.K * self.d
        self.implied = has_null and ms.rank >= IMPLIED_RANK

    def Y(self, j: int) -> flint.fmpz_mat:
        """Y_j = Z Nb_j (N x q) of a free neuron j, formed when first asked for (a cell
        refuted on constant samples never forms it: 26 products of 1,797 x 65 by 65 x 654 on
        digits all K = 32)."""
        Y = self._Y.get(j)
        if Y is None:
            Y = self._Y[j] = self.Z * ZMat(self.Nbj[j])
        return Y

    # ---------------------------------------------------------------- fixed neurons
    def fixed_branches(self, j: int) -> list[str]:
        vals = [self.V0[i][j] for i in range(self.N)]
        out = []
        if all(_sign(self.pat, i, j) * v > 0 for i, v in enumerate(vals)):
            out.append("+")
        if all(_sign(self.pat, i, j) * v < 0 for i, v in enumerate(vals)):
            out.append("-")
        if all(self.R0z[j * self.d + l, 0] == 0 for l in range(self.d)):
            out.append("0")
        return out

    def fixed_refutation(self, j: int) -> Tree:
        """Three leaves for a fixed neuron j with no branch (module docstring, 1)."""
        kids: list[tuple[str, Tree]] = []
        for b in BRANCHES:
            if b == "0":
                l = next(l for l in range(self.d) if self.R0z[j * self.d + l, 0] != 0)
                if self.implied:  # w = -e_(j,l): beta = R0_jl != 0
                    kids.append(("0", Leaf(fit=(), sign=(), zero=((j, l, Fraction(-1)),), implied=True)))
                    continue
                g = [Fraction(0)] * (self.K * self.d)
                g[j * self.d + l] = Fraction(1)
                kids.append(("0", Leaf(fit=self.rowspace.solve(g), sign=())))
                continue
            sg = _branch_sign(b)
            i = next(i for i in range(self.N) if sg * _sign(self.pat, i, j) * self.V0[i][j] <= 0)
            s = sg * _sign(self.pat, i, j)
            if self.implied:  # w = s x_i in block j, constant on the minimiser set
                kids.append((b, Leaf(fit=(), sign=((j, i, Fraction(1)),), implied=True)))
                continue
            fit = self.rowspace.solve(_row_vector(self.inst, self.K, j, i, Fraction(-s)))
            kids.append((b, Leaf(fit=fit, sign=((j, i, Fraction(1)),))))
        self.leaves += 3
        return Split(j, tuple(kids))

    # ---------------------------------------------------------------- constant samples
    def _constant_candidates(self, j: int) -> list[int]:
        """Samples i whose value x_i . R_j may be constant on the minimiser set (row i of
        Y_j = Z Nb_j zero): those with Z_i . (Nb_j r) = 0 for one fixed vector r (a zero row
        passes; :meth:`_is_constant` then proves it exactly)."""
        rows = self.Nbj[j]
        r = [(c * 2654435761) % 1000003 + 1 for c in range(self.q)]
        u = [sum(v * rc for v, rc in zip(row, r, strict=True)) for row in rows]
        S = samples(self.inst)
        return [i for i in range(self.N) if not sum(a * b for a, b in zip(S.rows[i], u, strict=True))]

    def _is_constant(self, j: int, i: int) -> bool:
        """Is row i of Y_j zero, exactly (x_i . Nb_j c = 0 for every c)?"""
        z = samples(self.inst).rows[i]
        rows = self.Nbj[j]
        return all(not sum(z[l] * rows[l][c] for l in range(self.d)) for c in range(self.q))

    def constant_refutation(self) -> Tree | None:
        """A free neuron j that no branch fits on the samples where x_i . R_j is the same on
        every minimiser (module docstring, 1, applied to single samples and coordinates):
        branch + fails on a constant sample i with s_ij x_i . R0_j <= 0, branch - on one with
        s_ij x_i . R0_j >= 0, branch 0 on a constant coordinate R_jl = R0_jl != 0. The tree
        splits j into three leaves (as :meth:`fixed_refutation`), found without an LP. The
        neurons of the lazy search only (a flexible group's members are never split)."""
        for j in self.search:
            cands = self._constant_candidates(j)
            kids: list[tuple[str, Tree]] = []
            for b in BRANCHES:
                if b == "0":
                    l = next(
                        (l for l in range(self.d) if self.R0z[j * self.d + l, 0] != 0 and not any(self.Nbj[j][l])),
                        None,
                    )
                    if l is None:
                        break
                    kids.append(("0", self._zero_leaf(j, l)))
                    continue
                sg = _branch_sign(b)
                i = next(
                    (i for i in cands if sg * _sign(self.pat, i, j) * self.V0[i][j] <= 0 and self._is_constant(j, i)),
                    None,
                )
                if i is None:
                    break
                kids.append((b, self._sign_leaf(j, i, sg * _sign(self.pat, i, j))))
            else:
                self.leaves += 3
                return Split(j, tuple(kids))
        return None

    def _zero_leaf(self, j: int, l: int) -> Leaf:
        """Branch 0 of neuron j refuted by the coordinate R_jl, constant and non-zero on the
        minimiser set: A^T m = e_(j,l) (in the row space), beta = R0_jl != 0."""
        if self.implied:  # w = -e_(j,l): beta = R0_jl != 0
            return Leaf(fit=(), sign=(), zero=((j, l, Fraction(-1)),), implied=True)
        g = [Fraction(0)] * (self.K * self.d)
        g[j * self.d + l] = Fraction(1)
        return Leaf(fit=self.rowspace.solve(g), sign=())

    def _sign_leaf(self, j: int, i: int, s: int) -> Leaf:
        """A branch of neuron j with sign s on sample i (s x_i . R_j > 0 asked) refuted by the
        sample, constant on the minimiser set with s x_i . R0_j <= 0: A^T m = -s (x_i in block
        j), sign multiplier 1 on (j, i), beta = -s x_i . R0_j >= 0."""
        if self.implied:  # w = s x_i in block j
            return Leaf(fit=(), sign=((j, i, Fraction(1)),), implied=True)
        fit = self.rowspace.solve(_row_vector(self.inst, self.K, j, i, Fraction(-s)))
        return Leaf(fit=fit, sign=((j, i, Fraction(1)),))

    # ---------------------------------------------------------------- the c-space node
    def _row(self, j: int, b: str, i: int) -> tuple[tuple[Fraction, ...], Fraction, int]:
        """Row of sign (j, i) under branch b in c: a . c > h, the R-space row s x_i . R_j > 0
        times D > 0 (a = s (Y_j)_i, h = -s V0_ij / R0den), divided by the gcd g of the integers
        a. The row's entries are the short integers of the samples and the null vectors; only
        h carries R0's long denominator (a Farkas combination of rows is then found on short
        numbers, and a point's check costs one long comparison per row)."""
        s = _branch_sign(b) * _sign(self.pat, i, j)
        yr = self._yrow.get((j, i))
        if yr is None:
            Y = self.Y(j)
            yr = self._yrow[(j, i)] = [int(Y[i, c]) for c in range(self.q)]
        a = [s * v for v in yr]
        g = gcd(*a) or 1
        return tuple(Fraction(v // g) for v in a), Fraction(-s * self.V0[i][j], self.R0den * g), g

    def _system(
        self, sigma: dict[int, str]
    ) -> tuple[polyhedra.System, list[tuple[int, int, int]], list[tuple[int, int]]]:
        """The node's system in c; sign-row keys (j, i, g) with g the row's reduction factor."""
        G, h, keys = [], [], []
        for j in sorted(sigma):
            b = sigma[j]
            if b == "0":
                continue
            for i in sorted(self.cands[j]):
                a, hv, g = self._row(j, b, i)
                G.append(a)
                h.append(hv)
                keys.append((j, i, g))
        E, f, ekeys = [], [], []
        for j in sorted(sigma):
            if sigma[j] != "0":
                continue
            for l in range(self.d):
                E.append(tuple(Fraction(v) for v in self.Nbj[j][l]))  # R_jl = R0_jl + (Nb_j c)_l = 0
                f.append(Fraction(-int(self.R0z[j * self.d + l, 0]), self.R0den))
                ekeys.append((j, l))
        return polyhedra.System(n=self.q, E=tuple(E), f=tuple(f), G=tuple(G), h=tuple(h)), keys, ekeys

    def _values(self, j: int, c: tuple[Fraction, ...]) -> list[int]:
        """x_i . R_j at R = R0 + Nb c for every sample i, exactly, times D R0den cden > 0."""
        if j not in self.Nbj:
            return [self.V0[i][j] for i in range(self.N)]
        den = _lcm_all(c)
        cz = ZMat(self.q, 1, [int(v * den) for v in c])
        Yc = (self.Y(j) * cz).entries()
        return [self.V0[i][j] * den + self.R0den * int(Yc[i]) for i in range(self.N)]

    def node(self, sigma: dict[int, str]) -> tuple[Leaf | None, tuple[Fraction, ...] | None]:
        for sub, leaf in self.cache:
            if all(sigma.get(j) == b for j, b in sub.items()):
                return leaf, None
        self.budget.tick(len(sigma))
        while True:
            sys_, keys, ekeys = self._system(sigma)
            ans = self.decide(sys_)
            if isinstance(ans, polyhedra.Farkas):
                leaf, deps = self._leaf(sigma, ans, keys, ekeys)
                self.cache.append((deps, leaf))
                self.leaves += 1
                return leaf, None
            c = ans.v
            added = 0
            for j in sorted(sigma):
                b = sigma[j]
                if b == "0":
                    continue
                sg = _branch_sign(b)
                vals = self._values(j, c)
                bad = [(sg * _sign(self.pat, i, j) * v, i) for i, v in enumerate(vals)]
                bad = sorted((v, i) for v, i in bad if v <= 0 and i not in self.cands[j])
                for _, i in bad[: min(self.q + 1, ROWS_PER_ROUND)]:
                    self.cands[j].add(i)
                    added += 1
            if not added:
                return None, c
            self.budget.tick(len(sigma))

    def _leaf(
        self,
        sigma: dict[int, str],
        ans: polyhedra.Farkas,
        keys: list[tuple[int, int, int]],
        ekeys: list[tuple[int, int]],
    ) -> tuple[Leaf, dict[int, str]]:
        scale = self.D  # c-space sign rows are R-space rows times D, divided by g; equality rows are R-space rows
        u = [Fraction(0)] * (self.K * self.d)
        sign: list[tuple[int, int, Fraction]] = []
        deps: dict[int, str] = {}
        for (j, i, g), m in zip(keys, ans.mG, strict=True):
            if m == 0:
                continue
            mr = m * scale / g
            s = _branch_sign(sigma[j]) * _sign(self.pat, i, j)
            sign.append((j, i, mr))
            deps[j] = sigma[j]
            for l, v in enumerate(self.inst.xs[i]):
                u[j * self.d + l] += mr * s * v
        zero: list[tuple[int, int, Fraction]] = []
        for (j, l), m in zip(ekeys, ans.mE, strict=True):
            if m == 0:
                continue
            u[j * self.d + l] += m
            zero.append((j, l, m))
            deps[j] = "0"
        if self.implied:  # w = u: orthogonal to the null space by the Farkas identity in c
            return Leaf(fit=(), sign=tuple(sorted(sign)), zero=tuple(sorted(zero)), implied=True), deps
        fit = self.rowspace.solve([-v for v in u])
        return Leaf(fit=fit, sign=tuple(sorted(sign))), deps

    # ---------------------------------------------------------------- search
    def point_R(self, c: tuple[Fraction, ...]) -> list[Fraction]:
        den = _lcm_all(c)
        Kd = self.K * self.d
        R = [Fraction(int(self.R0z[k, 0]), self.R0den) for k in range(Kd)]
        if self.q and self.ms.Nb is not None:
            cz = ZMat(self.q, 1, [int(v * den) for v in c])
            NbC = (self.ms.Nb * cz).entries()
            R = [R[k] + Fraction(int(NbC[k]), den) for k in range(Kd)]
        return R

    def branch_of(self, j: int, vals: list[int], Rj: list[Fraction]) -> str | None:
        """The branch of neuron j whose sign rows all hold at values ``vals`` (see _values)."""
        col = [_sign(self.pat, i, j) * v for i, v in enumerate(vals)]
        if all(v > 0 for v in col):
            return "+"
        if all(v < 0 for v in col):
            return "-"
        if all(v == 0 for v in Rj):
            return "0"
        return None

    def guess(self, j: int, vals: list[int]) -> str:
        """The sign branch that more of neuron j's sign rows agree with."""
        score = sum(_sign(self.pat, i, j) * ((v > 0) - (v < 0)) for i, v in enumerate(vals))
        return "+" if score >= 0 else "-"

    def _split_groups(self, full: dict[int, str], R: list[Fraction]) -> tuple[dict[int, str], list[Fraction]]:
        """Each flexible group's sum S becomes R_a = S + lam v, R_b = -lam v, others 0."""
        full, R = dict(full), list(R)
        d = self.d
        for g in self.groups:
            a, b = g[0], g[1]
            S = [sum((R[j * d + l] for j in g), Fraction(0)) for l in range(d)]
            v = list(self.zw[a]) if self.zw is not None else None
            if v is None:  # pragma: no cover - a feasible cell always has its witness
                raise RuntimeError("a flexible group needs a witness of its cone")
            sden = _lcm_all(S)
            vden = _lcm_all(v)
            Sz = [int(t * sden) for t in S]
            vz = [int(t * vden) for t in v]
            best_n, best_d = 0, 1  # lam > max(0, max_i -(s x_i . S) / (s x_i . v))
            for i, z in enumerate(samples(self.inst).rows):
                s = _sign(self.pat, i, a)
                xv = s * sum(p * q for p, q in zip(z, vz, strict=True)) * sden  # > 0: v is inside the cone
                xs_ = -s * sum(p * q for p, q in zip(z, Sz, strict=True)) * vden
                if xs_ * best_d > best_n * xv:
                    best_n, best_d = xs_, xv
            lam = Fraction(best_n, best_d)
            lam += 1
            for j in g:
                for l in range(d):
                    R[j * d + l] = Fraction(0)
                full[j] = "0"
            for l in range(d):
                R[a * d + l] = S[l] + lam * v[l]
                R[b * d + l] = -lam * v[l]
            full[a], full[b] = "+", "-"
        return full, R

    def witness(self, full: dict[int, str], R: list[Fraction], split: bool = True) -> Genuine:
        if split:
            full, R = self._split_groups(full, R)
        d = self.d
        blocks = [tuple(R[j * d : (j + 1) * d]) for j in range(self.K)]
        return genuine_from_blocks([full[j] for j in range(self.K)], blocks, self.zw)

    def complete(
        self, sigma: dict[int, str], c: tuple[Fraction, ...], R: list[Fraction], fixed: dict[int, str]
    ) -> dict[int, str] | None:
        full = dict(fixed)
        full.update(sigma)
        for j in self.search:
            if j in full:
                continue
            b = self.branch_of(j, self._values(j, c), R[j * self.d : (j + 1) * self.d])
            if b is None:
                return None
            full[j] = b
        return full

    def dfs(self, sigma: dict[int, str], fixed: dict[int, str]) -> tuple[Tree | None, Genuine | None]:
        leaf, c = self.node(sigma)
        if leaf is not None:
            return leaf, None
        if c is None:  # pragma: no cover - node returns a leaf or a point
            raise RuntimeError("node returned neither a leaf nor a point")
        R = self.point_R(c)
        full = self.complete(sigma, c, R, fixed)
        if full is not None:
            return None, self.witness(full, R)
        todo = [j for j in self.search if j not in sigma]
        guesses = {j: self.guess(j, self._values(j, c)) for j in todo}
        # dive: every remaining free neuron on its guessed branch, one node
        dive = {**sigma, **guesses}
        dleaf, dc = self.node(dive)
        if dleaf is None and dc is not None:
            Rd = self.point_R(dc)
            full = self.complete(dive, dc, Rd, fixed)
            if full is not None:
                return None, self.witness(full, Rd)
        # split the free neuron named by the latest conflict, else the first unsplit one
        conflict = [j for j in (self.cache[-1][0] if self.cache else {}) if j in todo]
        j = conflict[0] if conflict else todo[0]
        return _split(j, guesses[j], lambda b: self.dfs({**sigma, j: b}, fixed))

    def _group_sum_fixed(self, g: list[int]) -> bool:
        """Is x_i . sum_{j in g} R_j the same on the whole minimiser set, for every sample i
        (the null vectors' group sums are invisible to the samples: sum_j X Nb_j = 0)?"""
        if self.ms.Nb is None or any(j not in self.Nbj for j in g):
            return False
        total = self.Y(g[0])
        for j in g[1:]:
            total = total + self.Y(j)
        return bool(total.is_zero())

    def plus_leaf(self, j: int) -> Leaf:
        """A fixed neuron j without branch +: some sample i has s_ij x_i . R0_j <= 0, and
        x_i . R_j is constant on the minimiser set, so A^T m = -s_ij (x_i in block j) has a
        solution m (the fit multipliers); with the sign multiplier 1 on (j, i) the rows combine
        to 0 and beta = -s_ij x_i . R0_j >= 0 (FORMAT 4.2 check 5, one leaf)."""
        i = next(i for i in range(self.N) if _sign(self.pat, i, j) * self.V0[i][j] <= 0)
        s = _sign(self.pat, i, j)
        fit = self.rowspace.solve(_row_vector(self.inst, self.K, j, i, Fraction(-s)))
        return Leaf(fit=fit, sign=((j, i, Fraction(1)),))

    def group_leaf(self, g: list[int], i: int) -> Leaf:
        """A flexible group g whose sum S (the same on every minimiser) has s_i x_i . S <= 0 on
        sample i: the sign rows (j, i), j in g, with multiplier 1 sum to s_i x_i . S > 0, and
        A^T m = -s_i (x_i in every block of g) (in the row space: x_i . S is constant on the
        minimiser set) gives the fit multipliers; beta = -s_i x_i . S >= 0."""
        s = _sign(self.pat, i, g[0])
        target = [Fraction(0)] * (self.K * self.d)
        for j in g:
            for pos, v in enumerate(_row_vector(self.inst, self.K, j, i, Fraction(-s))):
                target[pos] += v
        return Leaf(fit=self.rowspace.solve(target), sign=tuple((j, i, Fraction(1)) for j in sorted(g)))

    def run_positive(self) -> Decision:
        """The paper's reading: is some minimiser genuine with every z_j > 0 (one branch vector)?
        A witness, or a refutation whose ``tree`` is one Farkas leaf for sigma = (+, ..., +)
        (FORMAT 13: the certificate of kind ``branches``), not a cell certificate's tree."""
        fixed: dict[int, str] = {}
        for j in range(self.K):
            if j in set(self.free):
                continue
            if "+" not in self.fixed_branches(j):
                return Decision(None, self.plus_leaf(j), "fixed-signs", self.budget.nodes, 1)
            fixed[j] = "+"
        # dead neurons (inactive on every sample) do not enter the fit: R_j = their cone's
        # witness puts them on branch + whatever the others do
        dead = [j for j in self.free if not any(self.pat.column(j))] if self.zw is not None else []
        sigma = {j: "+" for j in self.free if j not in dead}
        if not sigma:
            R = self._dead_plus(self.point_R(tuple(Fraction(0) for _ in range(self.q))), dead)
            return Decision(
                self.witness({**fixed, **{j: "+" for j in dead}}, R, split=False),
                None,
                "fixed-signs",
                self.budget.nodes,
                0,
            )
        if not dead and set(self.free) == self.flex and len(self.groups) == 1 and self._group_sum_fixed(self.groups[0]):
            # one flexible group whose sum S is the same on every minimiser (an all-active cell):
            # every member in its cone C iff S in C (sums of points of C lie in C; S/|G| each)
            g = self.groups[0]
            R = self.point_R(tuple(Fraction(0) for _ in range(self.q)))
            d = self.d
            S = [sum((R[j * d + l] for j in g), Fraction(0)) for l in range(d)]
            vals = [sum((a * b for a, b in zip(x, S, strict=True)), Fraction(0)) for x in self.inst.xs]
            bad = next((i for i, v in enumerate(vals) if _sign(self.pat, i, g[0]) * v <= 0), None)
            if bad is not None:
                return Decision(None, self.group_leaf(g, bad), "flexible-groups", self.budget.nodes, 1)
            for j in g:
                for l in range(d):
                    R[j * d + l] = S[l] / len(g)
            full = {**fixed, **{j: "+" for j in g}}
            return Decision(self.witness(full, R, split=False), None, "flexible-groups", self.budget.nodes, 0)
        leaf, c = self.node(sigma)
        if leaf is not None or c is None:
            return Decision(None, leaf, "lazy-lp", self.budget.nodes, 1)
        R = self._dead_plus(self.point_R(c), dead)
        full = {**fixed, **sigma, **{j: "+" for j in dead}}
        return Decision(self.witness(full, R, split=False), None, "lazy-lp", self.budget.nodes, 0)

    def _dead_plus(self, R: list[Fraction], dead: list[int]) -> list[Fraction]:
        """R with R_j = the cone witness of every dead neuron j (its block is not in the fit)."""
        if self.zw is None:
            return R
        R = list(R)
        for j in dead:
            for l in range(self.d):
                R[j * self.d + l] = self.zw[j][l]
        return R

    def run(self, before_search: Callable[[], Decision | None] | None = None) -> Decision:
        self.budget.tick(0)  # an exhausted budget is honoured before any work
        fixed: dict[int, str] = {}
        freeset = set(self.free)
        for j in range(self.K):
            if j in freeset:
                continue
            br = self.fixed_branches(j)
            if not br:
                return Decision(None, self.fixed_refutation(j), "fixed-signs", self.budget.nodes, self.leaves)
            fixed[j] = br[0]
        if not self.free:
            R = self.point_R(())
            return Decision(self.witness(fixed, R), None, "fixed-signs", self.budget.nodes, 0)
        if not self.search:  # every free neuron is flexible: any minimiser splits into a witness
            c = tuple(Fraction(0) for _ in range(self.q))
            return Decision(self.witness(fixed, self.point_R(c)), None, "flexible-groups", self.budget.nodes, 0)
        constant = self.constant_refutation()
        if constant is not None:
            return Decision(None, constant, "constant-samples", self.budget.nodes, self.leaves)
        if before_search is not None:
            early = before_search()
            if early is not None:
                return early
        tree, found = self.dfs({}, fixed)
        return Decision(found, tree if found is None else None, "lazy-lp", self.budget.nodes, self.leaves)


# ------------------------------------------------------------------ independent samples


class _Cover:
    """The DPLL search of module docstring, 3 (rank X = N)."""

    def __init__(self, inst: Instance, pat: Pattern, ms: MinimiserSet, budget: Budget) -> None:
        self.inst, self.pat, self.ms, self.budget = inst, pat, ms, budget
        self.K, self.N = pat.K, inst.N
        self.p = ms.fitted()
        self.active = [[j for j in range(self.K) if pat.I[i][j]] for i in range(self.N)]
        self.leaves = 0

    def sample_ok(self, i: int, sigma: dict[int, str]) -> bool | None:
        """True/False once every active neuron of sample i is assigned, else None."""
        act = self.active[i]
        if any(j not in sigma for j in act):
            return None
        return self.satisfiable(self.p[i], [sigma[j] for j in act])

    @staticmethod
    def satisfiable(p: Fraction, branches: list[str]) -> bool:
        plus, minus = "+" in branches, "-" in branches
        if p > 0:
            return plus
        if p < 0:
            return minus
        return plus == minus

    def leaf(self, i: int, sigma: dict[int, str]) -> Leaf:
        """One fit multiplier and one sign multiplier per active neuron with a sign branch."""
        act = [j for j in self.active[i] if sigma[j] != "0"]
        p = self.p[i]
        if not act:
            return Leaf(fit=((i, Fraction(1)),), sign=())
        # a refuted sample's sign branches all agree (p > 0: all -, p < 0: all +, p = 0: one kind);
        # fit row + sign rows: fit x_i + s x_i = 0 with fit = -s, and beta = -s p_i >= 0
        s = _branch_sign(sigma[act[0]])
        if any(_branch_sign(sigma[j]) != s for j in act) or -s * p < 0:  # pragma: no cover - by the case analysis
            raise RuntimeError(f"sample {i} is not refuted by its branches")
        return Leaf(fit=((i, Fraction(-s)),), sign=tuple((j, i, Fraction(1)) for j in act))

    def dfs(self, sigma: dict[int, str]) -> tuple[Tree | None, dict[int, str] | None]:
        self.budget.tick(len(sigma))
        for i in range(self.N):
            ok = self.sample_ok(i, sigma)
            if ok is False:
                self.leaves += 1
                return self.leaf(i, sigma), None
        todo = [j for j in range(self.K) if j not in sigma]
        if not todo:
            return None, sigma
        # the neuron active on most samples that are not yet settled
        open_count = {j: 0 for j in todo}
        vote = {j: 0 for j in todo}
        for i in range(self.N):
            act = self.active[i]
            if all(j in sigma for j in act):
                continue
            for j in act:
                if j in open_count:
                    open_count[j] += 1
                    vote[j] += 1 if self.p[i] > 0 else -1 if self.p[i] < 0 else 0
        j = max(todo, key=lambda t: open_count[t])
        return _split(j, "+" if vote[j] >= 0 else "-", lambda b: self.dfs({**sigma, j: b}))

    def witness(self, sigma: dict[int, str], zero_witness: Mat | None) -> Genuine:
        """u_ij with the required signs and sum_j I_ij u_ij = p_i; R_j solves X R_j = u_j."""
        N, K = self.N, self.K
        U = [[Fraction(0)] * K for _ in range(N)]
        for i in range(N):
            act = self.active[i]
            plus = [j for j in act if sigma[j] == "+"]
            minus = [j for j in act if sigma[j] == "-"]
            for j in range(K):
                if not self.pat.I[i][j] and sigma[j] != "0":
                    U[i][j] = Fraction(-_branch_sign(sigma[j]))  # s_ij = -1: the branch asks sign(u) = -sign(b)
            p = self.p[i]
            if p > 0 or (p == 0 and plus):
                for j in minus:
                    U[i][j] = Fraction(-1)
                for j in plus:
                    U[i][j] = (p + len(minus)) / len(plus)
            elif p < 0:
                for j in plus:
                    U[i][j] = Fraction(1)
                for j in minus:
                    U[i][j] = (p - len(plus)) / len(minus)
        blocks = sign_solutions(self.inst, U)  # X R_j = u_j
        return genuine_from_blocks([sigma[j] for j in range(K)], blocks, zero_witness)


def decide(
    inst: Instance,
    pat: Pattern,
    ms: MinimiserSet,
    zero_witness: Mat | None,
    *,
    budget: Budget | None = None,
    decide_node: Decider | None = None,
    positive_only: bool = False,
    before_search: Callable[[], Decision | None] | None = None,
) -> Decision | None:
    """Decide genuineness of a feasible cell with the structures of the module docstring.

    ``positive_only``: only the branch vector (+, ..., +) (Part 2's reading, every z_j > 0);
    then a refutation's ``tree`` is one leaf refuting that branch vector (``genuine`` None).
    ``before_search`` is called once, right before an exhaustive search would start (the
    lazy-LP tree, or the sample cover when the samples are dependent); a Decision it returns
    (a verified witness) is the answer. Returns None when none applies (the caller then runs
    the plain branch tree)."""
    bud = budget if budget is not None else Budget()
    try:
        if ms.R0z is not None:
            engine = _Engine(inst, pat, ms, zero_witness, bud, bud.bound(decide_node or polyhedra.decide))
            return engine.run_positive() if positive_only else engine.run(before_search)
        cov = _Cover(inst, pat, ms, bud)
        independent = samples_independent(inst)
        if positive_only:
            sigma = {j: "+" for j in range(pat.K)}
            bad = next((i for i in range(inst.N) if cov.sample_ok(i, sigma) is False), None)
            if bad is not None:
                return Decision(None, cov.leaf(bad, sigma), "sample-refutation", bud.nodes, 1)
            if independent:
                return Decision(cov.witness(sigma, zero_witness), None, "independent-samples", bud.nodes, 0)
            return None
        if before_search is not None and not independent:
            early = before_search()
            if early is not None:
                return early
        tree, found = cov.dfs({})
        if found is None:
            # every branch vector fails on some sample: one-sample leaves are valid whatever
            # the rank of X (each uses only that sample's fit and sign rows)
            return Decision(
                None, tree, "independent-samples" if independent else "sample-refutation", bud.nodes, cov.leaves
            )
        if independent:
            return Decision(cov.witness(found, zero_witness), None, "independent-samples", bud.nodes, 0)
    except OutOfBudget:
        return Decision(None, None, "budget", bud.nodes, 0, undecided=True)
    return None

"""Witnesses for any cell: proposed points made exact, with short numbers (theory.md §2 [15-18]).

A cell is genuine as soon as one exact point R of its minimiser set {R : A R = p} factors
with every w_j in its cone (R_j = z_j w_j, branch sigma_j = sign z_j). Floats are good at
*finding* such a point (the trained weights themselves, a max-margin LP, a local search,
all in :mod:`exactscape.floats.witness`); this module only *verifies*, exactly, and never
searches:

1. **Rational proposal.** A proposal is a point R (K blocks of Q^d, usually the dyadic
   values of floats) and optionally r columns C of A to correct on. R is rounded to the
   grid 2^-k with k = GRID_BITS above the size of its largest entry (the rounding moves
   each x_i . R_j by far less than a float margin, and keeps the numbers short). Blocks
   that are exactly 0 stay 0 (branch 0).
2. **Onto the minimiser set, with short numbers.** With B the r independent rows of the
   rank evidence ({R : A R = p} = {R : A_B R = p_B}, since every other row of A is a
   combination of the rows B and p = A R0), the residual e = p_B - A_B R is corrected on
   r columns C only: delta_C = A_{B,C}^{-1} e, delta = 0 elsewhere, so A_B (R + delta) =
   p_B exactly. The orthogonal projection R - A_B^T (A_B A_B^T)^{-1} e would be exact too,
   but its numbers are those of the Gram determinant det(A_B A_B^T) (Cramer's rule) in
   every one of the Kd coordinates; on r columns they are those of det(A_{B,C}), about
   half as many digits, in r coordinates (measured on a trained digits cell, N = 500,
   Kd = 2,080: 1,605-digit against 510-digit denominators). C: the proposal's columns
   (a float proposer picks well-conditioned ones), else a sparse choice
   (:mod:`exactscape.theory.peeling`): columns with one non-zero entry among the rows
   not yet pivoted are peeled off (a triangular part of the minor, whose pivots are
   sample entries), and the rows left over (the core) get the pivot columns modulo a
   prime of the core with its columns in the order bias first, then pixels from the
   last to the first, neurons interleaved (so the correction is spread over every
   neuron). A_{B,C} non-singular is proved by the exact solve itself (flint, p-adic, on
   the core; the peeled pivots are non-zero entries).
3. **Signs.** Every x_i . R_j is computed exactly (one integer matrix product); neuron j
   gets branch + if s_ij x_i . R_j > 0 for every i (s_ij = +1 where I_ij = 1, else -1),
   - if all < 0, 0 if R_j = 0 (then w_j is the cell's feasibility witness). If every
   neuron has a branch, (z, w) with z_j = +-1, w_j = +-R_j (z_j = 0, w_j in C_j for
   branch 0) is a genuine minimum: the existing witness certificate (FORMAT.md 4.2
   check 5), which the checker replays.

A proposal whose residual is large (max_i |p_i - A_i R| > max_i |p_i| / FAR, i in B: weights
drawn at random rather than trained) is dropped before the solve. A proposal that fails any
step is dropped (never a "no"): this module can only answer genuine, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import flint

from ..core.linalg import echelon_pivots
from ..core.minset import PRIMES, MinimiserSet, ZMat, minor_entries, samples
from ..core.model import Instance, Mat, Pattern, Weights
from . import peeling
from .branches import Genuine

GRID_BITS = 40  # bits kept below the largest entry of a proposal (rounding to 2^-k)
RANK_LIMIT = 2000  # rank above which no correction is attempted (a p-adic r x r solve, not interruptible)
FAR = 128  # a proposal with max |p_B - A_B R| > max |p_B| / FAR is dropped before the solve
METHOD_GIVEN = "given-point"  # the given weights, corrected exactly onto the minimiser set
METHOD_PROPOSED = "float-witness"  # a float proposal (LP, local search), corrected exactly


@dataclass(frozen=True)
class Proposal:
    """A proposed point R (K blocks of length d), optional columns C to correct on
    (r column indices j d + l of A), and where it came from."""

    R: Mat
    columns: tuple[int, ...] | None = None
    source: str = "proposal"


@dataclass(frozen=True)
class Task:
    """What a proposer gets: the cell, its fitted values p, the rows B of the rank
    evidence, the given weights (if any) and the deadline (monotonic ns, or None)."""

    instance: Instance
    pattern: Pattern
    fitted: tuple[Fraction, ...]
    rows: tuple[int, ...]
    hint: Weights | None
    deadline_ns: int | None


Proposer = Callable[[Task], Iterable[Proposal]]


@dataclass(frozen=True)
class Found:
    """A verified witness, the proposal it came from, and the columns corrected."""

    genuine: Genuine
    source: str
    columns: tuple[int, ...]


def given_point(w: Weights) -> Mat:
    """R_j = z_j w_j of given weights."""
    return tuple(tuple(zj * v for v in wj) for zj, wj in zip(w.z, w.w, strict=True))


def _round(R: Mat) -> tuple[list[list[int]], int]:
    """R on the grid 2^-k (module step 1): integer blocks Rz and k with R ~ Rz / 2^k."""
    big = max((abs(v) for b in R for v in b), default=Fraction(0))
    e = 0 if big == 0 else big.numerator.bit_length() - big.denominator.bit_length()
    k = max(0, GRID_BITS - e)
    s = 2**k
    return [[round(v * s) for v in b] for b in R], k


def default_order(K: int, d: int) -> list[int]:
    """Columns j d + l in the order of module step 2: l = d-1 (the bias) first, then
    l = d-2, ..., 0, and for each l every neuron j."""
    return [j * d + l for l in reversed(range(d)) for j in range(K)]


def _pivot_columns(entries: list[int], nrows: int, order: Sequence[int], p: int) -> list[int]:
    """The pivot columns modulo p of the integer matrix ``entries`` (nrows x len(order), row by
    row, its columns named by ``order``), scanning columns in that order."""
    M = flint.nmod_mat(nrows, len(order), entries, p)
    R, rank = M.rref()
    return sorted(order[j] for j in echelon_pivots(R, rank))


_SPARSE: dict[str, object] = {}  # the last instance, pattern and rows: their sparse rows and choices


def _memo(inst: Instance, pat: Pattern, rows: Sequence[int]) -> dict[str, object]:
    key = (id(inst), id(pat), tuple(rows))
    if _SPARSE.get("key") != key or _SPARSE.get("inst") is not inst or _SPARSE.get("pat") is not pat:
        _SPARSE.clear()
        _SPARSE.update({"key": key, "inst": inst, "pat": pat, "choices": {}})
    return _SPARSE


def sparse_rows(inst: Instance, pat: Pattern, rows: Sequence[int]) -> list[peeling.SparseRow]:
    """Rows ``rows`` of A_Z as sparse rows: (j d + l, Z_il) for every active j and Z_il != 0."""
    memo = _memo(inst, pat, rows)
    got = memo.get("rows")
    if got is None:
        S = samples(inst)
        I, d, K = pat.I, inst.d, pat.K
        out = []
        for i in rows:
            nz = [(l, v) for l, v in enumerate(S.rows[i]) if v]
            out.append([(j * d + l, v) for j in range(K) if I[i][j] for l, v in nz])
        memo["rows"] = got = out
    return got  # type: ignore[return-value]


def peeled_rows(inst: Instance, pat: Pattern, rows: Sequence[int], allowed: set[int] | None = None) -> peeling.Peeled:
    """The column-singleton peeling of rows ``rows`` of A_Z on the columns ``allowed`` (all
    when None): the triangular part of module step 2 and the core left over."""
    memo = _memo(inst, pat, rows)
    peels: dict[frozenset[int] | None, peeling.Peeled] = memo.setdefault("peels", {})  # type: ignore[assignment]
    key = None if allowed is None else frozenset(allowed)
    if key not in peels:
        peels[key] = peeling.peel(sparse_rows(inst, pat, rows), allowed)
    return peels[key]


def sparse_choice(
    inst: Instance, pat: Pattern, rows: Sequence[int], allowed: set[int] | None = None
) -> tuple[peeling.Peeled, list[int]] | None:
    """Module step 2, sparse: the peeled pivots and the core's columns (in the default order)
    among ``allowed`` (every column when None; :mod:`exactscape.theory.peeling`); None when
    the core is larger than RANK_LIMIT or singular modulo every prime tried."""
    K, d = pat.K, inst.d
    full = set(range(K * d)) if allowed is None else allowed
    memo = _memo(inst, pat, rows)
    choices: dict[frozenset[int], tuple[peeling.Peeled, list[int]] | None] = memo["choices"]  # type: ignore[assignment]
    key = frozenset(full)
    if key in choices:
        return choices[key]
    srows = sparse_rows(inst, pat, rows)
    peeled = peeled_rows(inst, pat, rows, full)
    out: tuple[peeling.Peeled, list[int]] | None = None
    if len(peeled.core) <= RANK_LIMIT:
        used = {c for _, c, _ in peeled.pivots}
        order = [c for c in default_order(K, d) if c in full and c not in used]
        ccols = peeling.core_columns(srows, peeled.core, order, PRIMES)
        if ccols is not None:
            out = (peeled, ccols)
    choices[key] = out
    return out


class Verifier:
    """Exact verification of proposals for one cell (module docstring)."""

    def __init__(self, inst: Instance, pat: Pattern, ms: MinimiserSet, zero_witness: Mat | None) -> None:
        self.inst, self.pat, self.ms = inst, pat, ms
        self.K, self.d, self.N = pat.K, inst.d, inst.N
        self.zw = zero_witness
        S = samples(inst)
        self.Z, self.D = S.Z, S.D
        self.B = list(ms.evidence.basis)
        p = ms.fitted()
        self.pden = lcm(*(v.denominator for v in p))
        self.pB = [int(p[i] * self.pden) for i in self.B]

    def _entries(self, cols: Sequence[int]) -> list[int]:
        """A_Z{B, cols} row by row (:func:`exactscape.core.minset.minor_entries`)."""
        return minor_entries(self.inst, self.pat, self.B, cols)

    def columns(self, allowed: set[int]) -> list[int] | None:
        """Dense default columns C (module step 2) among ``allowed``, or None if A_{B, allowed}
        has rank < r modulo every prime tried."""
        order = [c for c in default_order(self.K, self.d) if c in allowed]
        entries = self._entries(order)
        for p in PRIMES:
            C = _pivot_columns(entries, len(self.B), order, p)
            if len(C) == len(self.B):
                return C
        return None

    def sparse_rows(self) -> list[peeling.SparseRow]:
        """The rows B of A_Z as sparse rows (:func:`sparse_rows`)."""
        return sparse_rows(self.inst, self.pat, self.B)

    def sparse_columns(self, allowed: set[int]) -> tuple[peeling.Peeled, list[int]] | None:
        """Module step 2, sparse (:func:`sparse_choice`)."""
        return sparse_choice(self.inst, self.pat, self.B, allowed)

    def verify(self, prop: Proposal) -> Found | None:
        """Module steps 1-3 for one proposal: a verified witness or None."""
        K, d = self.K, self.d
        if len(prop.R) != K or any(len(b) != d for b in prop.R):
            return None
        Rz, k = _round(prop.R)
        zero = {j for j in range(K) if all(v == 0 for v in Rz[j])}
        allowed = {j * d + l for j in range(K) if j not in zero for l in range(d)}
        r = len(self.B)
        sparse: tuple[peeling.Peeled, list[int]] | None = None
        if prop.columns is not None and len(prop.columns) == r and set(prop.columns) <= allowed:
            if r > RANK_LIMIT:
                return None
            C = sorted(prop.columns)
        else:
            sparse = self.sparse_columns(allowed)
            if sparse is None:
                return None
            C = sorted([*(c for _, c, _ in sparse[0].pivots), *sparse[1]])
        # e = p_B - A_B R, scaled: A_Z = D A, R = Rz / 2^k, p = pB / pden:
        # D 2^k pden e = D 2^k pB - pden (A_Z Rz), with (A_Z Rz)_i = sum_j I_ij Z_i . Rz_j
        s = 2**k
        V0 = (self.Z * ZMat(d, K, [Rz[j][l] for l in range(d) for j in range(K)])).tolist()
        I = self.pat.I
        rhs = [
            self.D * s * pb - self.pden * sum(int(V0[i][j]) for j in range(K) if I[i][j])
            for pb, i in zip(self.pB, self.B, strict=True)
        ]
        scale_p = max((abs(self.D * s * pb) for pb in self.pB), default=0)
        if max((abs(v) for v in rhs), default=0) * FAR > scale_p:
            return None  # not near the minimiser set (random weights): no r x r solve for it
        nums: dict[int, int] = {}
        den = 1
        if sparse is not None:
            got = peeling.solve(self.sparse_rows(), sparse[0], sparse[1], rhs)
            if got is None:
                return None
            nums, den = got
        elif r:
            AC = ZMat(r, r, self._entries(C))
            try:
                sol = AC.solve(ZMat(r, 1, rhs))  # A_Z{B,C} dz = rhs  <=>  A_{B,C} delta_C = e, delta = dz / (2^k pden)
            except ZeroDivisionError:  # singular: these columns do not correct
                return None
            num, dd = sol.numer_denom()  # type: ignore[attr-defined]
            den = int(dd)
            nums = {c: int(num[t, 0]) for t, c in enumerate(C)}
        # R_new = Rz / 2^k + nums / (den 2^k pden) = (Rz den pden + nums) / (den 2^k pden)
        scale = den * self.pden
        Rn = [v * scale for b in Rz for v in b]
        for c, v in nums.items():
            Rn[c] += v
        total = den * s * self.pden
        blocks = ZMat(d, K, [Rn[j * d + l] for l in range(d) for j in range(K)])
        V = (self.Z * blocks).tolist()  # x_i . R_j = V[i][j] / (D total)
        branches: list[str] = []
        for j in range(K):
            if j in zero:
                if self.zw is None:
                    return None
                branches.append("0")
                continue
            col = [int(V[i][j]) for i in range(self.N)]
            signs = [v if self.pat.I[i][j] else -v for i, v in enumerate(col)]
            if all(v > 0 for v in signs):
                branches.append("+")
            elif all(v < 0 for v in signs):
                branches.append("-")
            else:
                return None
        z, w = [], []
        for j, b in enumerate(branches):
            if b == "0" and self.zw is not None:
                z.append(Fraction(0))
                w.append(self.zw[j])
                continue
            sg = 1 if b == "+" else -1
            z.append(Fraction(sg))
            w.append(tuple(Fraction(sg * Rn[j * d + l], total) for l in range(d)))
        return Found(Genuine(tuple(z), tuple(w), tuple(branches)), prop.source, tuple(C))


def search(
    inst: Instance,
    pat: Pattern,
    ms: MinimiserSet,
    zero_witness: Mat | None,
    hint: Weights | None,
    propose: Proposer | None,
    deadline_ns: int | None,
    expired: Callable[[], bool],
) -> Found | None:
    """Every proposal of ``propose`` in its order (a float proposer starts with the given
    point on its own columns), then the given point on the default columns (module
    docstring), until one verifies or ``expired()`` says the budget is spent. Nothing is
    tried when rank A > RANK_LIMIT and the peeling leaves a core larger than RANK_LIMIT
    (the core's dense solve could not be stopped at the deadline, and its numbers would
    have thousands of digits)."""
    ver = Verifier(inst, pat, ms, zero_witness)
    if len(ms.evidence.basis) > RANK_LIMIT and ver.sparse_columns(set(range(pat.K * inst.d))) is None:
        return None  # the core's correction would run past any budget (it cannot be stopped)
    given: Iterator[Proposal] = iter(())
    if hint is not None:
        given = iter((Proposal(given_point(hint), None, METHOD_GIVEN),))
    props = given
    if propose is not None:  # the proposer's own columns first (it proposes the given point too)
        task = Task(inst, pat, tuple(ms.fitted()), tuple(ms.evidence.basis), hint, deadline_ns)
        props = _chain(iter(propose(task)), given)
    for prop in props:
        if expired():
            return None
        found = ver.verify(prop)
        if found is not None:
            return found
    return None


def _chain(a: Iterator[Proposal], b: Iterable[Proposal]) -> Iterator[Proposal]:
    yield from a
    yield from b

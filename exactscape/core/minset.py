"""The minimiser set of one cell, built once from integer matrices (python-flint).

For an instance (samples x_i in Q^d) and a pattern I, the cell's quadratic is
L(R) = (1/N) ||A R - p||^2 + const with A the N x Kd matrix of [4]. This module
computes, exactly and with the structure of A instead of a dense rational A:

* rank A = r, and *evidence* for it that a checker can replay cheaply
  (FORMAT.md 4.2 check 3): independent rows B (|B| = r) with an r x r minor
  A_{B,C} that is non-singular modulo a prime (hence over Q), and an upper
  bound that needs no evidence when r = N' (the number of non-zero rows of A)
  or r = Kd, otherwise a null-space basis in echelon form (Kd - r vectors);
* the fitted values p = A A^+ y [14] and one minimiser R0 (A^T (A R0 - y) = 0,
  [10-11]); the minimiser set [12] is {R0 + Nb c};
* the null-space basis Nb, block by block, so that a neuron whose block is
  zero in every null vector is *fixed*: R_j = R0_j for every minimiser.

Two shapes are used, each working on the small side of A (Kd columns or N rows):

* ``Kd <= COLUMN_LIMIT`` (200): M = A_Z^T A_Z (Kd x Kd, A_Z = D A the integer design
  matrix, D the common denominator of the samples). Pivot columns P of M
  (found modulo a prime, rank confirmed over Z) give R0 = (M_PP^{-1} b_P, 0)
  with b = D A_Z^T y, and one null vector e_c - M_PP^{-1} M_Pc per non-pivot
  column c (echelon form: entry 1 at c, 0 at the other non-pivot columns).
  Cost O(N (Kd)^2) for M in C, then an r x r solve.
* wide A whose non-zero rows are independent (every MNIST-size cell: X has
  full row rank): the Gram matrix A A^T = (X X^T) o (I I^T) (Hadamard
  product; X X^T is computed once per instance) proves it; then p_i = y_i on
  non-zero rows and 0 elsewhere, and no minimiser needs to be written down.

Everything else (small over-parameterised cells) falls back to
:func:`exactscape.core.linalg.least_squares`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd, isqrt, lcm

import flint

from ..errors import BackendError
from .linalg import echelon_pivots
from .model import Instance, Pattern

# primes for the modular rank evidence (the checker verifies primality)
PRIMES = (2305843009213693951, 4611686018427388039, 9223372036854775783)
# checker-friendly moduli for large minors: the checker's elimination modulo p runs in CPython
# integers, whose products stay in one machine digit below 2^15 (3x faster than near 2^61); it
# packs each row into one integer with slots of about log2(r p^2) bits, so 251 is another third
# faster than 32,749 at r = 1,426 (a minor singular modulo 251, about one in 251, takes the next)
SMALL_PRIMES = (251, 32749, 1073741789)
LARGE_MINOR = 100  # minors of at least this size get their evidence modulo a small prime when it shows it
COLUMN_LIMIT = 200  # Kd up to which M = A^T A (Kd x Kd) is formed (its exact solves grow fast with Kd)
SPARSE_RANK_LIMIT = 2000  # rank up to which a rank-deficient A gets the sparse null-space path
GRAM_LIMIT = 2000  # non-zero rows up to which the wide path reduces the integer A_Z (beyond: set modulo p)
TALL_LIMIT = 1200  # above COLUMN_LIMIT, M is still formed up to this Kd when rank A is at most COLUMN_LIMIT

QMat = flint.fmpq_mat
ZMat = flint.fmpz_mat


@dataclass(frozen=True)
class Samples:
    """x_i = Z_i / D with Z an N x d integer matrix (one common denominator)."""

    Z: flint.fmpz_mat
    D: int
    rows: tuple[tuple[int, ...], ...]


_CACHE: dict[int, tuple[Instance, Samples, list[flint.fmpz_mat]]] = {}


def samples(inst: Instance) -> Samples:
    """The augmented samples as integers over one common denominator (built once per instance)."""
    hit = _CACHE.get(id(inst))
    if hit is not None and hit[0] is inst:
        return hit[1]
    D = lcm(*{v.denominator for x in inst.xs for v in x})
    rows = tuple(tuple(v.numerator * (D // v.denominator) for v in x) for x in inst.xs)
    S = Samples(ZMat(inst.N, inst.d, [v for r in rows for v in r]), D, rows)
    if len(_CACHE) >= 8:
        _CACHE.clear()
    _CACHE[id(inst)] = (inst, S, [])
    return S


def samples_independent(inst: Instance) -> bool:
    """Do the augmented samples have full row rank (rank X = N)?"""
    return inst.N <= inst.d and sample_gram(inst).rank() == inst.N


def sign_solutions(inst: Instance, targets: list[list[Fraction]] | list[list[int]]) -> list[tuple[Fraction, ...]]:
    """For independent samples (rank X = N): for every column k of the N x K matrix
    ``targets``, a w with x_i . w = targets[i][k] for all i, supported on N independent columns
    of X (found modulo a prime, solved exactly)."""
    S = samples(inst)
    N, d = inst.N, inst.d
    K = len(targets[0]) if targets else 0
    tden = lcm(*{Fraction(t).denominator for row in targets for t in row})
    for p in PRIMES:
        cols = _pivots(S.Z, p)
        if len(cols) == N:
            break
    else:  # pragma: no cover - rank X = N was established exactly
        raise BackendError("no prime shows the samples' independence")
    XC = S.Z * selection_matrix(d, cols)  # x_i . w = (XC w_C)_i / D
    sol = XC.solve(ZMat(N, K, [int(Fraction(t) * tden) * S.D for row in targets for t in row]))
    out = []
    for k in range(K):
        w = [Fraction(0)] * d
        for r, c in enumerate(cols):
            v = sol[r, k]
            w[c] = Fraction(int(v.p), int(v.q) * tden)
        out.append(tuple(w))
    return out


def sample_gram(inst: Instance) -> flint.fmpz_mat:
    """Z Z^T (N x N), once per instance."""
    S = samples(inst)
    memo = _CACHE[id(inst)][2]
    if not memo:
        memo.append(S.Z * S.Z.transpose())
    return memo[0]


@dataclass(frozen=True)
class RankEvidence:
    """rank A = r: rows ``basis`` independent (minor A_{basis, columns} != 0 mod ``modulus``);
    the upper bound is r = N' (non-zero rows) or r = Kd, or else the echelon null-space
    basis of :class:`MinimiserSet` (entry 1 at its own pivot, 0 at the others')."""

    basis: tuple[int, ...]
    columns: tuple[int, ...]
    modulus: int
    null_pivots: tuple[int, ...] | None  # None: no upper-bound evidence needed


@dataclass(frozen=True)
class MinimiserSet:
    """The minimiser set {R0 + Nb c} of one cell and its rank evidence.

    Integer forms keep flint on integers: R0 = ``R0z`` / ``R0den``, the fitted values
    p = ``pz`` / ``pden``; ``Nb`` has integer columns (Kd x (Kd - r))."""

    N: int
    K: int
    d: int
    rank: int
    nonzero_rows: tuple[int, ...]
    pz: ZMat  # N x 1
    pden: int
    R0z: ZMat | None  # Kd x 1 (None when only p is known)
    R0den: int
    Nb: ZMat | None  # Kd x (Kd - r), None when not formed
    evidence: RankEvidence
    loss: Fraction
    AZ: ZMat | None = field(default=None, compare=False, repr=False)  # A_Z = D A, when formed

    @property
    def dimension(self) -> int:
        return self.K * self.d - self.rank

    def fitted(self) -> list[Fraction]:
        return [Fraction(int(v), self.pden) for v in self.pz.entries()]

    def R0(self) -> list[Fraction] | None:
        if self.R0z is None:
            return None
        return [Fraction(int(v), self.R0den) for v in self.R0z.entries()]

    def free_neurons(self) -> tuple[int, ...]:
        """Neurons whose block is non-zero in some null vector (R_j varies over the set)."""
        if self.Nb is None:
            return tuple(range(self.K))
        rows = self.Nb.tolist()
        d = self.d
        return tuple(j for j in range(self.K) if any(v != 0 for r in rows[j * d : (j + 1) * d] for v in r))


_DESIGN: list[tuple[Instance, Pattern, flint.fmpz_mat]] = []
_ECHELON: list[tuple[flint.fmpz_mat, int, flint.nmod_mat, int]] = []


def design_integers(inst: Instance, pat: Pattern) -> flint.fmpz_mat:
    """A_Z = D A as an integer matrix (row i: I_ij Z_i for every j); the last one is remembered
    (the paths of :func:`minimiser_set` and the engine ask for the same matrix)."""
    if _DESIGN and _DESIGN[0][0] is inst and _DESIGN[0][1] == pat:
        return _DESIGN[0][2]
    AZ = _design_integers(inst, pat)
    _DESIGN[:] = [(inst, pat, AZ)]
    return AZ


def _echelon(M: flint.fmpz_mat, p: int) -> tuple[flint.nmod_mat, int]:
    """The reduced echelon form of M modulo p and its rank (the last one is remembered: the
    wide path's test of independent rows and the sparse null space reduce the same A_Z)."""
    if _ECHELON and _ECHELON[0][0] is M and _ECHELON[0][1] == p:
        return _ECHELON[0][2], _ECHELON[0][3]
    R, r = flint.nmod_mat(M, p).rref()
    _ECHELON[:] = [(M, p, R, r)]
    return R, r


def _design_integers(inst: Instance, pat: Pattern) -> flint.fmpz_mat:
    """A_Z, built."""
    S = samples(inst)
    zero = (0,) * inst.d
    flat: list[int] = []
    for i, z in enumerate(S.rows):
        for on in pat.I[i]:
            flat.extend(z if on else zero)
    return ZMat(inst.N, pat.K * inst.d, flat)


def _pivots(M: flint.fmpz_mat, p: int) -> list[int]:
    """Pivot columns of the reduced echelon form of M modulo p."""
    if M.nrows() == 0 or M.ncols() == 0:
        return []
    R, rank = _echelon(M, p)
    return echelon_pivots(R, rank)


def _pivots_of_rows(inst: Instance, pat: Pattern, rows: Sequence[int], p: int) -> list[int]:
    """Pivot columns modulo p of the rows ``rows`` of A_Z, the matrix set entry by entry from
    the samples' non-zero entries (no Python list of all N Kd entries)."""
    S = samples(inst)
    d, K = inst.d, pat.K
    if not rows:
        return []
    M = flint.nmod_mat(len(rows), K * d, p)
    for t, i in enumerate(rows):
        nz = [(l, v % p) for l, v in enumerate(S.rows[i]) if v % p]
        for j, on in enumerate(pat.I[i]):
            if on:
                base = j * d
                for l, v in nz:
                    M[t, base + l] = v
    R, rank = M.rref()
    return echelon_pivots(R, rank)


def minor_entries(inst: Instance, pat: Pattern, rows: Sequence[int], cols: Sequence[int]) -> list[int]:
    """The integer minor A_Z{rows, cols} row by row (A_Z[i, j d + l] = I_ij Z_il), from the samples."""
    S = samples(inst)
    I, d = pat.I, inst.d
    where = [divmod(c, d) for c in cols]
    return [S.rows[i][l] if I[i][j] else 0 for i in rows for j, l in where]


def checker_modulus(inst: Instance, pat: Pattern, rows: Sequence[int], cols: Sequence[int], p: int) -> int:
    """A prime modulo which the minor A_{rows, cols} (non-singular modulo ``p``) is non-singular:
    a small one (:data:`SMALL_PRIMES`) for minors of at least :data:`LARGE_MINOR` rows when it
    shows it (the checker's elimination is then about 3x faster), else ``p``."""
    r = len(rows)
    if r < LARGE_MINOR:
        return p
    D = samples(inst).D
    entries = minor_entries(inst, pat, rows, cols)
    for q in SMALL_PRIMES:
        if D % q and int(flint.nmod_mat(r, r, [v % q for v in entries], q).det()) != 0:
            return q
    return p


def selection_matrix(n: int, idx: list[int]) -> flint.fmpz_mat:
    """The n x len(idx) 0/1 matrix whose column k is the unit vector e_idx[k]."""
    S = ZMat(n, len(idx))
    for k, i in enumerate(idx):
        S[i, k] = 1
    return S


def _columns(M: flint.fmpz_mat, cols: list[int]) -> flint.fmpz_mat:
    if len(cols) == M.ncols() and cols == list(range(M.ncols())):
        return M
    return M * selection_matrix(M.ncols(), cols)


def _rows(M: flint.fmpz_mat, idx: list[int]) -> flint.fmpz_mat:
    if len(idx) == M.nrows() and idx == list(range(M.nrows())):
        return M
    return selection_matrix(M.nrows(), idx).transpose() * M


def _loss(pz: ZMat, pden: int, y: tuple[Fraction, ...]) -> Fraction:
    """(1/N) ||p - y||^2 [14] with p = pz / pden, in integers."""
    yden = lcm(*(v.denominator for v in y))
    scale = yden
    tot = 0
    for v, t in zip(pz.entries(), y, strict=True):
        e = int(v) * scale - pden * t.numerator * (yden // t.denominator)
        tot += e * e
    return Fraction(tot, (pden * yden) ** 2 * len(y))


def minimiser_set(inst: Instance, pat: Pattern) -> MinimiserSet | None:
    """The minimiser set with rank evidence (module docstring), or None for shapes
    this module does not handle (the caller then uses :mod:`exactscape.core.linalg`)."""
    pat.check_against(inst)
    S = samples(inst)
    nonzero = tuple(i for i in range(inst.N) if any(pat.I[i]) and any(S.rows[i]))
    try:
        Kd = pat.K * inst.d
        if Kd <= COLUMN_LIMIT:
            return _tall(inst, pat, nonzero)
        # more non-zero rows than columns: the rows cannot be independent (no wide path)
        wide = _wide(inst, pat, nonzero) if len(nonzero) <= Kd else None
        if wide is not None and (Kd > TALL_LIMIT or samples_independent(inst)):
            return wide
        if Kd > TALL_LIMIT:
            # dependent rows beyond the tall path's size (sklearn digits, K = 32: rank 1,426 <
            # N = 1,797 < Kd = 2,080): the sparse null space, whose solves are on r columns
            return _sparse_null(inst, pat, nonzero)
        # a moderate Kd and a small rank (an all-active cell has rank A = rank X, a dead one 0):
        # the tall path gives a minimiser and the null space, its solves are r x r
        r = wide.rank if wide is not None else flint.nmod_mat(design_integers(inst, pat), PRIMES[0]).rank()
        if r <= COLUMN_LIMIT:
            return _tall(inst, pat, nonzero) or wide
        if wide is None and r <= SPARSE_RANK_LIMIT:
            return _sparse_null(inst, pat, nonzero)
        return wide
    except ZeroDivisionError as exc:  # flint signals a singular solve this way
        raise BackendError(f"flint solve failed on a non-singular minor: {exc}") from exc


def _tall(inst: Instance, pat: Pattern, nonzero: tuple[int, ...]) -> MinimiserSet | None:
    """M = A_Z^T A_Z: pivots P modulo a prime, one exact solve with M_PP, and an exact check
    that the null vectors it gives are null vectors of A (so r = |P| is the exact rank: the
    solve proves M_PP non-singular, the check proves the rest of the columns dependent)."""
    N, K, d = inst.N, pat.K, inst.d
    Kd = K * d
    S = samples(inst)
    AZ = design_integers(inst, pat)
    AZt = AZ.transpose()
    M = AZt * AZ
    yden = lcm(*(v.denominator for v in inst.y))
    b = AZt * ZMat(N, 1, [v.numerator * (yden // v.denominator) for v in inst.y])  # A^T y = b / (D yden)
    Mrows = M.tolist()
    AZcols = AZt.tolist()
    for p in PRIMES:
        P = _pivots(M, p)
        r = len(P)
        B = _pivots(_columns(AZ, P).transpose(), p) if P else []
        if len(B) != r:
            continue
        pset = set(P)
        nonpiv = [c for c in range(Kd) if c not in pset]
        q = len(nonpiv)
        R0z = ZMat(Kd, 1)
        R0den = 1
        Nb = ZMat(Kd, q)
        if r:
            MPP = ZMat(r, r, [Mrows[i][c] for i in P for c in P])
            rhs = ZMat(r, 1 + q, [v for i in P for v in [b[i, 0], *(Mrows[i][c] for c in nonpiv)]])
            num, den = MPP.solve(rhs).numer_denom()  # type: ignore[attr-defined]  # exact: sol = num / den
            den = int(den)
            # null vector t = den e_c - num[:, 1 + t]: A times it is zero iff A_P num = den A_c
            if q:
                AP = ZMat(N, r, [AZcols[c][i] for i in range(N) for c in P])
                Anp = ZMat(N, q, [AZcols[c][i] for i in range(N) for c in nonpiv])
                Nnum = ZMat(r, q, [num[k, 1 + t] for k in range(r) for t in range(q)])
                if AP * Nnum != Anp * den:
                    continue  # the prime hid a pivot: the rank is larger; try the next prime
            # R0 = sol[:, 0] * D / yden (scale of b)
            g = gcd(den * yden, S.D)
            R0den = den * yden // g
            for k, c in enumerate(P):
                R0z[c, 0] = num[k, 0] * (S.D // g)
            for t, c in enumerate(nonpiv):
                Nb[c, t] = den
                for k, cp in enumerate(P):
                    Nb[cp, t] = -num[k, 1 + t]
        else:
            if any(v != 0 for row in Mrows for v in row):  # pragma: no cover - rank 0 mod p only if A = 0
                continue
            for t, c in enumerate(nonpiv):
                Nb[c, t] = 1
        pz = AZ * R0z  # p = A R0 = AZ R0z / (D R0den)
        pden = S.D * R0den
        need_null = r not in (len(nonzero), Kd)
        ev = RankEvidence(tuple(B), tuple(P), checker_modulus(inst, pat, B, P, p), tuple(nonpiv) if need_null else None)
        return MinimiserSet(N, K, d, r, nonzero, pz, pden, R0z, R0den, Nb, ev, _loss(pz, pden, inst.y), AZ)
    return None


def _lift(v: int, p: int) -> Fraction | None:
    """The rational a/b with |a|, b <= sqrt(p/2) and a = b v mod p (rational reconstruction,
    the extended Euclidean algorithm stopped half-way), or None if there is none."""
    bound = isqrt(p // 2)
    r0, r1, t0, t1 = p, v % p, 0, 1
    while r1 > bound:
        qt = r0 // r1
        r0, r1 = r1, r0 - qt * r1
        t0, t1 = t1, t0 - qt * t1
    if t1 == 0 or abs(t1) > bound:
        return None
    return Fraction(r1, t1)


def _support_null_vector(AZ: flint.fmpz_mat, c: int, support: list[int]) -> dict[int, int] | None:
    """The integer null vector of A_Z on the columns {c} + ``support`` (pivot columns that the
    echelon form modulo a prime puts in column c's dependency), normalised to a positive entry
    at c, when those columns have a one-dimensional null space with a non-zero entry at c
    (else None). Multimodular in effect: the prime gave the support, flint solves the
    N x (|support| + 1) integer system exactly (its numbers are short: Cramer's rule on a
    minor of |support| columns, not of rank A); the caller checks A_Z Nb = 0 exactly."""
    cols = [c, *support]
    sub = _columns(AZ, cols)
    ns, nullity = sub.nullspace()
    if nullity != 1:
        return None
    vals = [int(ns[k, 0]) for k in range(len(cols))]
    g = gcd(*vals)
    if vals[0] == 0 or g == 0:
        return None
    sgn = 1 if vals[0] > 0 else -1
    return {col: sgn * v // g for col, v in zip(cols, vals, strict=True) if v}


def _sparse_null(inst: Instance, pat: Pattern, nonzero: tuple[int, ...]) -> MinimiserSet | None:
    """Rank-deficient A beyond COLUMN_LIMIT (rank A < the non-zero rows, and < Kd): real data
    has columns that are zero (a pixel zero on every image where the neuron is active) and
    columns that are integer combinations of a few others (neurons whose activation columns
    add up). The reduced echelon form of A_Z modulo a prime gives pivot columns P and, for
    every other column c, the echelon null vector e_c - sum_k R[k, c] e_(P_k); its residues
    are lifted to the integers of least absolute value and the lifted basis is checked
    exactly (A_Z Nb = 0, one integer product): then the null vectors are short integers and
    prove rank A <= r. The rows B are pivots of A_{., P}^T modulo p (the minor A_{B,P} is
    non-singular there, so rank A >= r), and a minimiser R0 (supported on P) solves
    A_P^T A_P R_P = A_P^T y, an r x r integer system (python-flint). None when the lift does
    not verify (a dependency with fractional coefficients) under every prime tried."""
    N, K, d = inst.N, pat.K, inst.d
    Kd = K * d
    S = samples(inst)
    AZ = design_integers(inst, pat)
    yden = lcm(*(v.denominator for v in inst.y))
    yz = ZMat(N, 1, [v.numerator * (yden // v.denominator) for v in inst.y])
    for p in PRIMES:
        R, r = _echelon(AZ, p)
        if r > SPARSE_RANK_LIMIT:
            return None
        P: list[int] = []
        for k in range(r):
            j = P[-1] + 1 if P else 0
            while int(R[k, j]) == 0:
                j += 1
            P.append(j)
        pset = set(P)
        nonpiv = [c for c in range(Kd) if c not in pset]
        q = len(nonpiv)
        Nb = ZMat(Kd, q)
        lifted = True
        for t, c in enumerate(nonpiv):
            coef = {cp: _lift(int(R[k, c]), p) for k, cp in enumerate(P) if int(R[k, c])}
            if any(v is None for v in coef.values()):
                # a dependency with long coefficients: solved exactly on its own support
                vec = _support_null_vector(AZ, c, sorted(coef))
                if vec is None:
                    lifted = False
                    break
                for cp, e in vec.items():
                    Nb[cp, t] = e
                continue
            den = lcm(*(v.denominator for v in coef.values() if v is not None))
            Nb[c, t] = den  # den e_c - sum_k R[k, c] den e_(P_k): an integer null vector
            for cp, v in coef.items():
                if v is not None:
                    Nb[cp, t] = -int(v * den)
        if not lifted or not _null_vectors_hold(inst, pat, Nb):
            continue
        AP = AZ * selection_matrix(Kd, P)
        B = _pivots(AP.transpose(), p)
        if len(B) != r:  # pragma: no cover - the echelon form's rank is the rank of A_P modulo p
            continue
        APt = AP.transpose()
        num, den = (APt * AP).solve(APt * yz).numer_denom()  # type: ignore[attr-defined]
        den = int(den)
        # A R0 with R0_P = num / (den yden) (the scale of y), R0 = 0 off P; A_Z = D A
        g = gcd(den * yden, S.D)
        R0den = den * yden // g
        R0z = ZMat(Kd, 1)
        for k, c in enumerate(P):
            R0z[c, 0] = num[k, 0] * (S.D // g)
        pz = AZ * R0z
        pden = S.D * R0den
        need_null = r not in (len(nonzero), Kd)
        ev = RankEvidence(tuple(B), tuple(P), checker_modulus(inst, pat, B, P, p), tuple(nonpiv) if need_null else None)
        return MinimiserSet(N, K, d, r, nonzero, pz, pden, R0z, R0den, Nb, ev, _loss(pz, pden, inst.y), AZ)
    return None


def _null_vectors_hold(inst: Instance, pat: Pattern, Nb: flint.fmpz_mat) -> bool:
    """A_Z Nb = 0, exactly, on each null vector's support: (A_Z n)_i = sum over its non-zero
    entries (j, l) with I_ij = 1 of Z_il n_jl (the vectors have a few entries each, so this
    is cheaper than the dense product)."""
    S = samples(inst)
    d, K = inst.d, pat.K
    active = [[i for i in range(inst.N) if pat.I[i][j]] for j in range(K)]
    cols = Nb.transpose().tolist()
    for col in cols:
        by_block: dict[int, list[tuple[int, int]]] = {}
        for c, v in enumerate(col):
            if v != 0:
                by_block.setdefault(c // d, []).append((c % d, int(v)))
        image = [0] * inst.N
        for j, entries in by_block.items():
            for i in active[j]:
                z = S.rows[i]
                image[i] += sum(z[l] * v for l, v in entries)
        if any(image):
            return False
    return True


def _wide(inst: Instance, pat: Pattern, nonzero: tuple[int, ...]) -> MinimiserSet | None:
    """Wide A: only the case of independent non-zero rows (then p = y there)."""
    N, K, d = inst.N, pat.K, inst.d
    idx = list(nonzero)
    if len(idx) <= GRAM_LIMIT:
        # independent rows: pivots of the rows' echelon form modulo a prime, one for each row (a
        # non-zero minor modulo p is non-zero over Q). One prime: a smaller rank modulo it leaves
        # the case to the other paths (exact either way); the echelon form is shared with the
        # sparse null space (:func:`_echelon`)
        p = PRIMES[0]
        C = _pivots(_rows(design_integers(inst, pat), idx), p)
        if len(C) != len(idx):
            return None
        modulus = checker_modulus(inst, pat, idx, C, p)
    else:
        # beyond GRAM_LIMIT rows the matrix modulo p is set from the samples' non-zero entries (no
        # integer matrix of N Kd entries), a small prime first: its elimination is the cheapest
        # here and in the checker
        small = [q for q in SMALL_PRIMES if samples(inst).D % q]
        for p in (*small, *PRIMES):
            C = _pivots_of_rows(inst, pat, idx, p)
            if len(C) == len(idx):
                break
        else:
            return None
        modulus = p if p in small else checker_modulus(inst, pat, idx, C, p)
    nz = set(idx)
    yden = lcm(*(v.denominator for v in inst.y))
    pz = ZMat(N, 1, [v.numerator * (yden // v.denominator) if i in nz else 0 for i, v in enumerate(inst.y)])
    ev = RankEvidence(tuple(idx), tuple(C), modulus, None)
    return MinimiserSet(N, K, d, len(idx), nonzero, pz, yden, None, 1, None, ev, _loss(pz, yden, inst.y))

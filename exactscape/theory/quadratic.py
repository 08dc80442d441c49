"""Quadratic refutations of a whole cell: no minimiser is genuine, by one quadratic form
(docs/theory.md section 2.1; certificate: FORMAT.md 4.3, new in 1.4).

Let M = {R : A R = p} be the cell's minimiser set ([12], [14]) and
C_j = {r : g_ij . r >= 0 for all i} the closed cone of neuron j's column, g_ij = (2 I_ij - 1) x_i.
A genuine point [15-18] has R in M with every R_j in C_j u (-C_j) u {0}. On that set every
product (g_ij . R_j)(g_kj . R_j) is >= 0, so for multipliers mu >= 0

    q(R) = sum_j sum_{i < k} mu^j_ik (g_ij . R_j)(g_kj . R_j)  >= 0

at every genuine point of every branch vector. With a point R0 of M and a basis U (Kd x m,
m = Kd - rank A) of null(A), let P be the (m + 1) x (m + 1) matrix of (u, t) -> q(R0 t + U u)
(t last). If -P - epsilon e_t e_t^T is positive semidefinite for some epsilon > 0, then
q(R0 + U u) <= -epsilon < 0 on all of M, and no minimiser is genuine.

This module computes P exactly (python-flint) from rational multipliers (proposed by floats,
:mod:`exactscape.floats.quadratic`), decides semidefiniteness by an exact LDL^T with symmetric
pivoting, and derives epsilon: the Schur complement of the t entry once the u block is done.
The work is at size m + 1, never Kd + 1. The exact basis is the echelon null-space basis of
:mod:`exactscape.core.minset` when it was built, else the reduced echelon form of (A | p). When that
basis would be too long to write (float data at Table III's size), the refutation takes the
Finsler form of :mod:`exactscape.theory.finsler` instead (no basis, size Kd + 1).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint

from ..core import deadline
from ..core.minset import MinimiserSet, design_integers, samples
from ..core.model import Instance, Pattern, Vec
from . import finsler
from .finsler import FinslerRefutation

METHOD = "quadratic"
MAX_BASIS_DIGITS = 2_000_000  # decimal digits of the exact basis above which no certificate is attempted
Mu = tuple[tuple[int, int, int, Fraction], ...]
"""Multipliers (j, i, k, mu) with i < k, mu > 0, keys strictly increasing."""

Proposer = Callable[[Instance, Pattern, Sequence[Fraction]], Sequence[Mu]]
"""Candidate multipliers for a cell (floats may propose them; each is verified exactly)."""


@dataclass(frozen=True)
class FloatSide:
    """The float proposers the caller hands in (this module imports no float code): candidate
    multipliers, and the factoriser that proposes the Finsler form's rho, epsilon, L and D
    (None: only the null-basis form is tried)."""

    propose: Proposer
    factorise: finsler.Factoriser | None = None


@dataclass(frozen=True)
class QuadraticRefutation:
    """FORMAT 4.3: multipliers ``mu``, a point ``R0`` of M (K blocks), the null basis
    ``null`` (m vectors of K blocks) with its ``pivots`` (vector a is non-zero at column
    pivots[a] and zero at every other vector's pivot), and ``epsilon`` > 0 with
    -P - epsilon e_t e_t^T positive semidefinite."""

    mu: Mu
    R0: tuple[Vec, ...]
    null: tuple[tuple[Vec, ...], ...]
    pivots: tuple[int, ...]
    epsilon: Fraction


@dataclass(frozen=True)
class AffineBasis:
    """M = {R0 + sum_a c_a n_a}: R0 and the null vectors as flat Kd vectors, with pivots."""

    R0: tuple[Fraction, ...]
    null: tuple[tuple[Fraction, ...], ...]
    pivots: tuple[int, ...]


def affine_basis(inst: Instance, pat: Pattern, fitted: Sequence[Fraction], ms: MinimiserSet | None) -> AffineBasis:
    """An exact point of M = {A R = p} and an echelon basis of null(A).

    The minimiser set's own basis when it has one (echelon: entry den at its non-pivot column,
    0 at the others'), else the reduced echelon form of the integer system (D A | D p)."""
    Kd = pat.K * inst.d
    if ms is not None and ms.Nb is not None and ms.R0z is not None and ms.Nb.ncols() == Kd - ms.rank:
        R0 = ms.R0() or []
        cols = set(ms.evidence.columns)
        pivots = tuple(c for c in range(Kd) if c not in cols)
        rows = ms.Nb.tolist()
        vecs = tuple(tuple(Fraction(int(rows[r][a])) for r in range(Kd)) for a in range(ms.Nb.ncols()))
        return AffineBasis(tuple(R0), vecs, pivots)
    D = samples(inst).D
    AZ = design_integers(inst, pat)
    N = inst.N
    aug = flint.fmpq_mat(N, Kd + 1)
    for i in range(N):
        for c in range(Kd):
            v = AZ[i, c]
            if v != 0:
                aug[i, c] = v
        aug[i, Kd] = flint.fmpq(fitted[i].numerator * D, fitted[i].denominator)
    E, rank = aug.rref()
    piv: list[int] = []
    for r in range(rank):
        c = piv[-1] + 1 if piv else 0
        while E[r, c] == 0:
            c += 1
        piv.append(c)
    if piv and piv[-1] == Kd:  # pragma: no cover - p = A R0 is in the column space
        raise ValueError("the fitted values are not in the column space of A")
    R0 = [Fraction(0)] * Kd
    for r, c in enumerate(piv):
        R0[c] = _frac(E[r, Kd])
    pset = set(piv)
    free = [c for c in range(Kd) if c not in pset]
    null = []
    for c in free:
        vec = [Fraction(0)] * Kd
        vec[c] = Fraction(1)
        for r, pc in enumerate(piv):
            if E[r, c] != 0:
                vec[pc] = -_frac(E[r, c])
        null.append(tuple(vec))
    return AffineBasis(tuple(R0), tuple(null), tuple(free))


def _frac(v: object) -> Fraction:
    """A python-flint rational as a Fraction."""
    return Fraction(int(getattr(v, "p")), int(getattr(v, "q")))  # noqa: B009 - fmpq_mat entries are typed fmpz


def form_matrix(inst: Instance, pat: Pattern, basis: AffineBasis, mu: Mu) -> list[list[flint.fmpq]]:
    """P of the module docstring: P = sum_j B_j^T Q_j B_j, B_j the block j of (U | R0) and
    Q_j = sum mu^j_ik (g_ij g_kj^T + g_kj g_ij^T) / 2 (d x d)."""
    d, K = inst.d, pat.K
    cols = [*basis.null, basis.R0]
    n = len(cols)
    Q: dict[int, list[list[Fraction]]] = {}
    for j, i, k, m in mu:
        Qj = Q.setdefault(j, [[Fraction(0)] * d for _ in range(d)])
        si = 1 if pat.I[i][j] else -1
        sk = 1 if pat.I[k][j] else -1
        h = m * si * sk / 2
        xi, xk = inst.xs[i], inst.xs[k]
        for a in range(d):
            for b in range(d):
                Qj[a][b] += h * (xi[a] * xk[b] + xk[a] * xi[b])
    P = flint.fmpq_mat(n, n)
    for j in range(K):
        if j not in Q:
            continue
        Bj = flint.fmpq_mat(d, n)
        for c, v in enumerate(cols):
            for a in range(d):
                x = v[j * d + a]
                if x:
                    Bj[a, c] = flint.fmpq(x.numerator, x.denominator)
        Qm = flint.fmpq_mat(d, d, [flint.fmpq(v.numerator, v.denominator) for row in Q[j] for v in row])
        P += Bj.transpose() * Qm * Bj
    return [[P[r, c] for c in range(n)] for r in range(n)]


def schur_margin(W: list[list[flint.fmpq]]) -> Fraction | None:
    """For symmetric W (the last index is t): None unless the leading block W_uu is positive
    semidefinite, else the Schur complement s of the t entry (W - s e_t e_t^T is PSD with a
    zero last pivot; W is PSD iff s >= 0). Exact LDL^T with symmetric pivoting over the u
    indices first: a positive diagonal entry is a pivot; a zero diagonal needs a zero row
    (t column included, else None); a negative one means not semidefinite."""
    n = len(W)
    A = [row[:] for row in W]
    todo = list(range(n - 1))
    while todo:
        piv = next((r for r in todo if A[r][r] > 0), None)
        if piv is None:
            if any(A[r][r] < 0 for r in todo):
                return None
            if any(A[r][c] != 0 for r in todo for c in [*todo, n - 1]):
                return None
            break
        todo.remove(piv)
        dp = A[piv][piv]
        rest = [*todo, n - 1]
        col = {r: A[r][piv] for r in rest if A[r][piv] != 0}
        for r, v in col.items():
            f = v / dp
            row = A[r]
            prow = A[piv]
            for c in rest:
                pc = prow[c]
                if pc != 0:
                    row[c] -= f * pc
    return _frac(A[n - 1][n - 1])


def simple_below(s: Fraction) -> Fraction:
    """A rational in (0, s] with a short numerator and denominator (s > 0)."""
    for den in (1, 10, 1000, 10**6, 10**12):
        c = Fraction(int(s * den), den)
        if c > 0:
            return c
    return s


def verify(inst: Instance, pat: Pattern, basis: AffineBasis, mu: Mu) -> QuadraticRefutation | None:
    """The refutation of the module docstring for multipliers ``mu``, or None when -P is
    not positive semidefinite with a positive t margin."""
    if not mu or any(m <= 0 or i >= k for _, i, k, m in mu):
        return None
    W = [[-v for v in row] for row in form_matrix(inst, pat, basis, mu)]
    s = schur_margin(W)
    if s is None or s <= 0:
        return None
    d, K = inst.d, pat.K

    def blocks(v: Sequence[Fraction]) -> tuple[Vec, ...]:
        return tuple(tuple(v[j * d : (j + 1) * d]) for j in range(K))

    return QuadraticRefutation(
        tuple(sorted(mu)), blocks(basis.R0), tuple(blocks(v) for v in basis.null), basis.pivots, simple_below(s)
    )


def estimated_basis_digits(inst: Instance, pat: Pattern, ms: MinimiserSet | None) -> int:
    """An estimate of :func:`basis_digits` before the basis is built: 0 when the minimiser set
    already holds its basis, else m Kd entries of about r (log10 of the largest integer entry
    of D A + 1) digits each (Cramer's rule: ratios of r x r minors of the integer matrix D A;
    Table III's cells, r = 400 with 20-digit entries, give about 7 * 10^8 digits)."""
    if ms is not None and ms.Nb is not None and ms.R0z is not None:
        return 0
    Kd = pat.K * inst.d
    r = ms.rank if ms is not None else min(inst.N, Kd)
    top = max((abs(v) for row in samples(inst).rows for v in row), default=1)
    return (Kd - r) * Kd * r * (len(str(top)) + 1)


def basis_digits(basis: AffineBasis) -> int:
    """Decimal digits of the basis (its size in a certificate)."""
    return sum(len(str(v.numerator)) + len(str(v.denominator)) for vec in (basis.R0, *basis.null) for v in vec if v)


@dataclass(frozen=True)
class Attempt:
    """The outcome of :func:`refute`: a verified refutation or why there is none, with times."""

    refutation: QuadraticRefutation | FinslerRefutation | None
    reason: str
    exact_seconds: Fraction


def _exact(
    args: tuple[Instance, Pattern, tuple[Fraction, ...], MinimiserSet | None, Sequence[Mu], finsler.Factoriser | None],
) -> Attempt:
    inst, pat, fitted, ms, candidates, factoriser = args
    t0 = time.perf_counter_ns()
    if estimated_basis_digits(inst, pat, ms) > MAX_BASIS_DIGITS:
        # no exact null basis can be written: the Finsler form needs none
        for mu in reversed(candidates):  # the finest rounding first
            fref = finsler_refutation(inst, pat, fitted, mu, factoriser)
            if fref is not None:
                return Attempt(fref, METHOD, Fraction(time.perf_counter_ns() - t0, 10**9))
        return Attempt(None, "not-negative", Fraction(time.perf_counter_ns() - t0, 10**9))
    basis = affine_basis(inst, pat, fitted, ms)
    if basis_digits(basis) > MAX_BASIS_DIGITS:
        return Attempt(None, "basis-too-large", Fraction(time.perf_counter_ns() - t0, 10**9))
    for mu in candidates:
        ref = verify(inst, pat, basis, mu)
        if ref is not None:
            return Attempt(ref, METHOD, Fraction(time.perf_counter_ns() - t0, 10**9))
    return Attempt(None, "not-negative", Fraction(time.perf_counter_ns() - t0, 10**9))


def finsler_refutation(
    inst: Instance, pat: Pattern, fitted: Sequence[Fraction], mu: Mu, factoriser: finsler.Factoriser | None = None
) -> FinslerRefutation | None:
    """The Finsler certificate (:mod:`exactscape.theory.finsler`) for multipliers ``mu``
    (rounded to one denominator): the factoriser (floats, e.g.
    :func:`exactscape.floats.quadratic.finsler_factor`, handed in by the caller) proposes rho,
    epsilon, L and D, each proposal verified exactly; None when none verifies (or there is no
    factoriser)."""
    if not mu or any(m <= 0 or i >= k for _, i, k, m in mu):
        return None
    if factoriser is None:
        return None
    cmu = finsler.common_mu(mu)
    forms: dict[tuple[Fraction, Fraction], finsler.ExactForm] = {}
    try:
        proposals = list(factoriser(inst, pat, fitted, cmu))
    except Exception:  # noqa: BLE001 - a failing float factoriser proposes nothing; it never answers
        return None
    for f in proposals:
        key = (f.rho, f.epsilon)
        if key not in forms:
            forms[key] = finsler.exact_form(inst, pat, fitted, cmu, f.rho, f.epsilon)
        if finsler.verify(forms[key], f):
            return FinslerRefutation(tuple(sorted(cmu)), f.epsilon, f.rho, f.bits, f.L, f.D)
    return None


def refute(
    inst: Instance,
    pat: Pattern,
    fitted: Sequence[Fraction],
    ms: MinimiserSet | None,
    candidates: Sequence[Mu],
    deadline_ns: int | None = None,
    factoriser: finsler.Factoriser | None = None,
) -> Attempt:
    """Try each candidate ``mu`` exactly (the first verified one wins). Under a deadline the
    exact work runs in a child process that is stopped when the deadline passes (reason
    ``budget``)."""
    args = (inst, pat, tuple(fitted), ms, tuple(candidates), factoriser)
    if not candidates:
        return Attempt(None, "no-proposal", Fraction(0))
    if deadline_ns is None:
        return _exact(args)
    try:
        return deadline.call_before(deadline_ns, _exact, args)
    except deadline.Expired:
        return Attempt(None, "budget", Fraction(0))


def quadratic_cell_certificate(
    inst: Instance,
    pat: Pattern,
    mu: Sequence[Sequence[object]],
    verify: bool = True,
    factor: dict[str, object] | None = None,
) -> dict[str, object]:
    """The cell certificate (FORMAT 4.3) of a cell refuted by the given multipliers
    [[j, i, k, "p/q"], ...] (deterministic: the bundled example's multipliers are stored, no
    solver runs), on the plain engine's minimiser set; with ``factor`` ({rho, epsilon, bits, L,
    D}, stored likewise) the Finsler form. ValueError when they do not refute it."""
    from dataclasses import replace

    from ..io.certify import cell_certificate, self_check
    from .minima import analyse_cell

    a = analyse_cell(inst, pat, engine="plain")
    cand = tuple((int(str(j)), int(str(i)), int(str(k)), Fraction(str(m))) for j, i, k, m in mu)
    att: Attempt
    if factor is not None:
        f = finsler.Factor(
            Fraction(str(factor["rho"])),
            Fraction(str(factor["epsilon"])),
            int(str(factor["bits"])),
            tuple(tuple(int(str(v)) for v in row) for row in _rows(factor["L"])),
            tuple(int(str(v)) for v in _items(factor["D"])),
        )
        ref = finsler_refutation(inst, pat, a.fitted(), cand, lambda *_: [f])
        att = Attempt(ref, METHOD if ref else "not-negative", Fraction(0))
    else:
        att = refute(inst, pat, a.fitted(), None, [cand])
    if att.refutation is None or not a.feasibility.feasible:
        raise ValueError(f"the multipliers do not refute the cell ({att.reason})")
    cert = cell_certificate(replace(a, genuine=None, tree=None, quadratic=att.refutation, method=METHOD))
    if verify:
        self_check(cert)
    return cert


def _items(v: object) -> list[object]:
    if not isinstance(v, list):
        raise ValueError("expected a list")
    return list(v)


def _rows(v: object) -> list[list[object]]:
    return [_items(r) for r in _items(v)]

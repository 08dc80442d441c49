"""What did a float run converge to? Exact cross-check of a trained point.

Input: an exact instance and weights (z, w) that came from floats (every
float already converted to the rational it equals, in
:mod:`exactscape.floats.convert`). Everything below is exact rational arithmetic.

1. **Pattern and robustness.** I_ij = [w_j . x_i > 0], decided exactly. Float
   model (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
   Lemma 3.1 and eq. (3.5)): a float program in a format with unit roundoff u
   that stores x_i rounded to nearest and sums w_j . x_i in any order gets
   fl(w_j . x_i) = w_j . x_i + delta with
   |delta| <= gamma_{d+1} sum_l |w_jl x_il|, gamma_n = n u / (1 - n u).
   The pattern is *robust* iff every relative margin
   rho_ji = |w_j . x_i| / sum_l |w_jl x_il| exceeds gamma_{d+1}: then that
   program saw exactly this pattern. (The weights themselves are exact: they
   are the float values.)
2. **The cell's minimisers** (Theorem 1, theory.md §2): the affine set
   M = {R : A R = p} = {R : A_B R = p_B} (rank factorisation, rows B), its
   exact loss L* [14], the exact loss L(z, w) of the point and the float loss.
3. **Distance in R-space** (R_j = z_j w_j) from R_f = R(z, w) to M: the
   orthogonal projection R_M = R_f - A_B^T (A_B A_B^T)^{-1} (A_B R_f - p_B),
   and dist^2(R_f, M) = s^T (A_B A_B^T)^{-1} s with s = A_B R_f - p_B, exact.
   The *genuine* minimisers M_g (those factoring with every w_j in C_j,
   theory.md §2) are a union of relatively open polyhedra inside M, so
   dist(R_f, M) <= dist(R_f, M_g) <= ||R_f - R_snap|| for any genuine R_snap:
   both bounds are exact rationals (squared), and they coincide (the
   distance is then exact) when R_M itself is genuine. The exact nearest
   genuine minimiser would need a QP per branch vector; not computed.
4. **Snap.** If R_M is genuine, R_snap = R_M. Otherwise a genuine target R_T
   (a point of the float point's own branch vector sigma_j = sign z_j when
   that branch is non-empty, else the cell's genuineness witness) is joined
   to R_M: R(t) = R_M + t (R_T - R_M) stays in M, every strict branch row
   a + t b > 0 holds for t > t_0 (exact), and t = t_0 + (1 - t_0)/1024 is
   taken. z keeps the float magnitudes where the sign agrees, and
   w_j = R_j / z_j. The snapped point is classified by
   :func:`exactscape.landscape.point.classify_point` and must be a local minimum.
5. **Saddle** (theory.md §3): neurons whose R_j is tiny (||R_j||^2 <= tol^2 ||R_f||^2)
   form Z; R_S is projected onto the minimisers of A_S, z_j = 0 for j in Z
   and w_j is projected onto the hyperplane w . g_j = 0; if the result stays
   in the cell and :func:`classify_point` calls it a saddle, the float point
   is near that saddle (the point certificate carries the descent and ascent
   curves).
6. **Verdict.** ``near-genuine-minimum`` if the cell is genuine and the upper
   bound of 3 is <= tol * max(1, ||R_f||); else ``near-saddle`` if 5 succeeds
   within the same distance; else ``nothing`` (the float point is not a
   stationary point and no exact stationary point of the kinds above is
   within tol: descent continues, and the point certificate's descent curve
   proves it is not a minimum); ``nothing`` requires the cell's genuineness to be
   decided: when no method decides it (``undecided``, with its reason) and no saddle
   is within tol, the verdict is ``undecided`` (a genuine minimum within tol is
   neither shown nor excluded). ``not-covered`` if the point lies on a
   hyperplane. Non-differentiable minima (Theorem 3) are not checked here.
7. **At scale** (cells decided by the fast engine beyond the plain engine's sizes, N K d >
   PLAIN_LIMIT), no dense rational A is formed: the snapped point is the cell's verified
   witness (:func:`snap_witness`; a witness found from the float point is that point moved
   exactly onto the minimiser set), the projection of 3 is one integer Gram solve up to
   rank PROJECT_LIMIT and not reported beyond it, and the saddle step 5 is not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

from ..core import linalg, minset
from ..core.design import design_matrix, in_cell
from ..core.model import Instance, Pattern, Vec, Weights, dot, pattern_of
from ..errors import InputError
from ..floats.convert import unit_roundoff
from ..io import certify
from ..theory import minima
from ..theory.minima import CellAnalysis, analyse_cell
from ..theory.witness import Proposer
from .point import PointVerdict, classify_point, loss, products


def _ndigits(n: int) -> int:
    """Decimal digits of n > 0, without printing it (Python refuses to print
    integers of more than 4,300 digits): 10^(k-1) <= n < 10^k."""
    k = n.bit_length() * 30103 // 100000 + 1  # bits * log10(2), within one
    while 10**k <= n:
        k += 1
    while k > 1 and 10 ** (k - 1) > n:
        k -= 1
    return k


def sci(q: Fraction, digits: int = 3) -> str:
    """A decimal approximation of a rational for people, by integer arithmetic.

    >>> sci(Fraction(1, 3))
    '3.33e-1'
    >>> sci(Fraction(0))
    '0'
    >>> sci(Fraction(10) ** 5000 * 7)
    '7.00e5000'
    """
    if q == 0:
        return "0"
    sign = "-" if q < 0 else ""
    a = abs(q)
    e = _ndigits(a.numerator) - _ndigits(a.denominator)
    if Fraction(10) ** e > a:
        e -= 1
    m = a / Fraction(10) ** e
    scaled = round(m * 10 ** (digits - 1))
    if scaled >= 10**digits:
        scaled //= 10
        e += 1
    s = str(scaled)
    return f"{sign}{s[0]}.{s[1:]}e{e}" if digits > 1 else f"{sign}{s}e{e}"


def _sq(v: Sequence[Fraction]) -> Fraction:
    """||v||^2, summed in integers on the common denominator of the entries."""
    den = lcm(*{x.denominator for x in v})
    return Fraction(sum((x.numerator * (den // x.denominator)) ** 2 for x in v), den * den)


def _flat(blocks: Sequence[Sequence[Fraction]]) -> list[Fraction]:
    return [v for b in blocks for v in b]


@dataclass(frozen=True)
class Robustness:
    """Relative margins of the activation pattern against the float model (module 1)."""

    precision: str
    gamma: Fraction  # gamma_{d+1}
    min_margin: Fraction  # min |w_j . x_i|
    min_relative_margin: Fraction  # min rho_ji
    closest: tuple[int, int]  # (j, i) attaining it
    robust: bool


def robustness(inst: Instance, wts: Weights, precision: str = "float64") -> Robustness:
    """rho_ji = |w_j . x_i| / sum_l |w_jl x_il| against gamma_{d+1} (module 1)."""
    u = unit_roundoff(precision)
    n = inst.d + 1
    if n * u >= 1:
        raise InputError(f"d = {inst.d} is too large for the error model in {precision}", "precision")
    gamma = n * u / (1 - n * u)
    # in integers: x_i . w_j = V_ij / den and sum_l |w_jl x_il| = U_ij / den (|Z| |W|^T)
    V, den = products(inst, wts)
    absx = Instance(tuple(tuple(abs(v) for v in x) for x in inst.X), inst.y, inst.bias)
    absw = Weights(wts.z, tuple(tuple(abs(v) for v in w) for w in wts.w))
    U, _ = products(absx, absw)
    best: tuple[int, int, int, int] | None = None  # (|V|, U, j, i): rho = |V| / U
    vmin: int | None = None
    for j in range(wts.K):
        for i in range(inst.N):
            num, den_ = abs(V[i][j]), U[i][j]
            if den_ == 0:
                num, den_ = 0, 1  # rho = 0 by convention (w_j . x_i = 0 then)
            if best is None or num * best[1] < best[0] * den_:
                best = (num, den_, j, i)
            if vmin is None or abs(V[i][j]) < vmin:
                vmin = abs(V[i][j])
    if best is None or vmin is None:  # pragma: no cover - instances and weights are non-empty
        raise InputError("empty instance or weights")
    rho = Fraction(best[0], best[1])
    return Robustness(precision, gamma, Fraction(vmin, den), rho, (best[2], best[3]), rho > gamma)


@dataclass(frozen=True)
class Projection:
    """The orthogonal projection R_M of R onto {R : A R = p} and dist^2 (module 3)."""

    point: list[Fraction]
    dist_sq: Fraction


def project(A: linalg.QMat, basis: Sequence[int], fitted: Sequence[Fraction], R: Sequence[Fraction]) -> Projection:
    """R_M = R - A_B^T (A_B A_B^T)^{-1} (A_B R - p_B); dist^2 = s . (A_B A_B^T)^{-1} s."""
    if not basis:
        return Projection(list(R), Fraction(0))
    AB = linalg.select_rows(A, list(basis))
    s = AB * linalg.column(list(R)) - linalg.column([fitted[b] for b in basis])
    try:
        u = (AB * AB.transpose()).solve(s)
    except Exception as exc:  # noqa: BLE001 - flint raises plain exceptions
        from ..errors import BackendError

        raise BackendError(f"flint solve failed on a full-rank Gram matrix: {exc}") from exc
    delta = linalg.to_vec(AB.transpose() * u)
    dist_sq = sum((a * b for a, b in zip(linalg.to_vec(s), linalg.to_vec(u), strict=True)), Fraction(0))
    return Projection([a - b for a, b in zip(R, delta, strict=True)], dist_sq)


def _branch(inst: Instance, pat: Pattern, j: int, Rj: Vec) -> str | None:
    if all(v == 0 for v in Rj):
        return "0"
    if in_cell(inst, pat, j, Rj):
        return "+"
    if in_cell(inst, pat, j, tuple(-v for v in Rj)):
        return "-"
    return None


def _factor(wts: Weights, blocks: Sequence[Vec], branches: Sequence[str]) -> Weights:
    """(z', w') with z'_j w'_j = R_j on the given branches, z' near the float z."""
    z, w = [], []
    for j, (b, Rj) in enumerate(zip(branches, blocks, strict=True)):
        if b == "0":
            z.append(Fraction(0))
            w.append(wts.w[j])  # the float w_j is strictly inside C_j: the point names this cell
            continue
        sg = 1 if b == "+" else -1
        zj = wts.z[j] if wts.z[j] * sg > 0 else Fraction(sg)
        z.append(zj)
        w.append(tuple(v / zj for v in Rj))
    return Weights(tuple(z), tuple(w))


@dataclass(frozen=True)
class Snap:
    """An exact point (z, w) near the float point, and what it is."""

    weights: Weights
    verdict: PointVerdict
    R_dist_sq: Fraction  # ||R_f - R_snap||^2
    zw_dist_sq: Fraction  # ||(z, w) - (z', w')||^2
    how: str


def _zw_dist_sq(a: Weights, b: Weights) -> Fraction:
    return _sq([x - y for x, y in zip(a.z, b.z, strict=True)]) + _sq(
        [x - y for r, s in zip(a.w, b.w, strict=True) for x, y in zip(r, s, strict=True)]
    )


def _blocks(R: Sequence[Fraction], K: int, d: int) -> list[Vec]:
    return [tuple(R[j * d : (j + 1) * d]) for j in range(K)]


def _segment_t(inst: Instance, pat: Pattern, RM: list[Vec], RT: list[Vec], branches: Sequence[str]) -> Fraction:
    """Smallest t_0 in [0, 1] with every strict branch row of R(t) = RM + t (RT - RM)
    holding for all t in (t_0, 1]; 1 if a zero-branch neuron of RT is non-zero in RM."""
    t0 = Fraction(0)
    for j, b in enumerate(branches):
        if b == "0":
            if any(v != 0 for v in RM[j]):
                return Fraction(1)
            continue
        sg = 1 if b == "+" else -1
        for i, x in enumerate(inst.xs):
            s = sg * (1 if pat.I[i][j] else -1)
            a = s * dot(RM[j], x)
            c = s * dot(RT[j], x) - a  # a + c > 0 at t = 1
            if a <= 0:
                t0 = max(t0, -a / c)
    return t0


def snap_minimum(
    inst: Instance, wts: Weights, a: CellAnalysis, Rf: list[Fraction], decide: minima.Decider | None = None
) -> tuple[Snap, Projection]:
    """Module steps 3-4 for a genuine cell."""
    K, d = wts.K, inst.d
    A = design_matrix(inst, a.pattern)
    proj = project(A, a.least_squares().factor.basis, a.least_squares().fitted, Rf)
    RM = _blocks(proj.point, K, d)
    br = [_branch(inst, a.pattern, j, RM[j]) for j in range(K)]
    if all(b is not None for b in br):
        new = _factor(wts, RM, [b for b in br if b is not None])
        how = "the exact projection of R onto the minimiser set is genuine: the distance is exact"
        RS = RM
    else:
        sigma = {j: ("+" if wts.z[j] > 0 else "-" if wts.z[j] < 0 else "0") for j in range(K)}
        search = minima.CellSearch(inst, a.pattern, a.least_squares().fitted, a.feasibility, decide=decide)
        leaf, RT = search.node(sigma)
        if leaf is None and RT is not None and all(_branch(inst, a.pattern, j, RT[j]) == sigma[j] for j in range(K)):
            target, tbr = RT, [sigma[j] for j in range(K)]
            how = "projection not genuine; moved towards a point of the float point's own branch vector"
        else:
            g = a.genuine
            if g is None:  # pragma: no cover - callers pass genuine cells only
                raise InputError("snap_minimum needs a genuine cell")
            target = [tuple(g.z[j] * v for v in g.w[j]) for j in range(K)]
            tbr = list(g.branches)
            how = "projection not genuine; moved towards the cell's genuineness witness"
        t0 = _segment_t(inst, a.pattern, RM, target, tbr)
        t = t0 + (1 - t0) / 1024 if t0 < 1 else Fraction(1)
        RS = [tuple(m + t * (q - m) for m, q in zip(RM[j], target[j], strict=True)) for j in range(K)]
        if any(_branch(inst, a.pattern, j, RS[j]) != tbr[j] for j in range(K)):
            RS, t = target, Fraction(1)
        how += f" (t = {sci(t)})"
        new = _factor(wts, RS, tbr)
    v = classify_point(inst, new)
    dist = _sq([x - y for x, y in zip(Rf, _flat(RS), strict=True)])
    return Snap(new, v, dist, _zw_dist_sq(wts, new), how), proj


PROJECT_LIMIT = 1000  # rank up to which the exact projection onto the minimiser set is computed at scale
PROJECT_WORK = 20_000  # and r times the bits of the largest Gram diagonal entry (digits, N = 500: 11,000)


def project_fast(inst: Instance, a: CellAnalysis, Rf: Sequence[Fraction]) -> Fraction | None:
    """dist^2(R_f, M) of module 3 on the fast engine's minimiser set, in integers:
    s = A_B R_f - p_B, dist^2 = s^T (A_B A_B^T)^{-1} s with A_B A_B^T = ((X X^T) o (I I^T))_BB
    (one p-adic solve of the r x r Gram matrix, flint). None when r > PROJECT_LIMIT or
    r times the bits of the Gram matrix's entries exceeds PROJECT_WORK (the solution's
    numbers grow with both: about 1,600 digits at r = 500 on 8 x 8 digits; 40 s on Gaussian
    floats at r = 400); then the distance is not reported."""
    ms = a.ms
    if ms is None:  # pragma: no cover - callers pass fast-engine analyses
        return None
    B = list(ms.evidence.basis)
    r = len(B)
    if r == 0:
        return Fraction(0)
    if r > PROJECT_LIMIT:
        return None
    G = minset.sample_gram(inst).tolist()
    bits = max((int(G[i][i]).bit_length() for i in B), default=0)
    if r * bits > PROJECT_WORK:
        return None
    K, d = a.K, inst.d
    S = minset.samples(inst)
    Rden = lcm(*(v.denominator for v in Rf))
    Rz = [int(v * Rden) for v in Rf]
    V = (S.Z * minset.ZMat(d, K, [Rz[j * d + l] for l in range(d) for j in range(K)])).tolist()
    p = ms.fitted()
    pden = lcm(*(p[i].denominator for i in B))
    # s_i = sum_j I_ij V_ij / (D Rden) - p_i; scaled by D Rden pden
    I = a.pattern.I
    sz = [sum(int(V[i][j]) for j in range(K) if I[i][j]) * pden - int(p[i] * pden) * S.D * Rden for i in B]
    Ip = minset.ZMat([list(I[i]) for i in B])
    common = (Ip * Ip.transpose()).tolist()
    GZ = minset.ZMat(r, r, [int(G[a_][b]) * int(common[ka][kb]) for ka, a_ in enumerate(B) for kb, b in enumerate(B)])
    u = GZ.solve(minset.ZMat(r, 1, sz))  # G_Z u = s_Z with G_Z = D^2 A_B A_B^T, s_Z = D Rden pden s
    tot = sum((Fraction(int(u[k, 0].p), int(u[k, 0].q)) * v for k, v in enumerate(sz)), Fraction(0))
    return tot / (Rden * pden) ** 2


def snap_witness(inst: Instance, wts: Weights, a: CellAnalysis, Rf: list[Fraction]) -> Snap:
    """Module step 4 on the fast engine: the cell's verified witness R_W itself is the snapped
    point (a witness found from the float point, :mod:`exactscape.theory.witness`, is that
    point corrected exactly onto the minimiser set), factored with z'_j the power of two
    nearest the float z_j (so that w_j = R_j / z'_j keeps the witness's numbers) where the
    signs agree. It is a genuine minimiser, so the point is a local minimum of loss L*
    (the point certificate's gradient check replays it)."""
    g = a.genuine
    if g is None:  # pragma: no cover - callers pass genuine cells only
        raise InputError("snap_witness needs a genuine cell")
    K = wts.K
    RW = [tuple(g.z[j] * v for v in g.w[j]) for j in range(K)]
    # z'_j = +-2^e with 2^e the power of two nearest |z_j| (the float's sign where it agrees):
    # w_j = R_j / z'_j is then an exact shift, and the numbers stay those of the witness
    zs = []
    for j, b in enumerate(g.branches):
        if b == "0":
            zs.append(Fraction(0))
            continue
        sg = 1 if b == "+" else -1
        mag = abs(wts.z[j]) if wts.z[j] * sg > 0 else Fraction(1)
        e = mag.numerator.bit_length() - mag.denominator.bit_length()
        if Fraction(2) ** e * 3 < mag * 2:  # round log2 |z_j| to the nearer of e, e + 1
            e += 1
        zs.append(sg * Fraction(2) ** e)
    new = Weights(
        tuple(zs),
        tuple(g.w[j] if b == "0" else tuple(v / zs[j] for v in RW[j]) for j, b in enumerate(g.branches)),
    )
    v = PointVerdict(inst, new, "local-minimum", a.loss, a.pattern, ())
    dist = _sq([x - y for x, y in zip(Rf, _flat(RW), strict=True)])
    how = f"the cell's witness (method {a.method}), an exact minimiser with every w_j in its cell"
    return Snap(new, v, dist, _zw_dist_sq(wts, new), how)


def _large(inst: Instance, a: CellAnalysis) -> bool:
    """Is this a fast-engine cell beyond the plain engine's sizes (no dense rational A)?"""
    return a.lsq is None and a.ms is not None and inst.N * a.K * inst.d > minima.PLAIN_LIMIT


def snap_saddle(inst: Instance, wts: Weights, pat: Pattern, Rf: list[Fraction], tol: Fraction) -> Snap | None:
    """Module step 5; None if no saddle (or minimum) snap is found."""
    K, d = wts.K, inst.d
    Rb = _blocks(Rf, K, d)
    scale = max(Fraction(1), _sq(Rf))
    Z = [j for j in range(K) if _sq(Rb[j]) <= tol * tol * scale]
    if not Z:
        return None
    S = [j for j in range(K) if j not in Z]
    RS_new: list[Vec] = [tuple(Fraction(0) for _ in range(d)) for _ in range(K)]
    if S:
        sub = Pattern(tuple(tuple(row[j] for j in S) for row in pat.I))
        A = design_matrix(inst, sub)
        lsq = linalg.least_squares(A, inst.y)
        proj = project(A, lsq.factor.basis, lsq.fitted, _flat([Rb[j] for j in S]))
        for k, j in enumerate(S):
            RS_new[j] = tuple(proj.point[k * d : (k + 1) * d])
    z = list(wts.z)
    w = list(wts.w)
    for j in S:
        if wts.z[j] == 0:
            return None
        wj = tuple(v / wts.z[j] for v in RS_new[j])
        if not in_cell(inst, pat, j, wj):
            return None
        w[j] = wj
    e = []
    for i, x in enumerate(inst.xs):
        f = sum((pat.I[i][j] * dot(RS_new[j], x) for j in S), Fraction(0))
        e.append(f - inst.y[i])
    for j in Z:
        g = [Fraction(0)] * d
        for i, x in enumerate(inst.xs):
            if pat.I[i][j]:
                for l in range(d):
                    g[l] += e[i] * x[l]
        gg = _sq(g)
        wj = wts.w[j]
        if gg:
            c = dot(wj, tuple(g)) / gg
            wj = tuple(a - c * b for a, b in zip(wj, g, strict=True))
        if not in_cell(inst, pat, j, wj):
            return None
        z[j], w[j] = Fraction(0), wj
    new = Weights(tuple(z), tuple(w))
    v = classify_point(inst, new)
    if v.verdict not in ("saddle", "local-minimum"):
        return None
    dist = _sq([x - y for x, y in zip(Rf, _flat(RS_new), strict=True)])
    how = f"neurons {Z} set to z = 0 (w projected onto w . g_j = 0), the others projected onto their least-squares set"
    return Snap(new, v, dist, _zw_dist_sq(wts, new), how)


@dataclass(frozen=True)
class CrossCheck:
    """The full report of :func:`crosscheck` (module docstring)."""

    instance: Instance
    weights: Weights
    verdict: str
    pattern: Pattern
    on_hyperplanes: tuple[tuple[int, int], ...]
    robustness: Robustness | None
    analysis: CellAnalysis | None
    point: PointVerdict  # the float point itself, exactly
    loss_exact: Fraction
    affine_dist_sq: Fraction | None  # dist^2(R_f, M): lower bound
    genuine_dist_sq_upper: Fraction | None  # ||R_f - R_snap||^2 for a genuine snap
    distance_exact: bool
    R_norm_sq: Fraction
    snap: Snap | None
    tol: Fraction


def crosscheck(
    inst: Instance,
    wts: Weights,
    *,
    precision: str = "float64",
    tol: Fraction = Fraction(1, 1000),
    decide: minima.Decider | None = None,
    propose: Proposer | None = None,
    budget: int | Fraction | None = None,
) -> CrossCheck:
    """Cross-check a float point exactly (module docstring). ``propose`` (a float proposer,
    :mod:`exactscape.floats.witness`) and ``budget`` (seconds, for the cell's decision and
    minimiser set) are passed to :func:`exactscape.theory.minima.analyse_cell`."""
    if tol < 0:
        raise InputError(f"the tolerance must be >= 0, got {tol}", field="tol")
    wts.check_against(inst)
    pat, on = pattern_of(inst, wts)
    point = classify_point(inst, wts)
    Lx = loss(inst, wts)
    K = wts.K
    Rf = [wts.z[j] * v for j in range(K) for v in wts.w[j]]
    Rn = _sq(Rf)
    if on:
        return CrossCheck(
            inst, wts, "not-covered", pat, tuple(on), None, None, point, Lx, None, None, False, Rn, None, tol
        )
    rob = robustness(inst, wts, precision)
    from ..deciders import quadratic_proposer

    quadratic = quadratic_proposer() if budget is not None and propose is not None else None
    a = analyse_cell(inst, pat, hint=wts, decide=decide, propose=propose, budget=budget, quadratic=quadratic)
    limit = tol * tol * max(Fraction(1), Rn)
    snap: Snap | None = None
    upper: Fraction | None = None
    exact = False
    g = a.genuineness
    large = _large(inst, a)
    affine: Fraction | None
    if g.is_genuine and large:
        snap = snap_witness(inst, wts, a, Rf)
        upper = snap.R_dist_sq
        affine = project_fast(inst, a, Rf)
        exact = upper == affine
        if upper <= limit:
            return CrossCheck(
                inst, wts, "near-genuine-minimum", pat, (), rob, a, point, Lx, affine, upper, exact, Rn, snap, tol
            )
    elif g.is_genuine:
        snap, proj = snap_minimum(inst, wts, a, Rf, decide)
        upper = snap.R_dist_sq
        exact = upper == proj.dist_sq
        affine = proj.dist_sq
        if snap.verdict.verdict != "local-minimum":  # pragma: no cover - a genuine snap is a minimum
            from ..errors import InternalError

            raise InternalError(f"the snapped point is {snap.verdict.verdict}, not a local minimum")
        if upper <= limit:
            return CrossCheck(
                inst, wts, "near-genuine-minimum", pat, (), rob, a, point, Lx, affine, upper, exact, Rn, snap, tol
            )
    elif large:
        affine = project_fast(inst, a, Rf)
    else:
        affine = project(design_matrix(inst, pat), a.least_squares().factor.basis, a.least_squares().fitted, Rf).dist_sq
    sad = None if large else snap_saddle(inst, wts, pat, Rf, tol)
    if sad is not None and sad.R_dist_sq <= limit:
        kind = "near-saddle" if sad.verdict.verdict == "saddle" else "near-genuine-minimum"
        return CrossCheck(inst, wts, kind, pat, (), rob, a, point, Lx, affine, upper, exact, Rn, sad, tol)
    # "nothing" needs the cell's genuineness decided: an undecided cell may hold a genuine
    # minimum within the tolerance, so the verdict is "undecided", never "nothing"
    last = "undecided" if g.is_undecided else "nothing"
    return CrossCheck(inst, wts, last, pat, (), rob, a, point, Lx, affine, upper, exact, Rn, snap, tol)


def summary(cc: CrossCheck, float_loss: float | None = None) -> dict[str, Any]:
    """The ``--json`` object of ``exactscape crosscheck`` (all rationals as "p/q")."""
    from ..core.numbers import fmt

    out: dict[str, Any] = {
        "verdict": cc.verdict,
        "N": cc.instance.N,
        "K": cc.weights.K,
        "d": cc.instance.d,
        "pattern": cc.pattern.to_json(),
        "point_verdict": cc.point.verdict,
        "loss_exact": fmt(cc.loss_exact),
        "loss_float": float_loss,
        "gradient_norm_sq": fmt(cc.point.gradient_norm_sq),
        "tolerance": fmt(cc.tol),
        "R_norm_sq": fmt(cc.R_norm_sq),
    }
    if cc.on_hyperplanes:
        out["on_hyperplanes"] = [list(p) for p in cc.on_hyperplanes]
    if cc.robustness is not None:
        r = cc.robustness
        out["robustness"] = {
            "precision": r.precision,
            "gamma": fmt(r.gamma),
            "min_margin": fmt(r.min_margin),
            "min_relative_margin": fmt(r.min_relative_margin),
            "closest": list(r.closest),
            "robust": r.robust,
        }
    a = cc.analysis
    if a is not None:
        claim = {k: v for k, v in certify.cell_claim(a).items() if k != "feasible"}
        out["cell"] = {**claim, **a.genuineness.to_json(), "lp_nodes": a.nodes}
        out["loss_excess"] = fmt(cc.loss_exact - a.loss)
    if cc.affine_dist_sq is not None:
        out["dist_sq_to_minimiser_set"] = fmt(cc.affine_dist_sq)
    if cc.genuine_dist_sq_upper is not None:
        out["dist_sq_to_genuine_upper"] = fmt(cc.genuine_dist_sq_upper)
        out["dist_to_genuine_exact"] = cc.distance_exact
    if cc.snap is not None:
        out["snap"] = {
            "verdict": cc.snap.verdict.verdict,
            "weights": cc.snap.weights.to_json(),
            "loss": fmt(cc.snap.verdict.loss),
            "R_dist_sq": fmt(cc.snap.R_dist_sq),
            "zw_dist_sq": fmt(cc.snap.zw_dist_sq),
            "how": cc.snap.how,
        }
    return out

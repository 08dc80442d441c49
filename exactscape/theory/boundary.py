"""Theorem 3 (theory.md §4): non-differentiable local minima on a cell
boundary w_k . x_n = 0, exactly.

Setting: neuron k on the hyperplane of sample n (x_n != 0), every other
(neuron, sample) pair strictly on one side; cell 1 is the side w_k . x_n < 0
and I its pattern (I_nk = 0); A its design matrix [4]; c = E_k x_n (x_n in
block k).

* [27-28, 43] D = [[M, -c], [c^T, 0]], rhs [b; 0] with M = A^T A, b = A^T y:
  the KKT system of min ||A R - y||^2 subject to x_n . R_k = 0 ([38], [41],
  [42]). It is ALWAYS solvable ([44] holds for every instance): a convex
  quadratic attains its minimum on an affine subspace, and its KKT
  multiplier exists because the constraint is linear. We solve it without
  D^+: eliminate one coordinate R_k[l0] with x_n[l0] != 0 (the bias entry
  when there is one), solve the least-squares problem of the reduced design
  matrix with the rank factorisation, and read lambda off
  A^T (A R - y) = lambda c.
* [45] The solution set is {R : A R = p*, x_n . R_k = 0} (p* the unique
  optimal fit; dimension Kd - 1 - rank(A T)). lambda and e_n = (A R)_n - y_n
  are the SAME for every solution (if (R, lambda), (R', lambda') both solve
  D then ||A (R - R')||^2 = (lambda - lambda') x_n . (R_k - R'_k) = 0, so
  A R = A R' and lambda = lambda'). Hence [29]/[30] are not half-spaces in
  the free parameters ([46]) but one yes/no test per sign of z_k:
  z_k > 0: lambda <= 0 <= lambda + e_n [29]; z_k < 0: lambda >= 0 >= lambda + e_n [30];
  i.e. z_k lambda <= 0 <= z_k (lambda + e_n).
* Genuine, per sign s of z_k: some R of the solution set factors as
  R_j = z_j w_j with sign(z_k) = s, w_k on the face ({x_n . w = 0}, strict
  signs on the other samples) and every other w_j in C_j (branches +, -, 0;
  the 0 branch needs C_j non-empty): the shared branch tree
  (:mod:`exactscape.theory.branches`) with k fixed at s, the pair (k, n)
  skipped, and the extra equality x_n . R_k = 0.

Lemma B (sufficiency, proofs/FORMAT.md 8): at a point P of the face with
A^T (A R - y) = lambda c and z_k lambda <= 0 <= z_k (lambda + e_n), P is a
local minimum. Lemma C (necessity): at a local minimum P of the face, R(P)
solves D with that sign condition (descent curves otherwise, see
:func:`classify_boundary_point`). So the tree decides existence exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..core import linalg, polyhedra
from ..core.curves import Curve
from ..core.design import block_gradient, cell_sign, design_matrix
from ..core.model import Instance, Mat, Pattern, Vec, Weights, dot, pattern_of
from ..errors import InputError, InternalError, NotCovered
from .branches import BRANCHES, BranchProblem, Decider, Genuine, Tree, search

SIGNS = ("+", "-")


def sign_condition(s: str, lam: Fraction, e_n: Fraction) -> bool:
    """[29] (s = "+") or [30] (s = "-"): z_k lambda <= 0 <= z_k (lambda + e_n).

    >>> sign_condition("+", Fraction(-2, 13), Fraction(1)), sign_condition("-", Fraction(-2, 13), Fraction(1))
    (True, False)
    """
    z = 1 if s == "+" else -1
    return z * lam <= 0 <= z * (lam + e_n)


def check_face(inst: Instance, K: int, k: int, n: int) -> None:
    """The face w_k . x_n = 0 exists: 0 <= k < K and 0 <= n < N. Otherwise an
    InputError naming the value, with ``field`` "neuron" or "sample"."""
    if not (0 <= k < K):
        raise InputError(f"neuron {k} out of range 0..{K - 1}", field="neuron")
    if not (0 <= n < inst.N):
        raise InputError(f"sample {n} out of range 0..{inst.N - 1}", field="sample")


def face_pattern(inst: Instance, wts: Weights, k: int, n: int) -> Pattern:
    """Cell 1's pattern of the face of (k, n) through ``wts``: I_nk = 0, the
    other pairs as at ``wts``; every other pair must be strictly off its hyperplane."""
    check_face(inst, wts.K, k, n)
    pat, on = pattern_of(inst, wts)
    others = [p for p in on if p != (k, n)]
    if others:
        j, i = others[0]
        raise NotCovered(f"w_{j} . x_{i} = 0 as well: Theorem 3 covers one neuron on one sample hyperplane only")
    rows = [list(r) for r in pat.I]
    rows[n][k] = 0
    return Pattern(tuple(tuple(r) for r in rows))


@dataclass(frozen=True)
class FaceSolution:
    """A solution (R, lambda) of D [43], and what every solution shares."""

    R: tuple[Vec, ...]
    lam: Fraction
    fitted: tuple[Fraction, ...]
    e_n: Fraction
    loss: Fraction
    dimension: int
    rank: linalg.RankFactorisation  # of the stacked matrix [A; c^T] (row N is c^T)


def face_matrix(inst: Instance, pat: Pattern, k: int, n: int) -> linalg.QMat:
    """[A; c^T]: the solution set [45] is {R : A R = p*, c . R = 0}, of dimension Kd - rank."""
    d = inst.d
    rows = linalg.to_rows(design_matrix(inst, pat))
    face = [Fraction(0)] * (pat.K * d)
    face[k * d : (k + 1) * d] = inst.xs[n]
    return linalg.matrix([*rows, face], pat.K * d)


def solve_face(inst: Instance, pat: Pattern, k: int, n: int) -> FaceSolution:
    """Solve D [43] by eliminating R_k[l0] (module docstring); re-verified exactly."""
    d, K = inst.d, pat.K
    xn = inst.xs[n]
    if not any(xn):
        raise NotCovered(f"sample {n} is the zero vector: its hyperplane is the whole space")
    l0 = max(l for l in range(d) if xn[l] != 0)
    A = design_matrix(inst, pat)
    rows = linalg.to_rows(A)
    kl0 = k * d + l0
    red = []
    for row in rows:
        r = [row[c] - (xn[c - k * d] / xn[l0]) * row[kl0] if k * d <= c < (k + 1) * d else row[c] for c in range(K * d)]
        del r[kl0]
        red.append(r)
    lsq = linalg.least_squares(linalg.matrix(red, K * d - 1), inst.y)
    full = list(lsq.R0)
    full.insert(kl0, Fraction(0))
    full[kl0] = -sum((xn[l] * full[k * d + l] for l in range(d) if l != l0), Fraction(0)) / xn[l0]
    R = tuple(tuple(full[j * d : (j + 1) * d]) for j in range(K))
    fitted = tuple(lsq.fitted)
    e = [p - y for p, y in zip(fitted, inst.y, strict=True)]
    lam = dot(block_gradient(inst, pat, e, k), xn) / dot(xn, xn)
    for j in range(K):
        g = block_gradient(inst, pat, e, j)
        want = tuple(lam * v for v in xn) if j == k else tuple(Fraction(0) for _ in range(d))
        if g != want:
            raise InternalError("the face's least-squares solution does not satisfy the KKT equations [41]")
    if dot(R[k], xn) != 0:
        raise InternalError("the face's solution is off the hyperplane [42]")
    loss = sum((v * v for v in e), Fraction(0)) / inst.N
    fac = linalg.rank_factorisation(face_matrix(inst, pat, k, n))
    if K * d - fac.rank != lsq.dimension:
        raise InternalError("two computations of the dimension of the face's solution set disagree")
    return FaceSolution(R, lam, fitted, e[n], loss, lsq.dimension, fac)


@dataclass(frozen=True)
class FaceFeasibility:
    """The face is non-empty (``witness``: w_k on the face, w_j in C_j) or
    neuron ``neuron``'s part is empty (multipliers; ``equality`` for j = k)."""

    feasible: bool
    witness: Mat | None = None
    neuron: int | None = None
    multipliers: tuple[tuple[int, Fraction], ...] = ()
    equality: Fraction = Fraction(0)


def face_feasibility(inst: Instance, pat: Pattern, k: int, n: int, hint: Weights | None = None) -> FaceFeasibility:
    """Is every C_j (j != k) and the face {x_n . w = 0, strict elsewhere} of neuron k non-empty?"""
    wit: list[Vec] = []
    xn = inst.xs[n]
    for j in range(pat.K):
        rows = [i for i in range(inst.N) if not (j == k and i == n)]
        if hint is not None:
            hw = hint.w[j]
            ok = all(cell_sign(pat, i, j) * dot(hw, inst.xs[i]) > 0 for i in rows)
            if ok and (j != k or dot(hw, xn) == 0):
                wit.append(tuple(hw))
                continue
        G = tuple(tuple(cell_sign(pat, i, j) * v for v in inst.xs[i]) for i in rows)
        E = (xn,) if j == k else ()
        ans = polyhedra.decide(
            polyhedra.System(n=inst.d, E=E, f=tuple(Fraction(0) for _ in E), G=G, h=tuple(Fraction(0) for _ in G))
        )
        if isinstance(ans, polyhedra.Farkas):
            mult = tuple((i, m) for i, m in zip(rows, ans.mG, strict=True) if m != 0)
            return FaceFeasibility(False, neuron=j, multipliers=mult, equality=ans.mE[0] if E else Fraction(0))
        wit.append(ans.v)
    return FaceFeasibility(True, witness=tuple(wit))


@dataclass(frozen=True)
class SignResult:
    """The decision for one sign of z_k."""

    sign: str
    condition: bool  # [29] or [30]
    genuine: Genuine | None
    tree: Tree | None
    nodes: int

    @property
    def exists(self) -> bool:
        return self.genuine is not None


@dataclass(frozen=True)
class FaceAnalysis:
    """Theorem 3 on the face of (k, n): solution of D and existence per sign of z_k."""

    instance: Instance
    pattern: Pattern
    neuron: int
    sample: int
    feasibility: FaceFeasibility
    solution: FaceSolution
    results: tuple[SignResult, ...]  # for "+", "-" (empty when the face is empty)

    def result(self, s: str) -> SignResult | None:
        return next((r for r in self.results if r.sign == s), None)


def analyse_face(
    inst: Instance, pat: Pattern, k: int, n: int, hint: Weights | None = None, decide: Decider | None = None
) -> FaceAnalysis:
    """Decide existence of a non-differentiable local minimum on the face, for each sign of z_k
    (``decide``: the exact node decider, :mod:`exactscape.deciders`)."""
    pat.check_against(inst)
    check_face(inst, pat.K, k, n)
    if pat.I[n][k] != 0:
        raise InputError("the face pattern must have I[n][k] = 0 (cell 1)")
    sol = solve_face(inst, pat, k, n)
    feas = face_feasibility(inst, pat, k, n, hint)
    results: list[SignResult] = []
    if feas.feasible:
        for s in SIGNS:
            if not sign_condition(s, sol.lam, sol.e_n):
                results.append(SignResult(s, False, None, None, 0))
                continue
            allowed = tuple((s,) if j == k else BRANCHES for j in range(pat.K))
            prob = BranchProblem(inst, pat, sol.fitted, allowed, feas.witness, frozenset({(k, n)}), ((k, inst.xs[n]),))
            res = search(prob, None, decide)
            results.append(SignResult(s, True, res.genuine, res.tree, res.nodes))
    return FaceAnalysis(inst, pat, k, n, feas, sol, tuple(results))


# ------------------------------------------------------------- one given point


@dataclass(frozen=True)
class BoundaryPoint:
    """A point on exactly one hyperplane (k, n) with z_k != 0, classified."""

    neuron: int
    sample: int
    pattern: Pattern  # cell 1's
    minimum: bool
    lam: Fraction | None  # when A^T (A R - y) = lambda c
    e_n: Fraction
    descent: Curve | None


def covered(inst: Instance, wts: Weights, on: list[tuple[int, int]]) -> str | None:
    """None if the point is inside Theorem 3's hypotheses, else the reason it is not."""
    if len(on) >= 2:
        ks = {j for j, _ in on}
        if len(ks) < len(on):
            return "a weight lies on two or more sample hyperplanes"
        return "two or more neurons lie on sample hyperplanes"
    k, n = on[0]
    if not any(inst.xs[n]):
        return f"sample {n} is the zero vector (its hyperplane is the whole space)"
    if wts.z[k] == 0:
        return f"z_{k} = 0 on the boundary (outside Theorem 3, whose conditions [29]-[30] need the sign of z_k)"
    return None


def classify_boundary_point(inst: Instance, wts: Weights, k: int, n: int) -> BoundaryPoint:
    """Lemma B / Lemma C at the point: a non-differentiable local minimum, or a descent curve.

    With e the residuals at the point and r_j = sum_i I_ij e_i x_i (cell 1's pattern):
    * some r_j != 0 (j != k): descend in neuron j (first order, or z_j = -t^2,
      w_j + t r_j when z_j = 0 and w_j . r_j = 0);
    * r_k not parallel to x_n: move w_k inside the hyperplane along minus the
      projection of r_k (first order);
    * r = lambda c but z_k lambda > 0: move w_k by -t x_n into cell 1; if
      z_k (lambda + e_n) < 0: by +t x_n into cell 2 (first order);
    * otherwise a local minimum (Lemma B).
    """
    pat = face_pattern(inst, wts, k, n)
    xs = inst.xs
    e = []
    for i, x in enumerate(xs):
        f = sum((wts.z[j] * dot(wts.w[j], x) for j in range(wts.K) if pat.I[i][j]), Fraction(0))
        e.append(f - inst.y[i])
    xn = xs[n]
    e_n = e[n]

    def result(minimum: bool, lam: Fraction | None, curve: Curve | None) -> BoundaryPoint:
        return BoundaryPoint(k, n, pat, minimum, lam, e_n, curve)

    for j in range(wts.K):
        if j == k:
            continue
        g = block_gradient(inst, pat, e, j)
        if not any(g):
            continue
        zj = wts.z[j]
        if zj != 0:
            return result(False, None, Curve((), tuple((j, l, (-zj * v,)) for l, v in enumerate(g) if v != 0)))
        wg = dot(wts.w[j], g)
        if wg != 0:
            return result(False, None, Curve(((j, (-wg,)),), ()))
        return result(
            False,
            None,
            Curve(((j, (Fraction(0), Fraction(-1))),), tuple((j, l, (v,)) for l, v in enumerate(g) if v != 0)),
        )
    zk = wts.z[k]
    rk = block_gradient(inst, pat, e, k)
    lam = dot(rk, xn) / dot(xn, xn)
    perp = [a - lam * b for a, b in zip(rk, xn, strict=True)]
    if any(perp):
        return result(False, None, Curve((), tuple((k, l, (-v / zk,)) for l, v in enumerate(perp) if v != 0)))
    if zk * lam > 0:
        return result(False, lam, Curve((), tuple((k, l, (-v,)) for l, v in enumerate(xn) if v != 0)))
    if zk * (lam + e_n) < 0:
        return result(False, lam, Curve((), tuple((k, l, (v,)) for l, v in enumerate(xn) if v != 0)))
    return result(True, lam, None)

"""What is a given point (z, w)? (Theorem 1, Lemma 1, Theorem 2 inside a cell.)

For a point strictly off every hyperplane w_j . x_i = 0, with residuals
e_i = f(x_i) - y_i and G_j = sum_i I_ij e_i x_i (the gradient of L in R_j,
up to 2/N):

* dL/dz_j = (2/N) w_j . G_j and dL/dw_j = (2/N) z_j G_j;
* every G_j = 0: R = (z_j w_j) is a global minimiser of the cell's convex
  quadratic, so (z, w) is a differentiable local minimum (Theorem 1);
* gradient zero but some G_j != 0 (then z_j = 0 and w_j . G_j = 0): a
  differentiable saddle (theory.md §3 [22-25]); the curve z_j = -/+ t^2,
  w_j + t G_j changes the loss by -/+ (2/N)||G_j||^2 t^3 + O(t^4);
* otherwise not stationary; the curve along minus the gradient descends.

Points on a hyperplane (new in format 1.1, theory.md §4): with exactly one pair
(k, n) on a hyperplane, x_n != 0 and z_k != 0 (Theorem 3's hypotheses), the
point is a "non-differentiable-local-minimum" (Lemma B: A^T (A R - y) =
lambda E_k x_n with z_k lambda <= 0 <= z_k (lambda + e_n)) or
"not-a-local-minimum" with a descent curve
(:func:`exactscape.theory.boundary.classify_boundary_point`).

Every other point on a hyperplane (new in format 1.3: several pairs on
hyperplanes, dead neurons, z_k = 0 on a face, zero samples, the origin) is
decided by :func:`exactscape.theory.local.decide_point` (docs/theory.md §4.1,
Lemmas D and E): "non-differentiable-local-minimum" with a ray-group lower
bound equal to the loss or the per-neuron proofs of Lemma D, or
"not-a-local-minimum" with a descent curve; "not-covered" only when a
neuron's local fan has more pieces than :data:`exactscape.theory.local.MAX_PIECES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from ..core import minset
from ..core.curves import Curve
from ..core.model import Instance, Pattern, Weights, dot, pattern_of
from ..theory.boundary import classify_boundary_point, covered
from ..theory.local import NeuronProof, decide_point


@dataclass(frozen=True)
class PointVerdict:
    """The verdict on a point, with the evidence its certificate carries."""

    instance: Instance
    weights: Weights
    verdict: str
    loss: Fraction
    pattern: Pattern
    on_hyperplanes: tuple[tuple[int, int], ...]
    descent: Curve | None = None
    ascent: Curve | None = None
    gradient_norm_sq: Fraction = Fraction(0)
    boundary: tuple[int, int] | None = None  # (k, n) for a covered point on one hyperplane
    lam: Fraction | None = None  # lambda of Lemma B at a non-differentiable local minimum
    reason: str = ""  # why a point is not covered
    groups: tuple[tuple[int, ...], ...] | None = None  # ray groups: the loss equals their lower bound (1.3)
    local: tuple[NeuronProof, ...] = ()  # Lemma D's per-neuron proofs (1.3)
    how: str = ""  # which rule decided a point on hyperplanes outside Theorem 3 (1.3)

    @property
    def general(self) -> bool:
        """Decided by the rules of format 1.3 (a point on hyperplanes outside Theorem 3)."""
        return bool(self.how) or self.groups is not None or bool(self.local)


def products(inst: Instance, wts: Weights) -> tuple[list[list[int]], int]:
    """x_i . w_j = V[i][j] / den for every sample and neuron, in integers: x_i = Z_i / D
    (:func:`exactscape.core.minset.samples`) and w = W / wden with one common denominator, so
    V = Z W^T is one integer matrix product (python-flint) and den = D wden."""
    S = minset.samples(inst)
    wden = lcm(*{v.denominator for wj in wts.w for v in wj})
    Wt = minset.ZMat(inst.d, wts.K, [int(wts.w[j][l] * wden) for l in range(inst.d) for j in range(wts.K)])
    return [[int(v) for v in row] for row in (S.Z * Wt).tolist()], S.D * wden


def residuals(inst: Instance, wts: Weights) -> list[Fraction]:
    """e_i = sum_j z_j [w_j . x_i]_+ - y_i (integer products of :func:`products`, then one
    fraction per sample)."""
    V, den = products(inst, wts)
    zden = lcm(*{v.denominator for v in wts.z})
    zz = [int(v * zden) for v in wts.z]
    out = []
    for row, yi in zip(V, inst.y, strict=True):
        f = sum(a * v for a, v in zip(zz, row, strict=True) if v > 0)
        out.append(Fraction(f, den * zden) - yi)
    return out


def gradient_blocks(inst: Instance, pat: Pattern, e: list[Fraction]) -> list[tuple[Fraction, ...]]:
    """G_j = sum_i I_ij e_i x_i for every j (:func:`exactscape.core.design.block_gradient`), as one
    integer product Z^T (I o e) on common denominators."""
    S = minset.samples(inst)
    eden = lcm(*{v.denominator for v in e})
    ez = [int(v * eden) for v in e]
    M = minset.ZMat(inst.N, pat.K, [ez[i] if on else 0 for i in range(inst.N) for on in pat.I[i]])
    G = (S.Z.transpose() * M).tolist()  # d x K
    den = eden * S.D
    return [tuple(Fraction(int(G[l][j]), den) for l in range(inst.d)) for j in range(pat.K)]


def loss(inst: Instance, wts: Weights) -> Fraction:
    """L(z, w) = (1/N) sum_i e_i^2 [1]."""
    return sum((e * e for e in residuals(inst, wts)), Fraction(0)) / inst.N


def classify_point(inst: Instance, wts: Weights) -> PointVerdict:
    """Classify (z, w); see the module docstring."""
    pat, on = pattern_of(inst, wts)
    L = loss(inst, wts)
    if on:
        why = covered(inst, wts, on)
        if why is not None:
            dec = decide_point(inst, wts)
            if dec.minimum is None:
                return PointVerdict(inst, wts, "not-covered", L, pat, tuple(on), reason=f"{why}; {dec.reason}")
            if dec.minimum:
                return PointVerdict(
                    inst,
                    wts,
                    "non-differentiable-local-minimum",
                    L,
                    pat,
                    tuple(on),
                    groups=dec.groups,
                    local=dec.neurons,
                    how=dec.how,
                )
            return PointVerdict(inst, wts, "not-a-local-minimum", L, pat, tuple(on), descent=dec.descent, how=dec.how)
        k, n = on[0]
        bp = classify_boundary_point(inst, wts, k, n)
        if bp.minimum:
            return PointVerdict(
                inst, wts, "non-differentiable-local-minimum", L, pat, tuple(on), boundary=(k, n), lam=bp.lam
            )
        return PointVerdict(inst, wts, "not-a-local-minimum", L, pat, tuple(on), descent=bp.descent, boundary=(k, n))
    e = residuals(inst, wts)
    d = inst.d
    G = gradient_blocks(inst, pat, e)
    if all(v == 0 for g in G for v in g):
        return PointVerdict(inst, wts, "local-minimum", L, pat, ())
    dz = [dot(wts.w[j], G[j]) for j in range(wts.K)]
    dw = [[wts.z[j] * v for v in G[j]] for j in range(wts.K)]
    gsq = sum((v * v for v in dz), Fraction(0)) + sum((v * v for r in dw for v in r), Fraction(0))
    if gsq == 0:
        j = next(j for j in range(wts.K) if any(G[j]))

        def curve(sigma: int) -> Curve:
            return Curve(
                dz=((j, (Fraction(0), Fraction(sigma))),),
                dw=tuple((j, l, (G[j][l],)) for l in range(d) if G[j][l] != 0),
            )

        return PointVerdict(inst, wts, "saddle", L, pat, (), descent=curve(-1), ascent=curve(1))
    descent = Curve(
        dz=tuple((j, (-dz[j],)) for j in range(wts.K) if dz[j] != 0),
        dw=tuple((j, l, (-dw[j][l],)) for j in range(wts.K) for l in range(d) if dw[j][l] != 0),
    )
    return PointVerdict(inst, wts, "not-stationary", L, pat, (), descent=descent, gradient_norm_sq=gsq)

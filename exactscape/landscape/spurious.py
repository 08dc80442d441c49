"""Spurious local minima by construction (the affine-fit construction), exactly.

Let X be the N x d matrix of augmented samples, a a least-squares solution
of X a ~ y (X^T (X a - y) = 0), p = X a the best affine fit (linear without a
bias) and L* = (1/N) ||p - y||^2.

* Construction. Take v with v . x_i > 0 for every i (v = (0, ..., 0, 1) with
  a bias; otherwise a point of the open cone, or Farkas multipliers
  m >= 0, sum m_i x_i = 0, proving that no neuron can be active on every
  sample: "no-all-active-cell"). For a branch vector sigma in {+, -, 0}^K
  with m_+ plus and m_- minus neurons, both >= 1, and c > 0 with
  (a + c v) . x_i > 0 for all i: R_j = (a + c v) / m_+ (sigma_j = +),
  R_j = -c v / m_- (sigma_j = -), R_j = 0 (sigma_j = 0); then
  sum_j R_j = a, so z_j = sign(sigma_j), w_j = sigma_j R_j (w_j = v when
  sigma_j = 0) puts every neuron active on every sample with network output
  p. The all-active cell's quadratic has A = [X ... X], A^T (A R - y) =
  (X^T (p - y), ...) = 0: a genuine local minimum of loss L* (Theorem 1).
* Which branch vectors (lemma, FORMAT 12.3): the all-active cell has a
  genuine minimum with branch vector sigma iff sigma has a + and a -, or
  sigma in {+, 0}^K \\ {0} and p > 0, or sigma in {-, 0}^K \\ {0} and p < 0,
  or sigma = 0 and p = 0. Count: 3^K - 2^(K+1) + 1 + [p > 0](2^K - 1) +
  [p < 0](2^K - 1) + [p = 0]. All have the same loss L*.
* Not applicable. If on every group of identical samples the residuals
  p_i - y_i sum to 0 (in particular if p = y: "affine-fit-exact"), then
  p_i is the mean label of its group, so no function of x has a lower loss:
  the construction's minima are global ("affine-fit-optimal"). With K = 1 a
  minimum needs p > 0, p < 0 or p = 0; otherwise "one-neuron-sign-change".
* Spurious. A point of strictly lower loss (found by a float search,
  :mod:`exactscape.floats.spurious`, then made exact) proves the minimum is
  not global. When that point lies strictly inside a cell whose minimisers
  are genuine, it is replaced by the cell's genuine minimum (loss no larger),
  itself a certified local minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..core import linalg
from ..core.model import Instance, Pattern, Vec, Weights, dot, pattern_of
from ..core.numbers import fmt, fmt_vec
from ..errors import InputError

if TYPE_CHECKING:
    from ..theory.minima import Genuineness

REASONS = ("affine-fit-exact", "affine-fit-optimal", "no-all-active-cell", "one-neuron-sign-change")


@dataclass(frozen=True)
class SpuriousAnalysis:
    instance: Instance
    K: int
    verdict: str  # "spurious", "undecided", "not-applicable"
    reason: str | None
    fit: Vec
    fitted: Vec
    loss: Fraction
    minimum: Weights | None = None
    branches: tuple[str, ...] | None = None
    branch_vectors: int | None = None
    lower: Weights | None = None
    lower_loss: Fraction | None = None
    lower_minimum: bool = False
    lower_cell: Genuineness | None = None  # genuineness of the lower point's cell when it was analysed
    samples: tuple[int, int] | None = None
    multipliers: tuple[tuple[int, Fraction], ...] = ()

    @property
    def applicable(self) -> bool:
        return self.verdict != "not-applicable"

    @property
    def gap(self) -> Fraction | None:
        return None if self.lower_loss is None else self.loss - self.lower_loss


def affine_fit(inst: Instance) -> tuple[Vec, Vec, Fraction]:
    """(a, p = X a, L*): the minimum-norm least-squares affine fit."""
    ls = linalg.least_squares(linalg.matrix([list(x) for x in inst.xs], inst.d), inst.y)
    return tuple(ls.R0), tuple(ls.fitted), ls.residual_sq / inst.N


def group_sums(inst: Instance, e: Vec) -> dict[Vec, Fraction]:
    """Sum of e_i over each group of identical augmented samples."""
    out: dict[Vec, Fraction] = {}
    for x, v in zip(inst.xs, e, strict=True):
        out[x] = out.get(x, Fraction(0)) + v
    return out


def count_branch_vectors(K: int, p: Vec) -> int:
    """The lemma of the module docstring."""
    n: int = pow(3, K) - pow(2, K + 1) + 1
    if all(v > 0 for v in p):
        n += pow(2, K) - 1
    if all(v < 0 for v in p):
        n += pow(2, K) - 1
    if all(v == 0 for v in p):
        n += 1
    return n


def realisable(sigma: tuple[str, ...], p: Vec) -> bool:
    s = set(sigma)
    if {"+", "-"} <= s:
        return True
    if s == {"0"}:
        return all(v == 0 for v in p)
    if "+" in s:
        return all(v > 0 for v in p)
    return all(v < 0 for v in p)


def default_branches(K: int, p: Vec) -> tuple[str, ...] | None:
    if K >= 2:
        half = (K + 1) // 2
        return ("+",) * half + ("-",) * (K - half)
    for s, ok in (("+", all(v > 0 for v in p)), ("-", all(v < 0 for v in p)), ("0", all(v == 0 for v in p))):
        if ok:
            return (s,)
    return None


def all_active_direction(inst: Instance) -> tuple[Vec | None, tuple[tuple[int, Fraction], ...]]:
    """v with v . x_i > 0 for all i, or Farkas multipliers (m_i > 0, sum m_i x_i = 0)."""
    if inst.bias:
        return tuple(Fraction(0) for _ in range(inst.d - 1)) + (Fraction(1),), ()
    from ..theory.minima import cell_feasibility

    f = cell_feasibility(inst, Pattern(tuple((1,) for _ in range(inst.N))))
    if f.feasible and f.witness is not None:
        return tuple(f.witness[0]), ()
    return None, tuple(f.multipliers)


def construct(inst: Instance, a: Vec, p: Vec, v: Vec, sigma: tuple[str, ...]) -> Weights:
    """The all-active point of branch vector sigma realising the affine fit (module docstring)."""
    mp, mm = sigma.count("+"), sigma.count("-")
    vx = [dot(v, x) for x in inst.xs]
    worst = max((-pi / q for pi, q in zip(p, vx, strict=True)), default=Fraction(0))
    c = Fraction(max(worst, Fraction(0)) // 1 + 1)
    z: list[Fraction] = []
    w: list[Vec] = []
    for s in sigma:
        if s == "0":
            z.append(Fraction(0))
            w.append(v)
            continue
        if mp and mm:
            R = (
                tuple((ai + c * vi) / mp for ai, vi in zip(a, v, strict=True))
                if s == "+"
                else tuple(-c * vi / mm for vi in v)
            )
        else:
            R = tuple(ai / (mp or mm) for ai in a)
        sg = 1 if s == "+" else -1
        z.append(Fraction(sg))
        w.append(tuple(sg * r for r in R))
    return Weights(tuple(z), tuple(w))


def certify_lower(inst: Instance, lower: Weights) -> tuple[Weights, bool, Genuineness | None]:
    """If ``lower`` is strictly inside a cell whose minimisers are genuine, return the
    genuine minimum (loss no larger, a local minimum); else ``lower`` unchanged. The third
    value is the genuineness of the point's cell when it was analysed, else None: "not
    shown to be a minimum" never reads an undecided cell as "no"."""
    from ..theory.minima import analyse_cell
    from .point import classify_point

    pat, on = pattern_of(inst, lower)
    if on:
        return lower, False, None
    if classify_point(inst, lower).verdict == "local-minimum":
        return lower, True, None
    a = analyse_cell(inst, pat, hint=lower)
    g = a.genuineness
    if not g.is_genuine or a.genuine is None:
        return lower, False, g
    return Weights(a.genuine.z, a.genuine.w), True, g


def analyse_spurious(
    inst: Instance,
    K: int,
    *,
    branches: tuple[str, ...] | None = None,
    search: Callable[[Instance, Weights, Fraction], Weights | None] | None = None,
    lower: Weights | None = None,
    certify_lower_minimum: bool = True,
) -> SpuriousAnalysis:
    """Construct the minimum and look for a lower point (``lower`` given, else ``search``)."""
    if K < 1:
        raise InputError("K must be at least 1", field="K")
    a, p, L = affine_fit(inst)
    e = tuple(pi - yi for pi, yi in zip(p, inst.y, strict=True))
    base = {"instance": inst, "K": K, "fit": a, "fitted": p, "loss": L}
    if all(v == 0 for v in e):
        return SpuriousAnalysis(verdict="not-applicable", reason="affine-fit-exact", **base)  # type: ignore[arg-type]
    if all(v == 0 for v in group_sums(inst, e).values()):
        return SpuriousAnalysis(verdict="not-applicable", reason="affine-fit-optimal", **base)  # type: ignore[arg-type]
    v, mult = all_active_direction(inst)
    if v is None:
        return SpuriousAnalysis(
            verdict="not-applicable",
            reason="no-all-active-cell",
            multipliers=mult,
            **base,  # type: ignore[arg-type]
        )
    sigma = branches if branches is not None else default_branches(K, p)
    if sigma is None:
        return SpuriousAnalysis(
            verdict="not-applicable",
            reason="one-neuron-sign-change",
            samples=_sign_change(p),
            **base,  # type: ignore[arg-type]
        )
    if len(sigma) != K:
        raise InputError(f"{len(sigma)} branches for K = {K}", field="branches")
    if not realisable(sigma, p):
        raise InputError(
            "this branch vector has no all-active minimum (without both + and -, the affine fit must have "
            "one strict sign on every sample)",
            field="branches",
        )
    m = construct(inst, a, p, v, sigma)
    count = count_branch_vectors(K, p)
    low = lower if lower is not None else (search(inst, m, L) if search is not None else None)
    if low is not None:
        _check_lower(inst, low, K)
    from .point import loss as point_loss

    if low is None or point_loss(inst, low) >= L:
        return SpuriousAnalysis(
            verdict="undecided",
            reason=None,
            minimum=m,
            branches=sigma,
            branch_vectors=count,
            **base,  # type: ignore[arg-type]
        )
    is_min = False
    cell_state: Genuineness | None = None
    if certify_lower_minimum:
        low, is_min, cell_state = certify_lower(inst, low)
    return SpuriousAnalysis(
        verdict="spurious",
        reason=None,
        minimum=m,
        branches=sigma,
        branch_vectors=count,
        lower=low,
        lower_loss=point_loss(inst, low),
        lower_minimum=is_min,
        lower_cell=cell_state,
        **base,  # type: ignore[arg-type]
    )


def _sign_change(p: Vec) -> tuple[int, int]:
    """Two samples on which the affine fit p has opposite strict signs, or one where it is 0 and
    one where it is not: why one neuron active on every sample cannot realise it."""
    i = next((i for i, x in enumerate(p) if x > 0), None)
    k = next((k for k, x in enumerate(p) if x < 0), None)
    if i is None or k is None:
        i = next(i for i, x in enumerate(p) if x == 0)
        k = next(k for k, x in enumerate(p) if x != 0)
    return i, k


def _check_lower(inst: Instance, low: Weights, K: int) -> None:
    """The lower point fits the instance and has K neurons."""
    low.check_against(inst)
    if low.K != K:
        raise InputError(f"the lower point has K = {low.K}, expected {K}")


# ------------------------------------------------------------ certificate


def spurious_claim(s: SpuriousAnalysis) -> dict[str, Any]:
    return {
        "verdict": s.verdict,
        "reason": s.reason,
        "neurons": s.K,
        "loss": fmt(s.loss),
        "branches": list(s.branches) if s.branches is not None else None,
        "branch_vectors": s.branch_vectors,
        "lower_loss": fmt(s.lower_loss) if s.lower_loss is not None else None,
        "lower_minimum": s.lower_minimum,
    }


def spurious_certificate(s: SpuriousAnalysis) -> dict[str, Any]:
    """Certificate of kind ``spurious`` (FORMAT 12, new in 1.2)."""
    from ..io.certify import envelope

    cert = envelope("spurious", s.instance.to_json(), spurious_claim(s))
    cert["version"] = "1.2"
    cert["fit"] = fmt_vec(s.fit)
    if s.minimum is not None:
        cert["minimum"] = s.minimum.to_json()
    if s.lower is not None:
        cert["lower"] = s.lower.to_json()
    if s.samples is not None:
        cert["samples"] = list(s.samples)
    if s.reason == "no-all-active-cell":
        cert["multipliers"] = [[i, fmt(m)] for i, m in s.multipliers]
    return cert

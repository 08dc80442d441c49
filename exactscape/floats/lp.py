"""The float side: the genuineness decision of theory.md §2 [15-18] in
IEEE double arithmetic, with SciPy's HiGHS LP, and float helpers (loss,
gradient descent). Nothing here is a verdict of exactscape: these are the
answers a float implementation (like Part 2's Matlab ``linprog``) would give,
computed so that :mod:`exactscape.experiments.compare` can set them beside
the exact answers and report where they disagree.

Float genuineness of a cell with pattern I (mirrors
:mod:`exactscape.theory.minima`, same branch tree):

1. fitted values p = A A^+ y from ``numpy.linalg.lstsq`` (SVD, default rcond);
2. a node sigma (branches fixed for some neurons) is the max-t LP
   "Strictness": maximise t subject to A_sigma v = p,
   s_ji x_i . R_j >= t (sigma_j in {+, -}), t <= 1, solved by
   ``scipy.optimize.linprog(method="highs")``; the node is judged non-empty
   iff HiGHS reports optimal with t* > ``tol`` (for a node without strict
   rows: iff the equalities are feasible);
3. depth-first over neurons in index order; a non-empty node whose LP point
   already puts every free neuron R_j in C_j, -C_j (margin > ``tol``) or
   at 0 (max |R_j| <= ``tol``) is a float "genuine" answer.

``tol`` is the float decision threshold; 0 is the naive reading
"t* > 0". HiGHS status 4 (numerical difficulties) or any other failure makes
the float verdict ``"error"`` (never silently "not genuine").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.model import Instance, Pattern, Weights

FArr = NDArray[np.float64]


def to_float(v: Any) -> float:
    """A rational rounded to the nearest double, as a float program reading it
    would store it; beyond the double range, the infinity of its sign (what
    IEEE overflow gives), never an OverflowError."""
    try:
        return float(v)
    except OverflowError:
        return float("inf") if v > 0 else float("-inf")


def instance_arrays(inst: Instance) -> tuple[FArr, FArr]:
    """The augmented samples (N x d) and labels as float64 (each rational
    rounded to nearest, as a float program reading the data would have it)."""
    X = np.array([[to_float(v) for v in x] for x in inst.xs], dtype=np.float64)
    y = np.array([to_float(v) for v in inst.y], dtype=np.float64)
    return X, y


def finite(inst: Instance) -> bool:
    """Whether every sample and label of ``inst`` is within the float64 range (a float LP can be set up)."""
    return all(bool(np.isfinite(a).all()) for a in instance_arrays(inst))


def weights_arrays(wts: Weights) -> tuple[FArr, FArr]:
    z = np.array([to_float(v) for v in wts.z], dtype=np.float64)
    w = np.array([[to_float(v) for v in r] for r in wts.w], dtype=np.float64)
    return z, w


def float_loss(X: FArr, y: FArr, z: FArr, w: FArr) -> float:
    """L = (1/N) sum_i (sum_j z_j [w_j . x_i]_+ - y_i)^2 [1] in float64
    (inf or nan when the data overflow the double range; no warning printed)."""
    with np.errstate(all="ignore"):
        f = np.maximum(X @ w.T, 0.0) @ z
        return float(np.mean((f - y) ** 2))


def float_gradient(X: FArr, y: FArr, z: FArr, w: FArr) -> tuple[FArr, FArr]:
    """Part 2 [23-24]: dL/dR_j = (2/N) sum_i e_i I_ij x_i; dL/dz_j = dL/dR_j . w_j,
    dL/dw_j = z_j dL/dR_j."""
    pre = X @ w.T
    act = (pre > 0).astype(np.float64)
    e = np.maximum(pre, 0.0) @ z - y
    gR = (2.0 / X.shape[0]) * ((act * e[:, None]).T @ X)  # K x d
    gz = np.einsum("jd,jd->j", gR, w)
    gw = z[:, None] * gR
    return gz, gw


@dataclass(frozen=True)
class FloatGenuineness:
    """A float answer: ``verdict`` is "genuine", "not-genuine" or "error"."""

    verdict: str
    branches: tuple[str, ...] | None
    nodes: int
    min_margin: float | None = None  # smallest strict-row value of the float witness, when genuine
    messages: tuple[str, ...] = field(default=())


def design_array(X: FArr, I: NDArray[Any]) -> FArr:
    """A [4] in float64: row i is (I_i1 x_i, ..., I_iK x_i)."""
    N, d = X.shape
    K = I.shape[1]
    return (I[:, :, None] * X[:, None, :]).reshape(N, K * d).astype(np.float64)


class FloatSearch:
    """The depth-first float branch search of :func:`float_genuineness` (module
    docstring, steps 2-3) on samples ``X``, pattern ``I``, fitted values ``p``;
    :meth:`dfs` from ``{}`` runs it, :attr:`nodes` counts its LPs."""

    def __init__(self, X: FArr, I: NDArray[Any], p: FArr, tol: float) -> None:
        self.X, self.I, self.p, self.tol = X, I, p, tol
        self.N, self.d = X.shape
        self.K = I.shape[1]
        self.S = 2 * I - 1  # cell signs s_ij
        self.nodes = 0
        self.messages: list[str] = []

    def lp(self, sigma: dict[int, str]) -> tuple[str, FArr | None, float]:
        """('empty' | 'nonempty' | 'error', R blocks K x d or None, t*)."""
        from scipy.optimize import linprog

        self.nodes += 1
        d = self.d
        blocks = [j for j in range(self.K) if sigma.get(j) != "0"]
        nb = len(blocks)
        n = nb * d
        Aeq = np.zeros((self.N, n + 1))
        for b, j in enumerate(blocks):
            Aeq[:, b * d : (b + 1) * d] = self.I[:, j : j + 1] * self.X
        rows = []
        for b, j in enumerate(blocks):
            if j in sigma:
                sg = 1.0 if sigma[j] == "+" else -1.0
                G = np.zeros((self.N, n + 1))
                G[:, b * d : (b + 1) * d] = -(sg * self.S[:, j : j + 1]) * self.X
                G[:, n] = 1.0  # -s x.R + t <= 0
                rows.append(G)
        strict = bool(rows)
        Aub = np.vstack(rows) if strict else None
        bub = np.zeros(Aub.shape[0]) if Aub is not None else None
        c = np.zeros(n + 1)
        bounds: list[tuple[float | None, float | None]] = [(None, None)] * n
        if strict:
            c[n] = -1.0
            bounds.append((None, 1.0))
        else:
            bounds.append((0.0, 0.0))
        try:
            res = linprog(c, A_ub=Aub, b_ub=bub, A_eq=Aeq, b_eq=self.p, bounds=bounds, method="highs")
        except (ValueError, np.linalg.LinAlgError) as exc:
            self.messages.append(f"linprog raised {exc}")
            return "error", None, 0.0
        if res.status == 2:
            return "empty", None, 0.0
        if res.status != 0:
            self.messages.append(f"HiGHS status {res.status}: {res.message}")
            return "error", None, 0.0
        t = float(res.x[n]) if strict else float("inf")
        if strict and not t > self.tol:
            return "empty", None, t
        R = np.zeros((self.K, d))
        for b, j in enumerate(blocks):
            R[j] = res.x[b * d : (b + 1) * d]
        return "nonempty", R, t

    def branch_of(self, j: int, Rj: FArr) -> str | None:
        if float(np.max(np.abs(Rj))) <= self.tol:
            return "0"
        m = self.S[:, j] * (self.X @ Rj)
        if float(m.min()) > self.tol:
            return "+"
        if float((-m).min()) > self.tol:
            return "-"
        return None

    def margin(self, full: dict[int, str], R: FArr) -> float:
        """Smallest strict-row value s_ji x_i . R_j over the +/- neurons of a float witness."""
        m = float("inf")
        for j, b in full.items():
            if b != "0":
                sg = 1.0 if b == "+" else -1.0
                m = min(m, float((sg * self.S[:, j] * (self.X @ R[j])).min()))
        return m

    def dfs(self, sigma: dict[int, str]) -> tuple[str, tuple[str, ...] | None, float | None]:
        state, R, t = self.lp(sigma)
        if state != "nonempty" or R is None:
            return state, None, None
        full = dict(sigma)
        ok = True
        for j in range(self.K):
            if j not in full:
                b = self.branch_of(j, R[j])
                if b is None:
                    ok = False
                    break
                full[j] = b
        if ok:
            return "genuine", tuple(full[j] for j in range(self.K)), self.margin(full, R)
        j = next(j for j in range(self.K) if j not in sigma)
        first = "+" if float((self.X @ R[j]).max()) > 0 else "-"
        errors = 0
        for b in (first, "-" if first == "+" else "+", "0"):
            state, br, tt = self.dfs({**sigma, j: b})
            if state == "genuine":
                return state, br, tt
            errors += state == "error"
        return ("error" if errors else "empty"), None, None


def float_genuineness(X: FArr, y: FArr, I: NDArray[Any], tol: float = 1e-9) -> FloatGenuineness:
    """Float decision of theory.md §2 [15-18] for the cell with 0/1 pattern ``I``
    (N x K) on augmented samples ``X`` (N x d); see the module docstring.

    Cell feasibility is not decided here (the callers take cells of sampled
    weights, which are non-empty).
    """
    A = design_array(X, I)
    sol, *_ = np.linalg.lstsq(A, y, rcond=None)
    p = A @ sol
    s = FloatSearch(X, np.asarray(I, dtype=np.float64), p, tol)
    state, br, t = s.dfs({})
    verdict = {"genuine": "genuine", "empty": "not-genuine"}.get(state, "error")
    return FloatGenuineness(verdict, br, s.nodes, t, tuple(s.messages))


def pattern_array(pat: Pattern) -> NDArray[np.float64]:
    return np.array(pat.I, dtype=np.float64)


@dataclass(frozen=True)
class DescentRun:
    """One plain gradient-descent run (Part 2 Section V-A)."""

    left_cell: bool  # some (w_j . x_i)(w'_j . x_i) <= 0 at some step
    steps: int
    grad_norm: float  # at the last iterate
    loss_start: float
    loss_end: float
    trapped: bool  # stayed in the cell and the gradient norm fell below the threshold
    z: FArr
    w: FArr


def gradient_descent(X: FArr, y: FArr, z0: FArr, w0: FArr, *, lr: float, max_steps: int, grad_tol: float) -> DescentRun:
    """Plain gradient descent on (z, w) with the gradients Part 2 [23-24].

    Stops at the first step whose update moves some w_j across or onto a
    sample hyperplane ((w_j . x_i)(w'_j . x_i) <= 0: "left the cell"), when
    the gradient norm (over all of z and w) falls below ``grad_tol``
    ("trapped": Part 2 concludes a genuine minimum), or after ``max_steps``
    (neither; reported as not trapped). A run whose numbers overflow (a step
    ``lr`` far too large) stops at that step as neither, without warnings.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z, w = z0.copy(), w0.copy()
        pre = X @ w.T
        L0 = float_loss(X, y, z, w)
        gn = float("inf")
        for step in range(max_steps):
            gz, gw = float_gradient(X, y, z, w)
            gn = float(np.sqrt(np.sum(gz**2) + np.sum(gw**2)))
            if not np.isfinite(gn):
                return DescentRun(False, step, gn, L0, float_loss(X, y, z, w), False, z, w)
            if gn < grad_tol:
                return DescentRun(False, step, gn, L0, float_loss(X, y, z, w), True, z, w)
            z2, w2 = z - lr * gz, w - lr * gw
            if not (np.all(np.isfinite(z2)) and np.all(np.isfinite(w2))):
                return DescentRun(False, step + 1, gn, L0, float("inf"), False, z, w)
            pre2 = X @ w2.T
            if bool(np.any(pre * pre2 <= 0)):
                return DescentRun(True, step + 1, gn, L0, float_loss(X, y, z2, w2), False, z2, w2)
            z, w, pre = z2, w2, pre2
        return DescentRun(False, max_steps, gn, L0, float_loss(X, y, z, w), False, z, w)


def train(
    X: FArr, y: FArr, z0: FArr, w0: FArr, *, lr: float, max_steps: int, grad_tol: float
) -> tuple[FArr, FArr, int, float]:
    """Plain full-batch gradient descent on (z, w), crossing cells freely (an
    ordinary training run); stops when the gradient norm is below ``grad_tol``.
    Returns (z, w, steps, final gradient norm)."""
    z, w = z0.copy(), w0.copy()
    gn = float("inf")
    for step in range(max_steps):
        gz, gw = float_gradient(X, y, z, w)
        gn = float(np.sqrt(np.sum(gz**2) + np.sum(gw**2)))
        if gn < grad_tol:
            return z, w, step, gn
        z, w = z - lr * gz, w - lr * gw
    return z, w, max_steps, gn

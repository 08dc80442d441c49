"""Part 2, Section III: the probability of a genuine minimum for 1-D Gaussian data.

Model (floats: a probability model, not a verdict). Two classes with equal
priors, x ~ N(+1, 1) with label +1 and x ~ N(-1, 1) with label -1. Each
neuron k sits at location h_k on the line with a fixed normal n_k = +-1 and
output weight z_k = n_k, so it contributes z_k relu(n_k (x - h_k)) = x - h_k
where it is active (n_k (x - h_k) > 0). The locations cut the line into
regions Omega_j on which the activations I_{Omega_j k} are constant.

* Optimal locations [11-12], population form [15-16]: F h* = f with
  F(l, k) = sum_j I_jl I_jk (P_j+ + P_j-),
  f(l) = sum_k sum_j I_jl I_jk (P_j+ xbar_j+ + P_j- xbar_j-) - sum_j I_jl (P_j+ - P_j-),
  P_j+- the class probabilities of Omega_j = (a, b) and xbar_j+- the truncated
  Gaussian means mu + (phi(a - mu) - phi(b - mu)) / P [21-22].
  (F(l, l) uses I_jl^2 = I_jl; for the two-neuron case of Fig. 1 this is [13-14].)
* Gap probability [20]: P(x in g_k) = 1/2 |Phi(h*_k - 1) - Phi(h_k - 1)|
  + 1/2 |Phi(h*_k + 1) - Phi(h_k + 1)|; P_g = max_k P(x in g_k) [18];
  P_t = (1 - P_g)^N [17], the probability that no sample lies in a gap (then
  h* is in the cell of h: a genuine minimum with these branches).
* Fig. 2(a)-(c): the empirical loss (1/N) sum (f(x_i) - y_i)^2 of three
  samplings as x_w1 moves with x_w2 = 0 (neuron 1 normal +1, neuron 2
  normal -1: Fig. 1's three regions); Fig. 2(d): P_t against x_w1.

``run(..., exact_check=True)`` takes the first sampling, rounds it to
rationals, and decides the cell of the x_w1 with the largest P_t exactly
(Theorem 1, every branch): the genuineness verdict cited comes from the exact
core, beside the empirical "no sample in a gap" criterion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InputError, clip
from ..io.claims import mark_json, not_certified

MU = (1.0, -1.0)  # class means of labels +1, -1


def Phi(x: float) -> float:
    """The standard normal CDF."""
    if x == math.inf:
        return 1.0
    if x == -math.inf:
        return 0.0
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def phi(x: float) -> float:
    """The standard normal density (0 at +-infinity)."""
    if math.isinf(x):
        return 0.0
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def region_stats(a: float, b: float, mu: float) -> tuple[float, float]:
    """(P, xbar): probability of (a, b) under N(mu, 1) and the truncated mean [21-22]."""
    P = Phi(b - mu) - Phi(a - mu)
    if P <= 0.0:
        return 0.0, 0.5 * (a + b) if math.isfinite(a + b) else (a if math.isfinite(a) else b)
    return P, mu + (phi(a - mu) - phi(b - mu)) / P


def active(h: float, n: int, x: float) -> bool:
    return n * (x - h) > 0


def optimal_locations(h: list[float], normals: list[int]) -> list[float]:
    """h* solving F h* = f [15-16] (least squares if F is singular), vectorised over regions:
    with the region x neuron activation matrix I, masses m_j = P_j+ + P_j-, moments
    M_j = P_j+ xbar_j+ + P_j- xbar_j- and differences D_j = P_j+ - P_j-:
    F = I^T diag(m) I and f = I^T (M * (I 1) - D)."""
    cuts = sorted(set(h))
    edges = [-math.inf, *cuts, math.inf]
    hs = np.array(h, dtype=float)
    ns = np.array(normals, dtype=float)
    rows, mass, moment, diff = [], [], [], []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        mid = (a + b) / 2 if math.isfinite(a) and math.isfinite(b) else (b - 1.0 if math.isfinite(b) else a + 1.0)
        rows.append((ns * (mid - hs) > 0).astype(float))
        (Pp, xp), (Pm, xm) = region_stats(a, b, MU[0]), region_stats(a, b, MU[1])
        mass.append(Pp + Pm)
        moment.append(Pp * xp + Pm * xm)
        diff.append(Pp - Pm)
    I = np.array(rows)
    F = I.T @ (np.array(mass)[:, None] * I)
    f = I.T @ (np.array(moment) * I.sum(axis=1) - np.array(diff))
    sol, *_ = np.linalg.lstsq(F, f, rcond=None)
    return [float(v) for v in sol]


def p_t(h: list[float], normals: list[int], N: int) -> float:
    """[17-18]: (1 - max_k P(x in g_k))^N at locations h."""
    hs = optimal_locations(h, normals)
    return (1.0 - max(gap_probability(a, b) for a, b in zip(h, hs, strict=True))) ** N


def figure3(N: int, steps: int = 61) -> dict[str, Any]:
    """Fig. 3 of Section III-C: (a) K = 4 at (-0.05, 0, 0.05, 0.1), normals (-, -, +, +), only the
    rightmost weight moves; (b) all four shift together; (c) K = 60 and (d) K = 200 evenly in
    [-3, 3] (first half normal -1), all shifted together. P_t by [17-18]."""
    shifts = [float(v) for v in np.linspace(-6.0, 6.0, steps)]
    base4 = [-0.05, 0.0, 0.05, 0.1]
    n4 = [-1, -1, 1, 1]
    out: dict[str, Any] = {"shift": shifts}
    out["a"] = [p_t([*base4[:3], base4[3] + s], n4, N) for s in shifts]
    out["b"] = [p_t([v + s for v in base4], n4, N) for s in shifts]
    for key, K in (("c", 60), ("d", 200)):
        base = [float(v) for v in np.linspace(-3.0, 3.0, K)]
        nk = [-1] * (K // 2) + [1] * (K - K // 2)
        out[key] = [p_t([v + s for v in base], nk, N) for s in shifts]
    return out


def figure2e(N: int, steps: int = 41) -> dict[str, Any]:
    """Fig. 2(e): P_t over (x_w1, x_w2) in [0, 6] x [-6, 0], both neurons moving: the product of
    (1 - P(g_1))^N and (1 - P(g_2))^N (the paper's "tensor product")."""
    x1 = [float(v) for v in np.linspace(0.0, 6.0, steps)]
    x2 = [float(v) for v in np.linspace(-6.0, 0.0, steps)]
    grid = []
    for b in x2:
        row = []
        for a in x1:
            hs = optimal_locations([a, b], [1, -1])
            row.append((1.0 - gap_probability(a, hs[0])) ** N * (1.0 - gap_probability(b, hs[1])) ** N)
        grid.append(row)
    return {"x_w1": x1, "x_w2": x2, "P_t": grid}


def gap_probability(h: float, hstar: float) -> float:
    """[20]."""
    return 0.5 * abs(Phi(hstar - MU[0]) - Phi(h - MU[0])) + 0.5 * abs(Phi(hstar - MU[1]) - Phi(h - MU[1]))


@dataclass(frozen=True)
class SweepPoint:
    x_w1: float
    hstar: tuple[float, ...]
    gaps: tuple[float, ...]
    P_g: float
    P_t: float
    P_t1: float  # (1 - P(x in g_1))^N: the moving neuron's gap only (what Fig. 2(d) shows)


@dataclass
class Gaussian1D:
    """The results of :func:`run`."""

    N: int
    points: list[SweepPoint]
    losses: list[list[float]]  # three samplings, one loss per sweep point
    samples: list[tuple[list[float], list[float]]]
    exact: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        best = max(self.points, key=lambda p: p.P_t)
        best1 = max(self.points, key=lambda p: p.P_t1)
        doc = {
            "verdict": "computed",
            "N": self.N,
            "model": "x ~ N(+1,1) label +1, N(-1,1) label -1, equal priors; x_w2 = 0, normals (+1, -1)",
            "sweep": [
                {
                    "x_w1": p.x_w1,
                    "h_star": list(p.hstar),
                    "gaps": list(p.gaps),
                    "P_g": p.P_g,
                    "P_t": p.P_t,
                    "P_t_moving": p.P_t1,
                }
                for p in self.points
            ],
            "empirical_loss": self.losses,
            "empirical_argmin": [self.points[int(np.argmin(ls))].x_w1 for ls in self.losses],
            "largest_P_t": {"x_w1": best.x_w1, "P_t": best.P_t},
            "largest_P_t_moving": {"x_w1": best1.x_w1, "P_t_moving": best1.P_t1},
            "note": "with [18]'s max over both gaps, w2's fixed gap at x_w2 = 0 (probability "
            f"{self.points[0].gaps[1]:.4f}) caps P_t at {(1 - self.points[0].gaps[1]) ** self.N:.2e} everywhere; "
            "the shape Fig. 2(d) describes is that of the moving neuron's gap alone, P_t_moving = (1 - P(g1))^N",
            "exact_check": self.exact,
            **self.extra,
        }
        # the single branch vector of the paper's fixed z has no certificate kind
        return mark_json(doc, ["exact_check.genuine_fixed_z"])

    def lines(self) -> list[str]:
        doc = self.to_json()
        out = ["verdict: computed", f"model: {doc['model']}, N = {self.N}"]
        out.append(
            f"{'x_w1':>7}  {'h1*':>8}  {'h2*':>8}  {'P(g1)':>8}  {'P(g2)':>8}  {'P_g':>8}  {'P_t':>10}  "
            f"{'P_t(g1 only)':>12}"
        )
        step = max(1, len(self.points) // 12)
        for p in self.points[::step]:
            out.append(
                f"{p.x_w1:7.3f}  {p.hstar[0]:8.4f}  {p.hstar[1]:8.4f}  {p.gaps[0]:8.4f}  {p.gaps[1]:8.4f}  "
                f"{p.P_g:8.4f}  {p.P_t:10.3e}  {p.P_t1:12.3e}"
            )
        out.append(
            "empirical global minimum of the three sampled losses at x_w1 = "
            + ", ".join(f"{v:.3f}" for v in doc["empirical_argmin"])
        )
        out.append(f"largest P_t = {doc['largest_P_t']['P_t']:.3e} at x_w1 = {doc['largest_P_t']['x_w1']:.3f}")
        out.append("note: " + doc["note"])
        if "fig3" in self.extra:
            f3 = self.extra["fig3"]
            for key, what in (
                ("a", "K = 4, rightmost moving"),
                ("b", "K = 4, all shifted"),
                ("c", "K = 60, all shifted"),
                ("d", "K = 200, all shifted"),
            ):
                vals = f3[key]
                i = int(np.argmax(vals))
                out.append(
                    f"Fig. 3({key}) {what}: P_t from {min(vals):.2e} to {max(vals):.2e} (max at shift "
                    f"{f3['shift'][i]:+.2f}); above 1/2 for {sum(v > 0.5 for v in vals)} of {len(vals)} shifts"
                )
        if self.exact is not None:
            e = self.exact
            head = f"exact check (sampling 1, x_w1 = {e['x_w1']}, samples rounded to 1/{e['denominator']}): "
            if "error" in e:
                out.append(head + f"not decided ({e['error']})")
            else:
                out.append(
                    head
                    + f"cell {_state_text(e)}"
                    + (f" (branches {' '.join(e['branches'])})" if e["genuine"] is True else "")
                    + "; "
                    + not_certified(
                        f"with the paper's fixed z = (+1, -1): {'genuine' if e['genuine_fixed_z'] else 'not genuine'}"
                    )
                    + f"; loss {e['loss']}; no sample in the gaps (paper's criterion): {e['gaps_empty']}"
                )
        return out


def _state_text(e: dict[str, Any]) -> str:
    """The exact check's genuineness in words: genuine, not genuine, or undecided (reason)."""
    state = e.get("genuineness", {True: "genuine", False: "not-genuine", None: "undecided"}[e["genuine"]])
    if state == "undecided":
        from ..theory.minima import REASON_TEXT

        reason = e.get("undecided_reason", "")
        return f"undecided ({REASON_TEXT.get(reason, reason or 'no reason recorded')})"
    return "genuine" if state == "genuine" else "not genuine"


SWEEP_BOUND = 1e6
"""Largest |x_w1| of the sweep: the classes sit at +-1 with unit variance, and beyond
about 1e154 the region moments overflow (a least-squares solve then fails)."""


def parse_sweep(text: str) -> tuple[float, float, int]:
    """``A:B:STEPS`` of ``--sweep``: finite A < B within +-SWEEP_BOUND, 2 <= STEPS <= 100000."""
    parts = text.split(":")
    try:
        if len(text) > 100:
            raise ValueError
        a, b, n = float(parts[0]), float(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        raise InputError(f"expected A:B:STEPS, got {clip(text)}", "--sweep") from None
    if len(parts) != 3 or n < 2 or not (-SWEEP_BOUND <= a < b <= SWEEP_BOUND) or n > 100_000:
        raise InputError(
            f"expected A:B:STEPS with -{SWEEP_BOUND:g} <= A < B <= {SWEEP_BOUND:g} and 2 <= STEPS <= 100000, "
            f"got {clip(text)}",
            "--sweep",
        )
    return a, b, n


def sample(N: int, rng: np.random.Generator) -> tuple[list[float], list[float]]:
    """N/2 samples of each class (equal priors), the odd one positive."""
    npos = (N + 1) // 2
    x = list(rng.normal(MU[0], 1.0, npos)) + list(rng.normal(MU[1], 1.0, N - npos))
    y = [1.0] * npos + [-1.0] * (N - npos)
    return [float(v) for v in x], y


def empirical_loss(x: list[float], y: list[float], h: list[float], normals: list[int]) -> float:
    tot = 0.0
    for xi, yi in zip(x, y, strict=True):
        f = sum(xi - hk for hk, nk in zip(h, normals, strict=True) if active(hk, nk, xi))
        tot += (f - yi) ** 2
    return tot / len(x)


def run(
    N: int, sweep: tuple[float, float, int], seed: int, exact_check: bool = False, more: bool = False
) -> Gaussian1D:
    """Fig. 2(a)-(d) of Section III-C (module docstring)."""
    a, b, n = sweep
    normals = [1, -1]
    xs = [float(v) for v in np.linspace(a, b, n)]
    points = []
    for x1 in xs:
        h = [x1, 0.0]
        hs = optimal_locations(h, normals)
        gaps = tuple(gap_probability(hk, sk) for hk, sk in zip(h, hs, strict=True))
        Pg = max(gaps)
        points.append(SweepPoint(x1, tuple(hs), gaps, Pg, (1.0 - Pg) ** N, (1.0 - gaps[0]) ** N))
    rng = np.random.default_rng(seed)
    samples = [sample(N, rng) for _ in range(3)]
    losses = [[empirical_loss(sx, sy, [x1, 0.0], normals) for x1 in xs] for sx, sy in samples]
    res = Gaussian1D(N, points, losses, samples)
    if more:
        res.extra = {"fig2e": figure2e(N), "fig3": figure3(N)}
    if exact_check:
        res.exact = _exact_check(res, normals)
    return res


def _exact_check(res: Gaussian1D, normals: list[int]) -> dict[str, Any]:
    """Decide, exactly, the cell of sampling 1 at its empirical loss minimiser x_w1
    (samples rounded to 1/64): every branch (Theorem 1), and the paper's fixed z = (+1, -1)."""
    from .. import api
    from ..core.model import Instance, Weights
    from ..theory.branches import BranchProblem, search

    den = 64
    t = int(np.argmin(res.losses[0]))
    point = res.points[t]
    x, y = res.samples[0]
    X = tuple((Fraction(round(v * den), den),) for v in x)
    inst = Instance(X=X, y=tuple(Fraction(int(v)) for v in y), bias=True)
    # locations at odd multiples of 1/128, so that no rounded sample lies on one
    h1 = Fraction(2 * round(point.x_w1 * den) + 1, 2 * den)
    h2 = Fraction(1, 2 * den)
    # neuron k: w_k = (n_k, -n_k h_k), z_k = n_k (locations h = (x_w1, 0), nudged)
    wts = Weights((Fraction(1), Fraction(-1)), ((Fraction(1), -h1), (Fraction(-1), h2)))
    out: dict[str, Any] = {"x_w1": str(h1), "denominator": den}
    try:
        r = api.cell(inst, weights=wts, verify=True, engine="plain")  # the fixed-z search below needs its lsq
    except Exception as exc:  # noqa: BLE001 - e.g. a sample exactly at a location: reported, not guessed
        out["error"] = str(exc)
        return out
    s = r.summary
    a = r.analysis
    fixed = search(BranchProblem(inst, a.pattern, tuple(a.lsq.fitted), (("+",), ("-",)), a.feasibility.witness))
    gaps = [(min(hk, sk), max(hk, sk)) for hk, sk in zip([float(h1), float(h2)], point.hstar, strict=True)]
    empty = all(not (lo < float(v[0]) < hi) for v in X for lo, hi in gaps)
    out.update(
        {
            "genuine": s["genuine"],
            **a.genuineness.to_json(),
            "branches": s["branches"],
            "genuine_fixed_z": fixed.genuine is not None,
            "loss": s["loss"],
            "gaps_empty": empty,
        }
    )
    return out


def draw(res: Gaussian1D, fmt: str) -> bytes:
    """Fig. 1 (regions and gaps at the x_w1 of largest P_t) and Fig. 2(a)-(d)."""
    from ..floats.plots import pyplot, save

    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    xs = [p.x_w1 for p in res.points]
    best = res.points[int(np.argmin(res.losses[0]))]  # Fig. 1 at the empirical minimiser of sampling 1
    ax = axes[0][0]
    grid = np.linspace(-4, 7, 400)
    for mu, c, lab in ((MU[0], "tab:red", "class +1"), (MU[1], "tab:blue", "class -1")):
        ax.plot(grid, [phi(g - mu) for g in grid], color=c, label=lab)
    for hk, sk, name, col in ((best.x_w1, best.hstar[0], "w1", "black"), (0.0, best.hstar[1], "w2", "grey")):
        ax.axvline(hk, color=col, lw=1.2)
        ax.axvline(sk, color=col, lw=1.0, ls="--")
        ax.axvspan(min(hk, sk), max(hk, sk), color=col, alpha=0.15)
        ax.annotate(name, (hk, 0.42), fontsize=8)
    ax.set_title(f"Fig. 1: regions and gaps at x_w1 = {best.x_w1:.2f} (solid: h, dashed: h*)", fontsize=9)
    ax.legend(fontsize=7)
    for t in range(3):
        ax = axes[0][1] if t == 0 else axes[0][2] if t == 1 else axes[1][0]
        ax.plot(xs, res.losses[t], color="tab:green")
        ax.set_title(f"Fig. 2({'abc'[t]}): empirical loss, sampling {t + 1}, x_w2 = 0", fontsize=9)
        ax.set_xlabel("x_w1")
    ax = axes[1][1]
    ax.plot(xs, [p.P_t1 for p in res.points], color="tab:purple", label="(1 - P(g1))^N")
    ax.plot(xs, [p.P_t for p in res.points], color="tab:orange", ls="--", label="(1 - max P(g_k))^N [17-18]")
    ax.set_title(f"Fig. 2(d): probability of a genuine minimum, N = {res.N}", fontsize=9)
    ax.legend(fontsize=7)
    ax.set_xlabel("x_w1")
    ax = axes[1][2]
    ax.plot(xs, [p.gaps[0] for p in res.points], label="P(x in g1)")
    ax.plot(xs, [p.gaps[1] for p in res.points], label="P(x in g2)")
    ax.set_title("gap probabilities [20]", fontsize=9)
    ax.set_xlabel("x_w1")
    ax.legend(fontsize=7)
    fig.tight_layout()
    if "fig3" in res.extra:
        fig2, ax2 = plt.subplots(1, 5, figsize=(20, 3.8))
        e = res.extra["fig2e"]
        im = ax2[0].pcolormesh(e["x_w1"], e["x_w2"], e["P_t"], shading="auto", cmap="viridis")
        fig2.colorbar(im, ax=ax2[0])
        ax2[0].set_title("Fig. 2(e): P_t, both weights moving", fontsize=9)
        ax2[0].set_xlabel("x_w1")
        ax2[0].set_ylabel("x_w2")
        f3 = res.extra["fig3"]
        for t, (key, what) in enumerate(
            (
                ("a", "K=4, rightmost moves"),
                ("b", "K=4, all shift"),
                ("c", "K=60, all shift"),
                ("d", "K=200, all shift"),
            )
        ):
            ax2[t + 1].plot(f3["shift"], f3[key])
            ax2[t + 1].set_title(f"Fig. 3({key}): {what}", fontsize=9)
            ax2[t + 1].set_xlabel("shift")
        fig2.tight_layout()
        return _stack(save(fig, "png"), save(fig2, "png"), fmt)
    return save(fig, fmt)


def _stack(top: bytes, bottom: bytes, fmt: str) -> bytes:
    """Two rendered figures one above the other, as one image."""
    import io

    from ..floats.plots import pyplot, save

    plt = pyplot()
    imgs = [plt.imread(io.BytesIO(b), format="png") for b in (top, bottom)]
    h = [i.shape[0] for i in imgs]
    w = max(i.shape[1] for i in imgs)
    fig = plt.figure(figsize=(w / 100, sum(h) / 100), dpi=100)
    y = 0.0
    for img, hh in zip(imgs, h, strict=True):
        ax = fig.add_axes((0.0, 1 - (y + hh) / sum(h), img.shape[1] / w, hh / sum(h)))
        ax.imshow(img)
        ax.axis("off")
        y += hh
    return save(fig, fmt)

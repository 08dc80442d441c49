"""Pictures (float side: matplotlib draws exact results in floats).

Atlas pictures (:func:`draw_atlas`):

* d = 2 and K = 1: the weight plane with the sample hyperplanes (lines
  through 0), the cells numbered at their witnesses, the loss L(z = 1, w) as
  a heat map (the fixed-output-weight picture of Part 1, Fig. 2), each
  cell's minimum-norm minimiser R* (dot) and, where genuine, the weight
  w = sign(z) R* with z = +-1 (star) and its branch.
* otherwise: the neuron arrangement (when d = 2) beside a chart of every
  network cell's exact minimum loss L*, genuine cells coloured, the bounds of
  the global minimum as lines, spurious minima and boundary minima marked.

The loss along a path (:func:`path_plot`): L(t) on [0, 1] from its exact
pieces, with the breakpoints and the certified extreme points.

Every figure carries the marker of its kind in its metadata
(:data:`exactscape.io.outputs.PLOT_MARKERS`), so that a later run may overwrite
it and nothing else.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

from ..errors import InputError
from ..io.outputs import PLOT_MARKERS

ATLAS_MARK = PLOT_MARKERS["atlas"]
PATH_MARK = PLOT_MARKERS["path"]


def require_matplotlib() -> None:
    """A one-line input error (exit 2) when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError("matplotlib is not installed (pip install 'exactscape[plot]')", "--plot") from None


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, with the marker in its metadata."""
    buf = io.BytesIO()
    meta = {"Software": ATLAS_MARK} if fmt == "png" else {"Creator": ATLAS_MARK}
    fig.savefig(buf, format=fmt, metadata=meta, dpi=110)
    pyplot().close(fig)
    return buf.getvalue()


def _lines(ax: Any, at: Any, r: float) -> None:
    for i, x in enumerate(at.instance.xs):
        a, b = float(x[0]), float(x[1])
        if a == 0 and b == 0:
            continue
        n = (a * a + b * b) ** 0.5
        dx, dy = -b / n * r * 1.5, a / n * r * 1.5
        ax.plot([-dx, dx], [-dy, dy], color="black", lw=0.8)
        ax.annotate(f"x{i}", (dx * 0.62, dy * 0.62), fontsize=7, color="black")
    for c, cell in enumerate(at.census.cells):
        w = [float(v) for v in cell.witness]
        n = (w[0] ** 2 + w[1] ** 2) ** 0.5 or 1.0
        ax.annotate(f"C{c}", (w[0] / n * r * 0.85, w[1] / n * r * 0.85), fontsize=8, color="navy", ha="center")
    ax.set_xlim(-r, r)
    ax.set_ylim(-r, r)
    ax.set_aspect("equal")
    ax.set_xlabel("w[0]")
    ax.set_ylabel("w[1]")


def _radius(at: Any) -> float:
    r = 2.0
    for rec in at.cells:
        for b in rec.analysis.minimiser_blocks():
            r = max(r, 1.2 * max(abs(float(v)) for v in b))
    return r


def _plane(at: Any) -> Any:
    """K = 1, d = 2: the heat map picture."""
    plt = pyplot()
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    r = _radius(at)
    g = np.linspace(-r, r, 241)
    W0, W1 = np.meshgrid(g, g)
    loss = np.zeros_like(W0)
    for x, y in zip(at.instance.xs, at.instance.y, strict=True):
        act = np.maximum(W0 * float(x[0]) + W1 * float(x[1]), 0.0)
        loss += (act - float(y)) ** 2
    loss /= at.instance.N
    im = ax.pcolormesh(W0, W1, loss, shading="auto", cmap="viridis")
    fig.colorbar(im, ax=ax, label="loss L(z = 1, w)")
    _lines(ax, at, r)
    for rec in at.cells:
        a = rec.analysis
        R = [float(v) for v in a.minimiser_blocks()[0]]
        ax.plot(R[0], R[1], "o", color="white", ms=4, mec="black")
        if a.genuine is not None:
            z = float(a.genuine.z[0])
            w = [float(v) for v in a.genuine.w[0]]
            if z != 0:
                w = [v * abs(z) for v in w]  # the same R with z = +-1
            ax.plot(w[0], w[1], "*", color="gold" if a.genuine.branches[0] == "+" else "orange", ms=14, mec="black")
            ax.annotate(
                f"C{rec.index}: {a.genuine.branches[0]}, L={a.loss}",
                (w[0], w[1]),
                textcoords="offset points",
                xytext=(6, 6),
                fontsize=8,
                color="white",
            )
    ax.set_title("atlas: cells, minimisers R* (dots), genuine minima (stars: z=+1 gold, z=-1 orange)", fontsize=8)
    return fig


def _chart(ax: Any, at: Any) -> None:
    losses = [float(rec.analysis.loss) for rec in at.cells]
    idx = list(range(len(losses)))
    shade = {"genuine": "tab:green", "not-genuine": "lightgrey", "undecided": "khaki"}
    colours = [shade[rec.analysis.genuineness.state] for rec in at.cells]
    if len(idx) <= 400:
        ax.bar(idx, losses, color=colours, edgecolor="none")
    else:
        ax.scatter(idx, losses, c=colours, s=4)
    spurious_cells = {m.cell for m in at.spurious if m.where == "cell"}
    for c in spurious_cells:
        ax.plot(c, float(at.cells[c].analysis.loss), "v", color="red", ms=6)
    bx = [m.cell for m in at.minima if m.where == "boundary"]
    by = [float(m.loss) for m in at.minima if m.where == "boundary"]
    if bx:
        ax.scatter(bx, by, marker="x", color="purple", s=18, label="boundary minimum")
    if at.lower is not None:
        ax.axhline(float(at.lower), color="blue", lw=0.8, ls="--", label=f"lower bound {at.lower}")
    ax.axhline(float(at.upper), color="black", lw=0.8, label=f"least attained {at.upper}")
    ax.set_xlabel("network cell")
    ax.set_ylabel("exact minimum loss L* of the cell")
    status = f"global minimum {at.upper} (certified)" if at.certified else f"global minimum in [{at.lower}, {at.upper}]"
    ax.set_title(f"cells: green genuine, grey not; red = spurious; {status}", fontsize=8)
    ax.legend(fontsize=7, loc="upper right")


def draw_atlas(at: Any, fmt: str) -> bytes:
    """The atlas picture (module docstring) as PNG/SVG bytes."""
    plt = pyplot()
    if not at.cells:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(0.5, 0.5, "no open cell: the landscape is all boundary (not covered)", ha="center")
        ax.axis("off")
        return save(fig, fmt)
    if at.instance.d == 2 and at.K == 1:
        return save(_plane(at), fmt)
    if at.instance.d == 2:
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1, 1.6]})
        _lines(left, at, 2.0)
        left.set_title("one neuron's cells (every neuron has the same arrangement)", fontsize=8)
        _chart(right, at)
    else:
        fig, ax = plt.subplots(figsize=(10, 5))
        _chart(ax, at)
    fig.tight_layout()
    return save(fig, fmt)


def path_plot(analysis: Any, fmt: str = "png") -> bytes:
    """L(t) on [0, 1] from the exact pieces, sampled for drawing; breakpoints as
    dashed lines; the certified minimum and maximum points marked."""
    from ..landscape.path import evaluate

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for p in analysis.pieces:
        n = 60
        ts = [p.lo + (p.hi - p.lo) * Fraction(k, n) for k in range(n + 1)]
        ax.plot([float(t) for t in ts], [float(evaluate(p.poly, t)) for t in ts], color="C0")
    for b in analysis.breakpoints:
        ax.axvline(float(b), color="0.6", linestyle="--", linewidth=0.8)
    for ext, colour, label in ((analysis.minimum, "C2", "min"), (analysis.maximum, "C3", "max")):
        ax.plot([float(ext.t)], [float(ext.value)], "o", color=colour, label=label)
    ax.set_xlabel("t  (W(t) = (1 - t) W0 + t W1)")
    ax.set_ylabel("loss L(t)")
    ax.set_title(f"exact loss along the path: {analysis.monotone if analysis.monotone != 'no' else 'not monotone'}")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    kind = fmt if fmt in ("png", "pdf", "svg") else "png"
    meta = {"Software": PATH_MARK} if kind == "png" else {"Creator": PATH_MARK}
    fig.savefig(buf, format=kind, metadata=meta)
    plt.close(fig)
    return buf.getvalue()

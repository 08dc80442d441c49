"""Plots (floats only for drawing): the loss along a path with its breakpoints."""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

MARK = "exactscape path plot"
"""Written into every plot's metadata; only files carrying it are ever overwritten."""


def path_plot(analysis: Any, fmt: str = "png") -> bytes:
    """L(t) on [0, 1] from the exact pieces, sampled for drawing; breakpoints as
    dashed lines; the certified minimum and maximum points marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .pathloss import evaluate

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
    meta = {"Software": MARK} if kind == "png" else {"Creator": MARK}
    fig.savefig(buf, format=kind, metadata=meta)
    plt.close(fig)
    return buf.getvalue()

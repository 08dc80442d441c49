"""The ``path`` command (the exact loss along a segment), registered by :mod:`exactscape.cli`.
Thin: parses, calls :func:`exactscape.api.path`, prints (and plots through :mod:`exactscape.floats.plots`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import OutputError
from ..io import outputs
from ..io.claims import not_certified
from .options import int_range
from .runner import INSTANCE_HELP, add_common, cert_path, emit


def check_output_target(path: Path, protected: tuple[Path, ...]) -> None:
    """Refuse an input, a folder or special file, or an existing file that is not a plot
    written by exactscape (exactscape.io.outputs)."""
    outputs.check_target(path, protected, outputs.PATH_PLOT)


def add_parsers(sub: Any, epilog: str) -> None:
    """Add ``path`` to the main parser's sub-parsers."""
    pa = sub.add_parser(
        "path",
        help="the exact loss along the segment from W0 to W1: pieces, monotonicity, min and max",
        description="Along W(t) = (1 - t) W0 + t W1 (z and w both move), list the rational breakpoints where an "
        "activation changes, the exact loss polynomial (degree <= 4) of every piece, and decide exactly whether the "
        "loss is monotone on [0, 1]; bound its minimum and maximum exactly (equal bounds when attained at a rational "
        "t), with a certificate.",
        epilog=epilog,
    )
    pa.add_argument("instance", help=INSTANCE_HELP)
    pa.add_argument("--from", dest="start", metavar="W0", required=True, help="weights at t = 0")
    pa.add_argument("--to", dest="end", metavar="W1", required=True, help="weights at t = 1")
    pa.add_argument(
        "--max-work",
        metavar="W",
        type=int_range(1, 10**15),
        default=None,
        help="refuse, before the long loops, a path whose estimated work exceeds W units (about 0.1 ms each; "
        "default 600000, about a minute): it grows with the number of pieces and the square of the numbers' "
        "digits",
    )
    pa.add_argument("--plot", metavar="FILE", help="plot L(t) with the breakpoints marked (matplotlib; .png/.pdf/.svg)")
    add_common(pa)


def _cmd_path(args: argparse.Namespace) -> int:
    from .. import api
    from ..io.instances import load_instance, load_weights

    inst = load_instance(args.instance)
    w0, w1 = load_weights(args.start), load_weights(args.end)
    plot_path = Path(args.plot) if args.plot else None
    inputs = [args.instance, args.start, args.end]
    if plot_path is not None:
        cert = cert_path(args, "path")
        check_output_target(plot_path, tuple(Path(x) for x in inputs))
        if cert.resolve() == plot_path.resolve():
            raise OutputError(f"{plot_path}: the plot and the certificate would be the same file")
        from ..floats.plots import require_matplotlib

        require_matplotlib()
    res = api.path(inst, w0, w1, verify=not args.no_verify, max_work=args.max_work)
    s = res.summary
    lines = [f"verdict: {s['monotone'] if s['monotone'] != 'no' else 'not-monotone'}"]
    lines.append(f"instance: {args.instance} (N={inst.N}, d={inst.d}, K={s['K']})")
    lines.append(f"breakpoints in (0, 1): {', '.join(s['breakpoints']) if s['breakpoints'] else 'none'}")
    for n, p in enumerate(s["pieces"]):
        lo, hi = p["interval"]
        poly = " + ".join(f"({c}) t^{k}" for k, c in enumerate(p["coefficients"]) if c != "0") or "0"
        lines.append(f"piece {n} [{lo}, {hi}]: L(t) = {poly}; {p['trend']}")
    for name, bound in (("minimum", "lower"), ("maximum", "upper")):
        m = s[name]
        if m["exact"]:
            lines.append(f"{name}: {m['value']} exactly, at {m['where']}")
        else:  # the bracket and L(t) are certified; the location only when an isolating interval is
            low, high = (m[bound], m["value"]) if name == "minimum" else (m["value"], m[bound])
            where = f"located at {m['where']}"
            if "location" not in m:
                where = not_certified(where)
            lines.append(f"{name}: in [{low}, {high}] (L({m['t']}) = {m['value']}); {where}")
    if "witness" in s:
        lines.append(
            f"not monotone: L rises from t = {s['witness']['up'][0]} to {s['witness']['up'][1]} "
            f"and falls from t = {s['witness']['down'][0]} to {s['witness']['down'][1]}"
        )
    code = emit(args, res, "path", lambda: lines, inputs)
    if plot_path is not None:
        from ..floats.plots import path_plot

        outputs.write_bytes(
            plot_path,
            path_plot(res.analysis, plot_path.suffix.lstrip(".") or "png"),
            inputs=tuple(Path(x) for x in inputs),
            may_replace=outputs.PATH_PLOT,
        )
        if not args.json:
            print(f"plot: {plot_path}")
    return code


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"path": _cmd_path}

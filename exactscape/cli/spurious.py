"""CLI commands ``spurious`` and ``path``, registered by :mod:`exactscape.cli`.
Thin: parses, calls :func:`exactscape.api.spurious` / :func:`exactscape.api.path`, prints."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError
from ..io import outputs
from ..io.claims import not_certified
from .options import SEED, SEED_HELP, int_range
from .runner import INSTANCE_HELP, cert_help, cert_path, emit

SPURIOUS_MAX_K = 256
"""Largest ``spurious --neurons`` (the certificate holds K (d + 1) numbers; K = 256 takes a few seconds)."""


def check_output_target(path: Path, protected: tuple[Path, ...]) -> None:
    """Refuse an input, a folder or special file, or an existing file that is not a plot
    written by exactscape (exactscape.io.outputs)."""
    outputs.check_target(path, protected, outputs.PATH_PLOT)


def add_parsers(sub: Any, epilog: str) -> None:
    """Add ``spurious`` and ``path`` to the main parser's sub-parsers."""

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
        sp.add_argument("--cert", metavar="FILE", help=cert_help(sp.prog.split()[-1]))
        sp.add_argument("--no-verify", action="store_true", help="skip replaying the certificate with the checker")

    sp = sub.add_parser(
        "spurious",
        help="a local minimum built from the best affine fit, and a point of lower loss (spurious?)",
        description="Construct exactly a local minimum with every neuron active on every sample that realises the "
        "best affine fit (neurons of both output signs), certify it, and look for a point of strictly lower loss "
        "(float search, then exact rationals); say 'not-applicable' with the exact reason when the affine fit is "
        "already optimal, when no neuron can be active on every sample, or when K = 1 cannot realise the fit.",
        epilog=epilog,
    )
    sp.add_argument("instance", help=INSTANCE_HELP)
    sp.add_argument(
        "--neurons",
        "-K",
        metavar="K",
        type=int_range(1, SPURIOUS_MAX_K),
        required=True,
        help=f"number of hidden neurons K, 1..{SPURIOUS_MAX_K}",
    )
    sp.add_argument(
        "--branches", metavar="S", help="output signs of the constructed point, e.g. '+-0' (default: half +, half -)"
    )
    sp.add_argument("--lower", metavar="W", help="weights of a lower point to use instead of the float search")
    sp.add_argument("--no-search", action="store_true", help="no float search (verdict 'undecided' without --lower)")
    sp.add_argument("--seed", type=SEED, default=0, help=f"seed of the float search, {SEED_HELP} (default 0)")
    sp.add_argument(
        "--no-lower-minimum",
        action="store_true",
        help="do not try to replace the lower point by a certified local minimum of its cell",
    )
    common(sp)

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
    common(pa)


REASON_TEXT = {
    "affine-fit-exact": "the best affine fit is exact (loss 0): it is a global minimum",
    "affine-fit-optimal": "on every group of identical samples the affine fit equals the mean label: no function "
    "of the inputs does better, so the construction's minima are global",
    "no-all-active-cell": "no neuron can be active on every sample (no bias, and the samples are not in an open "
    "half-space: multipliers in the certificate)",
    "one-neuron-sign-change": "K = 1 and the best affine fit is not of one strict sign on the samples: one neuron "
    "cannot realise it while active on every sample (the construction needs a neuron of each sign)",
}


def _cmd_spurious(args: argparse.Namespace) -> int:
    from .. import api
    from ..io.instances import load_instance, load_weights
    from ..landscape.region_dd import parse_branches

    inst = load_instance(args.instance)
    if args.neurons < 1:
        raise InputError("K must be at least 1", "--neurons")
    br = parse_branches(args.branches, args.neurons) if args.branches else None
    low = load_weights(args.lower) if args.lower else None
    res = api.spurious(
        inst,
        args.neurons,
        branches=br,
        lower=low,
        search=not args.no_search,
        seed=args.seed,
        certify_lower_minimum=not args.no_lower_minimum,
        verify=not args.no_verify,
    )
    s = res.summary
    lines = [f"verdict: {s['verdict']}"]
    if inst.provenance != "exact":
        lines.append(f"note: {inst.provenance}")
    lines.append(f"instance: {args.instance} (N={inst.N}, d={inst.d}{', bias' if inst.bias else ''}, K={s['neurons']})")
    lines.append(f"best affine fit: loss L* = {s['loss']}")
    if s["verdict"] == "not-applicable":
        lines.append(f"reason: {s['reason']}: {REASON_TEXT[s['reason']]}")
    else:
        lines.append(
            f"constructed local minimum: every neuron active on every sample, branches {''.join(s['branches'])}, "
            f"loss L* (certified)"
        )
        lines.append(
            f"branch vectors in {{+,-,0}}^{s['neurons']} with such a minimum: {s['branch_vectors']} (all of loss L*)"
        )
        if s["verdict"] == "spurious":
            if s["lower_minimum"]:
                kind = "itself a certified local minimum"
            elif res.analysis.lower_cell is not None and res.analysis.lower_cell.is_undecided:
                kind = f"a point (not shown to be a minimum: its cell is {res.analysis.lower_cell.text()})"
            else:
                kind = "a point (not shown to be a minimum)"
            lines.append(f"lower point: loss {s['lower_loss']} < L*, gap {s['gap']}; {kind}")
        elif args.lower:
            lines.append("lower point: the given point's loss is not below L* (undecided)")
        else:
            lines.append("lower point: none found (undecided: not a claim that the minimum is global)")
    return emit(args, res, "spurious", lambda: lines, [args.instance, args.lower])


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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"spurious": _cmd_spurious, "path": _cmd_path}

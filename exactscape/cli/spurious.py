"""The ``spurious`` command (spurious minima by construction), registered by :mod:`exactscape.cli`.
Thin: parses, calls :func:`exactscape.api.spurious`, prints."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ..errors import InputError
from .options import SEED, SEED_HELP, int_range
from .runner import INSTANCE_HELP, add_common, emit

SPURIOUS_MAX_K = 256
"""Largest ``spurious --neurons`` (the certificate holds K (d + 1) numbers; K = 256 takes a few seconds)."""


def add_parsers(sub: Any, epilog: str) -> None:
    """Add ``spurious`` to the main parser's sub-parsers."""

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
    add_common(sp)


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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"spurious": _cmd_spurious}

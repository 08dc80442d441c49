"""CLI commands ``region`` (genuine sets as exact polyhedra) and ``cells``
(cell diameters and counts of the sample arrangement), registered by
:mod:`exactscape.cli`. Thin: parses, calls, prints."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..core.numbers import fmt, parse_rational
from ..errors import InputError
from ..io import outputs
from ..io.claims import mark_json, not_certified
from .options import SEED, SEED_HELP, int_range, positive_rational
from .progress import bar as progress_bar
from .runner import INSTANCE_HELP, cert_help, cert_path

CELLS_MAX_COUNT = 100_000
"""Largest ``cells --points``, ``--sample`` and ``--directions``."""
CELLS_MAX_WORK = 3_000_000
"""Largest work estimate of ``cells``: points x directions x (N + 10) x d0 (each point and
direction draws a direction and tests every hyperplane; measured about 20 us per unit,
so the limit is about a minute)."""


CELLS_JSON = outputs.JsonFormat("exactscape cells", "an earlier output of exactscape cells", field="generator")
"""The JSON this command writes (it carries "generator": "exactscape cells")."""


def _rational(text: str) -> Fraction:
    try:
        return parse_rational(text, "number")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parsers(sub: Any, epilog: str) -> None:
    """Add ``region`` and ``cells`` to the main parser's sub-parsers."""
    rg = sub.add_parser(
        "region",
        help="the genuine set of a cell / zero set / face as an exact polyhedron (H and V)",
        description="For one cell and one branch vector (+: z_j > 0, -: z_j < 0, 0: z_j = 0 per neuron), "
        "compute the genuine minimisers (kind cell), the R-part of the genuine saddle set of the zero set "
        "{j : branch 0} (kind saddle), or the boundary minima of the face w_k . x_n = 0 (kind boundary) as an "
        "exact relatively open polyhedron in R-space (R_j = z_j w_j): the minimal H-representation of its "
        "closure (affine hull equations and facets, all strict unless said otherwise), the V-representation "
        "(vertices, extreme rays, lineality), dimension and boundedness, by cdd's double description in "
        "exact rational arithmetic, with a certificate (kind region).",
        epilog=epilog,
    )
    rg.add_argument("instance", help=INSTANCE_HELP)
    g = rg.add_mutually_exclusive_group(required=True)
    g.add_argument("--weights", metavar="W", help="weights file; the cell of W, branches from the signs of z")
    g.add_argument("--pattern", metavar="P", help="activation pattern file")
    rg.add_argument("--branches", metavar="S", help='one of + - 0 per neuron, e.g. "+-0" (default: signs of z)')
    rg.add_argument("--kind", default="cell", choices=["cell", "saddle", "boundary"], help="which set (default cell)")
    rg.add_argument(
        "--neuron", metavar="k", type=int_range(0), help="boundary kind: the neuron on the hyperplane, >= 0"
    )
    rg.add_argument(
        "--sample", metavar="n", type=int_range(0), help="boundary kind: the sample whose hyperplane it is, >= 0"
    )
    rg.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    rg.add_argument("--cert", metavar="FILE", help=cert_help("region"))
    rg.add_argument("--no-verify", action="store_true", help="skip replaying the certificate with the checker")

    cl = sub.add_parser(
        "cells",
        help="cell diameters of the sample arrangement (exact, or the sampling estimator as lower bounds)",
        description="With the bias of a neuron fixed at B, the samples cut weight space Q^d0 by the "
        "hyperplanes x_i . w + B = 0. Draw random weights uniformly in [-BOX, BOX]^d0 and measure their cells: "
        "--exact enumerates each cell's vertices (cdd, exact) and reports the exact squared diameter and the "
        "diameter as a surd, or 'unbounded'; --sample M runs the sampling estimator (M random directions, "
        "chords to the nearest hyperplane both ways) with exact rational squared chords: every figure is a "
        "LOWER BOUND on the diameter. --count also counts the cells by enumeration and by Zaslavsky's "
        "theorem beside the general-position count.",
        epilog=epilog,
    )
    cl.add_argument("instance", help="instance file (the raw samples X; labels are ignored)")
    cl.add_argument("--bias", metavar="B", type=_rational, required=True, help="the fixed bias entry b (rational)")
    m = cl.add_mutually_exclusive_group(required=True)
    m.add_argument("--exact", action="store_true", help="exact diameters by vertex enumeration")
    m.add_argument(
        "--sample",
        metavar="M",
        type=int_range(1, CELLS_MAX_COUNT),
        help=f"estimator with M random directions per point, 1..{CELLS_MAX_COUNT}",
    )
    cl.add_argument(
        "--points",
        type=int_range(1, CELLS_MAX_COUNT),
        default=20,
        help=f"random weights drawn, 1..{CELLS_MAX_COUNT} (default 20); points x directions x (N + 10) x d0 "
        f"at most {CELLS_MAX_WORK}",
    )
    cl.add_argument(
        "--directions",
        type=int_range(0, CELLS_MAX_COUNT),
        default=None,
        help=f"--exact: estimator directions too, 0..{CELLS_MAX_COUNT} (default 10 d0)",
    )
    cl.add_argument(
        "--box", type=positive_rational, default=Fraction(1), help="draw weights in [-BOX, BOX]^d0, BOX > 0 (default 1)"
    )
    cl.add_argument("--seed", type=SEED, default=0, help=f"random seed, {SEED_HELP} (default 0)")
    cl.add_argument(
        "--decide-bounded", action="store_true", help="--sample: decide boundedness exactly (rank test or an LP)"
    )
    cl.add_argument("--count", action="store_true", help="count cells: enumeration, Zaslavsky, general position")
    cl.add_argument("--out", metavar="FILE", help="also write the JSON result to FILE")
    cl.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    cl.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


@contextmanager
def _bar(args: argparse.Namespace, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar (done/total) on stderr, only on a terminal."""
    with progress_bar(what, enabled=not getattr(args, "no_progress", False)) as b:
        if b is None:
            yield None
            return

        def update(done: int, total: int) -> None:
            b.update(done=done, total=total)

        yield update


def _vec(v: Any) -> str:
    return "(" + ", ".join(fmt(x) for x in v) + ")"


def _blocks(v: Any, d: int) -> str:
    return "; ".join(_vec(v[j : j + d]) for j in range(0, len(v), d))


def _term_row(a: Any, d: int) -> str:
    """a . R written per block: 'x . R_j' terms."""
    parts = []
    for j in range(0, len(a), d):
        blk = a[j : j + d]
        if any(blk):
            parts.append(f"{_vec(blk)} . R_{j // d}")
    return " + ".join(parts) if parts else "0"


def _cmd_region(args: argparse.Namespace) -> int:
    from ..io import certify
    from ..io.instances import load_instance, load_weights
    from ..landscape.region import region

    inst = load_instance(args.instance)
    wts = load_weights(args.weights) if args.weights else None
    if wts is not None:
        wts.check_against(inst)
    pat, branches, face = _region_selection(args, inst, wts)
    res = region(inst, pat, branches, args.kind, face, verify=not args.no_verify)
    path = cert_path(args, "region")
    protected = tuple(Path(x) for x in (args.instance, args.weights, args.pattern) if x)
    certify.write(res.certificate, path, protected=protected)
    s = res.summary
    if args.json:
        out = dict(s)
        out["certificate"] = str(path)
        out["certificate_verified"] = bool(res.checker_lines)
        print(json.dumps(out))
        return 0
    lines = _region_head(args, res, branches, face, inst.d)
    lines += _closure_lines(res, inst.d)
    verified = "verified by the independent checker" if res.checker_lines else "not replayed (--no-verify)"
    lines.append(f"certificate: {path} ({verified})")
    for line in lines:
        print(line)
    return 0


def _region_selection(args: argparse.Namespace, inst: Any, wts: Any) -> tuple[Any, tuple[str, ...], Any]:
    """The pattern, branch vector and face (kind ``boundary``) the options select."""
    from ..api import pattern_for
    from ..io.instances import load_pattern
    from ..landscape.region_dd import parse_branches
    from ..theory.boundary import face_pattern

    face = None
    if args.kind == "boundary":
        if args.neuron is None or args.sample is None:
            raise InputError("--kind boundary needs --neuron and --sample")
        face = (args.neuron, args.sample)
    elif args.neuron is not None or args.sample is not None:
        raise InputError("--neuron and --sample belong to --kind boundary")
    if face is not None and wts is not None:
        pat = face_pattern(inst, wts, face[0], face[1])
    else:
        pat = pattern_for(inst, load_pattern(args.pattern) if args.pattern else None, wts)
    if args.branches:
        branches = parse_branches(args.branches, pat.K)
    elif wts is not None:
        branches = tuple("+" if z > 0 else "-" if z < 0 else "0" for z in wts.z)
    else:
        raise InputError("give --branches (one of + - 0 per neuron) with --pattern")
    return pat, branches, face


def _region_head(
    args: argparse.Namespace, res: Any, branches: tuple[str, ...], face: tuple[int, int] | None, d: int
) -> list[str]:
    """The verdict, what the region is, the face's sign condition, saddles or minima."""
    s = res.summary
    reg = res.region
    lines = [f"verdict: {s['verdict']}"]
    what = {
        "cell": "genuine minimisers of the cell",
        "saddle": "R-part of the genuine saddle set",
        "boundary": f"boundary minima on the face w_{face[0] if face else 0} . x_{face[1] if face else 0} = 0",
    }
    lines.append(
        f"region: {what[args.kind]}, branches {''.join(branches)}, in R-space Q^{reg.n} "
        f"(R_j = z_j w_j, blocks of d = {d})"
    )
    if args.kind == "boundary":
        lines.append(
            f"sign condition [29]/[30] for z_k {branches[face[0] if face else 0]}: "
            f"{'holds' if res.condition else 'fails (so the region is empty)'}"
        )
    if res.saddle is not None:
        lines.append(
            "its points are saddles (some g_j != 0; by Theorem 2, whose curves the checker does not replay)"
            if res.saddle
            else "its points are minima (every g_j = 0)"
        )
    return lines


def _closure_lines(res: Any, d: int) -> list[str]:
    """The closure: emptiness, dimension, boundedness, H- and V-representation, an interior point."""
    reg = res.region
    lines: list[str] = []
    # the closure's emptiness (Farkas), dimension (relative interior point and implicit rows),
    # boundedness and the minimal H-representation are proved by the certificate (FORMAT 9.2)
    if reg.closure_empty:
        lines.append("closure: empty")
    else:
        bounded = "bounded" if reg.bounded else "unbounded"
        lines.append(f"closure: dimension {reg.dimension}, {bounded}")
        if reg.empty:
            lines.append("open region: EMPTY (a strict row is an equality on the closure; Farkas certificate)")
        else:
            lines.append(
                "open region: non-empty (an interior point below), the relative interior of the closure, "
                f"dimension {reg.dimension}"
            )
        lines.append("H-representation (minimal):")
        for row in reg.equations:
            lines.append(f"  {_term_row(row[1:], d)} = {fmt(-row[0])}")
        ineq = reg.defining.inequalities()
        for i in reg.facets:
            a, b, key, strict = ineq[i]
            lines.append(f"  {_term_row(a, d)} {'>' if strict else '>='} {fmt(b)}   [neuron {key[0]}, sample {key[1]}]")
        if reg.implicit:
            lines.append(
                "  implicit equalities of the closure: "
                + ", ".join(f"({ineq[i][2][0]}, {ineq[i][2][1]})" for i in reg.implicit)
            )
        lines.append(f"  redundant rows: {len(reg.redundant)}")
        # each listed generator is proved to lie in the closure and to be extreme (FORMAT 9.2 checks
        # 2-3); that the list is complete rests on the double description (cdd)
        lines.append("V-representation of the closure: " + not_certified("complete list"))
        for v in reg.vertices:
            lines.append(f"  vertex {_blocks(v, d)}")
        for v in reg.rays:
            lines.append(f"  ray    {_blocks(v, d)}")
        for v in reg.lines:
            lines.append(f"  line   {_blocks(v, d)}")
        if reg.interior is not None and not res.certificate["claim"]["empty"]:
            lines.append(f"interior point: R = {_blocks(reg.interior, d)}")
            lines.append(
                "in (z, w): z_j = +1 / -1 on branch + / -, w_j = R_j / z_j (same polyhedron, block j "
                "negated on branch -); on branch 0, z_j = 0 and w_j anywhere in its open cell"
            )
    return lines


def _cmd_cells(args: argparse.Namespace) -> int:
    from ..io.instances import load_instance
    from ..landscape.arrangement import Arrangement, sample_cells

    inst = load_instance(args.instance)
    arr = Arrangement(tuple(tuple(x) for x in inst.X), args.bias)
    dirs = args.sample if args.sample is not None else (args.directions if args.directions is not None else 10 * arr.d0)
    work = args.points * max(dirs, 1) * (arr.N + 10) * arr.d0
    if work > CELLS_MAX_WORK:  # the work estimate, before any point is drawn
        raise InputError(
            f"{args.points} points x {dirs} directions x (N + 10 = {arr.N + 10}) x d0 = {arr.d0} is {work} work "
            f"units, more than the limit of {CELLS_MAX_WORK} (about a minute); lower --points or the directions",
            "cells",
        )
    with _bar(args, "measuring cells") as progress:
        res = sample_cells(arr, args.points, dirs, args.seed, args.box, bool(args.exact), args.decide_bounded, progress)
    out = _cells_json(args, arr, dirs, res)
    mark_json(
        out,
        [
            "bounded",
            "unbounded",
            "undecided",
            "cells",
            "count",
            "bounded_cells_exact_diameters",
            "estimator_over_exact_on_bounded_cells",
        ],
    )
    if args.out:
        outputs.write_bytes(
            Path(args.out),
            (json.dumps(out, indent=1) + "\n").encode(),
            inputs=(Path(args.instance),),
            may_replace=CELLS_JSON,
        )
    if args.json:
        print(json.dumps(out))
        return 0
    _print_cells(args, arr, dirs, res, out)
    return 0


def _cell_record(r: Any) -> dict[str, Any]:
    """One measured cell: its point, boundedness, the estimator's and the exact diameter."""
    from ..landscape.arrangement import approx_sqrt

    rec: dict[str, Any] = {
        "point": [fmt(x) for x in r.point],
        "bounded": r.bounded,
        "reason": r.reason,
        "ray_found_by_sampling": r.ray_found,
        "lower_bound_squared": fmt(r.lower_sq) if r.lower_sq is not None else None,
        "lower_bound": approx_sqrt(r.lower_sq) if r.lower_sq is not None else None,
    }
    if r.exact is not None:
        rec["exact_squared"] = fmt(r.exact.squared) if r.exact.squared is not None else None
        rec["exact_surd"] = r.exact.surd
        rec["exact_decimal"] = approx_sqrt(r.exact.squared) if r.exact.squared is not None else None
        rec["vertices"] = r.exact.vertices
    return rec


def _cells_json(args: argparse.Namespace, arr: Any, dirs: int, res: Any) -> dict[str, Any]:
    """The JSON of ``cells``: the settings, the counts, every cell, the exact diameters and counts asked for."""
    from ..landscape.arrangement import approx_sqrt, count_by_enumeration, count_by_zaslavsky, count_general_position

    records = [_cell_record(r) for r in res]
    bounded = [r for r in res if r.bounded]
    out: dict[str, Any] = {
        "generator": "exactscape cells",
        "verdict": "measured",
        "instance": args.instance,
        "N": arr.N,
        "d0": arr.d0,
        "bias": fmt(args.bias),
        "box": fmt(args.box),
        "seed": args.seed,
        "points": args.points,
        "directions": dirs,
        "mode": "exact" if args.exact else "sample",
        "bounded": sum(1 for r in res if r.bounded),
        "unbounded": sum(1 for r in res if r.bounded is False),
        "undecided": sum(1 for r in res if r.bounded is None),
        "cells": records,
    }
    if args.exact and bounded:
        exq = [r.exact.squared for r in bounded if r.exact is not None and r.exact.squared is not None]
        out["bounded_cells_exact_diameters"] = [approx_sqrt(q) for q in exq]
        ratios = [
            approx_sqrt(r.lower_sq / r.exact.squared, 4)
            for r in bounded
            if r.lower_sq is not None and r.exact is not None and r.exact.squared
        ]
        out["estimator_over_exact_on_bounded_cells"] = ratios
    if args.count:
        if arr.N > 16:
            raise InputError("--count enumerates 2^N subsets for Zaslavsky's formula: N <= 16 only", "--count")
        en = count_by_enumeration(arr)
        za = count_by_zaslavsky(arr)
        gp = count_general_position(arr.N, arr.d0)
        out["count"] = {
            "enumeration": {"cells": en[0], "bounded": en[1]},
            "zaslavsky": {"cells": za[0], "bounded": za[1]},
            "general_position": {"cells": gp[0], "bounded": gp[1]},
        }
    return out


def _print_cells(args: argparse.Namespace, arr: Any, dirs: int, res: Any, out: dict[str, Any]) -> None:
    """The human summary of ``cells`` (exact, but no certificate: every fact marked)."""
    from ..landscape.arrangement import approx_sqrt

    print("verdict: measured")
    print(
        f"arrangement: N = {arr.N} hyperplanes x_i . w + {fmt(args.bias)} = 0 in Q^{arr.d0}; "
        f"{args.points} weights uniform in [-{fmt(args.box)}, {fmt(args.box)}]^{arr.d0}, seed {args.seed}"
    )
    # the arrangement's cells, their boundedness, diameters and counts: exact, but no certificate
    print(not_certified(f"cells: {out['bounded']} bounded, {out['unbounded']} unbounded, {out['undecided']} undecided"))
    for k, r in enumerate(res):
        lb = f">= {approx_sqrt(r.lower_sq)}" if r.lower_sq is not None else "no finite chord"
        if r.exact is not None:
            exs = "unbounded" if r.exact.squared is None else f"{r.exact.surd} = {approx_sqrt(r.exact.squared)}"
            print(not_certified(f"  cell {k}: diameter {exs}; estimator ({dirs} directions) {lb}"))
        else:
            b = {True: "bounded", False: "unbounded", None: "boundedness not decided"}[r.bounded]
            print(not_certified(f"  cell {k}: {b} ({r.reason}); diameter {lb} (lower bound)"))
    if "count" in out:
        c = out["count"]
        print(
            not_certified(
                f"count: enumeration {c['enumeration']['cells']} cells ({c['enumeration']['bounded']} bounded), "
                f"Zaslavsky {c['zaslavsky']['cells']} ({c['zaslavsky']['bounded']}), general position "
                f"{c['general_position']['cells']} ({c['general_position']['bounded']})"
            )
        )


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"region": _cmd_region, "cells": _cmd_cells}

"""The commands that decide one cell, point or face, registered by :mod:`exactscape.cli`:
``cell`` (Theorem 1), ``point``, ``saddles`` (Theorem 2) and ``boundary`` (Theorem 3).
Thin: each loads its files, calls :mod:`exactscape.api` and prints through
:func:`exactscape.cli.runner.run`."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from ..core.model import Instance
from ..deciders import NAMES as DECIDER_NAMES
from ..errors import show_path
from ..io.claims import not_certified
from ..theory.engines import ENGINES
from .options import int_range, seconds_or_none
from .progress import bar as progress_bar
from .runner import INSTANCE_HELP, add_common, load_inputs, run


def add_parsers(sub: Any, epilog: str) -> None:
    """Add ``cell``, ``point``, ``saddles`` and ``boundary`` to the main parser's sub-parsers."""
    _add_cell(sub, epilog)
    _add_point(sub, epilog)
    _add_saddles(sub, epilog)
    _add_boundary(sub, epilog)


def _add_cell(sub: Any, epilog: str) -> None:
    """``cell`` (Theorem 1)."""
    c = sub.add_parser(
        "cell",
        help="minimiser set, loss and genuineness of one cell (Theorem 1)",
        description="Decide the minimisers of one cell, their exact loss, and whether a genuine "
        "differentiable local minimum exists in it (docs/theory.md section 2), with a certificate.",
        epilog=epilog,
    )
    c.add_argument("instance", help=INSTANCE_HELP)
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--weights", metavar="W", help="weights file; the cell is the one containing them")
    g.add_argument("--pattern", metavar="P", help="activation pattern file")
    c.add_argument(
        "--exact-backend",
        default="auto",
        choices=DECIDER_NAMES,
        help="decider of the LP nodes: 'auto' (hinted on cells with 4000 or more entries of A, else exact), "
        "'exact' (equality elimination + PPL), 'ppl', 'cdd', or 'hinted' (HiGHS proposes, exact arithmetic "
        "verifies); the verdict is exact either way",
    )
    c.add_argument(
        "--engine",
        default="auto",
        choices=ENGINES,
        help="'fast' (minimiser set from integer matrices, structured search; certificate format 1.2), 'plain' "
        "(the branch tree; format 1.0), 'auto' (plain for small cells, fast from 4000 entries of A on)",
    )
    c.add_argument(
        "--budget",
        metavar="SECONDS",
        type=_budget,
        default=Fraction(60),
        help="time limit of the genuineness search in seconds, in (0, 10^9] (default 60; 'none' for no limit); "
        "past it the verdict is 'undecided' and no certificate is written",
    )
    add_common(c, progress=True)


def _add_point(sub: Any, epilog: str) -> None:
    """``point``."""
    pt = sub.add_parser(
        "point",
        help="classify a point (z, w): local minimum, saddle, not stationary, on a boundary",
        description="Classify the given weights exactly (docs/theory.md sections 2-4.1), with a certificate. "
        "Verdicts: local-minimum, saddle, not-stationary (inside a cell); non-differentiable-local-minimum, "
        "not-a-local-minimum (any point on hyperplanes w_k . x_n = 0: Theorem 3 for one pair with z_k != 0, "
        "else Lemmas D and E: the origin, dead neurons, several pairs); not-covered (a neuron's local fan "
        "has more than 10,000 pieces).",
        epilog=epilog,
    )
    pt.add_argument("instance", help=INSTANCE_HELP)
    pt.add_argument("--weights", metavar="W", required=True, help="weights file")
    add_common(pt, progress=True)


def _add_saddles(sub: Any, epilog: str) -> None:
    """``saddles`` (Theorem 2)."""
    sd = sub.add_parser(
        "saddles",
        help="differentiable saddles of one cell for a set of zero output weights (Theorem 2)",
        description="For the cell of W (or of pattern P) and a non-empty set Z of neurons with z_j = 0, "
        "decide whether a genuine differentiable saddle exists (docs/theory.md section 3), or a minimum "
        "(every g_j = 0), or neither, with a certificate. Default zero set: the neurons of W with z_j = 0 if any, "
        "else every non-empty zero set.",
        epilog=epilog,
    )
    sd.add_argument("instance", help=INSTANCE_HELP)
    sd.add_argument(
        "--exact-backend",
        default="exact",
        choices=DECIDER_NAMES,
        help="decider of the LP nodes (as for cell; default exact): the verdict is exact either way",
    )
    g = sd.add_mutually_exclusive_group(required=True)
    g.add_argument("--weights", metavar="W", help="weights file; the cell is the one containing them")
    g.add_argument("--pattern", metavar="P", help="activation pattern file")
    z = sd.add_mutually_exclusive_group()
    z.add_argument("--zero", metavar="SET", help='the neurons with z_j = 0, e.g. "0,2"')
    z.add_argument("--all-zero-sets", action="store_true", help="decide every non-empty zero set")
    sd.add_argument(
        "--max-zero-sets",
        metavar="M",
        type=_positive_int,
        default=None,
        help="decide all 2^K - 1 zero sets only if that is at most M (default 1024, i.e. K <= 10); "
        "each zero set is a branch search",
    )
    add_common(sd, progress=True)


def _add_boundary(sub: Any, epilog: str) -> None:
    """``boundary`` (Theorem 3 on one face)."""
    bd = sub.add_parser(
        "boundary",
        help="non-differentiable local minima on the face w_k . x_n = 0 (Theorem 3)",
        description="Decide whether a non-differentiable local minimum exists anywhere on the boundary "
        "face {w_k . x_n = 0} through W (the signs of every other pair as at W), for z_k > 0 and for "
        "z_k < 0 (docs/theory.md section 4), with a certificate.",
        epilog=epilog,
    )
    bd.add_argument("instance", help=INSTANCE_HELP)
    bd.add_argument(
        "--exact-backend",
        default="exact",
        choices=DECIDER_NAMES,
        help="decider of the LP nodes (as for cell; default exact): the verdict is exact either way",
    )
    bd.add_argument("--weights", metavar="W", required=True, help="weights file naming the face")
    bd.add_argument("--neuron", metavar="k", type=int_range(0), required=True, help="the neuron k on the hyperplane")
    bd.add_argument(
        "--sample", metavar="n", type=int_range(0), required=True, help="the sample n whose hyperplane it is"
    )
    add_common(bd, progress=True)


def _positive_int(text: str) -> int:
    """A whole number >= 1 (an option value)."""
    t = text.strip()
    if not (t.isascii() and t.isdigit()) or int(t) < 1 or len(t) > 30:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(t)


@contextlib.contextmanager
def _zero_set_progress(args: argparse.Namespace) -> Iterator[Callable[[int, int, int], None] | None]:
    """A progress bar over the zero sets of ``saddles`` on stderr, only on a terminal."""
    with progress_bar("zero sets", enabled=not getattr(args, "no_progress", False)) as b:
        if b is None:
            yield None
            return

        def update(done: int, total: int, nodes: int) -> None:
            b.update(done=done, total=total, text=f"{nodes} exact LPs in the current one")

        yield update


@contextlib.contextmanager
def _progress(args: argparse.Namespace, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A live counter of exact LPs on stderr, only on a terminal."""
    with progress_bar(f"{what}:", enabled=not getattr(args, "no_progress", False), steps=False) as b:
        if b is None:
            yield None
            return

        def update(nodes: int, depth: int) -> None:
            b.update(text=f"{nodes} exact LPs, branch depth {depth}")

        yield update


def _budget(text: str) -> Fraction | None:
    """--budget: a positive number of seconds (at most 10^9), or 'none'."""
    return seconds_or_none(text)


def _provenance(inst: Any) -> list[str]:
    return [f"note: {inst.provenance}"] if inst.provenance != "exact" else []


def _cmd_cell(args: argparse.Namespace) -> int:
    from .. import api

    inp = load_inputs(args)

    def call() -> Any:
        with _progress(args, "deciding genuineness") as progress:
            return api.cell(
                inp.instance,
                pattern=inp.pattern,
                weights=inp.weights,
                verify=not args.no_verify,
                progress=progress,
                backend=args.exact_backend,
                engine=args.engine,
                budget=args.budget,
            )

    return run(args, "cell", inp, call, _cell_lines)


def _cmd_point(args: argparse.Namespace) -> int:
    from .. import api

    inp = load_inputs(args, match=False)  # api.point checks the weights against the instance

    def call() -> Any:
        return api.point(inp.instance, inp.given_weights, verify=not args.no_verify)

    return run(args, "point", inp, call, _point_lines)


def _cmd_saddles(args: argparse.Namespace) -> int:
    from .. import api

    inp = load_inputs(args)
    wts, pat = inp.weights, inp.pattern
    K = wts.K if wts is not None else (pat.K if pat is not None else 0)
    zero = api.parse_zero_set(args.zero, K) if args.zero is not None else None
    limit = args.max_zero_sets if args.max_zero_sets is not None else api.DEFAULT_MAX_ZERO_SETS

    def call() -> Any:
        with _zero_set_progress(args) as progress:
            return api.saddles(
                inp.instance,
                pattern=pat,
                weights=wts,
                zero=zero,
                all_zero_sets=args.all_zero_sets,
                verify=not args.no_verify,
                max_zero_sets=limit,
                progress=progress,
                backend=args.exact_backend,
            )

    return run(args, "saddles", inp, call, _saddles_lines)


def _cmd_boundary(args: argparse.Namespace) -> int:
    from .. import api

    inp = load_inputs(args, match=False)  # api.boundary checks the weights against the instance

    def call() -> Any:
        return api.boundary(
            inp.instance,
            inp.given_weights,
            args.neuron,
            args.sample,
            verify=not args.no_verify,
            backend=args.exact_backend,
        )

    return run(args, "boundary", inp, call, _boundary_lines)


def _cell_lines(args: argparse.Namespace, inst: Instance, res: Any) -> list[str]:
    s = res.summary
    if not s["feasible"]:
        verdict = "infeasible"
    else:
        verdict = s["genuineness"]
    a = res.analysis
    lines = [f"verdict: {verdict}"]
    lines += _provenance(inst)
    bias = ", bias" if inst.bias else ""
    lines.append(f"instance: {show_path(args.instance)} (N={inst.N}, d={inst.d}{bias}, K={s['K']})")
    if not s["feasible"]:
        lines.append(f"cell: empty (the open cone of neuron {a.feasibility.neuron} is empty)")
    else:
        lines.append("cell: non-empty (every neuron's open cone has an interior point)")
    kd = s["K"] * inst.d
    if s["kind"] == "unique":
        lines.append(f"minimisers: a unique point (rank A = Kd = {kd})")
    else:
        lines.append(f"minimisers: an affine set of dimension {s['dimension']} (rank A = {s['rank']} < Kd = {kd})")
    if kd <= 12 and s.get("particular"):
        part = "; ".join("(" + ", ".join(b) + ")" for b in s["particular"])
        lines.append(f"  minimum-norm minimiser R = A^+ y: {part}")
        for v in s["null_space"] or []:  # computed apart from the certificate's rank evidence
            lines.append(not_certified("  plus any multiple of: " + "; ".join("(" + ", ".join(b) + ")" for b in v)))
    lines.append(f"minimum loss in the cell: {s['loss']}")
    if s["genuineness"] == "undecided":
        g = res.analysis.genuineness
        hint = "raise --budget" if g.reason == "budget" else "no method of this version applies"
        lines.append(
            f"genuine minimum: undecided: {g.reason_text()} ({s['lp_nodes']} search nodes explored); not a 'no': {hint}"
        )
    elif s["feasible"]:
        if s["genuine"]:
            lines.append(f"genuine minimum: yes, branches {' '.join(s['branches'])} (witness in the certificate)")
        else:
            lines.append(
                f"genuine minimum: no; every branch vector in {{+,-,0}}^{s['K']} refuted "
                f"({s['lp_nodes']} search nodes, method {s['method']})"
            )
    return lines


def _point_lines(args: argparse.Namespace, inst: Instance, res: Any) -> list[str]:
    s = res.summary
    lines = [f"verdict: {s['verdict']}"]
    lines += _provenance(inst)
    lines.append(f"loss at the point: {s['loss']}")
    explain = {
        "local-minimum": "every R_j = z_j w_j minimises the cell's convex quadratic: "
        "a local minimum (global in its cell)",
        "saddle": "the gradient vanishes, but a curve through the point descends and another ascends",
        "not-stationary": "the gradient is non-zero: the loss decreases along minus the gradient",
        "not-covered": "the point lies on a cell boundary outside Theorem 3's hypotheses",
        "non-differentiable-local-minimum": "on one hyperplane, the one-sided KKT conditions [38]-[42] "
        "and the sign conditions [29]/[30] hold: a local minimum (FORMAT 8.4, Lemma B)",
        "not-a-local-minimum": "on one hyperplane; a curve through the point descends",
    }
    general = {  # points outside Theorem 3 (format 1.3, docs/theory.md section 4.1)
        "bound": "the loss equals the ray-group lower bound (0 or the best fit of each ray of samples): "
        "a global, hence local, minimum",
        "local": "every one-sided derivative is >= 0, neuron by neuron (Lemma D): a local minimum",
        "descent": "on hyperplanes outside Theorem 3; a curve through the point descends (Lemma E)",
    }
    kind = s.get("proof")
    lines.append(general[kind] if kind in general else explain.get(s["verdict"], ""))
    if "how" in s:
        lines.append(f"decided by: {s['how']}")
    if "neuron" in s:
        lines.append(f"boundary: w_{s['neuron']} . x_{s['sample']} = 0")
    if "lambda" in s:
        lines.append(f"lambda: {s['lambda']}")
    if "reason" in s:
        lines.append(f"reason: {s['reason']}")
    return lines


def _saddles_lines(args: argparse.Namespace, inst: Instance, res: Any) -> list[str]:
    s = res.summary
    lines = [f"verdict: {'saddle' if s['saddle'] else 'no-saddle'}"]
    lines += _provenance(inst)
    lines.append(f"instance: {show_path(args.instance)} (N={inst.N}, d={inst.d}, K={s['K']})")
    for c in s["cases"]:
        zs = ",".join(map(str, c["zero"]))
        extra = "every g_j = 0" if c["gradient_zero"] else "some g_j != 0"
        lines.append(
            f"Z = {{{zs}}}: {c['verdict']} (loss {c['loss']}, {extra}, solution set dimension {c['dimension']})"
        )
    return lines


def _boundary_lines(args: argparse.Namespace, inst: Instance, res: Any) -> list[str]:
    s = res.summary
    both = [name for name in ("plus", "minus") if s[name]]
    verdict = "exists" if both else "none"
    lines = [f"verdict: {verdict}"]
    lines += _provenance(inst)
    lines.append(f"face: w_{s['neuron']} . x_{s['sample']} = 0, other pairs as at the weights")
    if not s["feasible"]:
        lines.append("face: empty")
    lines.append(
        f"KKT [43]: lambda = {s['lambda']}, e_n = {s['e_n']}, loss {s['loss']}, solution set dimension {s['dimension']}"
    )
    lines.append(f"z_k > 0: {'a non-differentiable local minimum exists' if s['plus'] else 'none'}")
    lines.append(f"z_k < 0: {'a non-differentiable local minimum exists' if s['minus'] else 'none'}")
    return lines


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "cell": _cmd_cell,
    "point": _cmd_point,
    "saddles": _cmd_saddles,
    "boundary": _cmd_boundary,
}

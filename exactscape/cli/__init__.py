"""The ``exactscape`` command line: parses, calls :mod:`exactscape.api`, prints.

Exit codes (stable, documented in docs/manual.md):
  0  a verdict was reached (whatever it is, "not-covered" included)
  1  ``check``: the certificate was REJECTED
  2  bad input: usage, unreadable or malformed file, float/NaN where an exact
     number is required, wrong shapes; ``check``: not a certificate at all
  3  an output could not be written (or would overwrite an input)
  4  internal error or exact-backend failure (a bug: please report it)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any, NoReturn

from .. import __version__
from ..deciders import NAMES as DECIDER_NAMES
from ..errors import ExactscapeError, InputError, NotCovered, clip, one_line, show_path
from ..io.claims import not_certified
from ..theory.engines import ENGINES
from . import atlas as cli_atlas
from . import crosscheck as float_cli
from . import experiments as cli_experiments
from . import region as cli_region
from . import spurious as cli_spurious_path
from .options import int_range, seconds_or_none
from .progress import bar as progress_bar
from .runner import INSTANCE_HELP, cert_help, check_file_options, check_output, emit

EPILOG = "exit codes: 0 verdict reached, 1 certificate rejected (check), 2 bad input, 3 output error, 4 internal error"


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr,
    ``exactscape CMD: error: MESSAGE (see --help)``, exit code 2; sub-parsers
    inherit the class."""

    def error(self, message: str) -> NoReturn:
        # a quoted value longer than 40 characters is shown by its start and length
        message = re.sub(r"'([^']{41,})'", lambda m: clip(m.group(1)), message)
        self.exit(2, f"{one_line(self.prog)}: error: {one_line(message)} (see {one_line(self.prog)} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="exactscape",
        description="Exact, certified loss-landscape decisions for one-hidden-layer ReLU networks.",
        epilog=EPILOG,
    )
    p.add_argument("--version", action="version", version=f"exactscape {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
        sp.add_argument("--cert", metavar="FILE", help=cert_help(sp.prog.split()[-1]))
        sp.add_argument("--no-verify", action="store_true", help="skip replaying the certificate with the checker")
        sp.add_argument("--no-progress", action="store_true", help="no progress display on stderr")

    c = sub.add_parser(
        "cell",
        help="minimiser set, loss and genuineness of one cell (Theorem 1)",
        description="Decide the minimisers of one cell, their exact loss, and whether a genuine "
        "differentiable local minimum exists in it (docs/theory.md section 2), with a certificate.",
        epilog=EPILOG,
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
    common(c)

    pt = sub.add_parser(
        "point",
        help="classify a point (z, w): local minimum, saddle, not stationary, on a boundary",
        description="Classify the given weights exactly (docs/theory.md sections 2-4.1), with a certificate. "
        "Verdicts: local-minimum, saddle, not-stationary (inside a cell); non-differentiable-local-minimum, "
        "not-a-local-minimum (any point on hyperplanes w_k . x_n = 0: Theorem 3 for one pair with z_k != 0, "
        "else Lemmas D and E: the origin, dead neurons, several pairs); not-covered (a neuron's local fan "
        "has more than 10,000 pieces).",
        epilog=EPILOG,
    )
    pt.add_argument("instance", help=INSTANCE_HELP)
    pt.add_argument("--weights", metavar="W", required=True, help="weights file")
    common(pt)

    sd = sub.add_parser(
        "saddles",
        help="differentiable saddles of one cell for a set of zero output weights (Theorem 2)",
        description="For the cell of W (or of pattern P) and a non-empty set Z of neurons with z_j = 0, "
        "decide whether a genuine differentiable saddle exists (docs/theory.md section 3), or a minimum "
        "(every g_j = 0), or neither, with a certificate. Default zero set: the neurons of W with z_j = 0 if any, "
        "else every non-empty zero set.",
        epilog=EPILOG,
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
    common(sd)

    bd = sub.add_parser(
        "boundary",
        help="non-differentiable local minima on the face w_k . x_n = 0 (Theorem 3)",
        description="Decide whether a non-differentiable local minimum exists anywhere on the boundary "
        "face {w_k . x_n = 0} through W (the signs of every other pair as at W), for z_k > 0 and for "
        "z_k < 0 (docs/theory.md section 4), with a certificate.",
        epilog=EPILOG,
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
    common(bd)

    ck = sub.add_parser(
        "check",
        help="replay a certificate with the independent checker",
        description="Replay CERT with the standard-library checker. Last line: 's VERIFIED' (exit 0) "
        "or 's REJECTED: reason' (exit 1); exit 2 if CERT is not a certificate at all.",
        epilog=EPILOG,
    )
    ck.add_argument("cert", help="certificate file, or a folder of certificates (a bundle: one line per file)")
    ck.add_argument("--quiet", action="store_true", help="print only the final s-line")

    st = sub.add_parser(
        "selftest",
        help="verify the bundled certificates and re-derive their verdicts, without pytest",
        description="Check every bundled certificate with the independent checker (proofs/certificates in a "
        "source checkout, exactscape/bundled/certificates in an installed wheel), and recompute each bundled "
        "example to confirm the producer still reaches the same claims.",
        epilog=EPILOG,
    )
    st.add_argument("--dir", default=None, help="folder of certificates (default: the bundled ones)")
    float_cli.add_parsers(sub, EPILOG)  # crosscheck, compare
    cli_experiments.add_parsers(sub, EPILOG)  # experiment
    cli_atlas.add_parsers(sub, EPILOG)  # atlas, gaussian1d
    cli_region.add_parsers(sub, EPILOG)  # region, cells
    cli_spurious_path.add_parsers(sub, EPILOG)  # spurious, path
    return p


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
    from ..io.instances import load_instance, load_pattern, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights) if args.weights else None
    if wts is not None:
        wts.check_against(inst)
    pat = load_pattern(args.pattern) if args.pattern else None
    check_output(args, "cell", [args.instance, args.weights, args.pattern])
    with _progress(args, "deciding genuineness") as progress:
        res = api.cell(
            inst,
            pattern=pat,
            weights=wts,
            verify=not args.no_verify,
            progress=progress,
            backend=args.exact_backend,
            engine=args.engine,
            budget=args.budget,
        )
    s = res.summary

    def human() -> list[str]:
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
                f"genuine minimum: undecided: {g.reason_text()} ({s['lp_nodes']} search nodes explored); "
                f"not a 'no': {hint}"
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

    return emit(args, res, "cell", human, [args.instance, args.weights, args.pattern])


def _cmd_point(args: argparse.Namespace) -> int:
    from .. import api
    from ..io.instances import load_instance, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights)
    check_output(args, "point", [args.instance, args.weights])
    res = api.point(inst, wts, verify=not args.no_verify)
    s = res.summary

    def human() -> list[str]:
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

    return emit(args, res, "point", human, [args.instance, args.weights])


def _cmd_saddles(args: argparse.Namespace) -> int:
    from .. import api
    from ..io.instances import load_instance, load_pattern, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights) if args.weights else None
    if wts is not None:
        wts.check_against(inst)
    pat = load_pattern(args.pattern) if args.pattern else None
    K = wts.K if wts is not None else (pat.K if pat is not None else 0)
    zero = api.parse_zero_set(args.zero, K) if args.zero is not None else None
    check_output(args, "saddles", [args.instance, args.weights, args.pattern])
    limit = args.max_zero_sets if args.max_zero_sets is not None else api.DEFAULT_MAX_ZERO_SETS
    with _zero_set_progress(args) as progress:
        res = api.saddles(
            inst,
            pattern=pat,
            weights=wts,
            zero=zero,
            all_zero_sets=args.all_zero_sets,
            verify=not args.no_verify,
            max_zero_sets=limit,
            progress=progress,
            backend=args.exact_backend,
        )
    s = res.summary

    def human() -> list[str]:
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

    return emit(args, res, "saddles", human, [args.instance, args.weights, args.pattern])


def _cmd_boundary(args: argparse.Namespace) -> int:
    from .. import api
    from ..io.instances import load_instance, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights)
    check_output(args, "boundary", [args.instance, args.weights])
    res = api.boundary(inst, wts, args.neuron, args.sample, verify=not args.no_verify, backend=args.exact_backend)
    s = res.summary

    def human() -> list[str]:
        both = [name for name in ("plus", "minus") if s[name]]
        verdict = "exists" if both else "none"
        lines = [f"verdict: {verdict}"]
        lines += _provenance(inst)
        lines.append(f"face: w_{s['neuron']} . x_{s['sample']} = 0, other pairs as at the weights")
        if not s["feasible"]:
            lines.append("face: empty")
        lines.append(
            f"KKT [43]: lambda = {s['lambda']}, e_n = {s['e_n']}, loss {s['loss']}, "
            f"solution set dimension {s['dimension']}"
        )
        lines.append(f"z_k > 0: {'a non-differentiable local minimum exists' if s['plus'] else 'none'}")
        lines.append(f"z_k < 0: {'a non-differentiable local minimum exists' if s['minus'] else 'none'}")
        return lines

    return emit(args, res, "boundary", human, [args.instance, args.weights])


def _cmd_check(args: argparse.Namespace) -> int:
    from ..checker import check_file

    code, lines = check_file(args.cert)
    for line in lines if not args.quiet else lines[-1:]:
        print(line)
    return code


def _cmd_selftest(args: argparse.Namespace) -> int:
    from ..selftest import run

    return run(args.dir)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "cell": _cmd_cell,
    "point": _cmd_point,
    "saddles": _cmd_saddles,
    "boundary": _cmd_boundary,
    "check": _cmd_check,
    "selftest": _cmd_selftest,
}

COMMANDS.update(float_cli.COMMANDS)  # crosscheck, compare
COMMANDS.update(cli_experiments.COMMANDS)  # experiment
COMMANDS.update(cli_atlas.COMMANDS)  # atlas, gaussian1d
COMMANDS.update(cli_region.COMMANDS)  # region, cells
COMMANDS.update(cli_spurious_path.COMMANDS)  # spurious, path


FLAGS = {
    "neuron": "--neuron",
    "sample": "--sample",
    "zero": "--zero",
    "K": "--neurons",
    "branches": "--branches",
    "kind": "--kind",
    "max_cells": "--max-cells",
    "max_face_lps": "--max-face-lps",
    "saddles": "--no-saddles",
    "end": "--to",
    "tol": "--tol",
}
"""The option flag of each Python API parameter that an InputError's ``field`` names."""


def error_text(exc: InputError) -> str:
    """An input error in the CLI's words: one about a parameter the API names
    (``exc.field``) is prefixed by its option flag, e.g. "--neuron: neuron 5 out of range 0..1"."""
    flag = FLAGS.get(exc.field or "")
    return f"{flag}: {exc}" if flag is not None and exc.where is None else str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    prog = command_name(args)
    try:
        check_file_options(args)
        return COMMANDS[args.command](args)
    except NotCovered as exc:
        if getattr(args, "json", False):
            print(json.dumps({"verdict": "not-covered", "reason": str(exc)}))
        else:
            print("verdict: not-covered")
            print(f"reason: {one_line(str(exc))}")
        return 0
    except InputError as exc:
        print(f"{prog}: error: {one_line(error_text(exc))}", file=sys.stderr)
        return 2
    except ExactscapeError as exc:
        print(f"{prog}: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _stdout_closed(prog)
    except RecursionError:
        print(f"{prog}: error: input nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{prog}: error: out of memory (the input asks for more than this machine gives)", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback
        msg = one_line(f"{exc.__class__.__name__}: {exc}")[:1000]
        print(f"{prog}: internal error: {msg} (please report)", file=sys.stderr)
        return 4


def command_name(args: argparse.Namespace) -> str:
    """``exactscape CMD`` (``exactscape experiment NAME``): the prefix of every error
    line, as argparse's usage errors have it (docs/manual.md "Exit codes")."""
    words = ["exactscape", str(args.command)]
    if args.command == "experiment" and getattr(args, "experiment", None):
        words.append(str(args.experiment))
    return " ".join(words)


def _stdout_closed(prog: str = "exactscape") -> int:
    """The reader of standard output went away (``exactscape ... | head``): not a
    bug but an output that could not be written (exit 3). Standard output is
    pointed at the null device so that the interpreter's final flush stays quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    print(f"{prog}: error: standard output was closed before the output was complete", file=sys.stderr)
    return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

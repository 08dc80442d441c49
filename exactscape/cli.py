"""The ``exactscape`` command line: parses, calls :mod:`exactscape.api`, prints.

Exit codes (stable, documented in README.md):
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
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .deciders import NAMES as DECIDER_NAMES
from .errors import ExactscapeError, InputError, NotCovered

EPILOG = "exit codes: 0 verdict reached, 1 certificate rejected (check), 2 bad input, 3 output error, 4 internal error"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="exactscape",
        description="Exact, certified loss-landscape decisions for one-hidden-layer ReLU networks.",
        epilog=EPILOG,
    )
    p.add_argument("--version", action="version", version=f"exactscape {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
        sp.add_argument(
            "--cert", metavar="FILE", help="certificate path (default: INSTANCE-STEM.COMMAND.cert.json here)"
        )
        sp.add_argument("--no-verify", action="store_true", help="skip replaying the certificate with the checker")
        sp.add_argument("--no-progress", action="store_true", help="no progress display on stderr")

    c = sub.add_parser(
        "cell",
        help="minimiser set, loss and genuineness of one cell (Theorem 1)",
        description="Decide the minimisers of one cell, their exact loss, and whether a genuine "
        "differentiable local minimum exists in it (SPEC section 2), with a certificate.",
        epilog=EPILOG,
    )
    c.add_argument("instance", help="instance file (.json exact; .npz/.npy/.csv read through the float boundary)")
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--weights", metavar="W", help="weights file; the cell is the one containing them")
    g.add_argument("--pattern", metavar="P", help="activation pattern file")
    c.add_argument(
        "--exact-backend",
        default="exact",
        choices=DECIDER_NAMES,
        help="decider of the branch nodes: 'exact' (equality elimination + PPL), 'ppl', 'cdd', or 'hinted' "
        "(HiGHS proposes, exact arithmetic verifies); the verdict is exact either way",
    )
    common(c)

    pt = sub.add_parser(
        "point",
        help="classify a point (z, w): local minimum, saddle, not stationary, not covered",
        description="Classify the given weights exactly (SPEC sections 2-3), with a certificate.",
        epilog=EPILOG,
    )
    pt.add_argument("instance", help="instance file")
    pt.add_argument("--weights", metavar="W", required=True, help="weights file")
    common(pt)

    sd = sub.add_parser(
        "saddles",
        help="differentiable saddles of one cell for a set of zero output weights (Theorem 2)",
        description="For the cell of W (or of pattern P) and a non-empty set Z of neurons with z_j = 0, "
        "decide whether a genuine differentiable saddle exists (SPEC section 3), or a minimum (every g_j = 0), "
        "or neither, with a certificate. Default zero set: the neurons of W with z_j = 0 if any, "
        "else every non-empty zero set.",
        epilog=EPILOG,
    )
    sd.add_argument("instance", help="instance file")
    g = sd.add_mutually_exclusive_group(required=True)
    g.add_argument("--weights", metavar="W", help="weights file; the cell is the one containing them")
    g.add_argument("--pattern", metavar="P", help="activation pattern file")
    z = sd.add_mutually_exclusive_group()
    z.add_argument("--zero", metavar="SET", help='the neurons with z_j = 0, e.g. "0,2"')
    z.add_argument("--all-zero-sets", action="store_true", help="decide every non-empty zero set")
    common(sd)

    bd = sub.add_parser(
        "boundary",
        help="non-differentiable local minima on the face w_k . x_n = 0 (Theorem 3)",
        description="Decide whether a non-differentiable local minimum exists anywhere on the boundary "
        "face {w_k . x_n = 0} through W (the signs of every other pair as at W), for z_k > 0 and for "
        "z_k < 0 (SPEC section 4), with a certificate.",
        epilog=EPILOG,
    )
    bd.add_argument("instance", help="instance file")
    bd.add_argument("--weights", metavar="W", required=True, help="weights file naming the face")
    bd.add_argument("--neuron", metavar="k", type=int, required=True, help="the neuron k on the hyperplane")
    bd.add_argument("--sample", metavar="n", type=int, required=True, help="the sample n whose hyperplane it is")
    common(bd)

    ck = sub.add_parser(
        "check",
        help="replay a certificate with the independent checker",
        description="Replay CERT with the standard-library checker. Last line: 's VERIFIED' (exit 0) "
        "or 's REJECTED: reason' (exit 1); exit 2 if CERT is not a certificate at all.",
        epilog=EPILOG,
    )
    ck.add_argument("cert", help="certificate file")
    ck.add_argument("--quiet", action="store_true", help="print only the final s-line")

    st = sub.add_parser(
        "selftest",
        help="verify the bundled certificates and re-derive their verdicts, without pytest",
        description="Check every certificate in proofs/certificates with the independent checker, and "
        "recompute each bundled example to confirm the producer still reaches the same claims.",
        epilog=EPILOG,
    )
    st.add_argument("--dir", default=None, help="folder of certificates (default: the bundled proofs/certificates)")
    from . import float_cli  # issue 5: crosscheck, compare, experiment

    float_cli.add_parsers(sub, EPILOG)
    __import__("exactscape.cli_region", fromlist=["add_parsers"]).add_parsers(sub, EPILOG)  # region, cells
    return p


@contextlib.contextmanager
def _progress(args: argparse.Namespace, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A live counter of exact LPs on stderr (rich), only on a terminal."""
    if getattr(args, "no_progress", False) or not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    except ImportError:  # pragma: no cover - rich is a dependency
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=None)

        def update(nodes: int, depth: int) -> None:
            bar.update(task, description=f"{what}: {nodes} exact LPs, branch depth {depth}")

        yield update


def _default_cert(instance: str, command: str) -> Path:
    return Path(f"{Path(instance).stem}.{command}.cert.json")


def _emit(args: argparse.Namespace, res: Any, command: str, human: Callable[[], list[str]], inputs: list[str]) -> int:
    from . import certify

    path = Path(args.cert) if args.cert else _default_cert(args.instance, command)
    certify.write(res.certificate, path, protected=tuple(Path(x) for x in inputs if x))
    verified = "verified by the independent checker" if res.checker_lines else "not replayed (--no-verify)"
    if args.json:
        out = dict(res.summary)
        out["certificate"] = str(path)
        out["certificate_verified"] = bool(res.checker_lines)
        print(json.dumps(out))
    else:
        for line in human():
            print(line)
        print(f"certificate: {path} ({verified})")
    return 0


def _provenance(inst: Any) -> list[str]:
    return [f"note: {inst.provenance}"] if inst.provenance != "exact" else []


def _cmd_cell(args: argparse.Namespace) -> int:
    from . import api
    from .model import load_instance, load_pattern, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights) if args.weights else None
    if wts is not None:
        wts.check_against(inst)
    pat = load_pattern(args.pattern) if args.pattern else None
    with _progress(args, "deciding genuineness") as progress:
        res = api.cell(
            inst, pattern=pat, weights=wts, verify=not args.no_verify, progress=progress, backend=args.exact_backend
        )
    s = res.summary

    def human() -> list[str]:
        if not s["feasible"]:
            verdict = "infeasible"
        else:
            verdict = "genuine" if s["genuine"] else "not-genuine"
        a = res.analysis
        lines = [f"verdict: {verdict}"]
        lines += _provenance(inst)
        lines.append(f"instance: {args.instance} (N={inst.N}, d={inst.d}{', bias' if inst.bias else ''}, K={s['K']})")
        if not s["feasible"]:
            lines.append(f"cell: empty (the open cone of neuron {a.feasibility.neuron} is empty)")
        else:
            lines.append("cell: non-empty (every neuron's open cone has an interior point)")
        kd = s["K"] * inst.d
        if s["kind"] == "unique":
            lines.append(f"minimisers: a unique point (rank A = Kd = {kd})")
        else:
            lines.append(f"minimisers: an affine set of dimension {s['dimension']} (rank A = {s['rank']} < Kd = {kd})")
        if kd <= 12:
            part = "; ".join("(" + ", ".join(b) + ")" for b in s["particular"])
            lines.append(f"  minimum-norm minimiser R = A^+ y: {part}")
            for v in s["null_space"] or []:
                lines.append("  plus any multiple of: " + "; ".join("(" + ", ".join(b) + ")" for b in v))
        lines.append(f"minimum loss in the cell: {s['loss']}")
        if s["feasible"]:
            if s["genuine"]:
                lines.append(f"genuine minimum: yes, branches {' '.join(s['branches'])} (witness in the certificate)")
            else:
                lines.append(
                    f"genuine minimum: no; every branch vector in {{+,-,0}}^{s['K']} refuted "
                    f"({s['lp_nodes']} exact LPs)"
                )
        return lines

    return _emit(args, res, "cell", human, [args.instance, args.weights, args.pattern])


def _cmd_point(args: argparse.Namespace) -> int:
    from . import api
    from .model import load_instance, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights)
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
            "non-differentiable-local-minimum": "on one hyperplane, the one-sided KKT conditions [41]-[42] "
            "and the sign conditions [29]/[30] hold: a local minimum (Lemma B)",
            "not-a-local-minimum": "on one hyperplane; a curve through the point descends",
        }
        lines.append(explain.get(s["verdict"], ""))
        if "neuron" in s:
            lines.append(f"boundary: w_{s['neuron']} . x_{s['sample']} = 0")
        if "lambda" in s:
            lines.append(f"lambda: {s['lambda']}")
        if "reason" in s:
            lines.append(f"reason: {s['reason']}")
        return lines

    return _emit(args, res, "point", human, [args.instance, args.weights])


def _cmd_saddles(args: argparse.Namespace) -> int:
    from . import api
    from .model import load_instance, load_pattern, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights) if args.weights else None
    if wts is not None:
        wts.check_against(inst)
    pat = load_pattern(args.pattern) if args.pattern else None
    K = wts.K if wts is not None else (pat.K if pat is not None else 0)
    zero = api.parse_zero_set(args.zero, K) if args.zero is not None else None
    res = api.saddles(
        inst, pattern=pat, weights=wts, zero=zero, all_zero_sets=args.all_zero_sets, verify=not args.no_verify
    )
    s = res.summary

    def human() -> list[str]:
        lines = [f"verdict: {'saddle' if s['saddle'] else 'no-saddle'}"]
        lines += _provenance(inst)
        lines.append(f"instance: {args.instance} (N={inst.N}, d={inst.d}, K={s['K']})")
        for c in s["cases"]:
            zs = ",".join(map(str, c["zero"]))
            extra = "every g_j = 0" if c["gradient_zero"] else "some g_j != 0"
            lines.append(
                f"Z = {{{zs}}}: {c['verdict']} (loss {c['loss']}, {extra}, solution set dimension {c['dimension']})"
            )
        return lines

    return _emit(args, res, "saddles", human, [args.instance, args.weights, args.pattern])


def _cmd_boundary(args: argparse.Namespace) -> int:
    from . import api
    from .model import load_instance, load_weights

    inst = load_instance(args.instance)
    wts = load_weights(args.weights)
    res = api.boundary(inst, wts, args.neuron, args.sample, verify=not args.no_verify)
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

    return _emit(args, res, "boundary", human, [args.instance, args.weights])


def _cmd_check(args: argparse.Namespace) -> int:
    from .checker import check_file

    code, lines = check_file(args.cert)
    for line in lines if not args.quiet else lines[-1:]:
        print(line)
    return code


def _cmd_selftest(args: argparse.Namespace) -> int:
    from .selftest import run

    return run(args.dir)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "cell": _cmd_cell,
    "point": _cmd_point,
    "saddles": _cmd_saddles,
    "boundary": _cmd_boundary,
    "check": _cmd_check,
    "selftest": _cmd_selftest,
}
COMMANDS.update(__import__("exactscape.float_cli", fromlist=["COMMANDS"]).COMMANDS)  # issue 5
COMMANDS.update(__import__("exactscape.cli_region", fromlist=["COMMANDS"]).COMMANDS)  # region, cells


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except NotCovered as exc:
        if getattr(args, "json", False):
            print(json.dumps({"verdict": "not-covered", "reason": str(exc)}))
        else:
            print("verdict: not-covered")
            print(f"reason: {exc}")
        return 0
    except InputError as exc:
        print(f"exactscape: error: {exc}", file=sys.stderr)
        return 2
    except ExactscapeError as exc:
        print(f"exactscape: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("exactscape: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print("exactscape: error: input nested too deeply", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback
        print(f"exactscape: internal error: {exc.__class__.__name__}: {exc} (please report)", file=sys.stderr)
        return 4


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

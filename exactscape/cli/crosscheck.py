"""The float cross-check commands, registered by :mod:`exactscape.cli`: ``crosscheck``
(what did a float training run converge to?) and ``compare`` (float LP versus exact
genuineness of one cell). Thin: parses, calls, prints."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..deciders import NAMES as DECIDER_NAMES
from ..errors import InputError, show_path
from ..floats.options import CROSSCHECK_BUDGET, float_list, positive_float
from ..io.claims import mark_json, not_certified
from .options import SEED, int_range, tolerance
from .runner import INSTANCE_HELP, cert_help, cert_path

N_RANGE = int_range(2, 100_000)
D0_RANGE = int_range(1, 10_000)
K_RANGE = int_range(1, 64)
TRIALS_RANGE = int_range(1, 100_000)
SEED_RANGE = SEED
STEPS_RANGE = int_range(0, 10**9)


def backend_help(default: str) -> str:
    """The ``--exact-backend`` help, naming the command's default."""
    return f"{BACKEND_HELP} (default {default})"


BACKEND_HELP = (
    "exact LP backend of the genuineness search: 'exact' (exact equality elimination + PPL), 'ppl', 'cdd', "
    "'hinted' (HiGHS answers turned into exactly verified witnesses / Farkas multipliers, 'exact' when that "
    "fails), or 'auto' ('hinted' when scipy is installed, else 'exact'); verdicts are exact either way"
)
BACKENDS = list(DECIDER_NAMES)


def add_parsers(sub: Any, epilog: str) -> None:
    """Add this module's sub-commands to the main parser's sub-parsers."""
    cc = sub.add_parser(
        "crosscheck",
        help="what did a float training run converge to? exact cross-check of trained weights",
        description="Read trained float weights (JSON with floats, .npz, PyTorch state_dict .pt), convert them "
        "exactly to rationals, and report their activation pattern and its robustness, the exact minimisers of "
        "that cell and their loss beside the float loss, the exact distance to them, and whether the point is "
        "near a genuine local minimum, a saddle, or nothing; with an exact snapped point and its certificate.",
        epilog=epilog,
    )
    cc.add_argument("instance", help=INSTANCE_HELP)
    cc.add_argument("--weights", metavar="W", required=True, help="trained weights: .json (floats allowed), .npz, .pt")
    cc.add_argument(
        "--tol",
        type=tolerance,
        default=Fraction(1, 1000),
        help="'near' means R-space distance <= TOL * max(1, ||R||) (exact rational; default 1/1000)",
    )
    cc.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "float128", "float64", "float32", "float16", "bfloat16"],
        help="format the training program computed in, for the robustness model (default: the dtype "
        "of the weights file; float64 for JSON; float128 is NumPy's long double of this platform)",
    )
    cc.add_argument(
        "--float-mode",
        default="binary64",
        choices=["binary64", "decimal"],
        help="JSON float literals: the binary64 value they denote (default) or the decimal written",
    )
    cc.add_argument(
        "--max-denominator",
        type=int_range(1),
        default=None,
        help=".npz/.pt: round each float to the nearest rational with this denominator bound "
        "(default: exact dyadic conversion)",
    )
    cc.add_argument("--cell-cert", metavar="FILE", help="also write the cell certificate of the point's cell")
    cc.add_argument("--exact-backend", default="hinted", choices=BACKENDS, help=backend_help("hinted"))
    cc.add_argument(
        "--budget",
        type=positive_float,
        default=CROSSCHECK_BUDGET,
        help="seconds for the cell's minimiser set and genuineness decision; then 'undecided' (default 300)",
    )
    cc.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    cc.add_argument("--cert", metavar="FILE", help=cert_help("crosscheck"))
    cc.add_argument("--no-verify", action="store_true", help="skip replaying the certificates with the checker")

    cp = sub.add_parser(
        "compare",
        help="float LP (HiGHS) versus exact genuineness of one cell",
        description="Decide the genuineness of one cell twice: with a float LP (scipy HiGHS, max-t strictness "
        "formulation) at each threshold TOL, and exactly; report where they disagree.",
        epilog=epilog,
    )
    cp.add_argument("instance", help=INSTANCE_HELP)
    g = cp.add_mutually_exclusive_group(required=True)
    g.add_argument("--pattern", metavar="P", help="activation pattern file")
    g.add_argument("--weights", metavar="W", help="weights (exact JSON, or float JSON/.npz/.pt); their cell")
    cp.add_argument(
        "--tols",
        type=float_list,
        default=None,
        help="float thresholds on t*, comma-separated (default -1e-9,0,1e-9,1e-6; negative = non-strict reading)",
    )
    cp.add_argument("--json", action="store_true", help="print one JSON object")
    cp.add_argument("--exact-backend", default="exact", choices=BACKENDS, help=backend_help("exact"))


NO_CELL_CERT = "the cell's genuineness is undecided, and no certificate exists for an undecided cell"


def _cmd_crosscheck(args: argparse.Namespace) -> int:
    from ..experiments.compare import backend
    from ..floats.lp import float_loss, instance_arrays, weights_arrays
    from ..floats.weights import load_float_weights
    from ..floats.witness import proposer as witness_proposer
    from ..io import outputs
    from ..io.instances import load_instance
    from ..landscape.crosscheck import crosscheck, summary

    inst = load_instance(args.instance)
    fw = load_float_weights(args.weights, mode=args.float_mode, max_denominator=args.max_denominator)
    wts = fw.weights
    wts.check_against(inst)
    path = cert_path(args, "crosscheck")
    protected = (Path(args.instance), Path(args.weights))
    outputs.check_targets(  # both certificates, before any work or any write
        [path, *([Path(args.cell_cert)] if args.cell_cert else [])], protected, outputs.CERTIFICATE
    )
    precision = fw.precision if args.precision == "auto" else args.precision
    # float proposals of witnesses (verified exactly) unless the exact backend alone was asked for
    propose = None if args.exact_backend in ("exact", "ppl", "cdd") else witness_proposer()
    cc = crosscheck(
        inst,
        wts,
        precision=precision,
        tol=args.tol,
        decide=backend(args.exact_backend),
        propose=propose,
        budget=Fraction(args.budget),
    )
    X, y = instance_arrays(inst)
    z, w = weights_arrays(wts)
    Lf = float_loss(X, y, z, w)
    s = summary(cc, Lf)
    s["weights_provenance"] = fw.provenance
    if inst.provenance != "exact":
        s["instance_provenance"] = inst.provenance

    point = cc.snap.verdict if cc.snap is not None and cc.verdict.startswith("near-") else cc.point
    lines, cell_cert_note = _write_certificates(args, cc, point, s, path, protected)
    snapped = point is not cc.point
    mark_json(s, _uncertified(args, cc, s, snapped))
    if args.json:
        print(json.dumps(s))
        return 0
    out = _crosscheck_lines(args, inst, fw, cc, s, Lf, snapped)
    if cell_cert_note:
        out.append(cell_cert_note)
    ver = "verified by the independent checker" if lines else "not replayed (--no-verify)"
    out.append(f"certificate: {show_path(path)} ({s['certificate_kind']}, {ver})")
    print("\n".join(out))
    return 0


def _write_certificates(
    args: argparse.Namespace, cc: Any, point: Any, s: dict[str, Any], path: Path, protected: tuple[Path, ...]
) -> tuple[list[str], str]:
    """Write the point certificate (and ``--cell-cert``'s, unless the cell is undecided), noting
    them in the summary ``s``; the checker's lines and the note printed for an undecided cell."""
    from ..io import certify
    from ..io.certify import point_certificate

    cert = point_certificate(point)
    lines: list[str] = []
    if not args.no_verify:
        lines = certify.self_check(cert)
    certify.write(cert, path, protected=protected)
    s["certificate"] = str(path)
    s["certificate_kind"] = "point (snapped exact point)" if point is not cc.point else "point (the float point itself)"
    s["certificate_verified"] = bool(lines)
    cell_cert_note = ""
    if args.cell_cert and cc.analysis is not None and cc.analysis.undecided:
        # an undecided cell has no certificate: answer, write nothing, and say so
        s["cell_certificate"] = None
        s["cell_certificate_note"] = NO_CELL_CERT
        cell_cert_note = f"cell certificate: none written to {show_path(args.cell_cert)}: " + NO_CELL_CERT
    elif args.cell_cert and cc.analysis is not None:
        ccert = certify.cell_certificate(cc.analysis)
        if not args.no_verify:
            certify.self_check(ccert)
        certify.write(ccert, Path(args.cell_cert), protected=protected)
        s["cell_certificate"] = args.cell_cert
    return lines, cell_cert_note


def _uncertified(args: argparse.Namespace, cc: Any, s: dict[str, Any], snapped: bool) -> list[str]:
    """The summary fields no certificate written by this run proves."""
    uncertified = [
        "robustness",
        "loss_excess",
        "dist_sq_to_minimiser_set",
        "dist_sq_to_genuine_upper",
        "dist_to_genuine_exact",
        "R_norm_sq",
        "snap.R_dist_sq",
        "snap.zw_dist_sq",
    ]
    if snapped:  # the certificate is the snapped point's: the float point's own values are not in it
        uncertified += ["loss_exact", "gradient_norm_sq", "point_verdict", "pattern"]
    if not (args.cell_cert and "cell_certificate" in s and s["cell_certificate"]):
        uncertified.append("cell")
    if cc.verdict != "not-covered":
        # nearness rests on the distances above (not in the certificate), and "nothing" / "undecided"
        # on a saddle projection that found none (not a proof that none is near)
        uncertified.append("verdict")
    return uncertified


def _crosscheck_lines(
    args: argparse.Namespace, inst: Any, fw: Any, cc: Any, s: dict[str, Any], Lf: float, snapped: bool
) -> list[str]:
    """The human summary: verdict, provenance, pattern robustness, the cell, losses, distances, the snap."""
    from ..floats.convert import percent_text
    from ..landscape.crosscheck import sci

    wts = fw.weights
    cell_mark = (lambda t: t) if s.get("cell_certificate") else not_certified
    out = [f"verdict: {cc.verdict}"]
    if inst.provenance != "exact":
        out.append(f"note: {inst.provenance}")
    out.append(f"note: {fw.provenance}")
    out.append(f"instance: {show_path(args.instance)} (N={inst.N}, d={inst.d}, K={wts.K})")
    if cc.verdict == "not-covered":
        out.append(
            f"the float point lies on {len(cc.on_hyperplanes)} hyperplane(s) w_j . x_i = 0 exactly "
            "(first: {}); it names no open cell".format(cc.on_hyperplanes[0])
        )
    r = cc.robustness
    if r is not None:
        share = percent_text(sum(sum(row) for row in cc.pattern.I), inst.N * wts.K)
        out.append(
            not_certified(
                f"pattern: {share} of the N x K states active; "
                + ("robust" if r.robust else "NOT robust")
                + f" (min relative margin |w_j.x_i| / sum|w_jl x_il| = {sci(r.min_relative_margin)} at neuron "
                f"{r.closest[0]}, sample {r.closest[1]}; float error bound gamma_(d+1) = {sci(r.gamma)} in "
                f"{r.precision})"
            )
        )
    a = cc.analysis
    out += _cell_part(cc, inst.d * wts.K, cell_mark)
    own = not_certified if snapped else (lambda t: t)  # the float point's values: in its own certificate
    out.append(own(f"loss at the float point: exact {sci(cc.loss_exact, 10)}, float64 evaluation {Lf:.10e}"))
    if a is not None:
        out.append(
            not_certified(
                f"loss excess over L*: {sci(cc.loss_exact - a.loss)}; "
                f"exact squared gradient norm (up to (2/N)^2): {sci(cc.point.gradient_norm_sq)}"
            )
        )
    if cc.affine_dist_sq is not None:
        out.append(
            not_certified(
                f"R-space distance^2 to the cell's minimiser set: {sci(cc.affine_dist_sq)} (exact projection)"
            )
        )
    if cc.genuine_dist_sq_upper is not None:
        tag = "exact" if cc.distance_exact else "upper bound; the minimiser-set distance is a lower bound"
        out.append(
            not_certified(f"R-space distance^2 to the genuine minimisers: {sci(cc.genuine_dist_sq_upper)} ({tag})")
        )
    out.append(not_certified(f"||R||^2 = {sci(cc.R_norm_sq)}; near means distance <= {cc.tol} * max(1, ||R||)"))
    if cc.snap is not None:
        sn = cc.snap
        head = f"snapped exact point: {sn.verdict.verdict}, loss {sci(sn.verdict.loss, 10)}; {sn.how}; "
        dist = f"(z, w)-distance^2 {sci(sn.zw_dist_sq)}"
        # the snapped point's verdict and loss are in the certificate only when it is the snapped point's
        out.append(head + not_certified(dist) if snapped else not_certified(head + dist))
    explain = {
        "near-genuine-minimum": "the float run converged next to a genuine local minimum "
        "(exact point in the certificate)",
        "near-saddle": "the float run sits next to a differentiable saddle "
        "(descent and ascent curves in the certificate)",
        "nothing": "no exact stationary point of these kinds within the tolerance: descent continues from here",
        "undecided": "whether a genuine minimum lies within the tolerance is undecided (the cell's genuineness "
        "is undecided); no saddle within the tolerance",
        "not-covered": "boundary points are not decided by this command",
    }
    out.append(explain[cc.verdict] if cc.verdict == "not-covered" else not_certified(explain[cc.verdict]))
    return out


def _cell_part(cc: Any, kd: int, cell_mark: Callable[[str], str]) -> list[str]:
    """The cell of the float point: its minimiser set and loss, and its genuineness (three-valued)."""
    from ..landscape.crosscheck import sci

    a = cc.analysis
    if a is None:
        return []
    out: list[str] = []
    shape = "a unique point" if a.kind == "unique" else f"an affine set of dimension {a.dimension}"
    out.append(
        cell_mark(f"cell minimisers: {shape} (rank A = {a.rank}, Kd = {kd}); minimum loss L* = {sci(a.loss, 6)}")
    )
    g = a.genuineness
    if g.is_genuine and a.genuine is not None:
        gen = f"yes, branches {' '.join(a.genuine.branches)}"
    elif g.is_refuted:
        gen = "no (every branch vector refuted)" if a.feasibility.feasible else "no (the cell is empty)"
    else:
        gen = f"undecided: {g.reason_text()} (neither shown nor refuted)"
    out.append(cell_mark(f"genuine minimum in this cell: {gen}"))
    return out


def _cmd_compare(args: argparse.Namespace) -> int:
    from ..core.model import pattern_of
    from ..experiments.compare import DEFAULT_TOLS, backend, compare_cell, comparison_json
    from ..io.instances import load_instance, load_pattern

    inst = load_instance(args.instance)
    if args.pattern:
        pat = load_pattern(args.pattern)
        pat.check_against(inst)
    else:
        from ..floats.weights import load_float_weights

        wts = load_float_weights(args.weights).weights
        wts.check_against(inst)
        pat, on = pattern_of(inst, wts)
        if on:
            raise InputError(f"the weights lie on the hyperplane w_{on[0][0]} . x_{on[0][1]} = 0; give a pattern")
    from ..floats.lp import finite

    if not finite(inst):
        raise InputError("a value is beyond the float64 range, so the float LP cannot be set up", args.instance)
    tols = args.tols or DEFAULT_TOLS
    c = compare_cell(inst, pat, tols, backend(args.exact_backend))
    js = comparison_json(c)
    js["disagree"] = {repr(t): c.disagrees(t) for t in tols}
    # undecided: the exact answer is undecided, so nothing is compared; disagrees: some
    # threshold's float verdict differs from the exact one; float-error: none differs, but the
    # float LP failed at some threshold; agrees: every threshold agrees
    verdict = (
        "undecided"
        if c.exact.is_undecided
        else "disagrees"
        if any(c.disagrees(t) for t in tols)
        else "float-error"
        if any(c.errors(t) for t in tols)
        else "agrees"
    )
    if args.json:
        print(json.dumps(mark_json({"verdict": verdict, **js}, [] if c.exact.is_undecided else ["exact"])))
        return 0
    if not c.exact_feasible:
        ex = "infeasible"
    elif c.exact.is_undecided:
        ex = f"undecided: {c.exact.reason_text()}"
    else:
        ex = c.exact.state
    print(f"verdict: {verdict}")
    if c.exact.is_undecided:
        print(f"exact: {ex} ({c.exact_seconds:.2f} s, no certificate exists)")
    else:  # decided exactly, but this command writes no certificate
        print(not_certified(f"exact: {ex} ({c.exact_seconds:.2f} s; `exactscape cell` writes its certificate)"))
    for t in tols:
        f = c.floats[t]
        if c.exact.is_undecided:
            flag = "not compared (exact undecided)"
        else:
            flag = "DISAGREES" if c.disagrees(t) else ("error" if c.errors(t) else "agrees")
        tt = "" if f.min_margin is None else f", witness margin {f.min_margin:.3e}"
        print(f"float LP, tol {t:g}: {f.verdict} ({f.nodes} LPs{tt}) -> {flag}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "crosscheck": _cmd_crosscheck,
    "compare": _cmd_compare,
}

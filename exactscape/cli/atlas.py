"""CLI commands ``atlas`` and ``gaussian1d``, registered by :mod:`exactscape.cli`.
Thin: parses, calls :mod:`exactscape.landscape.atlas` / :mod:`exactscape.experiments.gaussian1d`, prints."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError, show_path
from ..io import outputs
from .options import SEED, SEED_HELP, int_range
from .progress import bar as progress_bar
from .runner import INSTANCE_HELP

TABLE_LIMIT = 300  # network cells printed in full; above, only cells with a genuine minimum
ATLAS_MAX_K = 12
"""Largest ``atlas --neurons`` (exactscape.landscape.atlas.MAX_K: 2^K branch vectors per cell)."""
G1_MAX_N = 100_000
"""Largest ``gaussian1d -N``."""
G1_MAX_CHECK_N = 10_000
"""Largest ``gaussian1d -N`` with ``--check`` (an exact cell of N samples: about 30 s at 10,000)."""
G1_MAX_WORK = 4_000_000
"""Largest N x STEPS of ``gaussian1d`` (each step evaluates three sampled losses of N terms)."""


def add_parsers(sub: Any, epilog: str) -> None:
    """Add ``atlas`` and ``gaussian1d`` to the main parser's sub-parsers."""
    at = sub.add_parser(
        "atlas",
        help="every cell, minimum, saddle and boundary minimum of a small instance, proved complete",
        description="Enumerate every open cell of the network (products of the neurons' cells, each with a "
        "witness; a sign tree proves the list complete), and decide in each: the minimiser set and its loss, "
        "genuineness and branches (Theorem 1), saddles for every zero set (Theorem 2), non-differentiable "
        "minima on every facet (Theorem 3); then the global minimum from both sides and the spurious minima.",
        epilog=epilog,
    )
    at.add_argument("instance", help=INSTANCE_HELP)
    at.add_argument(
        "--neurons",
        "-K",
        metavar="K",
        type=int_range(1, ATLAS_MAX_K),
        required=True,
        help=f"number of hidden neurons K, 1..{ATLAS_MAX_K}",
    )
    at.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    at.add_argument("--out", metavar="DIR", help="write the certificate bundle (census, cells, saddles, facets)")
    at.add_argument("--plot", metavar="FILE", help="draw the atlas (.png or .svg; needs matplotlib)")
    at.add_argument(
        "--max-cells",
        metavar="M",
        type=int_range(1, 10**7),
        default=100_000,
        help="refuse instances with more network cells than this, 1..10^7 (default 100000)",
    )
    at.add_argument("--no-saddles", action="store_true", help="skip Theorem 2 (zero sets) in every cell")
    at.add_argument(
        "--max-face-lps",
        metavar="M",
        type=int,
        default=1_000,
        help="decide at most M faces and signs of z outside Theorems 1 and 3 by an exact LP each (Lemma D; "
        "0 to 10000000, default 1000); the rest is counted as not examined",
    )
    at.add_argument("--no-faces", action="store_true", help="skip Theorem 3 (facets) and every other face")
    at.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    g = sub.add_parser(
        "gaussian1d",
        help="1-D Gaussian analysis: gaps between w_j and w*_j, P_g and P_t = (1 - P_g)^N",
        description="Two classes N(+1, 1) (label +1) and N(-1, 1) (label -1) with equal priors; neurons on "
        "the line at locations h_j with fixed normals (z_j = +1 for normal +1, -1 for normal -1). The optimal "
        "locations h* solve F h = f (population form); the gaps between h_j and h*_j give P_g (the largest gap "
        "probability) and P_t = (1 - P_g)^N, the probability that no sample falls in a gap. Floats throughout "
        "(a probability model); --check decides one sampled instance exactly.",
        epilog=epilog,
    )
    g.add_argument(
        "--samples",
        "-N",
        type=int_range(1, G1_MAX_N),
        default=100,
        help=f"number of samples N, 1..{G1_MAX_N} (default 100)",
    )
    g.add_argument(
        "--sweep",
        default="0:6:121",
        metavar="A:B:STEPS",
        help="x_w1 values for the two-neuron sweep with x_w2 = 0 (default 0:6:121); -10^6 <= A < B <= 10^6, "
        f"STEPS in 2..100000 and N x STEPS at most {G1_MAX_WORK} (each is a sampled loss evaluated three times)",
    )
    g.add_argument(
        "--seed", type=SEED, default=0, help=f"seed of the sampled empirical losses, {SEED_HELP} (default 0)"
    )
    g.add_argument("--plot", metavar="FILE", help="Fig. 1 / Fig. 2(a)-(d) style figure (.png/.svg)")
    g.add_argument(
        "--check",
        action="store_true",
        help=f"decide one sampled instance's cell exactly (Theorem 1); N at most {G1_MAX_CHECK_N}",
    )
    g.add_argument(
        "--more", action="store_true", help="also Fig. 2(e) (both weights moving) and Fig. 3 (K = 4, 60, 200)"
    )
    g.add_argument("--json", action="store_true", help="print one JSON object")


@contextmanager
def _bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """The atlas's progress bar on stderr (what it is deciding, done/total), only on a terminal."""
    with progress_bar("atlas", enabled=enabled) as b:
        if b is None:
            yield None
            return

        def update(what: str, done: int, total: int) -> None:
            b.update(done=done, total=total, text=what)

        yield update


def _cmd_atlas(args: argparse.Namespace) -> int:
    from ..io.instances import load_instance
    from ..landscape import atlas as atlas_mod

    inst = load_instance(args.instance)
    protected = (Path(args.instance),)
    plot = Path(args.plot) if args.plot else None
    if plot is not None:
        if plot.suffix.lower() not in (".png", ".svg"):
            raise InputError("the plot file must end in .png or .svg", "--plot")
        atlas_mod.check_target(plot, protected)
        from ..floats.plots import require_matplotlib

        require_matplotlib()
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.is_symlink():
            raise OutputError(
                f"--out {show_path(out)}: is a symbolic link; the bundle is written only into a real folder"
            )
        if out.exists() and not out.is_dir():
            raise OutputError(f"--out {show_path(out)}: exists and is not a folder")
    with _bar(not args.no_progress) as progress:
        at = atlas_mod.atlas(
            inst,
            args.neurons,
            max_cells=args.max_cells,
            saddles=not args.no_saddles,
            faces=not args.no_faces,
            progress=progress,
            max_face_lps=args.max_face_lps,
        )
    s = atlas_mod.summary(at)
    written: list[Path] = []
    if out is not None:
        written = atlas_mod.write_bundle(at, out, protected)
    if plot is not None:
        from ..floats.plots import draw_atlas

        outputs.write_bytes(plot, draw_atlas(at, plot.suffix.lower()[1:]), inputs=protected, may_replace=atlas_mod.ours)
    if args.json:
        doc = dict(s)
        doc["bundle"] = str(out) if out is not None else None
        doc["plot"] = str(plot) if plot is not None else None
        print(json.dumps(doc))
        return 0
    for line in human(at, s, args.instance):
        print(line)
    if out is not None:
        print(f"bundle: {out} ({len(written) - 1} certificates, each verified; check with: exactscape check {out})")
    if plot is not None:
        print(f"plot: {plot}")
    return 0


def human(at: Any, s: dict[str, Any], name: str) -> list[str]:
    """The readable table of an atlas: the counts, the cells, the faces, the global and spurious minima."""
    return _atlas_head(at, s, name) + _cell_table(at, s) + _face_lines(at, s) + _minima_lines(s)


def _atlas_head(at: Any, s: dict[str, Any], name: str) -> list[str]:
    """The verdict, the instance, the cell counts and the genuineness counts."""
    inst = at.instance
    lines = [f"verdict: {s['verdict']}"]
    if inst.provenance != "exact":
        lines.append(f"note: {inst.provenance}")
    lines.append(f"instance: {name} (N={inst.N}, d={inst.d}{', bias' if inst.bias else ''}, K={at.K})")
    lines.append(
        f"cells: {s['neuron_cells']} per neuron (at most {s['neuron_cell_bound']} = 2 sum_(i<d) C(N-1, i); "
        f"complete: sign tree, {s['census_lps']} exact LPs), {s['network_cells']} network cells"
    )
    if not at.cells:
        lines.append("no open cell: the landscape is all boundary (not covered)")
    else:
        gc = s["genuineness_counts"]
        lines.append(
            f"genuine minimum: in {gc['genuine']} cells; not genuine: {gc['not-genuine']}; undecided: {gc['undecided']}"
        )
    return lines


def _cell_table(at: Any, s: dict[str, Any]) -> list[str]:
    """One line per network cell (above TABLE_LIMIT cells only those not refuted)."""
    lines: list[str] = []
    full = len(at.cells) <= TABLE_LIMIT
    if at.cells:
        if not full:
            lines.append(
                f"(more than {TABLE_LIMIT} cells: only cells with a genuine minimum or undecided are listed; "
                "--json has all)"
            )
        width = max(7, len(s["cells"][0]["pattern"]))
        lines.append(
            f"{'cell':>5}  {'pattern':<{width}}  {'loss L*':>9}  {'infimum':>9}  "
            f"{'minimisers':<10}  genuine    z>0  saddles"
        )
        for c in s["cells"]:
            if not full and c["genuineness"] == "not-genuine":
                continue
            mins = "unique" if c["kind"] == "unique" else f"affine/{c['dimension']}"
            inf = c["infimum"] if c["infimum"] is not None else f">={c['lower_bound']}"
            gen = {"genuine": "yes " + "".join(c["branches"] or []), "not-genuine": "no", "undecided": "undecided"}[
                c["genuineness"]
            ]
            pos = "-" if c["genuine_with_positive_z"] is None else ("yes" if c["genuine_with_positive_z"] else "NO")
            sd = ", ".join(
                f"{{{','.join(map(str, z['zero']))}}} {z['verdict']}"
                for z in c.get("saddles", [])
                if z["verdict"] != "none"
            )
            lines.append(
                f"{c['index']:>5}  {c['pattern']:<{width}}  {c['loss']:>9}  {inf:>9}  "
                f"{mins:<10}  {gen:<9}  {pos:<3}  {sd or '-'}"
            )
    return lines


def _face_lines(at: Any, s: dict[str, Any]) -> list[str]:
    """The boundary minima on facets (Theorem 3) and the local minima on other faces (Lemma D)."""
    full = len(at.cells) <= TABLE_LIMIT
    lines: list[str] = []
    bm = s["boundary_minima"]
    lines.append(f"boundary minima (Theorem 3): on {len(bm)} of {len(s['faces'])} facets")
    for f in bm[: TABLE_LIMIT if full else 20]:
        signs = " and ".join(x for x, ok in (("z_k > 0", f["plus"]), ("z_k < 0", f["minus"])) if ok)
        lines.append(f"  cell {f['cell']}: w_{f['neuron']} . x_{f['sample']} = 0, {signs}, loss {f['loss']}")
    fm = s["face_minima"]
    if s["faces_examined"]:
        lines.append(
            f"other faces (Lemma D; several walls, w_j = 0, z_k = 0 on a wall): local minima on {len(fm)} of "
            f"{s['faces_examined']} faces and signs of z"
        )
        for f in fm[:20]:
            lines.append(f"  face {f['face']}, z signs {' '.join(f['z_signs'])}, loss {f['loss']}")
        if len(fm) > 20:
            lines.append(f"  ... {len(fm) - 20} more in --json")
    return lines


def _minima_lines(s: dict[str, Any]) -> list[str]:
    """Cells hidden by positive output weights, the global minimum, spurious and undecided minima."""
    lines: list[str] = []
    hidden = [c["index"] for c in s["cells"] if c["genuine_with_positive_z"] is False]
    if hidden:
        lines.append(
            "hidden by a fixed positive output weight (genuine only with some z_j <= 0): cells "
            + ", ".join(map(str, hidden[:40]))
            + (" ..." if len(hidden) > 40 else "")
        )
    gm = s["global_minimum"]
    if gm["lower"] is None:
        lines.append(f"global minimum: not decided (no open cell); at most {gm['upper']} ({gm['attained_by']})")
    elif gm["certified"]:
        lines.append(f"global minimum: {gm['loss']} (certified: attained by {gm['attained_by']}; no cell goes lower)")
    else:
        lines.append(
            f"global minimum: between {gm['lower']} and {gm['upper']} (not certified: upper attained by "
            f"{gm['attained_by']}; lower = least proved cell bound, some cells' infimum not computed)"
        )
    if gm["point"] is not None:
        p = gm["point"]
        lines.append(
            "  attained at z = (" + ", ".join(p["z"]) + "), w = " + "; ".join("(" + ", ".join(r) + ")" for r in p["w"])
        )
    sp = s["spurious"]
    lines.append(f"spurious local minima (loss above the global minimum): {len(sp)}")
    for m in sp[:20]:
        lines.append("  " + _min_text(m))
    if len(sp) > 20:
        lines.append(f"  ... {len(sp) - 20} more in --json")
    if s["undecided"]:
        lines.append(f"undecided (loss between the bounds): {len(s['undecided'])} minima")
    for t in s["not_covered"]:
        lines.append(f"not covered: {t}")
    return lines
    return lines


def _min_text(m: dict[str, Any]) -> str:
    if m["where"] == "face":
        return f"face {m['face']} (0: on the wall), z signs {' '.join(m['branches'])}, loss {m['loss']}"
    if m["where"] == "cell":
        return f"cell {m['cell']}: differentiable, branches {' '.join(m['branches'])}, loss {m['loss']}"
    z = "z_k > 0" if m["sign"] == "+" else "z_k < 0"
    return f"cell {m['cell']}: on w_{m['neuron']} . x_{m['sample']} = 0 with {z}, loss {m['loss']}"


def _cmd_gaussian1d(args: argparse.Namespace) -> int:
    from ..experiments import gaussian1d as g1

    sweep = g1.parse_sweep(args.sweep)
    if args.samples * sweep[2] > G1_MAX_WORK:  # the work estimate, before any sampling
        raise InputError(
            f"N = {args.samples} samples at {sweep[2]} sweep steps is {args.samples * sweep[2]} sampled-loss terms "
            f"(three samplings each), more than the limit of {G1_MAX_WORK}; lower -N or the sweep's STEPS",
            "gaussian1d",
        )
    if args.check and args.samples > G1_MAX_CHECK_N:
        raise InputError(
            f"--check decides the exact cell of N = {args.samples} samples; at most {G1_MAX_CHECK_N} "
            "(the exact minimiser set and its genuineness grow with N)",
            "gaussian1d",
        )
    res = g1.run(args.samples, sweep, args.seed, exact_check=args.check, more=args.more)
    plot = Path(args.plot) if args.plot else None
    if plot is not None:
        from ..landscape import atlas as atlas_mod

        if plot.suffix.lower() not in (".png", ".svg"):
            raise InputError("the plot file must end in .png or .svg", "--plot")
        from ..floats.plots import require_matplotlib

        require_matplotlib()
        atlas_mod.check_target(plot, ())
        outputs.write_bytes(plot, g1.draw(res, plot.suffix.lower()[1:]), may_replace=atlas_mod.ours)
    if args.json:
        print(json.dumps(res.to_json()))
        return 0
    for line in res.lines():
        print(line)
    if plot is not None:
        print(f"plot: {plot}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"atlas": _cmd_atlas, "gaussian1d": _cmd_gaussian1d}

"""Float LP versus exact genuineness: one cell, or a random batch.

For each cell the exact verdict comes from
:func:`exactscape.theory.minima.analyse_cell` (certified), the float verdict
from :func:`exactscape.lp.float_genuineness` at one or more decision
thresholds ``tol`` (t* > tol means "non-empty"; a negative threshold such as
-1e-9 reads the system with non-strict inequalities, as Part 2's
``linprog`` on (9) does). A disagreement is a cell where the float verdict is
"genuine" and the exact one "not genuine" or the reverse; a float "error"
(HiGHS failure) is counted separately, and so is an exact answer that is
undecided (with its reason), which neither agrees nor disagrees. Every disagreeing or erroring cell is
saved as an exact instance file and a pattern file, replayable with
``exactscape compare INSTANCE --pattern P``.

Random instances (``kind``):
* ``gaussian``: Part 2 Gaussian data (see :mod:`.data`), weights at a location;
* ``integer``: small integers, X_il uniform in {-3..3}, y_i in {-1, +1},
  weights with integer entries in {-3..3} and the bias entry at the location
  plus 1/7 (so that no w_j . x_i is 0; degenerate on purpose: ties and exact zeros are common, the regime where
  floats and exact arithmetic part);
* ``decimal``: the same with X_il in {-3.0, -2.9, ..., 3.0} (tenths, exact
  rationals k/10; the float side reads the nearest doubles, which are not
  equal to them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..core.model import Instance, Pattern, Weights, pattern_of
from ..core.numbers import fmt_mat, fmt_vec
from ..floats import lp
from ..io import outputs
from ..theory.minima import Decider, Genuineness, analyse_cell
from .data import gaussian, sample_weights

DEFAULT_TOLS = (-1e-9, 0.0, 1e-9, 1e-6)

SAVED_DESCRIPTION = "float-vs-exact disagreement"
"""How the instances and patterns saved by :func:`random_batch` describe themselves."""


def _saved_by_us(fields: dict[str, Any]) -> bool:
    about = fields.get("description")
    return isinstance(about, str) and about.startswith(SAVED_DESCRIPTION)


def _saved_pattern(path: Path) -> bool:
    """A pattern :func:`random_batch` saved: it says so, or (saved before patterns
    carried a description) its instance beside it says so."""
    if outputs.JsonFormat("exactscape-pattern", "", _saved_by_us)(path):
        return True
    name = path.name
    if not name.endswith(".pattern.json") or not outputs.JsonFormat("exactscape-pattern", "")(path):
        return False
    return SAVED_INSTANCE(path.with_name(name[: -len(".pattern.json")] + ".json"))


SAVED_INSTANCE = outputs.JsonFormat("exactscape-instance", "an instance saved by experiment disagreement", _saved_by_us)
SAVED_PATTERN: Callable[[Path], bool] = _saved_pattern
RESULTS_D = outputs.JsonFormat("exactscape-disagreement-results", "a results file of experiment disagreement")
TABLE_D = outputs.TextHeading("Float LP (HiGHS) vs exact genuineness: ", "a table of experiment disagreement")


def backend(name: str) -> Decider:
    """The exact open-polyhedron decision called ``name`` (:mod:`exactscape.deciders`:
    "exact", "ppl", "cdd" or "hinted"). All return only exactly verified answers."""
    from ..deciders import decider

    return decider(name)


def backend_name(decide: Decider | None) -> str:
    """The name under which :func:`backend` returns ``decide`` (for result files)."""
    if decide is None:
        return "exact"
    from ..deciders import NAMES

    for name in NAMES:
        cand = backend(name)
        if cand is decide or (
            getattr(cand, "func", None) is getattr(decide, "func", 0)
            and getattr(cand, "keywords", None) == getattr(decide, "keywords", 0)
        ):
            return name
    return getattr(decide, "__name__", "custom")


@dataclass(frozen=True)
class Comparison:
    """Exact and float genuineness of one cell."""

    exact_feasible: bool
    exact: Genuineness
    exact_seconds: float
    floats: dict[float, lp.FloatGenuineness]
    float_seconds: float

    @property
    def exact_genuine(self) -> bool | None:
        """True / False (decided), None (undecided: never read as "not genuine")."""
        return self.exact.known()

    def disagrees(self, tol: float) -> bool:
        """The float verdict differs from a decided exact one (an undecided exact answer
        neither agrees nor disagrees)."""
        f = self.floats[tol]
        if f.verdict == "error" or self.exact.is_undecided:
            return False
        return (f.verdict == "genuine") != self.exact.is_genuine

    def errors(self, tol: float) -> bool:
        return self.floats[tol].verdict == "error"


def compare_cell(
    inst: Instance, pat: Pattern, tols: tuple[float, ...] = DEFAULT_TOLS, decide: Decider | None = None
) -> Comparison:
    """Both decisions on one cell (module docstring); ``decide`` is the exact backend."""
    t0 = time.perf_counter()
    a = analyse_cell(inst, pat, decide=decide)
    t1 = time.perf_counter()
    X, y = lp.instance_arrays(inst)
    I = lp.pattern_array(pat)
    floats = {t: lp.float_genuineness(X, y, I, tol=t) for t in tols}
    t2 = time.perf_counter()
    return Comparison(a.feasibility.feasible, a.genuineness, t1 - t0, floats, t2 - t1)


def comparison_json(c: Comparison) -> dict[str, Any]:
    return {
        "exact": {
            "feasible": c.exact_feasible,
            "genuine": c.exact_genuine,
            **c.exact.to_json(),
            "seconds": round(c.exact_seconds, 4),
        },
        "float": {
            repr(t): {
                "verdict": f.verdict,
                "branches": list(f.branches) if f.branches else None,
                "witness_margin": f.min_margin,
                "lp_nodes": f.nodes,
                "messages": list(f.messages),
            }
            for t, f in c.floats.items()
        },
        "float_seconds": round(c.float_seconds, 4),
    }


def _integer_case(
    N: int, d0: int, K: int, location: float, rng: np.random.Generator, scale: int = 1
) -> tuple[Instance, Weights]:
    X = tuple(
        tuple(Fraction(int(v), scale) for v in rng.integers(-3 * scale, 3 * scale + 1, size=d0)) for _ in range(N)
    )
    y = tuple(Fraction(int(v)) for v in rng.choice([-1, 1], size=N))
    inst = Instance(X=X, y=y, bias=True, name=f"integer-N{N}-d{d0}")
    # bias entry = location + 1/7: w . x = integer + 1/7 is never 0, so the sampled point names a cell
    loc = Fraction(location).limit_denominator(1000) + Fraction(1, 7)
    w = tuple(tuple(Fraction(int(v)) for v in rng.integers(-3, 4, size=d0)) + (loc,) for _ in range(K))
    z = tuple(Fraction(int(v)) for v in rng.choice([-1, 1], size=K))
    return inst, Weights(z, w)


@dataclass(frozen=True)
class BatchResult:
    """Counts of a random batch, per location and threshold."""

    settings: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)


def random_batch(
    *,
    kind: str,
    trials: int,
    N: int,
    d0: int,
    K: int,
    locations: tuple[float, ...],
    seed: int,
    tols: tuple[float, ...] = DEFAULT_TOLS,
    save_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    decide: Decider | None = None,
    base: Path | None = None,
) -> BatchResult:
    """Run ``trials`` random cells per location; see the module docstring. A saved case's
    replay command names its files relative to ``base``, the folder of the results file."""
    rng = np.random.default_rng(seed)
    res = BatchResult(
        {
            "kind": kind,
            "trials": trials,
            "N": N,
            "d0": d0,
            "K": K,
            "locations": list(locations),
            "seed": seed,
            "tols": list(tols),
            "exact_backend": backend_name(decide),
        }
    )
    for loc in locations:
        counts = {
            t: {"disagree": 0, "float_genuine_exact_not": 0, "exact_genuine_float_not": 0, "error": 0} for t in tols
        }
        genuine = not_genuine = undecided = 0
        tex = tfl = 0.0
        for trial in range(trials):
            inst, wts = _random_case(kind, N, d0, K, loc, rng)
            pat, on = pattern_of(inst, wts)
            if on:
                continue  # a sampled point on a hyperplane names no cell (probability 0 for Gaussian)
            c = compare_cell(inst, pat, tols, decide)
            genuine += c.exact.is_genuine
            not_genuine += c.exact.is_refuted
            undecided += c.exact.is_undecided
            tex += c.exact_seconds
            tfl += c.float_seconds
            if _count(counts, c, tols):
                name = f"{kind}-loc{loc:g}-t{trial}-seed{seed}"
                case: dict[str, Any] = {"name": name, "location": loc, "trial": trial, **comparison_json(c)}
                if save_dir is not None:
                    case["replay"] = _save_case(
                        save_dir, name, f"({kind}, location {loc:g}, trial {trial})", inst, pat, base
                    )
                res.cases.append(case)
            if progress is not None:
                progress(f"location {loc:g}: trial {trial + 1}/{trials}")
        res.rows.append(
            {
                "location": loc,
                "trials": trials,
                "exact_genuine": genuine,
                "exact_not_genuine": not_genuine,
                "exact_undecided": undecided,
                "exact_seconds": round(tex, 2),
                "float_seconds": round(tfl, 2),
                "by_tol": {repr(t): counts[t] for t in tols},
            }
        )
    return res


def _count(counts: dict[float, dict[str, int]], c: Comparison, tols: tuple[float, ...]) -> bool:
    """Count the float LP's errors and disagreements with the exact answer per threshold; whether any."""
    bad = False
    for t in tols:
        if c.errors(t):
            counts[t]["error"] += 1
            bad = True
        elif c.disagrees(t):
            counts[t]["disagree"] += 1
            key = "exact_genuine_float_not" if c.exact_genuine else "float_genuine_exact_not"
            counts[t][key] += 1
            bad = True
    return bad


def _random_case(kind: str, N: int, d0: int, K: int, loc: float, rng: np.random.Generator) -> tuple[Instance, Weights]:
    """One random instance of ``kind`` and weights sampled at the location (bias) ``loc``."""
    if kind == "gaussian":
        ds = gaussian(N, d0, rng)
        wts, _, _ = sample_weights(K, d0, loc, rng)
        return ds.instance, wts
    if kind == "integer":
        return _integer_case(N, d0, K, loc, rng)
    if kind == "decimal":
        return _integer_case(N, d0, K, loc, rng, scale=10)
    raise ValueError(f"unknown kind {kind!r}")


def _save_case(save_dir: Path, name: str, what: str, inst: Instance, pat: Pattern, base: Path | None) -> str:
    """Save a disagreeing cell (instance and pattern) and return its replay command, with paths
    relative to ``base``."""
    ip, pp = save_dir / f"{name}.json", save_dir / f"{name}.pattern.json"
    about = f"{SAVED_DESCRIPTION} {what}"
    inst_doc = {
        "format": "exactscape-instance",
        "version": 1,
        "name": name,
        "description": about,
        "X": fmt_mat(inst.X),
        "y": fmt_vec(inst.y),
        "bias": inst.bias,
    }
    pat_doc = {"format": "exactscape-pattern", "version": 1, "description": about, "I": pat.to_json()}
    outputs.check_outputs([(ip, SAVED_INSTANCE), (pp, SAVED_PATTERN)], ())
    outputs.write_text(ip, json.dumps(inst_doc) + "\n", may_replace=SAVED_INSTANCE)
    outputs.write_text(pp, json.dumps(pat_doc) + "\n", may_replace=SAVED_PATTERN)
    names = (outputs.replay_path(ip, base), outputs.replay_path(pp, base))
    return f"exactscape compare {names[0]} --pattern {names[1]}"


def batch_markdown(res: BatchResult) -> str:
    """The disagreement table as Markdown."""
    s = res.settings
    tols = s["tols"]
    lines = [
        f"Float LP (HiGHS) vs exact genuineness: {s['kind']} data, N={s['N']}, d0={s['d0']}, K={s['K']}, "
        f"{s['trials']} trials per location, seed {s['seed']}",
        "",
        "| location | exact genuine | exact not genuine | exact undecided | "
        + " | ".join(f"disagree (tol {t:g})" for t in tols)
        + " | float errors |",
        "|---|---|---|---|" + "---|" * len(tols) + "---|",
    ]
    for r in res.rows:
        cells = []
        for t in tols:
            c = r["by_tol"][repr(t)]
            cells.append(
                f"{c['disagree']}/{r['trials']} (F>E {c['float_genuine_exact_not']}, E>F "
                f"{c['exact_genuine_float_not']})"
            )
        errs = max(r["by_tol"][repr(t)]["error"] for t in tols)
        lines.append(
            f"| {r['location']:g} | {r['exact_genuine']}/{r['trials']} | {r.get('exact_not_genuine', '-')} | "
            f"{r.get('exact_undecided', '-')} | " + " | ".join(cells) + f" | {errs} |"
        )
    tot = sum(r["trials"] for r in res.rows)
    lines.append("")
    for t in tols:
        dis = sum(r["by_tol"][repr(t)]["disagree"] for r in res.rows)
        lines.append(f"- tol {t:g}: {dis}/{tot} disagreements ({100.0 * dis / max(tot, 1):.1f}%)")
    lines.append(
        "F>E: float says genuine, exact says not; E>F: the reverse; a cell whose exact answer is undecided "
        "is counted under exact undecided and neither agrees nor disagrees."
    )
    return "\n".join(lines) + "\n"

"""The exact decision of one trial: the one place the genuineness engine is called."""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...core.model import Instance, Pattern


@dataclass(frozen=True)
class TrialDecision:
    """The exact answer for one cell under a time budget.

    ``genuine``: some minimiser of the cell factors as R_j = z_j w_j with every
    w_j in its open cone, branches sigma_j in {+, -, 0} (None: budget ran out);
    ``genuine_positive``: the same with sigma = (+, ..., +) only (every z_j > 0,
    Part 2's reading); ``continuous``: rank A < Kd (``dimension`` = Kd - rank);
    ``feasible``: every open cone is non-empty (an empty cell holds no minimum);
    ``method``: how the answer was reached; ``nodes``: exact LPs of the searches;
    ``replayed``: with replay, ``"verified"`` or ``"rejected: <reason>"`` from the
    independent checker on the per-neuron decision's certificate (None: not asked,
    or undecided, so there is no certificate); ``replay_seconds``: the time for it;
    ``replayed_positive``: the same for the (+, ..., +) answer's certificate (kind
    ``branches``, FORMAT 13)."""

    genuine: bool | None
    genuine_positive: bool | None
    continuous: bool
    rank: int
    dimension: int
    method: str
    nodes: int
    seconds: float
    feasible: bool = True
    replayed: str | None = None
    replay_seconds: float = 0.0
    replayed_positive: str | None = None

    @property
    def verdict(self) -> str:
        if not self.feasible:
            return "infeasible"
        if self.genuine is None:
            return "undecided"
        return "genuine" if self.genuine else "not-genuine"


def decide_trial(
    instance: Instance,
    pattern: Pattern,
    budget: float,
    *,
    hint: Any = None,
    backend: str = "hinted",
    replay: bool = False,
) -> TrialDecision:
    """Decide one cell exactly within ``budget`` seconds (:class:`TrialDecision`).

    Steps: :func:`exactscape.theory.minima.analyse_cell` (engine auto: the fast engine of
    theory/genuine.py from 4000 entries of A on) with per-neuron branches {+, -, 0}; then,
    unless its witness already has every z_j > 0, the single branch vector (+, ..., +)
    (Part 2's reading) in the time left, or with a budget of its own when the per-neuron search
    was undecided (so a trial may take up to twice the budget). The deadline is checked before every exact LP, and a
    large LP still running at the deadline is stopped (:mod:`exactscape.core.deadline`), so
    ``seconds`` exceeds the budget by about a second at most (plus the minimiser set's build).
    With ``replay``, a decided per-neuron answer's certificate (FORMAT 4) is written to JSON
    text and replayed by the independent checker from that text (not counted in ``seconds``)."""
    a, decide, t0 = _analyse(instance, pattern, budget, hint, backend)
    rank, dim = a.rank, a.dimension
    replayed, replay_s = (None, 0.0) if not replay or a.undecided else _replay(a)
    t0 += replay_s  # the decision's time (and its budget) excludes the replay

    def done(
        genuine: bool | None,
        positive: bool | None,
        how: str,
        feasible: bool = True,
        evidence: tuple[Any, Any] | None = None,
    ) -> TrialDecision:
        # the (+, ...,+) answer's certificate (kind branches) replayed too, outside the budget
        pos_replayed, pos_s = None, 0.0
        if replay and positive is not None:
            gen, leaf = evidence if evidence is not None else (None, None)
            pos_replayed, pos_s = _replay_positive(a, gen, leaf)
        return TrialDecision(
            genuine,
            positive,
            dim > 0,
            rank,
            dim,
            f"{how} [{backend}]",
            a.nodes,
            time.perf_counter() - t0 - pos_s,
            feasible,
            replayed,
            round(replay_s + pos_s, 3),
            pos_replayed,
        )

    if not a.feasibility.feasible:
        return done(False, False, "empty open cone", feasible=False)
    g = a.genuineness
    per_neuron = g.known()
    how = a.method
    if g.is_undecided:
        # "budget": the searches (the box search for wide A with dependent samples) ran out of
        # time; "tree-too-large": the box search's refutation would exceed its leaf limit
        how = f"undecided: {g.reason_text()}"
    if a.genuine is not None and all(b == "+" for b in a.genuine.branches):
        return done(True, True, how + "; witness on (+,...,+)", evidence=(a.genuine, None))
    positive, evidence = _positive_branch(instance, pattern, a, budget, t0, decide)
    return done(
        per_neuron, positive, how + f"; (+,...,+) {'undecided' if positive is None else positive}", evidence=evidence
    )


def _analyse(instance: Instance, pattern: Pattern, budget: float, hint: Any, backend: str) -> tuple[Any, Any, float]:
    """The per-neuron decision of the cell: :func:`exactscape.theory.minima.analyse_cell` on
    engine auto under ``budget`` with the LP decider of ``backend``; with backend ``hinted``,
    floats propose box refutations and quadratic multipliers (each verified exactly). Returns
    the analysis, the decider and the start of the trial's clock (``time.perf_counter``)."""
    from ...deciders import decider
    from ...theory.minima import analyse_cell

    t0 = time.perf_counter()
    decide = decider(backend)
    from ...floats.boxes import propose

    generalise = propose if backend == "hinted" else None  # floats propose, the box search verifies exactly
    from ...deciders import quadratic_proposer

    quadratic = quadratic_proposer() if backend == "hinted" else None  # an SDP proposes, exact LDL^T verifies
    a = analyse_cell(
        instance,
        pattern,
        hint=hint,
        decide=decide,
        engine="auto",
        budget=Fraction(budget),
        generalise=generalise,
        quadratic=quadratic,
    )
    return a, decide, t0


def _positive_branch(
    instance: Instance, pattern: Pattern, a: Any, budget: float, t0: float, decide: Any
) -> tuple[bool | None, tuple[Any, Any] | None]:
    """The paper's reading: is there a genuine minimum on the single branch vector (+, ..., +)?
    None when undecided; the evidence (a witness, or the refuting tree) when decided."""
    from ...core import minset
    from ...theory import genuine as fast

    ms = a.ms if a.ms is not None else minset.minimiser_set(instance, pattern)
    positive: bool | None = None
    evidence: tuple[Any, Any] | None = None
    if ms is not None:
        # a per-neuron search that used the whole budget leaves the single branch vector a budget
        # of its own (it is usually decided at once, by one sample)
        left = budget - (time.perf_counter() - t0) if not a.undecided else budget
        if left > 0:
            d = fast.decide(
                instance,
                pattern,
                ms,
                a.feasibility.witness,
                budget=fast.Budget.seconds(Fraction(left)),
                decide_node=decide,
                positive_only=True,
            )
            if d is not None and not d.undecided:
                positive = d.genuine is not None
                evidence = (d.genuine, d.tree)
    return positive, evidence


def _replay_positive(a: Any, genuine: Any, leaf: Any) -> tuple[str, float]:
    """The certificate of kind ``branches`` (FORMAT 13) for the single branch vector
    (+, ..., +) of analysis ``a``: the witness ``genuine`` or the refuting ``leaf`` (an
    empty cell needs neither), as JSON text replayed by the independent checker."""
    from ...io import certify

    t = time.perf_counter()
    plus = tuple("+" for _ in range(a.pattern.K))
    try:
        cert = certify.branches_certificate(a, [plus], genuine, [leaf] if leaf is not None else None)
    except Exception as exc:  # noqa: BLE001 - a certificate that cannot be built is reported, never a verdict
        return f"rejected: no certificate: {type(exc).__name__}: {exc}"[:300], time.perf_counter() - t
    res = certify.replay(cert)
    verdict = "verified" if res.verified else f"rejected: {res.reason}"
    return verdict, time.perf_counter() - t


def _replay(a: Any) -> tuple[str, float]:
    """The cell certificate of analysis ``a`` as JSON text, replayed by the independent
    checker: ("verified" or "rejected: <reason>", seconds)."""
    from ...io import certify

    t = time.perf_counter()
    res = certify.replay(certify.cell_certificate(a))
    verdict = "verified" if res.verified else f"rejected: {res.reason}"
    return verdict, time.perf_counter() - t

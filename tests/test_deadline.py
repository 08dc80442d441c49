"""A hard deadline for large exact LPs (exactscape.core.deadline): the child's answer
is the in-process answer, its errors come back, and a call past the deadline is
stopped; a cell whose LP outlives the budget is undecided, never "not genuine"."""

from __future__ import annotations

import multiprocessing
import os
import time
from fractions import Fraction as F

import pytest
from conftest import ROOT

from exactscape.core import deadline, polyhedra
from exactscape.core.model import pattern_of
from exactscape.errors import BackendError
from exactscape.io.instances import load_instance, load_pattern, load_weights
from exactscape.theory.minima import analyse_cell

FAR = 10**18  # a deadline in monotonic nanoseconds that never comes


def _systems() -> list[polyhedra.System]:
    open_box = polyhedra.System(n=2, G=((F(1), F(0)), (F(0), F(1))), h=(F(0), F(0)))
    empty = polyhedra.System(n=1, E=((F(1),),), f=(F(1),), G=((F(-1),),), h=(F(0),))
    return [open_box, empty]


@pytest.mark.parametrize("system", _systems(), ids=["point", "farkas"])
def test_the_child_gives_the_in_process_answer(system: polyhedra.System) -> None:
    assert deadline.call_before(FAR, polyhedra.decide, system) == polyhedra.decide(system)


def _fails(_: object) -> None:
    raise ValueError("from the child")


def test_an_error_in_the_child_is_raised_again() -> None:
    with pytest.raises(ValueError, match="from the child"):
        deadline.call_before(FAR, _fails, None)


def _sleeps(_: object) -> None:
    time.sleep(600)


def test_a_call_past_its_deadline_is_stopped() -> None:
    start = time.monotonic()
    with pytest.raises(deadline.Expired):
        deadline.call_before(time.monotonic_ns() + 500_000_000, _sleeps, None)
    assert time.monotonic() - start < 300  # stopped, not waited for
    assert multiprocessing.active_children() == []


def test_a_passed_deadline_runs_nothing() -> None:
    with pytest.raises(deadline.Expired):
        deadline.call_before(time.monotonic_ns() - 1, _fails, None)


def test_small_systems_and_no_deadline_stay_in_process() -> None:
    calls: list[str] = []

    def decide(s: polyhedra.System) -> polyhedra.Point | polyhedra.Farkas:
        calls.append(multiprocessing.current_process().name)
        return polyhedra.decide(s)

    here = multiprocessing.current_process().name
    big = _systems()[0]
    assert deadline.entries(big) == 4
    deadline.bounded(decide, None, RuntimeError)(big)
    deadline.bounded(decide, FAR, RuntimeError)(big)  # below LARGE_LP_ENTRIES
    assert calls == [here, here]


@pytest.mark.parametrize("engine", ["plain", "fast"])
def test_a_cell_whose_lp_outlives_the_budget_is_undecided(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    # cells where each engine decides LPs: the plain branch tree, and the fast engine's lazy-row search
    if engine == "plain":
        inst = load_instance(ROOT / "examples" / "toy-mixed.json")
        pat = load_pattern(ROOT / "examples" / "toy-cell-11.pattern.json")
    else:
        inst = load_instance(ROOT / "examples" / "random-k3.json")
        pat, _ = pattern_of(inst, load_weights(ROOT / "examples" / "random-k3.weights.json"))
    assert analyse_cell(inst, pat, engine=engine).nodes > 0

    def slow(s: polyhedra.System) -> polyhedra.Point | polyhedra.Farkas:
        time.sleep(600)
        return polyhedra.decide(s)

    monkeypatch.setattr(deadline, "LARGE_LP_ENTRIES", 0)
    start = time.monotonic()
    res = analyse_cell(inst, pat, engine=engine, decide=slow, budget=1)
    assert time.monotonic() - start < 300  # the LP was stopped at the deadline, not waited for
    assert res.undecided and res.genuine is None and res.tree is None
    assert multiprocessing.active_children() == []


def _dies(_: object) -> None:
    os._exit(3)


def test_a_child_that_dies_without_an_answer_is_a_backend_error() -> None:
    with pytest.raises(BackendError, match="exit code 3"):
        deadline.call_before(FAR, _dies, None)

"""An undecided cell is never reported or counted as "not genuine".

Every command that reports genuineness (cell, crosscheck with --cell-cert, compare,
experiment trapped / disagreement / tables, atlas, spurious, gaussian1d --check, and the
Python API) is run on cells that no method decides: the deciders are replaced
by ones that give up (the fast engine answers "no-method", the plain branch search runs out
of budget), so every feasible cell is undecided. The text and the JSON must say
"undecided", must not read it as "no" / "not genuine" / "nothing", and counts must put
the cells under undecided. One case uses the real budget (``cell --budget``) instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EX, run_cli

from exactscape import api
from exactscape.io.instances import load_instance, load_weights
from exactscape.theory import genuine as fast
from exactscape.theory import minima

FORBIDDEN_TEXT = (
    "genuine minimum: no",
    "genuine minimum in this cell: no",
    "every branch vector refuted",
    "verdict: nothing",
    "verdict: not-genuine",
    "exact: not-genuine",
    "cell not genuine",
    "descent continues from here",
)
"""Readings of "no" that an undecided cell must never get (in the output's own words)."""

REASONS = ("no method for this cell", "the budget ran out")


@pytest.fixture
def nothing_decides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every genuineness decision gives up: the fast engine answers undecided ("no-method"),
    the plain branch search runs out of budget. Runs in a fresh working folder."""

    def no_method(*args: Any, **kwargs: Any) -> fast.Decision:
        return fast.Decision(None, None, "no-method", 0, 0, undecided=True)

    def out_of_budget(*args: Any, **kwargs: Any) -> Any:
        raise fast.OutOfBudget

    monkeypatch.setattr(fast, "decide", no_method)
    monkeypatch.setattr(minima, "search", out_of_budget)
    monkeypatch.chdir(tmp_path)


def _walk(obj: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (dotted path, value) of a JSON document."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield f"{path}.{k}" if path else str(k), v
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}[{i}]")


def assert_honest_json(doc: Any) -> int:
    """No JSON field reads an undecided cell as "no"; returns how many fields say undecided."""
    undecided = 0
    for path, value in _walk(doc):
        key = path.rsplit(".", 1)[-1]
        assert not (key == "genuine" and value is False), path
        assert not (key in ("genuineness", "verdict", "genuine_verdict") and value in ("not-genuine", "nothing")), path
        assert not (key == "agree" and value is False), path
        if key == "genuineness" and value == "undecided":
            undecided += 1
            assert re.sub(r"genuineness$", "undecided_reason", path) in dict(_walk(doc)), path
    return undecided


def assert_honest_text(out: str) -> None:
    low = out.lower()
    for bad in FORBIDDEN_TEXT:
        assert bad not in low, bad
    assert "undecided" in low


def _json(code_out_err: tuple[int, str, str]) -> dict[str, Any]:
    code, out, err = code_out_err
    assert code == 0, err
    doc = json.loads(out)
    assert isinstance(doc, dict)
    return doc


def test_the_answer_has_no_truth_value() -> None:
    g = minima.Genuineness(minima.UNDECIDED, "no-method")
    with pytest.raises(TypeError):
        bool(g)
    assert g.known() is None and not g.is_refuted and g.text() == "undecided (no method for this cell)"
    assert minima.Genuineness(minima.NOT_GENUINE).known() is False
    with pytest.raises(ValueError):
        minima.Genuineness(minima.UNDECIDED)  # an undecided answer names its reason
    with pytest.raises(ValueError):
        minima.Genuineness(minima.GENUINE, "budget")


@pytest.mark.usefixtures("nothing_decides")
def test_api_cell_is_undecided_never_no() -> None:
    inst = load_instance(EX / "random-k3.json")
    res = api.cell(inst, weights=load_weights(EX / "random-k3.weights.json"))
    g = res.analysis.genuineness
    assert g.is_undecided and g.reason_text() in REASONS and res.certificate == {}
    assert res.summary["genuine"] is None and res.summary["genuineness"] == "undecided"
    assert assert_honest_json(res.summary) == 1


@pytest.mark.usefixtures("nothing_decides")
def test_cell_command(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["cell", str(EX / "random-k3.json"), "--weights", str(EX / "random-k3.weights.json")]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and out.startswith("verdict: undecided\n")
    assert_honest_text(out)
    assert "certificate: none" in out and not list(Path().glob("*.cert.json"))
    doc = _json(run_cli([*args, "--json"], capsys))
    assert assert_honest_json(doc) == 1 and doc["certificate"] is None


def test_cell_command_with_a_spent_budget(capsys: pytest.CaptureFixture[str], in_tmp: None) -> None:
    """The real budget, no replaced decider: past it the answer is undecided (budget)."""
    args = ["cell", str(EX / "zigzag.json"), "--pattern", str(EX / "zigzag-mixed.pattern.json")]
    code, out, _ = run_cli([*args, "--budget", "1/1000000000"], capsys)
    assert code == 0 and out.startswith("verdict: undecided\n") and "the budget ran out" in out
    assert_honest_text(out)
    doc = _json(run_cli([*args, "--budget", "1/1000000000", "--json"], capsys))
    assert doc["undecided_reason"] == "budget" and assert_honest_json(doc) == 1
    code, out, _ = run_cli(args, capsys)  # the same cell with time: decided
    assert code == 0 and "undecided" not in out


@pytest.mark.usefixtures("nothing_decides")
def test_crosscheck_says_undecided_and_writes_no_cell_certificate(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "crosscheck",
        str(EX / "trained-tiny.json"),
        "--weights",
        str(EX / "trained-tiny.float-weights.json"),
        "--cell-cert",
        "cell.cert.json",
    ]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    assert out.startswith("verdict: undecided\n")
    assert_honest_text(out)
    assert "genuine minimum in this cell: undecided" in out and "no certificate exists" in out
    assert not Path("cell.cert.json").exists()
    doc = _json(run_cli([*args, "--json"], capsys))
    assert doc["verdict"] == "undecided" and doc["cell_certificate"] is None
    assert assert_honest_json(doc) == 1


@pytest.mark.usefixtures("nothing_decides")
def test_compare_does_not_compare_an_undecided_cell(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["compare", str(EX / "random-k3.json"), "--weights", str(EX / "random-k3.weights.json")]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and out.startswith("verdict: undecided\n")
    assert_honest_text(out)
    assert "DISAGREES" not in out and "-> agrees" not in out
    doc = _json(run_cli([*args, "--json"], capsys))
    assert doc["verdict"] == "undecided" and not any(doc["disagree"].values())
    assert assert_honest_json(doc) == 1


def _md_row(md: str, first: str) -> list[str]:
    row = next(line for line in md.splitlines() if line.startswith(f"| {first} |"))
    return [c.strip() for c in row.strip("|").split("|")]


@pytest.mark.usefixtures("nothing_decides")
def test_experiment_trapped_counts_undecided(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["experiment", "trapped", "--N", "6", "--d0", "2", "--K", "2", "--trials", "2", "--locations", "0"]
    code, out, err = run_cli([*argv, "--max-steps", "5", "--out", "t.json"], capsys)
    assert code == 0, err
    assert_honest_text(out)
    doc = json.loads(Path("t.json").read_text())
    assert assert_honest_json(doc) == 2
    (row,) = doc["table"]
    assert (row["genuine_pct"], row["not_genuine_pct"], row["genuine_undecided_pct"]) == (0.0, 0.0, 100.0)
    assert row["trapped_not_genuine"] == 0
    cells = _md_row(out, "0")
    assert cells[1:4] == ["0.0", "0.0", "100.0"]  # genuine / not genuine / undecided (exact) %


@pytest.mark.usefixtures("nothing_decides")
def test_experiment_disagreement_counts_undecided(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["experiment", "disagreement", "--N", "6", "--d0", "2", "--K", "2", "--trials", "2", "--locations", "0"]
    code, out, err = run_cli([*argv, "--out", "d.json", "--save-dir", "saved"], capsys)
    assert code == 0, err
    doc = json.loads(Path("d.json").read_text())
    assert_honest_json(doc)
    (row,) = doc["table"]
    assert (row["exact_genuine"], row["exact_not_genuine"], row["exact_undecided"]) == (0, 0, 2)
    assert all(c["disagree"] == 0 for c in row["by_tol"].values())
    assert _md_row(out, "0")[1:4] == ["0/2", "0", "2"]


@pytest.mark.usefixtures("nothing_decides")
def test_experiment_tables_counts_undecided(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["experiment", "tables", "--table", "III", "--N", "8", "--d0", "2", "--K", "2", "--trials", "2"]
    code, out, err = run_cli([*argv, "--locations", "0", "--budget", "5", "--out", "tb.json", "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    (row,) = doc["table"]
    assert row["verdicts"] == {"genuine": 0, "not-genuine": 0, "undecided": 2, "infeasible": 0}
    assert row["decided"] == 0 and row["genuine_pct"] is None
    assert_honest_json(json.loads(Path("tb.json").read_text()))


@pytest.mark.usefixtures("nothing_decides")
def test_atlas_lists_undecided_cells(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["atlas", str(EX / "zigzag.json"), "--neurons", "1", "--no-saddles", "--no-faces"]
    code, out, _ = run_cli(args, capsys)
    assert code == 0
    assert_honest_text(out)
    assert "not genuine: 0; undecided: 8" in out
    rows = [line.split() for line in out.splitlines() if re.match(r"\s+\d+\s+[+-]{4}\s", line)]
    assert len(rows) == 8 and all("undecided" in r for r in rows)
    doc = _json(run_cli([*args, "--json"], capsys))
    assert doc["genuineness_counts"] == {"genuine": 0, "not-genuine": 0, "undecided": 8}
    assert assert_honest_json(doc) == 8
    code, _, err = run_cli([*args, "--out", "bundle"], capsys)  # no certificate: no bundle, and it says why
    assert code == 2 and "undecided" in err and not Path("bundle").exists()


@pytest.mark.usefixtures("nothing_decides")
def test_spurious_lower_point_in_an_undecided_cell(capsys: pytest.CaptureFixture[str]) -> None:
    low = Path("low.weights.json")
    low.write_text(
        json.dumps(
            {
                "format": "exactscape-weights",
                "version": 1,
                "z": ["1", "1"],
                "w": [["173/100", "-18/7"], ["-1/14", "2/7"]],
            }
        )
    )
    args = ["spurious", str(EX / "zigzag.json"), "--neurons", "2", "--lower", str(low)]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and out.startswith("verdict: spurious\n")
    assert_honest_text(out)
    assert "not shown to be a minimum: its cell is undecided" in out
    doc = _json(run_cli([*args, "--json"], capsys))
    assert doc["lower_cell"]["genuineness"] == "undecided" and doc["lower_minimum"] is False
    assert assert_honest_json(doc) == 1


@pytest.mark.usefixtures("nothing_decides")
def test_gaussian1d_exact_check(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["gaussian1d", "--samples", "20", "--sweep", "0:6:3", "--check"]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and "cell undecided (the budget ran out)" in out
    assert_honest_text(out)
    doc = _json(run_cli([*args, "--json"], capsys))
    assert doc["exact_check"]["genuineness"] == "undecided" and doc["exact_check"]["genuine"] is None
    assert assert_honest_json(doc) == 1


@pytest.mark.slow
def test_a_real_no_method_cell_is_undecided() -> None:
    """A wide cell with dependent samples (Part 2 Table III's size: N = 400, d0 = 10, K = 50,
    bias 0), decided by no method of this version: undecided (no-method), never "no"."""
    import numpy as np

    from exactscape.experiments.data import gaussian, sample_weights

    ds = gaussian(400, 10, np.random.default_rng(1_000_003))
    wts, _, _ = sample_weights(50, 10, 0.0, np.random.default_rng(0))
    res = api.cell(ds.instance, weights=wts)
    g = res.analysis.genuineness
    if not g.is_undecided:  # pragma: no cover - a method now decides it: then it has a certificate
        assert res.certificate and res.summary["genuine"] is g.known()
        return
    assert g.reason == "no-method" and res.summary["undecided_reason"] == "no-method"
    assert res.certificate == {} and assert_honest_json(res.summary) == 1

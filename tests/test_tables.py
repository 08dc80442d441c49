"""`exactscape experiment tables`: tiny runs of the Part 2 table runner (resume, workers, dask, budget)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from exactscape.core.model import pattern_of
from exactscape.errors import InputError, OutputError
from exactscape.experiments import tables as tb
from exactscape.experiments.data import sample_weights
from exactscape.experiments.trapped import plus_only
from exactscape.io.instances import load_instance, load_pattern, load_weights
from exactscape.theory.minima import analyse_cell

ROOT = Path(__file__).resolve().parents[1]


def tiny(**over: object) -> tb.TableSettings:
    base: dict[str, object] = {"N": 16, "d0": 2, "K": 2, "locations": (20.0, 0.0, -20.0), "trials": 3, "seed": 5}
    base.update(over)
    return tb.settings_for("I", **base)


def _without_timings(rec: dict[str, object]) -> dict[str, object]:
    """A record without its timings (for comparing runs)."""
    return {k: v for k, v in rec.items() if k not in ("seconds", "gd_seconds", "replay_seconds")}


def records(state: tb.RunState) -> dict[tuple[float, int], dict[str, object]]:
    return {k: _without_timings(v) for k, v in state.records.items()}


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_cli_tiny_table_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    r = subprocess.run(
        [sys.executable, "-m", "exactscape.cli", "experiment", "tables", "--table", "I", "--N", "12", "--d0", "2",
         "--K", "2", "--trials", "2", "--locations", "20,-20", "--gd", "--max-steps", "500", "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    assert r.stdout.splitlines()[0] == "verdict: complete"
    doc = json.loads(out.read_text())
    assert doc["format"] == "exactscape-tables-results" and doc["complete"]
    rows = {row["location"]: row for row in doc["table"]}
    assert rows[-20.0]["trials_finished"] == 2 and rows[-20.0]["verdicts"]["genuine"] == 2
    assert rows[-20.0]["paper"]["genuine"] == 100 and rows[-20.0]["activated_pct"] == 0
    # every neuron dead: a flat plateau, so GD is trapped at once; GD is never trapped in a refuted cell
    assert rows[-20.0]["trapped_pct"] == 100 and all(row["trapped_not_genuine"] == 0 for row in doc["table"])
    md = out.with_suffix(".md").read_text()
    assert "paper genuine %" in md and "Trials behind every row: bias 20: 2 of 2 finished" in md
    assert "CIFAR-10" in md
    part = tb.partial_path(out)
    assert len(lines(part)) == 1 + 4 and json.loads(lines(part)[0])["format"] == tb.PARTIAL_FORMAT
    # every trial that contradicts a 0 % / 100 % claim of the paper is kept and replays to its verdict
    kept = [rec for rec in doc["records"] if rec.get("differs")]
    assert kept and len(doc["kept_instances"]) == len(kept)
    for rec in kept:
        if rec:
            stem = tmp_path / "t-instances" / f"table-I-K2-seed0-loc{rec['location']:g}-t{rec['trial']}"
            pat = load_pattern(f"{stem}.pattern.json")
            wts = load_weights(f"{stem}.weights.json")
            inst = load_instance(next((tmp_path / "t-instances").glob("*.instance.json")))
            assert pattern_of(inst, wts)[0] == pat
            assert analyse_cell(inst, pat).genuineness.known() == rec["genuine"]
    # the recorded replay commands name the files relative to the results file's folder
    for command in doc["kept_instances"]:
        assert str(tmp_path) not in command and " t-instances/" in command
    rec = kept[0]
    replayed = replay_command(doc, rec, tmp_path, tmp_path / "replay.cert.json")
    assert replayed == ("genuine" if rec["genuine"] else "not-genuine")


def replay_command(doc: dict[str, object], rec: dict[str, object], folder: Path, cert: Path) -> str:
    """Run the kept-instance command of record ``rec`` as recorded, from ``folder`` (the results
    file's folder), with its certificate written to ``cert``, and return its verdict."""
    tag = f"-loc{rec['location']:g}-t{rec['trial']}.pattern.json"
    kept = doc["kept_instances"]
    assert isinstance(kept, list)
    command = next(c for c in kept if c.endswith(tag))
    words = command.split()
    assert words[:2] == ["exactscape", "cell"] and len(words) == 5
    r = subprocess.run(
        [sys.executable, "-m", "exactscape", *words[1:], "--cert", str(cert), "--json"],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    out = json.loads(r.stdout)
    return "genuine" if out["genuine"] else "not-genuine" if out["genuine"] is False else "undecided"


@pytest.mark.parametrize("table", ["I", "II", "III", "IV"])
def test_committed_replay_commands_name_files_of_the_results_folder(table: str) -> None:
    """Every kept-instance command of results/table-*.json names files relative to results/ that exist there."""
    folder = ROOT / "results"
    doc = json.loads((folder / f"table-{table}.json").read_text())
    assert doc["kept_instances"]
    for command in doc["kept_instances"]:
        words = command.split()
        assert words[0:2] == ["exactscape", "cell"] and words[3] == "--pattern", command
        for name in (words[2], words[4]):
            assert not Path(name).is_absolute() and ".." not in Path(name).parts, command
            assert (folder / name).is_file(), command


@pytest.mark.slow  # about 11 s: one exact decision at Table I's size (N = 2000, K = 10)
def test_a_committed_kept_instance_replays_by_its_recorded_command(tmp_path: Path) -> None:
    """results/table-I.json: a kept trial replays, from the results folder, to its recorded verdict."""
    folder = ROOT / "results"
    doc = json.loads((folder / "table-I.json").read_text())
    recs = [r for r in doc["records"] if r.get("differs") and r["location"] == 20.0]
    assert recs
    assert replay_command(doc, recs[0], folder, tmp_path / "replay.cert.json") == recs[0]["verdict"]
    assert (tmp_path / "replay.cert.json").exists()


def test_resume_after_interruption_gives_the_uninterrupted_records(tmp_path: Path) -> None:
    st = tiny()
    whole = tb.run_table(st, tmp_path / "whole.json")
    out = tmp_path / "r.json"
    first = tb.run_table(st, out, stop_after=4)
    assert len(first.records) == 4
    head = lines(tb.partial_path(out))
    second = tb.run_table(st, out)
    assert second.resumed == 4 and len(second.records) == 9
    after = lines(tb.partial_path(out))
    assert after[: len(head)] == head and len(after) == 1 + 9  # appended, never rewritten, no trial twice
    assert records(second) == records(whole)
    # a run killed mid-write leaves a torn line: ignored, that trial runs again, nothing truncated
    with tb.partial_path(out).open("a") as fh:
        fh.write('{"location": 0.0, "trial": 3, "verd')
    more = tb.run_table(replace(st, trials=4), out)
    assert len(more.records) == 12 and more.records[(0.0, 3)].get("verdict")
    assert lines(tb.partial_path(out))[: len(after)] == after


def test_header_mismatch_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "h.json"
    tb.run_table(tiny(trials=1), out)
    with pytest.raises(OutputError, match="seed"):
        tb.run_table(tiny(trials=1, seed=6), out)
    with pytest.raises(OutputError, match="budget"):
        tb.run_table(tiny(trials=1, budget=1.0), out)
    tb.partial_path(tmp_path / "x.json").write_text("hello\n")
    with pytest.raises(OutputError, match="not a file exactscape wrote"):
        tb.run_table(tiny(trials=1), tmp_path / "x.json")
    assert tb.partial_path(tmp_path / "x.json").read_text() == "hello\n"
    # more trials or other locations extend the same run
    assert tb.run_table(tiny(trials=2, locations=(20.0,)), out).resumed == 1


def test_workers_give_the_same_records(tmp_path: Path) -> None:
    st = tiny(trials=2)
    one = tb.run_table(st, tmp_path / "one.json", workers=1)
    two = tb.run_table(st, tmp_path / "two.json", workers=2)
    assert records(one) == records(two) and len(one.records) == 6


def test_dask_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    st = tiny(trials=1)
    local = tb.run_table(st, tmp_path / "local.json")
    # worker processes: the exact engine must import there outside the task threads (pplpy needs the main thread)
    with distributed.LocalCluster(n_workers=1, processes=True, dashboard_address=None) as cluster:
        remote = tb.run_table(st, tmp_path / "dask.json", dask_address=cluster.scheduler_address)
    assert records(remote) == records(local)


def test_budget_expiry_is_undecided_never_not_genuine() -> None:
    ds = tb.dataset("gaussian", 16, 2, 5)
    seen = set()
    for loc in (20.0, 0.0, -20.0):
        for t in range(3):
            wts, _, _ = sample_weights(2, 2, loc, tb.trial_rng(5, loc, t))
            pat, on = pattern_of(ds.instance, wts)
            assert not on
            spent = tb.decide_trial(ds.instance, pat, 0.0, hint=wts)
            assert spent.genuine is None and spent.verdict == "undecided" and spent.genuine_positive is None
            full = tb.decide_trial(ds.instance, pat, 60.0, hint=wts)
            seen.add(full.verdict)
            assert (spent.rank, spent.dimension, spent.continuous) == (full.rank, full.dimension, full.continuous)
    assert seen == {"genuine", "not-genuine"}  # both kinds of cell ran out of budget above
    st = tiny(trials=1, budget=0.0)
    rows = tb.summarise(tb.RunState(st, {(r["location"], r["trial"]): r for r in map(tb.run_trial, _tasks(st))}))
    assert all(r["verdicts"]["undecided"] == 1 and r["genuine_pct"] is None and r["decided"] == 0 for r in rows)


def _tasks(st: tb.TableSettings) -> list[tb.Task]:
    return [tb.Task(st, loc, t) for loc in st.locations for t in range(st.trials)]


def test_decide_trial_agrees_with_the_cell_analysis() -> None:
    """Differential: both readings against analyse_cell and the (+,...,+) node of the existing search."""
    rng = np.random.default_rng(3)
    ds = tb.dataset("gaussian", 10, 1, 1)
    for _ in range(12):
        loc = float(rng.choice([1.0, 0.0, -1.0]))
        wts, _, _ = sample_weights(3, 1, loc, rng)
        pat, on = pattern_of(ds.instance, wts)
        if on:
            continue
        dec = tb.decide_trial(ds.instance, pat, 60.0, backend="exact")
        a = analyse_cell(ds.instance, pat)
        assert dec.genuine == a.genuineness.known() and dec.genuine_positive == plus_only(a, None)
        assert dec.rank == a.rank and dec.continuous == (a.kind == "affine")
        assert dec.nodes == a.nodes  # the per-neuron search is analyse_cell's


def test_differs_reads_only_the_papers_0_and_100_claims() -> None:
    paper = {"genuine": 0, "continuous": 60, "trapped": 0}
    rec = {"verdict": "genuine", "genuine": True, "genuine_positive": False, "continuous": False, "gd": "left"}
    assert tb.differs(rec, paper) == ["genuine"]
    assert tb.differs({**rec, "genuine": None, "verdict": "undecided"}, paper) == []
    assert tb.differs({**rec, "gd": "trapped"}, paper) == ["genuine", "trapped"]
    assert tb.differs(rec, None) == []


def test_outputs_never_overwrite_foreign_files(tmp_path: Path) -> None:
    foreign = tmp_path / "mine.json"
    foreign.write_text('{"not": "ours"}\n')
    with pytest.raises(OutputError):
        tb.write_table(foreign, b"x")
    assert foreign.read_text() == '{"not": "ours"}\n'
    with pytest.raises(OutputError):
        tb.write_table(tmp_path / "p.jsonl", b"x", protected=(tmp_path / "p.jsonl",))
    with pytest.raises(OutputError):  # refused before any trial runs or the trial log is created
        tb.run_table(tiny(trials=1), foreign)
    assert not tb.partial_path(foreign).exists()
    ok = tmp_path / "t.md"
    tb.write_table(ok, f"# {tb.MARKER}\n".encode())
    tb.write_table(ok, f"# {tb.MARKER} again\n".encode())
    assert "again" in ok.read_text()


def test_presets_and_overrides() -> None:
    assert tb.settings_for("III").K == 50 and tb.settings_for("III").N == 400
    iv = tb.settings_for("IV")
    assert iv.data == "mnist" and iv.d0 == 784 and iv.gd and iv.locations[-1] == -50.0
    assert not tb.settings_for("I").gd and tb.settings_for("I", gd=True).gd
    with pytest.raises(InputError):
        tb.settings_for("IV", d0=3)
    with pytest.raises(InputError):
        tb.settings_for("V")
    assert set(tb.PAPER) == {"I", "II", "III", "IV"} and all(len(v) == 5 for v in tb.PAPER.values())


def test_a_failing_trial_is_reported_and_rerun_on_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = tiny(trials=2, locations=(0.0,))
    real = tb.decide_trial
    calls = []

    def flaky(*args: object, **kw: object) -> tb.TrialDecision:
        calls.append(1)
        if len(calls) == 1:
            raise MemoryError("simulated")
        return real(*args, **kw)

    monkeypatch.setattr(tb.trial, "decide_trial", flaky)  # where run_trial looks it up
    out = tmp_path / "e.json"
    first = tb.run_table(st, out)
    assert len(first.records) == 1 and first.errors[0]["error"] == "MemoryError: simulated"
    _, md, doc = tb.write_results(first, out, None)
    assert not doc["complete"] and doc["table"][0]["errors"] == 1 and "failed with an error" in md.read_text()
    again = tb.run_table(st, out)
    assert again.resumed == 1 and len(again.records) == 2 and not again.errors


def test_replay_checks_every_decided_trial_and_reports_a_rejection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    st = tiny(locations=(20.0, 0.0, -20.0), trials=2, replay=True)
    assert "replay" not in st.header()  # a resumed run may add --replay; records say which were replayed
    state = tb.run_table(st, tmp_path / "r.json")
    done = [r for r in state.records.values() if "verdict" in r]
    assert done and all(r["replayed"] == "verified" for r in done if r["verdict"] != "undecided")
    doc = tb.results_doc(state, [])
    assert all(row["replayed"] == row["decided"] and row["replay_rejected"] == 0 for row in doc["table"])
    assert "Independent checker (`--replay`): bias 20: 2 of 2 certificates verified" in tb.markdown(doc)
    # the (+,...,+) column has its own certificate (kind branches), replayed for every decided answer
    assert all(r["replayed_positive"] == "verified" for r in done if r["genuine_positive"] is not None) and any(
        "replayed_positive" in r for r in done
    )
    assert all(row["replayed_positive"] == row["decided_positive"] for row in doc["table"])
    assert "certificates of kind `branches`): bias 20: 2 of 2 verified" in tb.markdown(doc)

    # a producer that lies is caught per trial, and the table says so
    from exactscape.io import certify

    real = certify.cell_certificate

    def lying(a: object) -> dict[str, object]:
        cert = real(a)  # type: ignore[arg-type]
        cert["claim"]["genuine"] = not cert["claim"]["genuine"]  # type: ignore[index]
        return cert

    monkeypatch.setattr(certify, "cell_certificate", lying)
    dec = tb.decide_trial(*_one_cell(), 60, replay=True)
    assert dec.replayed is not None and dec.replayed.startswith("rejected: ")

    real_b = certify.branches_certificate

    def lying_b(*args: object) -> dict[str, object]:
        cert = real_b(*args)  # type: ignore[arg-type]
        cert["claim"]["genuine"] = not cert["claim"]["genuine"]  # type: ignore[index]
        return cert

    monkeypatch.setattr(certify, "branches_certificate", lying_b)
    dec = tb.decide_trial(*_one_cell(), 60, replay=True)
    assert dec.genuine_positive is not None
    assert dec.replayed_positive is not None and dec.replayed_positive.startswith("rejected: ")


def _one_cell() -> tuple[object, object]:
    st = tiny()
    ds = tb.dataset(st.data, st.N, st.d0, st.seed)
    wts, _, _ = sample_weights(st.K, ds.instance.d0, 20.0, tb.trial_rng(st.seed, 20.0, 0))
    pat, _ = pattern_of(ds.instance, wts)
    return ds.instance, pat

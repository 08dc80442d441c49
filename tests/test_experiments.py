"""The trapped-in-cells experiment and its CLI, on tiny sizes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from exactscape.experiments.data import gaussian
from exactscape.experiments.trapped import TrappedSettings, markdown, run_trapped, summarise

ROOT = Path(__file__).resolve().parents[1]


def test_trapped_tiny() -> None:
    ds = gaussian(16, 2, np.random.default_rng(0))
    st = TrappedSettings(K=2, locations=(20.0, -20.0), trials=2, seed=1, max_steps=3000)
    res = run_trapped(ds, st)
    rows = {r["location"]: r for r in res["table"]}
    # all neurons dead on every sample: a flat plateau, genuine (branch 0) and GD trapped at once
    assert rows[-20.0]["genuine_pct"] == 100.0 and rows[-20.0]["trapped_pct"] == 100.0
    # whatever GD does, it is never trapped in a cell that exact arithmetic refutes
    assert all(r["trapped_not_genuine"] == 0 for r in res["table"])
    assert summarise(res["records"], st.locations) == res["table"]
    assert "| 20 |" in markdown(res)


def test_trapped_cli_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    r = subprocess.run(
        [sys.executable, "-m", "exactscape.cli", "experiment", "trapped", "--data", "gaussian", "--N", "10",
         "--d0", "2", "--K", "2", "--locations", "-20", "--trials", "1", "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    doc = json.loads(out.read_text())
    assert doc["format"] == "exactscape-trapped-results" and doc["table"][0]["genuine_pct"] == 100.0
    assert out.with_suffix(".md").exists() and "results:" in r.stdout
    assert r.stdout.splitlines()[0] == "verdict: measured"

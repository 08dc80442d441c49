"""The float LP genuineness decision against the exact one, and the
regression examples where they part (examples/float-tie, examples/float-thin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.experiments.compare import batch_markdown, compare_cell, random_batch
from exactscape.floats.lp import float_gradient, float_loss, instance_arrays
from exactscape.io.instances import load_instance, load_pattern
from exactscape.selftest import produce

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
CERTS = ROOT / "proofs" / "certificates"


def test_float_tie_float_says_genuine_exact_says_not() -> None:
    """Regression (float versus exact): R* = (1/10, 3/10) lies exactly on the hyperplane of the
    inactive sample x3 = (-3, 1); float64 sees 3*0.1 - 0.3 = 5.55e-17 > 0."""
    inst, pat = load_instance(EX / "float-tie.json"), load_pattern(EX / "float-tie.pattern.json")
    c = compare_cell(inst, pat, (-1e-9, 0.0, 1e-9))
    assert not c.exact_genuine
    assert c.floats[0.0].verdict == "genuine" and c.floats[-1e-9].verdict == "genuine"
    assert c.disagrees(0.0) and c.disagrees(-1e-9) and not c.disagrees(1e-9)
    res = api.cell(inst, pattern=pat)
    assert res.summary["genuine"] is False and check_certificate(res.certificate).verified


def test_float_thin_exact_says_genuine_float_says_not() -> None:
    """The reverse: margin 10^-12 > 0 exactly; a float threshold of 1e-9 misses it."""
    inst, pat = load_instance(EX / "float-thin.json"), load_pattern(EX / "float-tie.pattern.json")
    c = compare_cell(inst, pat, (0.0, 1e-9))
    assert c.exact_genuine and c.floats[0.0].verdict == "genuine"
    assert c.floats[1e-9].verdict == "not-genuine" and c.disagrees(1e-9)


@pytest.mark.parametrize(
    "cert",
    [
        "float-tie.cell.cert.json",
        "float-thin.cell.cert.json",
        "float-closed.cell.cert.json",
        "trained-tiny-snap.point.cert.json",
    ],
)
def test_bundled_float_regression_certificates(cert: str) -> None:
    doc = json.loads((CERTS / cert).read_text(encoding="utf-8"))
    assert check_certificate(doc).verified
    run = next(r for r in json.loads((EX / "runs.json").read_text(encoding="utf-8"))["runs"] if r["cert"] == cert)
    assert produce(run, verify=False)["claim"] == doc["claim"]


def test_float_closed_found_on_random_integer_data() -> None:
    """Regression (float versus exact), found by the random batch: read non-strictly, the float LP
    returns a point with margin -1.1e-16 and calls the cell genuine; exactly, it is not."""
    inst, pat = load_instance(EX / "float-closed.json"), load_pattern(EX / "float-closed.pattern.json")
    c = compare_cell(inst, pat, (-1e-9, 0.0))
    assert not c.exact_genuine and c.floats[-1e-9].verdict == "genuine" and c.disagrees(-1e-9)
    assert c.floats[0.0].verdict == "not-genuine"


@pytest.mark.parametrize("labels", ["positive", "negative", "mixed"])
@pytest.mark.parametrize("cell", ["11", "10", "01", "00"])
def test_float_agrees_on_the_toy_cells(labels: str, cell: str) -> None:
    c = compare_cell(
        load_instance(EX / f"toy-{labels}.json"), load_pattern(EX / f"toy-cell-{cell}.pattern.json"), (1e-9,)
    )
    assert not c.disagrees(1e-9) and not c.errors(1e-9)


def test_float_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    X = np.hstack([rng.normal(size=(8, 2)), np.ones((8, 1))])
    y = rng.normal(size=8)
    z, w = rng.normal(size=2), rng.normal(size=(2, 3))
    gz, gw = float_gradient(X, y, z, w)
    h = 1e-6
    for j in range(2):
        dz = np.zeros(2)
        dz[j] = h
        num = (float_loss(X, y, z + dz, w) - float_loss(X, y, z - dz, w)) / (2 * h)
        assert abs(num - gz[j]) < 1e-5
        for l in range(3):
            dw = np.zeros((2, 3))
            dw[j, l] = h
            num = (float_loss(X, y, z, w + dw) - float_loss(X, y, z, w - dw)) / (2 * h)
            assert abs(num - gw[j, l]) < 1e-5


def test_instance_arrays_round_to_nearest() -> None:
    X, y = instance_arrays(load_instance(EX / "float-tie.json"))
    assert y[0] == 0.1 and X.shape == (3, 2)


def test_random_batch_saves_replayable_cases(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    # the settings of results/disagreement-integer-N20-K3.json, location 3, first three trials: one case
    res = random_batch(
        kind="integer",
        trials=3,
        N=20,
        d0=2,
        K=3,
        locations=(3.0,),
        seed=2,
        tols=(-1e-9, 0.0, 1e-9, 1e-6),
        save_dir=saved,
        base=tmp_path,
    )
    assert res.rows[0]["trials"] == 3
    assert "disagreements" in batch_markdown(res)
    assert [case["name"] for case in res.cases] == ["integer-loc3-t2-seed2"]
    for case in res.cases:  # a saved case replays through the exact readers
        inst = load_instance(saved / f"{case['name']}.json")
        pat = load_pattern(saved / f"{case['name']}.pattern.json")
        assert compare_cell(inst, pat, (0.0,)).exact_genuine == case["exact"]["genuine"]
        # and by its recorded command, run from the results folder (base), which it names files relative to
        assert (
            case["replay"]
            == f"exactscape compare saved/{case['name']}.json --pattern saved/{case['name']}.pattern.json"
        )
        words = case["replay"].split()
        r = subprocess.run(
            [sys.executable, "-m", "exactscape", *words[1:]],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
        )
        assert r.stdout.splitlines()[0] == "verdict: disagrees"


def test_compare_cli_json() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "exactscape.cli",
            "compare",
            str(EX / "float-tie.json"),
            "--pattern",
            str(EX / "float-tie.pattern.json"),
            "--json",
            "--tols",
            "0,1e-9",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    js = json.loads(out.stdout)
    assert js["exact"]["genuine"] is False and js["disagree"] == {"0.0": True, "1e-09": False}
    assert js["verdict"] == "disagrees"


def test_compare_cli_first_line_is_the_verdict() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "exactscape.cli", "compare", str(EX / "float-tie.json"),
         "--pattern", str(EX / "float-tie.pattern.json"), "--tols", "1e-9"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    assert out.stdout.splitlines()[0] == "verdict: agrees"

"""Golden certificates: every bundled run is recomputed, its claims equal the
bundled certificate's, and both verify; every bundled certificate has a run."""

from __future__ import annotations

import json

import pytest

from exactscape.checker import check_certificate
from exactscape.selftest import CERTS, load_runs, produce, run

RUNS = load_runs()


@pytest.mark.parametrize("r", RUNS, ids=[r["cert"] for r in RUNS])
def test_regenerated_certificate_matches_the_golden_one(r: dict[str, str]) -> None:
    golden = json.loads((CERTS / r["cert"]).read_text())
    fresh = produce(r)
    assert fresh["claim"] == golden["claim"]
    assert fresh["instance"] == golden["instance"]
    assert check_certificate(fresh).verified and check_certificate(golden).verified


def test_every_bundled_certificate_belongs_to_a_run() -> None:
    names = {r["cert"] for r in RUNS}
    assert {p.name for p in CERTS.glob("*.cert.json")} == names


def test_selftest_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(None) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "s VERIFIED"

"""One interface, several engines: every named decider reaches the same verdicts
and certificates that the independent checker accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.deciders import NAMES, decider
from exactscape.errors import InputError
from exactscape.io.instances import load_instance, load_pattern, load_weights

EX = Path(__file__).resolve().parents[1] / "examples"
CASES = [
    ("random-k3.json", "random-k3.weights.json", None),
    ("toy-mixed.json", None, "toy-cell-11.pattern.json"),
    ("zigzag.json", "zigzag-saddle.weights.json", None),
    ("float-closed.json", None, "float-closed.pattern.json"),
]


@pytest.mark.parametrize("inst,wts,pat", CASES)
def test_every_decider_gives_the_same_claims(inst: str, wts: str | None, pat: str | None) -> None:
    instance = load_instance(EX / inst)
    kwargs = {"weights": load_weights(EX / wts)} if wts else {"pattern": load_pattern(EX / pat)}  # type: ignore[operator]
    claims = []
    for name in NAMES:
        res = api.cell(instance, backend=name, **kwargs)  # type: ignore[arg-type]
        assert check_certificate(res.certificate).verified
        claims.append(res.certificate["claim"])
    assert all(c == claims[0] for c in claims)


def test_unknown_decider_is_an_input_error() -> None:
    with pytest.raises(InputError):
        decider("simplex-by-hand")


@pytest.mark.parametrize("name", NAMES)
def test_saddles_and_boundary_take_every_decider(name: str) -> None:
    """The decider choice reaches Theorems 2 and 3 too; the claims never depend on it."""
    z = load_instance(EX / "zigzag.json")
    pat = load_pattern(EX / "zigzag-mixed.pattern.json")
    ref = api.saddles(z, pattern=pat, all_zero_sets=True)
    res = api.saddles(z, pattern=pat, all_zero_sets=True, backend=name)
    assert res.certificate["claim"] == ref.certificate["claim"]
    assert check_certificate(res.certificate).verified
    k = load_instance(EX / "kink.json")
    w = load_weights(EX / "kink-min.weights.json")
    ref_b = api.boundary(k, w, 0, 1)
    res_b = api.boundary(k, w, 0, 1, backend=name)
    assert res_b.certificate["claim"] == ref_b.certificate["claim"]
    assert check_certificate(res_b.certificate).verified

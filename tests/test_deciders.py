"""One interface, several engines: every named decider reaches the same verdicts
and certificates that the independent checker accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.deciders import NAMES, decider
from exactscape.errors import InputError
from exactscape.model import load_instance, load_pattern, load_weights

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

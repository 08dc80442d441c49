"""Round trips of every file format exactscape reads and writes: parse, print,
parse again, and the two parses are equal (and the printed text is a fixed
point where the format has a canonical printer).

Formats: exact rationals (proofs/FORMAT.md 1); instance, weights and pattern
files (FORMAT 2.1-2.3); certificates of every kind (FORMAT 3-12), the bundled
ones and a fresh atlas bundle with its ``atlas.json``; the resumable partial
files of ``experiment trapped`` and ``experiment tables``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactscape import api
from exactscape.core.model import Instance, Pattern, Weights, instance_from_json, pattern_from_json, weights_from_json
from exactscape.core.numbers import fmt, loads_exact, parse_rational
from exactscape.io import certify
from exactscape.io.instances import load_instance, load_pattern, load_weights
from exactscape.landscape.atlas import write_bundle

REPO = Path(__file__).resolve().parents[1]
EX = REPO / "examples"
CERTS = sorted((REPO / "proofs" / "certificates").glob("*.cert.json"))

rationals = st.fractions(max_denominator=10**6).filter(lambda q: abs(q.numerator) < 10**30)
small_ints = st.integers(1, 4)


def _print(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1) + "\n"


def instance_doc(inst: Instance) -> dict[str, Any]:
    """An instance file as the experiments write it (FORMAT 2.1)."""
    return {"format": "exactscape-instance", "version": 1, "name": inst.name, **inst.to_json()}


def weights_doc(w: Weights) -> dict[str, Any]:
    return {"format": "exactscape-weights", "version": 1, **w.to_json()}


def pattern_doc(p: Pattern) -> dict[str, Any]:
    return {"format": "exactscape-pattern", "version": 1, "I": p.to_json()}


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    n, d0 = draw(small_ints), draw(small_ints)
    X = tuple(tuple(draw(rationals) for _ in range(d0)) for _ in range(n))
    y = tuple(draw(rationals) for _ in range(n))
    return Instance(X=X, y=y, bias=draw(st.booleans()), name=draw(st.sampled_from(["", "toy", "a b"])))


@st.composite
def weights(draw: st.DrawFn) -> Weights:
    K, d = draw(small_ints), draw(small_ints)
    return Weights(
        z=tuple(draw(rationals) for _ in range(K)), w=tuple(tuple(draw(rationals) for _ in range(d)) for _ in range(K))
    )


@st.composite
def patterns(draw: st.DrawFn) -> Pattern:
    N, K = draw(small_ints), draw(small_ints)
    return Pattern(tuple(tuple(draw(st.integers(0, 1)) for _ in range(K)) for _ in range(N)))


# ------------------------------------------------------------------ numbers


@settings(max_examples=200, deadline=None)
@given(rationals)
def test_rational_text_round_trip(q: Fraction) -> None:
    text = fmt(q)
    assert parse_rational(text, "x") == q
    assert fmt(parse_rational(text, "x")) == text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("0.25", "1/4"), ("-6/8", "-3/4"), ("1e3", "1000"), (" 7 ", "7"), ("-0", "0"), ("2.50E-1", "1/4")],
)
def test_other_exact_spellings_print_canonically(text: str, canonical: str) -> None:
    q = parse_rational(text, "x")
    assert fmt(q) == canonical and parse_rational(fmt(q), "x") == q


# ------------------------------------------------------- instance, weights, pattern


@settings(max_examples=60, deadline=None)
@given(instances())
def test_instance_round_trip(inst: Instance) -> None:
    text = _print(instance_doc(inst))
    again = instance_from_json(loads_exact(text, "t"))
    assert again == inst
    assert _print(instance_doc(again)) == text


@settings(max_examples=60, deadline=None)
@given(weights())
def test_weights_round_trip(w: Weights) -> None:
    text = _print(weights_doc(w))
    again = weights_from_json(loads_exact(text, "t"))
    assert again == w
    assert _print(weights_doc(again)) == text


@settings(max_examples=60, deadline=None)
@given(patterns())
def test_pattern_round_trip(p: Pattern) -> None:
    text = _print(pattern_doc(p))
    again = pattern_from_json(loads_exact(text, "t"))
    assert again == p
    assert _print(pattern_doc(again)) == text


EXACT_INPUTS: dict[str, tuple[Callable[[Path], Any], Callable[[Any], dict[str, Any]]]] = {
    "exactscape-instance": (load_instance, instance_doc),
    "exactscape-weights": (load_weights, weights_doc),
    "exactscape-pattern": (load_pattern, pattern_doc),
}
BUNDLED_INPUTS = [
    p
    for p in sorted(EX.glob("*.json"))
    if json.loads(p.read_text()).get("format") in EXACT_INPUTS and not p.name.endswith(".float-weights.json")
]


def test_every_kind_of_input_is_bundled() -> None:
    kinds = {json.loads(p.read_text())["format"] for p in BUNDLED_INPUTS}
    assert kinds == set(EXACT_INPUTS)


@pytest.mark.parametrize("path", BUNDLED_INPUTS, ids=lambda p: p.name)
def test_bundled_input_files_round_trip(path: Path, tmp_path: Path) -> None:
    """Every bundled exact instance, weights and pattern file: load, print
    canonically, load the printed file, equal; printing again gives the same text."""
    load, doc = EXACT_INPUTS[json.loads(path.read_text())["format"]]
    first = load(path)
    out = tmp_path / path.name
    text = _print(doc(first))
    out.write_text(text)
    again = load(out)
    assert again == first
    assert _print(doc(again)) == text


# ------------------------------------------------------------------ certificates


def _embedded_round_trip(cert: dict[str, Any]) -> None:
    """The instance, weights and pattern inside a certificate parse and print back unchanged."""
    inst_json = cert["instance"]
    inst = instance_from_json({"format": "exactscape-instance", "version": 1, **inst_json})
    assert inst.to_json() == inst_json
    if isinstance(cert.get("weights"), dict):
        w = weights_from_json({"format": "exactscape-weights", "version": 1, **cert["weights"]})
        assert w.to_json() == cert["weights"]
    if isinstance(cert.get("pattern"), list):
        p = pattern_from_json({"format": "exactscape-pattern", "version": 1, "I": cert["pattern"]})
        assert p.to_json() == cert["pattern"]


@pytest.mark.parametrize("path", CERTS, ids=lambda p: p.name)
def test_certificate_round_trip(path: Path) -> None:
    """Parse a bundled certificate, print it with the producer's printer: the same bytes."""
    text = path.read_text()
    cert = json.loads(text)
    assert certify.dumps(cert) == text
    assert json.loads(certify.dumps(cert)) == cert
    _embedded_round_trip(cert)


def test_fresh_certificates_round_trip() -> None:
    """Certificates of cell, point, saddle and boundary produced now, printed, parsed, printed."""
    inst = load_instance(EX / "zigzag.json")
    kink = load_instance(EX / "kink.json")
    results = [
        api.cell(inst, pattern=load_pattern(EX / "zigzag-mixed.pattern.json")),
        api.point(load_instance(EX / "toy-mixed.json"), load_weights(EX / "toy-point.weights.json")),
        api.point(inst, load_weights(EX / "zigzag-saddle.weights.json")),
        api.saddles(inst, pattern=load_pattern(EX / "zigzag-mixed.pattern.json"), zero=(1,)),
        api.boundary(kink, load_weights(EX / "kink-min.weights.json"), 0, 1),
    ]
    for res in results:
        text = certify.dumps(res.certificate)
        again = json.loads(text)
        assert again == res.certificate
        assert certify.dumps(again) == text
        _embedded_round_trip(again)


def test_atlas_bundle_round_trip(tmp_path: Path) -> None:
    """A fresh atlas bundle: every file parses and prints back to the same bytes."""
    at = api.atlas(load_instance(EX / "toy-positive.json"), 1)
    written = write_bundle(at, tmp_path / "bundle")
    assert any(p.name == "atlas.json" for p in written) and len(written) >= 2
    for p in written:
        text = p.read_text()
        doc = json.loads(text)
        printed = certify.dumps(doc) if p.name.endswith(".cert.json") else json.dumps(doc, indent=1) + "\n"
        assert printed == text
        if p.name.endswith(".cert.json"):
            _embedded_round_trip(doc)


# ------------------------------------------------------------ experiment partial files


def test_trapped_partial_round_trip(tmp_path: Path) -> None:
    from exactscape.experiments.trapped import PARTIAL_FORMAT, read_partial

    settings_ = {"locations": [0.5, 1.0], "trials": 2, "K": 1}
    records = [
        {"location": 0.5, "trial": 0, "skipped": "no cell"},
        {"location": 1.0, "trial": 1, "skipped": "no cell"},
    ]
    part = tmp_path / "run.partial.jsonl"
    header = json.dumps({"format": PARTIAL_FORMAT, "version": 1, "settings": settings_})
    part.write_text(header + "\n" + "".join(json.dumps(r) + "\n" for r in records))
    done, torn = read_partial(part, settings_)
    assert not torn
    assert done == {(0.5, 0): records[0], (1.0, 1): records[1]}
    again = header + "\n" + "".join(json.dumps(r) + "\n" for r in done.values())
    assert again == part.read_text()


def test_tables_partial_round_trip(tmp_path: Path) -> None:
    from exactscape.experiments import tables as tb

    st_ = tb.settings_for("I", N=4, trials=2, locations=(0.5,))
    part = tb.partial_path(tmp_path / "t.json")
    assert tb.open_partial(part, st_) == {}  # writes the header
    records = [
        {
            "location": 0.5,
            "trial": k,
            "verdict": "not-genuine",
            "genuine": False,
            "genuine_positive": False,
            "continuous": True,
            "rank": 30,
            "dimension": 10,
            "activated": 0.5,
            "method": "plain [hinted]",
            "nodes": 3,
            "seconds": 0.25,
            "gd": None,
        }
        for k in range(2)
    ]
    with part.open("a") as fh:
        for r in records:
            fh.write(json.dumps(r, sort_keys=True) + "\n")
    text = part.read_text()
    done = tb.open_partial(part, st_)
    assert done == {(0.5, 0): records[0], (0.5, 1): records[1]}
    assert part.read_text() == text  # reading back changes nothing
    lines = text.splitlines()
    assert [json.loads(x) for x in lines[1:]] == list(done.values())

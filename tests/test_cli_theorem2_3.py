"""CLI contract of `saddles` (Theorem 2), `boundary` (Theorem 3) and `point` on a hyperplane."""

from __future__ import annotations

import json

import pytest
from conftest import EX
from conftest import run_cli as run

pytestmark = pytest.mark.usefixtures("in_tmp")


def _verified(path: str, capsys: pytest.CaptureFixture[str]) -> bool:
    code, out, _ = run(["check", path], capsys)
    return code == 0 and out.strip().splitlines()[-1] == "s VERIFIED"


def test_saddles_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["saddles", str(EX / "zigzag.json"), "--weights", str(EX / "zigzag-saddle.weights.json")]
    code, out, err = run([*argv, "--all-zero-sets", "--json"], capsys)
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert obj["saddle"] is True and obj["zero_sets"] == "all"
    assert [c["verdict"] for c in obj["cases"]] == ["none", "saddle", "none"]
    assert obj["certificate"] == "zigzag.saddles.cert.json" and obj["certificate_verified"] is True
    assert _verified(obj["certificate"], capsys)
    code, out, _ = run([*argv, "--zero", "1", "--cert", "z1.json"], capsys)
    assert code == 0 and out.splitlines()[0] == "verdict: saddle" and "Z = {1}: saddle" in out
    assert _verified("z1.json", capsys)


@pytest.mark.parametrize(
    "zero,fragment",
    [("5", "out of range"), ("0,0", "repeated"), ("", "empty"), ("a", "not a neuron")],
)
def test_saddles_bad_zero_sets(zero: str, fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["saddles", str(EX / "zigzag.json"), "--pattern", str(EX / "zigzag-mixed.pattern.json"), "--zero", zero]
    code, _, err = run(argv, capsys)
    assert code == 2 and fragment in err and len(err.strip().splitlines()) == 1


def test_boundary_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["boundary", str(EX / "kink.json"), "--weights", str(EX / "kink-min.weights.json")]
    code, out, err = run([*argv, "--neuron", "0", "--sample", "1", "--json"], capsys)
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert (obj["plus"], obj["minus"], obj["lambda"], obj["e_n"]) == (True, False, "-2/13", "1")
    assert _verified(obj["certificate"], capsys)
    code, out, _ = run([*argv, "--neuron", "0", "--sample", "1"], capsys)
    assert code == 0 and out.splitlines()[0] == "verdict: exists"
    code, _, err = run([*argv, "--neuron", "3", "--sample", "1"], capsys)
    assert code == 2 and "--neuron" in err
    # another pair on a hyperplane: outside Theorem 3, reported, never guessed
    code, out, _ = run([*argv, "--neuron", "0", "--sample", "0"], capsys)
    assert code == 0 and out.splitlines()[0] == "verdict: not-covered"


def test_point_on_a_hyperplane(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["point", str(EX / "kink.json"), "--weights", str(EX / "kink-min.weights.json"), "--json"], capsys
    )
    obj = json.loads(out)
    assert code == 0 and obj["verdict"] == "non-differentiable-local-minimum" and obj["lambda"] == "-2/13"
    assert (obj["neuron"], obj["sample"]) == (0, 1)
    assert _verified(obj["certificate"], capsys)
    code, out, _ = run(["point", str(EX / "kink-tree.json"), "--weights", str(EX / "kink-tree.weights.json")], capsys)
    assert code == 0 and out.splitlines()[0] == "verdict: not-a-local-minimum"

"""The CLI contract: verdict lines, JSON keys, exit codes, one-line errors, no overwrites."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EX
from conftest import run_cli as run

from exactscape.cli import main

pytestmark = pytest.mark.usefixtures("in_tmp")


def test_cell_json_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        ["cell", str(EX / "toy-mixed.json"), "--pattern", str(EX / "toy-cell-10.pattern.json"), "--json"], capsys
    )
    assert code == 0 and err == ""
    obj = json.loads(out)
    for key in ("feasible", "kind", "dimension", "loss", "genuine", "branches", "certificate"):
        assert key in obj
    assert obj["kind"] == "affine" and obj["dimension"] == 1 and obj["loss"] == "1/2" and obj["branches"] == ["+"]
    cert = Path(obj["certificate"])
    assert cert.exists() and cert.name == "toy-mixed.cell.cert.json"
    code, out, _ = run(["check", str(cert)], capsys)
    assert code == 0 and out.strip().splitlines()[-1] == "s VERIFIED"


def test_cell_human_output_starts_with_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["cell", str(EX / "toy-mixed.json"), "--pattern", str(EX / "toy-cell-11.pattern.json")], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "verdict: not-genuine"
    assert lines[-1].startswith("certificate: toy-mixed.cell.cert.json")


def test_point_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    for weights, verdict in [
        ("zigzag-saddle.weights.json", "saddle"),
    ]:
        code, out, _ = run(["point", str(EX / "zigzag.json"), "--weights", str(EX / weights), "--json"], capsys)
        obj = json.loads(out)
        assert code == 0 and obj["verdict"] == verdict and "loss" in obj and "certificate" in obj
    code, out, _ = run(["point", str(EX / "line.json"), "--weights", str(EX / "line-v.weights.json"), "--json"], capsys)
    assert json.loads(out)["verdict"] == "local-minimum" and json.loads(out)["loss"] == "0"


def _write(p: Path, text: str) -> str:
    p.write_text(text)
    return str(p)


BAD_INSTANCES = {
    "malformed": ('{"format": "exactscape-instance", "version": 1, "X": [[1]', "malformed JSON"),
    "float": ('{"format": "exactscape-instance", "version": 1, "X": [[1, 0.5]], "y": [1]}', "X[0][1]"),
    "nan": ('{"format": "exactscape-instance", "version": 1, "X": [[NaN]], "y": [1]}', "NaN"),
    "inf": ('{"format": "exactscape-instance", "version": 1, "X": [[1]], "y": [-Infinity]}', "y[0]"),
    "ragged": ('{"format": "exactscape-instance", "version": 1, "X": [[1, 2], [3]], "y": [1, 2]}', "X[1]"),
    "labels": ('{"format": "exactscape-instance", "version": 1, "X": [[1], [2]], "y": [1]}', "labels"),
    "version": ('{"format": "exactscape-instance", "version": 7, "X": [[1]], "y": [1]}', "version"),
    "format": ('{"format": "something", "version": 1, "X": [[1]], "y": [1]}', "format"),
    "bool": ('{"format": "exactscape-instance", "version": 1, "X": [[true]], "y": [1]}', "X[0][0]"),
    "text": ('{"format": "exactscape-instance", "version": 1, "X": [["one"]], "y": [1]}', "X[0][0]"),
    "zerodiv": ('{"format": "exactscape-instance", "version": 1, "X": [["1/0"]], "y": [1]}', "zero denominator"),
    "unknown": ('{"format": "exactscape-instance", "version": 1, "X": [[1]], "y": [1], "Z": 1}', "unknown field"),
    "array": ("[1, 2]", "JSON object"),
}


@pytest.mark.parametrize("name", sorted(BAD_INSTANCES))
def test_bad_instance_is_one_line_exit_2(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text, needle = BAD_INSTANCES[name]
    inst = _write(tmp_path / f"{name}.json", text)
    code, out, err = run(["cell", inst, "--pattern", str(EX / "toy-cell-11.pattern.json")], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert needle in err and f"{name}.json" in err


def test_shape_mismatches(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    w = _write(tmp_path / "w.json", '{"format": "exactscape-weights", "version": 1, "z": [1], "w": [[1, 2, 3]]}')
    code, _, err = run(["cell", str(EX / "toy-mixed.json"), "--weights", w], capsys)
    assert code == 2 and "d = 2" in err
    p = _write(tmp_path / "p.json", '{"format": "exactscape-pattern", "version": 1, "I": [[1]]}')
    code, _, err = run(["cell", str(EX / "toy-mixed.json"), "--pattern", p], capsys)
    assert code == 2 and "N = 2" in err
    p2 = _write(tmp_path / "p2.json", '{"format": "exactscape-pattern", "version": 1, "I": [[2], [0]]}')
    code, _, err = run(["cell", str(EX / "toy-mixed.json"), "--pattern", p2], capsys)
    assert code == 2 and "I[0][0]" in err
    code, _, err = run(["cell", str(tmp_path / "missing.json"), "--pattern", p], capsys)
    assert code == 2 and "no such file" in err


def test_weights_on_a_boundary_are_not_covered_for_cell(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    w = _write(tmp_path / "w.json", '{"format": "exactscape-weights", "version": 1, "z": [1], "w": [[1, 0]]}')
    code, out, _ = run(["cell", str(EX / "toy-mixed.json"), "--weights", w], capsys)
    assert code == 0 and out.splitlines()[0] == "verdict: not-covered"


def test_never_overwrites_inputs_or_foreign_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inst = tmp_path / "inst.json"
    inst.write_text((EX / "toy-mixed.json").read_text())
    before = inst.read_text()
    code, _, err = run(
        ["cell", str(inst), "--pattern", str(EX / "toy-cell-11.pattern.json"), "--cert", str(inst)], capsys
    )
    assert code == 3 and inst.read_text() == before and "input" in err
    other = _write(tmp_path / "notes.txt", "my notes")
    code, _, err = run(["cell", str(inst), "--pattern", str(EX / "toy-cell-11.pattern.json"), "--cert", other], capsys)
    assert code == 3 and Path(other).read_text() == "my notes"
    # an older certificate of ours may be replaced
    cert = tmp_path / "c.json"
    for _ in range(2):
        code, _, _ = run(
            ["cell", str(inst), "--pattern", str(EX / "toy-cell-11.pattern.json"), "--cert", str(cert)], capsys
        )
        assert code == 0


def test_check_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        ["cell", str(EX / "toy-mixed.json"), "--pattern", str(EX / "toy-cell-11.pattern.json"), "--json"], capsys
    )
    cert = json.loads(Path(json.loads(out)["certificate"]).read_text())
    cert["claim"]["loss"] = "1"
    lie = _write(tmp_path / "lie.json", json.dumps(cert))
    code, out, _ = run(["check", lie], capsys)
    assert code == 1 and out.strip().splitlines()[-1].startswith("s REJECTED:")
    junk = _write(tmp_path / "junk.json", "not json at all")
    code, out, _ = run(["check", junk], capsys)
    assert code == 2 and out.strip().splitlines()[-1].startswith("s REJECTED:")
    code, out, _ = run(["check", str(tmp_path / "absent.json")], capsys)
    assert code == 2


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["cell", "--help"], ["point", "--help"], ["check", "--help"], ["selftest", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        out, _ = capsys.readouterr()
        assert "usage: exactscape" in out and "exit codes" in out


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["cell"])
    assert exc.value.code == 2


def test_numpy_input_goes_through_the_float_boundary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import numpy as np

    np.savez(tmp_path / "d.npz", X=np.array([[1.0, 0.0], [0.0, 0.1]]), y=np.array([1.0, -1.0]), bias=np.array(False))
    code, out, _ = run(["cell", str(tmp_path / "d.npz"), "--pattern", str(EX / "toy-cell-11.pattern.json")], capsys)
    assert code == 0
    assert "converted exactly to the dyadic rationals" in out
    np.savez(tmp_path / "bad.npz", X=np.array([[1.0, np.nan]]), y=np.array([1.0]))
    code, _, err = run(["cell", str(tmp_path / "bad.npz"), "--pattern", str(EX / "toy-cell-11.pattern.json")], capsys)
    assert code == 2 and "bad.npz: X[0, 1]" in err and "nan" in err


def test_console_entry_point_runs_in_a_subprocess(tmp_path: Path) -> None:
    import os

    env = dict(os.environ, PYTHONPATH=str(EX.parent))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "exactscape",
            "point",
            str(EX / "toy-mixed.json"),
            "--weights",
            str(EX / "toy-point.weights.json"),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["verdict"] == "local-minimum"

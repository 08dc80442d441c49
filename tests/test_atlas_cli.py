"""The atlas and gaussian1d commands, and `check DIR` on a bundle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EX
from conftest import run_cli as run

from exactscape.checker import check_file
from exactscape.cli import main

pytestmark = pytest.mark.usefixtures("in_tmp")


def test_atlas_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["atlas", str(EX / "toy-negative.json"), "--neurons", "1", "--json"], capsys)
    assert code == 0 and err == ""
    obj = json.loads(out)
    for key in ("neuron_cells", "network_cells", "cells", "boundary_minima", "global_minimum", "spurious"):
        assert key in obj
    assert obj["verdict"] == "complete" and obj["neuron_cells"] == obj["network_cells"] == 4
    assert obj["global_minimum"] | {"point": None} == {
        "certified": True,
        "lower": "0",
        "upper": "0",
        "loss": "0",
        "attained_by": "genuine minimum of cell 0",
        "point": None,
    }
    rec = obj["cells"][0]
    for key in ("pattern", "feasible", "loss", "genuine", "branches", "saddles", "infimum"):
        assert key in rec
    assert rec["branches"] == ["-"] and rec["genuine_with_positive_z"] is False


def test_atlas_bundle_verifies_and_tampering_is_caught(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(["atlas", str(EX / "toy-mixed.json"), "-K", "2", "--out", "bundle", "--plot", "t.svg"], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "verdict: complete"
    assert any(line.startswith("global minimum: 0 (certified") for line in lines)
    assert Path("t.svg").read_bytes().count(b"exactscape-atlas-plot") >= 1
    code, out, _ = run(["check", "bundle"], capsys)
    check_lines = out.strip().splitlines()
    assert code == 0 and check_lines[-1] == "s VERIFIED"
    assert sum(1 for x in check_lines if x.startswith("c ") and x.endswith(": s VERIFIED")) == len(
        list(Path("bundle").glob("*.cert.json"))
    )
    assert any(x.startswith("c global minimum: 0 ") for x in check_lines)
    # a missing cell certificate: the bundle no longer decides every cell
    shutil.copytree("bundle", "b1")
    next(Path("b1").glob("cell-*.cert.json")).unlink()
    code, lines2 = check_file("b1")
    assert code == 1 and "cell-" in lines2[-1] and "which is not in the bundle" in lines2[-1]
    # atlas.json lying about the global minimum
    shutil.copytree("bundle", "b2")
    doc = json.loads(Path("b2/atlas.json").read_text())
    doc["global_minimum"]["upper"] = "1/3"
    Path("b2/atlas.json").write_text(json.dumps(doc))
    code, lines2 = check_file("b2")
    assert code == 1 and "global_minimum.upper" in lines2[-1]
    # a corrupted certificate: one line per file, overall REJECTED
    shutil.copytree("bundle", "b3")
    c = json.loads(Path("b3/census.cert.json").read_text())
    c["claim"]["network_cells"] += 1
    Path("b3/census.cert.json").write_text(json.dumps(c))
    code, lines2 = check_file("b3")
    assert code == 1 and any("census.cert.json: s REJECTED" in x for x in lines2)
    # an empty folder is not a bundle
    Path("empty").mkdir()
    assert check_file("empty")[0] == 2
    # re-running over our own bundle is allowed; a foreign file is not overwritten
    Path("foreign").mkdir()
    Path("foreign/atlas.json").write_text("not ours")
    code, _, err = run(["atlas", str(EX / "toy-mixed.json"), "-K", "1", "--out", "foreign"], capsys)
    assert code == 3 and "refusing" in err and Path("foreign/atlas.json").read_text() == "not ours"
    assert not list(Path("foreign").glob("*.cert.json"))  # nothing written before the refusal


def test_atlas_refuses_too_many_cells_with_the_estimate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["atlas", str(EX / "random-k3.json"), "-K", "3", "--max-cells", "1000"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--max-cells" in err and "42" in err and "74088" in err
    code, _, err = run(["atlas", str(EX / "random-k3.json"), "-K", "3", "--max-cells", "10"], capsys)
    assert code == 2 and "44 per neuron" in err and "--max-cells" in err


def test_atlas_plot_png_and_bad_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["atlas", str(EX / "toy-positive.json"), "-K", "1", "--plot", "toy.png"], capsys)
    assert code == 0 and Path("toy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.splitlines()[0] == "verdict: complete"
    code, _, err = run(["atlas", str(EX / "toy-positive.json"), "-K", "1", "--plot", "toy.pdf"], capsys)
    assert code == 2 and ".png or .svg" in err
    Path("mine.png").write_bytes(b"a user's picture")
    code, _, err = run(["atlas", str(EX / "toy-positive.json"), "-K", "1", "--plot", "mine.png"], capsys)
    assert code == 3 and Path("mine.png").read_bytes() == b"a user's picture"
    code, _, err = run(["atlas", str(EX / "toy-positive.json"), "-K", "0"], capsys)
    assert code == 2 and "--neurons" in err


def test_atlas_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["atlas", "--help"])
    assert exc.value.code == 0 and "--max-cells" in capsys.readouterr().out


def test_gaussian1d_reproduces_the_shape_of_fig_2d(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["gaussian1d", "--sweep", "0:6:61", "--json", "--plot", "g.png"], capsys)
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert obj["verdict"] == "computed" and obj["N"] == 100
    sweep = obj["sweep"]
    moving = [p["P_t_moving"] for p in sweep]
    # high near the empirical minimum of the loss (x_w1 about 0.7), tiny between, tending to 1 far out
    peak = max(range(len(sweep)), key=lambda i: moving[i] if sweep[i]["x_w1"] < 2 else -1)
    assert 0.4 < sweep[peak]["x_w1"] < 1.2 and moving[peak] > 0.5
    assert min(moving[peak:]) < 0.01 and moving[-1] > 0.99
    # with [18]'s max over both gaps, the fixed neuron's gap caps P_t everywhere
    assert max(p["P_t"] for p in sweep) < 1e-4
    # h* of the moving neuron: the mean of x - y over its region [14]; at x_w1 = 6 it is about 5.19
    assert abs(sweep[-1]["h_star"][0] - 5.1865) < 1e-3
    assert all(0.4 < v < 1.6 for v in obj["empirical_argmin"])
    assert Path("g.png").read_bytes()[:4] == b"\x89PNG"


def test_gaussian1d_exact_check_and_bad_sweep(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gaussian1d", "-N", "12", "--sweep", "0:3:7", "--check"], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "verdict: computed"
    assert any(line.startswith("exact check (sampling 1") and "genuine" in line for line in lines)
    code, _, err = run(["gaussian1d", "--sweep", "3:1:5"], capsys)
    assert code == 2 and "--sweep" in err


def test_checker_module_checks_a_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    from exactscape.checker import main as checker_main

    assert main(["atlas", str(EX / "toy-positive.json"), "-K", "1", "--out", "b", "--no-saddles"]) == 0
    capsys.readouterr()
    assert checker_main(["b"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "s VERIFIED"


def test_missing_matplotlib_is_a_one_line_input_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real = builtins.__import__

    def fake(name: str, *args: object, **kwargs: object) -> object:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake)
    code, out, err = run(["atlas", str(EX / "toy-positive.json"), "-K", "1", "--plot", "x.png"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "matplotlib" in err


def test_atlas_refuses_a_folder_with_another_runs_certificates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["atlas", str(EX / "toy-positive.json"), "-K", "2", "--out", "b", "--no-saddles"]) == 0
    capsys.readouterr()
    code, _, err = run(["atlas", str(EX / "toy-positive.json"), "-K", "1", "--out", "b", "--no-saddles"], capsys)
    assert code == 3 and "other certificate" in err
    assert check_file("b")[0] == 0  # untouched, still a consistent bundle
    code, _, err = run(["atlas", str(EX / "toy-positive.json"), "-K", "13"], capsys)
    assert code == 2 and "1..12" in err


def test_gaussian1d_population_solution_matches_the_two_weight_closed_form() -> None:
    """[14]: with two weights (normals +1 at x_w1 >= 0, -1 at 0) F is diagonal and
    h1* = (P1+ xbar1+ + P1- xbar1- - P1+ + P1-) / (P1+ + P1-), from [21-22] directly."""
    import math

    from exactscape.experiments import gaussian1d as g1

    for x1 in (0.3, 1.0, 2.5):
        Pp = 1 - g1.Phi(x1 - 1)
        Pm = 1 - g1.Phi(x1 + 1)
        xp = g1.phi(x1 - 1) / Pp + 1
        xm = g1.phi(x1 + 1) / Pm - 1
        want = (Pp * xp + Pm * xm - Pp + Pm) / (Pp + Pm)
        assert math.isclose(g1.optimal_locations([x1, 0.0], [1, -1])[0], want, rel_tol=1e-12)
    f3 = g1.figure3(100, steps=3)
    assert set(f3) == {"shift", "a", "b", "c", "d"} and all(0 <= v <= 1 for k in "abcd" for v in f3[k])


def test_atlas_bundle_face_lines_are_re_derived(capsys: pytest.CaptureFixture[str]) -> None:
    """The faces outside Theorems 1 and 3: every face minimum names its witness's point
    certificate, the faces without one are faces.cert.json's, and a line that lies is caught."""
    code, _, _ = run(["atlas", str(EX / "zigzag.json"), "-K", "1", "--out", "fb"], capsys)
    assert code == 0
    doc = json.loads(Path("fb/atlas.json").read_text())
    assert doc["faces_certificate"] == "faces.cert.json" and len(doc["face_minima"]) == 2
    assert doc["faces_examined"] == 11 and [m["where"] for m in doc["minima"][:2]] == ["face", "face"]
    for key, value in (("loss", "0"), ("face", "++++"), ("z_signs", ["-"])):
        shutil.copytree("fb", f"fb-{key}")
        bad = json.loads(json.dumps(doc))
        bad["face_minima"][0][key] = value
        Path(f"fb-{key}/atlas.json").write_text(json.dumps(bad))
        code, lines = check_file(f"fb-{key}")
        assert code == 1 and f"face_minima[0].{key}" in lines[-1], lines[-1]
    shutil.copytree("fb", "fb-count")
    bad = json.loads(json.dumps(doc))
    bad["faces_examined"] = 12
    Path("fb-count/atlas.json").write_text(json.dumps(bad))
    code, lines = check_file("fb-count")
    assert code == 1 and "faces_examined" in lines[-1]
    shutil.copytree("fb", "fb-gone")
    Path("fb-gone/faces.cert.json").unlink()
    code, lines = check_file("fb-gone")
    assert code == 1 and "faces.cert.json" in lines[-1]

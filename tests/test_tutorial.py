"""docs/tutorial.py runs as a researcher would run it (a script of notebook cells), end to end:
real digits loaded exactly, a NumPy-trained network cross-checked, its certificates replayed by
the independent checker, the atlas of a slice drawn and its bundle checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from exactscape.io import outputs

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.py"


def test_the_tutorial_runs_and_says_what_it_shows(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the tutorial draws with matplotlib (pip install 'exactscape[plot]')")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, str(TUTORIAL)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository: the script finds its data from its own location
        env={**os.environ, "EXACTSCAPE_TUTORIAL_OUT": str(out), "MPLBACKEND": "Agg"},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    text = r.stdout
    for line in (
        "N = 40 samples, d = 65 (64 pixels and the bias), bias: True",
        "verdict: nothing",
        "snapped.point.cert.json: exit 0, last line: s VERIFIED",
        "trained.cell.cert.json: exit 0, last line: s VERIFIED",
        "bundle: exit 0, last line: s VERIFIED",
    ):
        assert line in text.splitlines(), line
    assert "converted exactly to the dyadic rationals they equal" in text
    assert "global minimum certified: True" in text
    assert "an exact genuine minimum near the trained point: local-minimum, loss 0" in text
    assert "within tol = 1/10: True" in text
    # its files: the trained weights, two certificates, the atlas picture (ours) and bundle
    assert (out / "net.npz").is_file()
    assert {p.name for p in out.glob("*.cert.json")} == {"snapped.point.cert.json", "trained.cell.cert.json"}
    png = out / "atlas.png"
    assert png.read_bytes().startswith(b"\x89PNG") and outputs.ATLAS_PLOT(png)
    assert (out / "atlas" / "atlas.json").is_file() and len(list((out / "atlas").glob("*.cert.json"))) > 16
    # every trained one-unit network is placed in a cell of the atlas with the cell's exact infimum
    seeds = [line for line in text.splitlines() if line.startswith("seed ")]
    assert len(seeds) == 4 and all("infimum" in s or "on a wall" in s for s in seeds)


@pytest.mark.slow  # importing scikit-learn takes several seconds
def test_the_bundled_digits_are_sklearns() -> None:
    """examples/digits-01.npz is what examples/make_digits_example.py makes from scikit-learn."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("sklearn", reason="scikit-learn is an optional extra (pip install 'exactscape[data]')")
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import make_digits_example as mk
    finally:
        sys.path.remove(str(ROOT / "examples"))
    X, y = mk.digits_arrays()
    with np.load(ROOT / "examples" / "digits-01.npz", allow_pickle=False) as f:
        assert sorted(f.files) == ["X", "y"]
        assert np.array_equal(f["X"], X) and np.array_equal(f["y"], y)
    assert X.shape == (40, 64) and list(y) == [1.0] * 20 + [-1.0] * 20

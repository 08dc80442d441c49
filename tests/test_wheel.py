"""`exactscape selftest` from a built wheel, outside the repository.

The wheel must carry what selftest replays (the golden certificates, the
example runs and their inputs) as package data, since an installed wheel has
no proofs/ or examples/ beside it. Offline: the wheel is built without build
isolation, installed without dependencies into a fresh virtual environment
that sees the running interpreter's site-packages through a .pth file.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "exactscape", "examples", "proofs", "docs")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_selftest_from_wheel(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:  # a copy, so the build leaves nothing in the worktree
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), "."],
        src,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("exactscape-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    certs = sorted(p.name for p in (ROOT / "proofs" / "certificates").glob("*.cert.json"))
    assert certs
    for c in certs:
        assert f"exactscape/bundled/certificates/{c}" in names
    runs = json.loads((ROOT / "examples" / "runs.json").read_text(encoding="utf-8"))["runs"]
    inputs = {r[key] for r in runs for key in ("instance", "weights", "pattern", "lower", "from", "to") if key in r}
    for f in sorted(inputs | {"runs.json"}):
        assert f"exactscape/bundled/examples/{f}" in names
    assert "exactscape/bundled/docs/theory.md" in names  # what the CLI's "docs/theory.md section n" cites
    assert "exactscape/bundled/format/FORMAT.md" in names  # what certificates and the checker cite
    assert not any(n.endswith(".py") and n.startswith("exactscape/bundled/") for n in names)

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    assert made.returncode == 0, made.stderr
    py = venv / "bin" / "python"
    query = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path)
    purelib = Path(query.stdout.strip())
    # the dependencies (python-flint, pplpy, pycddlib, numpy, ...) from the running environment; a path added
    # by a .pth line is not itself scanned for .pth files, so an editable exactscape there stays invisible
    (purelib / "shared-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    inst = _run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", str(wheel)], tmp_path
    )
    assert inst.returncode == 0, inst.stdout + inst.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = _run([str(py), "-c", "import exactscape; print(exactscape.__file__)"], outside)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    res = _run([str(venv / "bin" / "exactscape"), "selftest"], outside)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    lines = res.stdout.splitlines()
    assert lines[-1] == "s VERIFIED"
    assert sum(line.startswith("c recompute ") and line.endswith(": same claims") for line in lines) == len(runs)
    assert sum(line.endswith(": s VERIFIED") for line in lines) == len(certs)

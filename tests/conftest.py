"""Shared by the tests: the repository root, the bundled examples, and the
in-process CLI runner with its working-folder fixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
EX = ROOT / "examples"


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``exactscape ARGV`` in this process: (exit code, stdout, stderr); a usage
    error (argparse's exit) gives its exit code like any other error."""
    from exactscape.cli import main

    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test in a fresh working folder (certificates go there by default)."""
    monkeypatch.chdir(tmp_path)

"""A reader that goes away early (``exactscape ... | head``) is an output that
could not be written: one line on stderr and exit 3 for the CLI, never the
internal-error exit 4 or a traceback; the checker keeps its verdict's code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_with_closed_stdout(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``python -m ...`` with a stdout pipe whose read end is closed before the child writes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the interpreter needs far longer to start than this takes
    err = proc.stderr.read()
    return proc.wait(timeout=120), err


def test_cli_reports_a_closed_stdout_as_an_output_error(tmp_path: Path) -> None:
    code, err = _run_with_closed_stdout(
        [
            "-m",
            "exactscape",
            "cell",
            str(ROOT / "examples" / "toy-mixed.json"),
            "--pattern",
            str(ROOT / "examples" / "toy-cell-11.pattern.json"),
            "--cert",
            str(tmp_path / "c.cert.json"),
        ],
        tmp_path,
    )
    assert code == 3, err
    assert err.splitlines() == ["exactscape cell: error: standard output was closed before the output was complete"]


def test_checker_keeps_its_exit_code_when_stdout_is_closed(tmp_path: Path) -> None:
    cert = ROOT / "proofs" / "certificates" / "toy-mixed.cell-11.cert.json"
    code, err = _run_with_closed_stdout(["-m", "exactscape.checker", str(cert)], tmp_path)
    assert (code, err) == (0, "")

"""README.md is an overview: what exactscape is, the two set-up commands, one example per
command (each runs), and where to read more; every command's manual is docs/manual.md."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from test_docs import cli_commands

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MANUAL = ROOT / "docs" / "manual.md"
MAX_LINES = 250


def examples() -> list[list[str]]:
    """The command lines of the README's "One example per command" block (comments dropped)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## One example per command", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_readme_is_an_overview_with_one_example_per_command() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES
    for heading in ("## Two commands", "## One example per command", "## Where to read more", "## Layout"):
        assert heading in text.splitlines(), heading
    lines = examples()
    commands = cli_commands()
    assert {"cell", "atlas", "path", "crosscheck"} <= set(commands)  # the scan reads the help
    assert all(words[0] == "exactscape" for words in lines)
    assert sorted(words[1] for words in lines) == sorted(commands)  # one example each, none missing
    for words in lines:
        for w in words:
            if w.startswith(("examples/", "proofs/")):
                assert (ROOT / w).is_file(), w


def test_the_manual_documents_every_command() -> None:
    text = MANUAL.read_text(encoding="utf-8")
    for command in cli_commands():
        assert f"`{command}" in text, command
    for heading in ("### Exit codes", "### Files it writes", "### Input limits", "## How it decides"):
        assert heading in text.splitlines(), heading


@pytest.mark.slow  # fifteen commands, about a minute
def test_every_readme_example_runs(tmp_path: Path) -> None:
    """Each example, run from a fresh folder (bundled files named by their full path), exits 0
    with its verdict line first (``check`` and ``selftest``: ``s VERIFIED`` last)."""
    for words in examples():
        argv = [str(ROOT / w) if w.startswith(("examples/", "proofs/")) else w for w in words[1:]]
        r = subprocess.run(
            [sys.executable, "-m", "exactscape", *argv],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"},
        )
        assert r.returncode == 0, (words, r.stderr[-2000:])
        out = r.stdout.splitlines()
        if words[1] in ("check", "selftest"):
            assert out[-1] == "s VERIFIED", words
        else:
            assert out[0].startswith("verdict: "), words

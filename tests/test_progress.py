"""The one progress-bar factory (exactscape.cli.progress): silent off a terminal,
drawn on stderr on one."""

from __future__ import annotations

import io

import pytest

from exactscape.cli import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_off_a_terminal_or_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with progress.bar("x") as b:
        assert b is None
    with progress.ticker(3, "x") as tick:
        tick("one")  # a no-op
    monkeypatch.setattr("sys.stderr", Terminal())
    with progress.bar("x", enabled=False) as b:
        assert b is None


@pytest.mark.parametrize("steps", [True, False])
def test_bar_draws_on_a_terminal(monkeypatch: pytest.MonkeyPatch, steps: bool) -> None:
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    with progress.bar("zero sets", steps=steps, transient=False) as b:
        assert b is not None
        b.update(done=2, total=5, text="17 exact LPs")
    text = err.getvalue()
    assert "zero sets" in text and "17 exact LPs" in text
    assert ("2/5" in text) == steps


def test_ticker_advances(monkeypatch: pytest.MonkeyPatch) -> None:
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    with progress.ticker(3, "trials") as tick:
        tick("first")
        tick("second")
    text = err.getvalue()
    assert "trials" in text and "2/3" in text and "second" in text

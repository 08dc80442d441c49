"""The ``exactscape`` command line: parses, calls :mod:`exactscape.api`, prints.

Exit codes (stable, documented in docs/manual.md):
  0  a verdict was reached (whatever it is, "not-covered" included)
  1  ``check``: the certificate was REJECTED
  2  bad input: usage, unreadable or malformed file, float/NaN where an exact
     number is required, wrong shapes; ``check``: not a certificate at all
  3  an output could not be written (or would overwrite an input)
  4  internal error or exact-backend failure (a bug: please report it)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from .. import __version__
from ..errors import ExactscapeError, InputError, NotCovered, clip, one_line
from . import atlas, cell, check, crosscheck, experiments, path, region, spurious
from .runner import check_file_options

FAMILIES = (cell, check, crosscheck, experiments, atlas, region, spurious, path)
"""The command families, one module each, in the order of ``exactscape --help``: each has
``add_parsers(sub, epilog)`` and ``COMMANDS`` (name -> function of the parsed arguments)."""

EPILOG = "exit codes: 0 verdict reached, 1 certificate rejected (check), 2 bad input, 3 output error, 4 internal error"


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr,
    ``exactscape CMD: error: MESSAGE (see --help)``, exit code 2; sub-parsers
    inherit the class."""

    def error(self, message: str) -> NoReturn:
        # a quoted value longer than 40 characters is shown by its start and length
        message = re.sub(r"'([^']{41,})'", lambda m: clip(m.group(1)), message)
        self.exit(2, f"{one_line(self.prog)}: error: {one_line(message)} (see {one_line(self.prog)} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="exactscape",
        description="Exact, certified loss-landscape decisions for one-hidden-layer ReLU networks.",
        epilog=EPILOG,
    )
    p.add_argument("--version", action="version", version=f"exactscape {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    for family in FAMILIES:
        family.add_parsers(sub, EPILOG)
    return p


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
for _family in FAMILIES:
    COMMANDS.update(_family.COMMANDS)


FLAGS = {
    "neuron": "--neuron",
    "sample": "--sample",
    "zero": "--zero",
    "K": "--neurons",
    "branches": "--branches",
    "kind": "--kind",
    "max_cells": "--max-cells",
    "max_face_lps": "--max-face-lps",
    "saddles": "--no-saddles",
    "end": "--to",
    "tol": "--tol",
}
"""The option flag of each Python API parameter that an InputError's ``field`` names."""


def error_text(exc: InputError) -> str:
    """An input error in the CLI's words: one about a parameter the API names
    (``exc.field``) is prefixed by its option flag, e.g. "--neuron: neuron 5 out of range 0..1"."""
    flag = FLAGS.get(exc.field or "")
    return f"{flag}: {exc}" if flag is not None and exc.where is None else str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    prog = command_name(args)
    try:
        check_file_options(args)
        return COMMANDS[args.command](args)
    except NotCovered as exc:
        if getattr(args, "json", False):
            print(json.dumps({"verdict": "not-covered", "reason": str(exc)}))
        else:
            print("verdict: not-covered")
            print(f"reason: {one_line(str(exc))}")
        return 0
    except InputError as exc:
        print(f"{prog}: error: {one_line(error_text(exc))}", file=sys.stderr)
        return 2
    except ExactscapeError as exc:
        print(f"{prog}: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _stdout_closed(prog)
    except RecursionError:
        print(f"{prog}: error: input nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{prog}: error: out of memory (the input asks for more than this machine gives)", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback
        msg = one_line(f"{exc.__class__.__name__}: {exc}")[:1000]
        print(f"{prog}: internal error: {msg} (please report)", file=sys.stderr)
        return 4


def command_name(args: argparse.Namespace) -> str:
    """``exactscape CMD`` (``exactscape experiment NAME``): the prefix of every error
    line, as argparse's usage errors have it (docs/manual.md "Exit codes")."""
    words = ["exactscape", str(args.command)]
    if args.command == "experiment" and getattr(args, "experiment", None):
        words.append(str(args.experiment))
    return " ".join(words)


def _stdout_closed(prog: str = "exactscape") -> int:
    """The reader of standard output went away (``exactscape ... | head``): not a
    bug but an output that could not be written (exit 3). Standard output is
    pointed at the null device so that the interpreter's final flush stays quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    print(f"{prog}: error: standard output was closed before the output was complete", file=sys.stderr)
    return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The commands that trust the install, registered by :mod:`exactscape.cli`: ``check``
(replay a certificate with the independent checker) and ``selftest``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_parsers(sub: Any, epilog: str) -> None:
    """Add ``check`` and ``selftest`` to the main parser's sub-parsers."""
    ck = sub.add_parser(
        "check",
        help="replay a certificate with the independent checker",
        description="Replay CERT with the standard-library checker. Last line: 's VERIFIED' (exit 0) "
        "or 's REJECTED: reason' (exit 1); exit 2 if CERT is not a certificate at all.",
        epilog=epilog,
    )
    ck.add_argument("cert", help="certificate file, or a folder of certificates (a bundle: one line per file)")
    ck.add_argument("--quiet", action="store_true", help="print only the final s-line")

    st = sub.add_parser(
        "selftest",
        help="verify the bundled certificates and re-derive their verdicts, without pytest",
        description="Check every bundled certificate with the independent checker (proofs/certificates in a "
        "source checkout, exactscape/bundled/certificates in an installed wheel), and recompute each bundled "
        "example to confirm the producer still reaches the same claims.",
        epilog=epilog,
    )
    st.add_argument("--dir", default=None, help="folder of certificates (default: the bundled ones)")


def _cmd_check(args: argparse.Namespace) -> int:
    from ..checker import check_file

    code, lines = check_file(args.cert)
    for line in lines if not args.quiet else lines[-1:]:
        print(line)
    return code


def _cmd_selftest(args: argparse.Namespace) -> int:
    from ..selftest import run

    return run(args.dir)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"check": _cmd_check, "selftest": _cmd_selftest}

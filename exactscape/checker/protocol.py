"""The checker protocol (FORMAT.md section 6): one verdict, decided at the end.

Output is ``c`` detail lines, then exactly one ``s VERIFIED`` or
``s REJECTED: <reason>`` line. Exit code 0 for VERIFIED, 1 for REJECTED, 2
for an input that is not a certificate this checker reads (file missing, not
JSON, not an object, wrong ``format``, another major version).

Nothing a certificate contains makes the checker raise: failed checks are
:class:`CertificateError`, and any other exception is reported as
``REJECTED: internal: ...`` (a bug in the checker, never a verdict of VERIFIED).
"""

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from .boundary import check_boundary
from .branchset import check_branch_set
from .bundle import check_bundle
from .cell import check_cell
from .census import check_census
from .envelope import KINDS, check_envelope
from .errors import CertificateError, UnreadableError
from .faces import check_faces
from .infimum import check_infimum
from .numbers import describe, load_json
from .path import check_path
from .point import check_point
from .readfile import read_certificate_bytes
from .region import check_region
from .saddle import check_saddle
from .spurious import check_spurious

EXIT_VERIFIED = 0
EXIT_REJECTED = 1
EXIT_UNREADABLE = 2


def _one_line(text: str) -> str:
    """Keep a reason on one ASCII line, whatever the certificate contained."""
    return text.encode("ascii", "backslashreplace").decode("ascii").replace("\r", "\\r").replace("\n", "\\n")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit code 2), like the producer's."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_UNREADABLE, f"{self.prog}: error: {_one_line(message)} (see --help)\n")


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one certificate.

    ``lines`` are the ``c`` detail lines written before the verdict (each
    starts with ``"c "``); ``reason`` says what failed and where, empty when
    ``verified``.
    """

    verified: bool
    reason: str
    lines: list[str]

    @property
    def status_line(self) -> str:
        """The final ``s`` line of FORMAT.md 6."""
        return "s VERIFIED" if self.verified else f"s REJECTED: {self.reason}"


def _rejected(reason: str, lines: list[str]) -> CheckResult:
    return CheckResult(verified=False, reason=_one_line(reason), lines=lines)


def check_certificate(obj: object) -> CheckResult:
    """Check a parsed certificate (FORMAT.md 3-12) and return the verdict.

    ``obj`` is what :func:`json.loads` returned (or an equivalent dict built
    in Python: Python floats are refused like JSON floats). Never raises.
    """
    return _check(obj)[1]


# the checks of each kind, by its FORMAT section (the envelope's KINDS, one each)
CHECKS: dict[str, Callable[[dict[str, object], list[str]], None]] = {
    "cell": check_cell,
    "point": check_point,
    "saddle": check_saddle,
    "boundary": check_boundary,
    "region": check_region,
    "census": check_census,
    "infimum": check_infimum,
    "path": check_path,
    "spurious": check_spurious,
    "branches": check_branch_set,
    "faces": check_faces,  # new in 1.3
}


def _check(obj: object) -> tuple[int, CheckResult]:
    """FORMAT 6: the verdict and its exit code (2 when the envelope makes the input
    unreadable, 1 for a failed check, 0 for VERIFIED). The envelope is checked once."""
    lines: list[str] = []
    try:
        try:
            cert = check_envelope(obj)
        except UnreadableError as exc:
            return EXIT_UNREADABLE, _rejected(exc.message, lines)
        kind = cert.get("kind")
        if kind not in KINDS:
            found = "no kind field" if "kind" not in cert else describe(kind)
            raise CertificateError("kind", f"expected one of {', '.join(KINDS)}, found {found}")
        lines.append(f"c {cert['format']} version {cert['version']}, kind {kind}")
        CHECKS[str(kind)](cert, lines)
    except UnreadableError as exc:
        return EXIT_REJECTED, _rejected(exc.message, lines)
    except CertificateError as exc:
        return EXIT_REJECTED, _rejected(exc.reason, lines)
    except RecursionError:
        return EXIT_REJECTED, _rejected("internal: recursion too deep", lines)
    except Exception as exc:  # noqa: BLE001 - the protocol turns every failure into REJECTED
        return EXIT_REJECTED, _rejected(f"internal: {type(exc).__name__}: {exc}", lines)
    return EXIT_VERIFIED, CheckResult(verified=True, reason="", lines=lines)


def check_file(path: str | os.PathLike[str]) -> tuple[int, list[str]]:
    """Check the certificate file at ``path``; return (exit code, output lines).

    The lines are the ``c`` lines then the one ``s`` line. An unreadable
    input (missing, not a regular file, over the size cap, not UTF-8 JSON:
    :mod:`exactscape.checker.readfile`) gives exit code 2 and the
    ``s REJECTED`` line alone. A folder is checked as a bundle
    (:mod:`exactscape.checker.bundle`, new in 1.2).
    """
    if Path(path).is_dir():
        return check_bundle(Path(path), check_file)
    try:
        obj = load_json(read_certificate_bytes(os.fspath(path)))
    except UnreadableError as exc:
        return EXIT_UNREADABLE, [f"s REJECTED: {_one_line(exc.message)}"]
    except Exception as exc:  # noqa: BLE001 - never crash on input
        return EXIT_REJECTED, [f"s REJECTED: {_one_line(f'internal: {type(exc).__name__}: {exc}')}"]
    code, result = _check(obj)
    if code == EXIT_UNREADABLE:
        return code, [result.status_line]
    return code, [*result.lines, result.status_line]


def main(argv: list[str] | None = None) -> int:
    """``python -m exactscape.checker CERT``: print the lines, return the exit code."""
    parser = _Parser(
        prog="python -m exactscape.checker",
        description="Independent checker for exactscape certificates (proofs/FORMAT.md).",
    )
    parser.add_argument("certificate", help="path of a certificate JSON file, or a folder of them (a bundle)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_UNREADABLE
    code, lines = check_file(args.certificate)
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (``... | head``): the verdict stands, stay quiet
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return code

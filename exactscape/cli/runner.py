"""What every certifying command of the CLI shares: where its certificate
goes, the check of that path before any work, and the printing of a result
(the human summary or one ``--json`` object, then the certificate line)."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import OutputError, show_path

INSTANCE_HELP = "instance file (.json exact; .npz/.npy/.csv each float converted exactly to a rational)"


FILE_OPTIONS = {"cert": "--cert", "cell_cert": "--cell-cert", "plot": "--plot", "out": "--out"}
"""Options naming an output file (``atlas --out`` names a folder and is left out)."""


def check_file_options(args: argparse.Namespace) -> None:
    """Refuse (exit 3) an output file option whose text ends in a path separator:
    ``--plot DIR/file.png/`` names a folder, and the path library would drop the
    slash and write ``file.png``."""
    for attr, flag in FILE_OPTIONS.items():
        if attr == "out" and getattr(args, "command", None) == "atlas":
            continue
        text = getattr(args, attr, None)
        if isinstance(text, str) and text.endswith(("/", os.sep)):
            raise OutputError(
                f"{flag} {show_path(text)}: ends in a path separator, so it names a folder; give a file name"
            )


def cert_help(command: str) -> str:
    """The ``--cert`` help of ``command``, naming its default file."""
    return f"certificate path (default: INSTANCE-STEM.{command}.cert.json in the working folder)"


def cert_path(args: argparse.Namespace, command: str) -> Path:
    """``--cert``, else ``INSTANCE-STEM.COMMAND.cert.json`` in the working folder."""
    return Path(args.cert) if args.cert else Path(f"{Path(args.instance).stem}.{command}.cert.json")


def check_output(args: argparse.Namespace, command: str, inputs: Sequence[str | None]) -> None:
    """Refuse the certificate path before any work (:mod:`exactscape.io.outputs`, rule 1)."""
    from ..io import outputs

    outputs.check_targets([cert_path(args, command)], [Path(x) for x in inputs if x], outputs.CERTIFICATE)


def emit(
    args: argparse.Namespace,
    res: Any,
    command: str,
    human: Callable[[], list[str]],
    inputs: Sequence[str | None],
) -> int:
    """Write ``res.certificate`` (never over an input) and print the result:
    ``human()`` lines and the certificate line, or one JSON object (``--json``)
    with ``certificate`` and ``certificate_verified`` added. An undecided result
    (no certificate) writes nothing and says so. Returns the exit code 0."""
    from ..io import certify

    if not res.certificate:  # undecided: nothing is claimed, nothing is written
        if args.json:
            print(json.dumps(dict(res.summary, certificate=None, certificate_verified=False)))
        else:
            for line in human():
                print(line)
            print("certificate: none (nothing is claimed about an undecided cell)")
        return 0

    path = cert_path(args, command)
    certify.write(res.certificate, path, protected=tuple(Path(x) for x in inputs if x))
    verified = "verified by the independent checker" if res.checker_lines else "not replayed (--no-verify)"
    if args.json:
        out = dict(res.summary)
        out["certificate"] = str(path)
        out["certificate_verified"] = bool(res.checker_lines)
        print(json.dumps(out))
    else:
        for line in human():
            print(line)
        print(f"certificate: {show_path(path)} ({verified})")
    return 0

"""What every certifying command of the CLI shares, in the order a command runs:
load its files (:func:`load_inputs`), check where its certificate goes before any
work (:func:`check_output`), call the API, and print the result, the human summary
or one ``--json`` object, then the certificate line (:func:`emit`); :func:`run`
does the last three in one call."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, OutputError, show_path

if TYPE_CHECKING:
    from ..core.model import Instance, Pattern, Weights

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


def add_common(sp: argparse.ArgumentParser, progress: bool = False) -> None:
    """The options of every certifying command: ``--json``, ``--cert``, ``--no-verify``
    (and ``--no-progress`` for the commands that show a progress bar)."""
    sp.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    sp.add_argument("--cert", metavar="FILE", help=cert_help(sp.prog.split()[-1]))
    sp.add_argument("--no-verify", action="store_true", help="skip replaying the certificate with the checker")
    if progress:
        sp.add_argument("--no-progress", action="store_true", help="no progress display on stderr")


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


@dataclass(frozen=True)
class Inputs:
    """The files of one command, read: the instance, and the weights and pattern when the
    command has those options and they were given; ``files`` are the paths given (never
    overwritten by an output)."""

    instance: Instance
    weights: Weights | None
    pattern: Pattern | None
    files: tuple[str | None, ...]

    @property
    def given_weights(self) -> Weights:
        """The weights, for the commands whose ``--weights`` is required."""
        if self.weights is None:
            raise InputError("--weights is required", "--weights")
        return self.weights


def load_inputs(args: argparse.Namespace, match: bool = True) -> Inputs:
    """Read ``args.instance``, then ``args.weights`` (checked against the instance when
    ``match``), then ``args.pattern``: one-line errors name the file (exit code 2)."""
    from ..io.instances import load_instance, load_pattern, load_weights

    inst = load_instance(args.instance)
    weights_file, pattern_file = getattr(args, "weights", None), getattr(args, "pattern", None)
    wts = load_weights(weights_file) if weights_file else None
    if wts is not None and match:
        wts.check_against(inst)
    pat = load_pattern(pattern_file) if pattern_file else None
    files = (args.instance, weights_file) + ((pattern_file,) if hasattr(args, "pattern") else ())
    return Inputs(inst, wts, pat, files)


def run(
    args: argparse.Namespace,
    command: str,
    inputs: Inputs,
    call: Callable[[], Any],
    human: Callable[[argparse.Namespace, Instance, Any], list[str]],
) -> int:
    """Check the certificate path (before any work), ``call()`` the API, and :func:`emit`
    its result with the lines ``human(args, instance, result)``."""
    check_output(args, command, inputs.files)
    res = call()
    return emit(args, res, command, lambda: human(args, inputs.instance, res), inputs.files)

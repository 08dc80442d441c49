"""A folder of certificates (an atlas bundle, FORMAT.md 10.4, new in 1.2).

Every ``*.cert.json`` file is checked on its own (one ``c NAME: s ...`` line
each). When the folder holds a ``census`` certificate, the bundle is also
checked as a whole:

1. exactly one census; every certificate embeds the census's instance;
2. the ``cell`` certificates' patterns are exactly the K-tuples of the
   census's cells, each once (so every open cell of the network is decided);
3. the global minimum from both sides: per cell, a lower bound of the loss
   over the cell: its ``infimum`` certificate's loss when there is one (the
   exact minimum over the cell's closure), else the ``cell`` certificate's L*
   (the unconstrained minimum of the cell's quadratic); lo = the least of
   them (every weight is in a cell or, the hyperplanes being nowhere dense,
   a limit of weights in cells, and the loss is continuous). hi = the least
   loss attained by a verified point: a genuine cell (its witness), an
   infimum (z_j = sigma_j, w_j = sigma_j R_j on the cell's closure), a
   boundary minimum (its witness), or z = 0 (loss (1/N)||y||^2). Certified
   iff lo = hi;
4. if ``atlas.json`` is present, its ``global_minimum`` (lower, upper,
   certified) must equal what 3 derived.
"""

import os
import stat
from fractions import Fraction
from itertools import product
from pathlib import Path

from .envelope import Instance, parse_instance
from .errors import CertificateError, UnreadableError
from .numbers import load_json, rational, show

EXIT_VERIFIED, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


def _load(path: Path) -> object:
    try:
        return load_json(path.read_bytes())
    except (OSError, UnreadableError, ValueError):
        return None


SUMMARY = "atlas.json"
UNREAD_SHOWN = 20
"""Entries not read that are named one per line; the rest are counted."""


def _entry_kind(entry: os.DirEntry[str]) -> str | None:
    """None for a regular file (never following a link), else what the entry is."""
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError as exc:
        return f"cannot be inspected ({exc.strerror or type(exc).__name__})"
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link (not followed)"
    if stat.S_ISDIR(st.st_mode):
        return "a folder (a bundle is one folder; its subfolders are not read)"
    if stat.S_ISFIFO(st.st_mode):
        return "a FIFO (named pipe)"
    if stat.S_ISREG(st.st_mode):
        return None
    return "a special file (device or socket)"


def list_bundle(folder: Path) -> tuple[list[Path], bool, list[tuple[str, str]]]:
    """The entries of ``folder``, read without following links: the regular
    ``*.cert.json`` files (sorted), whether a regular ``atlas.json`` is there, and
    every other entry with the reason it is not read (a subfolder, a link, a FIFO
    or device, a file that is neither a certificate nor the summary)."""
    certs: list[Path] = []
    summary = False
    unread: list[tuple[str, str]] = []
    with os.scandir(folder) as it:
        for entry in it:
            kind = _entry_kind(entry)
            name = entry.name
            if kind is not None:
                unread.append((name, kind))
            elif name.endswith(".cert.json"):
                certs.append(folder / name)
            elif name == SUMMARY:
                summary = True
            else:
                unread.append((name, "not a certificate (*.cert.json) nor the summary atlas.json"))
    return sorted(certs), summary, sorted(unread)


def check_bundle(folder: Path, check_file: object) -> tuple[int, list[str]]:
    """Check every certificate in ``folder`` and the bundle as a whole (module docstring).
    Every entry the check does not read is reported (``c NAME: not read: ...``), and
    then the bundle is rejected: a certificate moved into a subfolder, hidden behind a
    link or a FIFO would otherwise be left out silently."""
    try:
        files, _, unread = list_bundle(folder)
    except OSError as exc:
        return EXIT_UNREADABLE, [f"s REJECTED: cannot list {ascii(str(folder))} ({exc.strerror or type(exc).__name__})"]
    if not files:
        return EXIT_UNREADABLE, [f"s REJECTED: no certificates (*.cert.json) in {ascii(str(folder))}"]
    lines: list[str] = [f"c {ascii(name)[1:-1]}: not read: {why}" for name, why in unread[:UNREAD_SHOWN]]
    if len(unread) > UNREAD_SHOWN:
        lines.append(f"c ... and {len(unread) - UNREAD_SHOWN} more entries not read")
    bad = 0
    certs: dict[str, dict[str, object]] = {}
    for f in files:
        code, out = check_file(f)  # type: ignore[operator]
        lines.append(f"c {f.name}: {out[-1]}")
        if code != 0:
            bad += 1
            continue
        obj = _load(f)
        if isinstance(obj, dict):
            certs[f.name] = obj
    if bad:
        lines.append(f"s REJECTED: {bad} of {len(files)} certificates rejected")
        return EXIT_REJECTED, lines
    if unread:
        lines.append(
            f"s REJECTED: bundle: {len(unread)} entr{'y' if len(unread) == 1 else 'ies'} of the folder not read "
            f"(first: {ascii(unread[0][0])[1:-1]}, {unread[0][1]}); a bundle holds only regular certificate "
            "files and atlas.json"
        )
        return EXIT_REJECTED, lines
    try:
        lines += _whole(folder, certs)
    except CertificateError as exc:
        lines.append(f"s REJECTED: {exc.reason}")
        return EXIT_REJECTED, lines
    except Exception as exc:  # noqa: BLE001 - never crash on input
        lines.append(f"s REJECTED: bundle: internal: {type(exc).__name__}: {exc}")
        return EXIT_REJECTED, lines
    lines.append("s VERIFIED")
    return EXIT_VERIFIED, lines


Cells = tuple[tuple[int, ...], ...]
"""A network cell as its pattern (N rows of K entries)."""


def check_one_census(certs: dict[str, dict[str, object]], censuses: list[str]) -> tuple[Instance, set[Cells]]:
    """FORMAT 10.4 (1): exactly one census, every certificate on its instance.
    Returns the instance and the network cells: the K-tuples of the census's cells."""
    if len(censuses) > 1:
        raise CertificateError(censuses[1], "a bundle holds one census")
    census = certs[censuses[0]]
    instance = census["instance"]
    for name, c in certs.items():
        if c.get("instance") != instance:
            raise CertificateError(name, "embeds another instance than the census")
    inst = parse_instance(instance, "instance")
    claim = census["claim"]
    if not isinstance(claim, dict):  # pragma: no cover - verified above
        raise CertificateError(censuses[0], "claim")
    k = int(str(claim["neurons"]))
    cells = [tuple(int(str(v)) for v in c["active"]) for c in census["cells"]]  # type: ignore[attr-defined]
    want = {
        tuple(tuple(cells[c][i] for c in combo) for i in range(inst.n))
        for combo in product(range(len(cells)), repeat=k)
    }
    return inst, want


def check_cells_and_bounds(
    certs: dict[str, dict[str, object]], inst: Instance, want: set[Cells]
) -> tuple[Fraction | None, Fraction, str]:
    """FORMAT 10.4 (2) and (3): one cell certificate per network cell, at most one
    infimum; lo = the least lower bound over the cells, hi = the least attained loss.
    Returns (lo, hi, where hi is attained)."""
    seen: dict[Cells, str] = {}
    cell_loss: dict[Cells, Fraction] = {}
    infimum: dict[Cells, Fraction] = {}
    upper = sum((v * v for v in inst.y), Fraction(0)) / inst.n
    source = "z = 0"
    for name, c in sorted(certs.items()):
        kind = c.get("kind")
        cl = c.get("claim")
        if not isinstance(cl, dict):  # pragma: no cover - verified above
            continue
        if kind in ("cell", "infimum"):
            pat = tuple(tuple(int(str(v)) for v in row) for row in c["pattern"])  # type: ignore[attr-defined]
            if pat not in want:
                raise CertificateError(name, "its pattern is not a K-tuple of the census's cells")
            loss = rational(cl["loss"], f"{name}: claim.loss")
            table = cell_loss if kind == "cell" else infimum
            if pat in table:
                raise CertificateError(name, f"a second {kind} certificate for the same cell")
            table[pat] = loss
            if kind == "cell":
                seen[pat] = name
            if (kind == "infimum" or cl.get("genuine") is True) and loss < upper:
                upper, source = loss, name
        elif kind == "boundary" and (cl.get("plus") is True or cl.get("minus") is True):
            loss = rational(cl["loss"], f"{name}: claim.loss")
            if loss < upper:
                upper, source = loss, name
    if len(seen) != len(want):
        raise CertificateError(
            "bundle", f"{len(want) - len(seen)} of the {len(want)} network cells have no cell certificate"
        )
    lower = min((infimum.get(p, cell_loss[p]) for p in want), default=None)
    if lower is not None and lower > upper:
        raise CertificateError("bundle", "a cell's minimum exceeds an attained loss (impossible)")
    return lower, upper, source


def check_summary(folder: Path, lower: Fraction | None, upper: Fraction, certified: bool) -> list[str]:
    """FORMAT 10.4 (4): ``atlas.json``, when present, states these bounds."""
    summary = folder / SUMMARY
    if not summary.exists():
        return []
    obj = _load(summary)
    gm = obj.get("global_minimum") if isinstance(obj, dict) else None
    if not isinstance(gm, dict):
        raise CertificateError("atlas.json", "no global_minimum object")
    claimed_lo = gm.get("lower")
    if (claimed_lo is None) != (lower is None) or (
        lower is not None and rational(claimed_lo, "atlas.json: global_minimum.lower") != lower
    ):
        raise CertificateError("atlas.json", "global_minimum.lower is not the least cell loss")
    if rational(gm.get("upper"), "atlas.json: global_minimum.upper") != upper:
        raise CertificateError("atlas.json", "global_minimum.upper is not the least attained loss")
    if gm.get("certified") is not certified:
        raise CertificateError("atlas.json", "global_minimum.certified disagrees with the bounds")
    return ["c atlas.json: its global minimum is the one derived here"]


def _whole(folder: Path, certs: dict[str, dict[str, object]]) -> list[str]:
    """FORMAT 10.4: the bundle as a whole (module docstring), after every file verified."""
    censuses = [n for n, c in certs.items() if c.get("kind") == "census"]
    if not censuses:
        return [f"c bundle: {len(certs)} certificates, no census (checked one by one only)"]
    inst, want = check_one_census(certs, censuses)
    lower, upper, source = check_cells_and_bounds(certs, inst, want)
    out = [f"c bundle: one census, every certificate on its instance, all {len(want)} network cells decided"]
    certified = lower is not None and lower == upper
    if certified:
        out.append(f"c global minimum: {show(upper)} (attained: {source}; no cell goes lower)")
    else:
        lo = show(lower) if lower is not None else "none"
        out.append(f"c global minimum: between {lo} and {show(upper)} (attained: {source})")
    return out + check_summary(folder, lower, upper, certified)

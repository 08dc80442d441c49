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
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from pathlib import Path

from .census import wall_pairs
from .envelope import Instance, parse_instance
from .errors import CertificateError, UnreadableError
from .linalg import dot
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
    doc = _summary(folder)
    if doc is not None:
        for name in sorted(_named_files(doc)):
            if name not in certs:
                where = "which is not in the bundle" if not (folder / name).is_file() else "not a verified certificate"
                raise CertificateError("atlas.json", f"names {_short(name)}, {where}")
    censuses = [n for n, c in certs.items() if c.get("kind") == "census"]
    if not censuses:
        if doc is not None:
            raise CertificateError("bundle", "atlas.json without a census certificate")
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
    if doc is None:
        return out
    return (
        out + check_summary(folder, lower, upper, certified) + check_atlas_lines(folder, doc, certs, censuses[0], inst)
    )


def _summary(folder: Path) -> dict[str, object] | None:
    """``atlas.json`` (None when absent): a version 2 summary, or the bundle is rejected."""
    summary = folder / "atlas.json"
    if not summary.exists() and not summary.is_symlink():
        return None
    doc = _load(summary) if summary.is_file() and not summary.is_symlink() else None
    if not isinstance(doc, dict) or doc.get("format") != "exactscape-atlas":
        raise CertificateError("atlas.json", "not an atlas summary (a JSON object with format 'exactscape-atlas')")
    if doc.get("version") != "2":
        raise CertificateError(
            "atlas.json",
            f"version {_short(doc.get('version'))}: only version 2 names the certificate of every line, so only it "
            "can be checked (rerun exactscape atlas)",
        )
    return doc


def _named_files(doc: dict[str, object]) -> set[str]:
    """Every certificate file atlas.json names (its census, each cell's, each face's)."""
    out: set[str] = set()
    if isinstance(doc.get("census"), str):
        out.add(str(doc["census"]))
    cells, faces = doc.get("cells"), doc.get("faces")
    for row in cells if isinstance(cells, list) else []:
        files = row.get("certificates") if isinstance(row, dict) else None
        if isinstance(files, dict):
            out.update(v for v in files.values() if isinstance(v, str))
    for face in faces if isinstance(faces, list) else []:
        if isinstance(face, dict) and isinstance(face.get("certificate"), str):
            out.add(face["certificate"])
    fmins = doc.get("face_minima")
    for face in fmins if isinstance(fmins, list) else []:
        if isinstance(face, dict) and isinstance(face.get("certificate"), str):
            out.add(face["certificate"])
    if isinstance(doc.get("faces_certificate"), str):
        out.add(str(doc["faces_certificate"]))
    return out


# ----------------------------------------------------------- atlas.json version 2 (new in 1.3)


def _field(obj: object, key: str, path: str) -> object:
    if not isinstance(obj, dict) or key not in obj:
        raise CertificateError(path, f"missing field {key!r}")
    return obj[key]


def _same(path: str, claimed: object, derived: object) -> None:
    """A line of atlas.json must say what the certificates prove."""
    if claimed != derived:
        raise CertificateError(
            f"atlas.json: {path}", f"says {_short(claimed)}, the certificates prove {_short(derived)}"
        )


def _short(value: object) -> str:
    text = ascii(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _q(value: object, path: str) -> Fraction:
    return rational(value, f"atlas.json: {path}")


def _network_loss(inst: Instance, point: object, k: int) -> Fraction:
    """The loss (1/N) sum_i (sum_j z_j [w_j . x_i]_+ - y_i)^2 at an exact point [1]."""
    _keys_within(point, {"z", "w"}, "global_minimum.point")
    z = [_q(v, "global_minimum.point.z") for v in _list(_field(point, "z", "global_minimum.point"), k)]
    rows = _list(_field(point, "w", "global_minimum.point"), k)
    w = [[_q(v, "global_minimum.point.w") for v in _list(row, inst.d)] for row in rows]
    total = Fraction(0)
    for x, y in zip(inst.xs, inst.y, strict=True):
        out = Fraction(0)
        for zj, wj in zip(z, w, strict=True):
            pre = sum((a * b for a, b in zip(wj, x, strict=True)), Fraction(0))
            if pre > 0:
                out += zj * pre
        total += (out - y) ** 2
    return total / inst.n


def _list(value: object, length: int | None = None) -> list[object]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise CertificateError("atlas.json", f"expected a list{'' if length is None else f' of {length}'}")
    return value


def _minimum(where: str, cell: int, loss: Fraction, extra: dict[str, object]) -> dict[str, object]:
    return {"where": where, "cell": cell, "loss": show(loss), **extra}


def _order(m: dict[str, object]) -> tuple[object, ...]:
    """The atlas's order of local minima: by cell, its differentiable minimum first, then its
    faces by neuron and sample, z_k > 0 before z_k < 0."""
    boundary = m["where"] == "boundary"
    return (m["cell"], boundary, m.get("neuron", -1), m.get("sample", -1), m.get("sign") == "-")


TOP_KEYS = {
    "format", "version", "verdict", "N", "d", "K", "neuron_cells", "neuron_cell_bound", "network_cells",
    "census_lps", "cells", "boundary_minima", "faces", "global_minimum", "minima", "spurious", "undecided",
    "not_covered", "census", "saddles_analysed", "faces_analysed", "genuineness_counts",
    "face_minima", "faces_examined", "faces_not_examined", "faces_certificate",
}  # fmt: skip
FACE_MINIMUM_KEYS = {"face", "z_signs", "loss", "witness", "certificate"}
CELL_KEYS = {
    "index", "neuron_cells", "pattern", "feasible", "kind", "dimension", "loss", "genuine", "genuineness",
    "branches", "genuine_with_positive_z", "infimum", "lower_bound", "saddles", "certificates",
}  # fmt: skip
MINIMUM_KEYS = {"certified", "lower", "upper", "attained_by", "loss", "point"}


def _claim(cert: dict[str, object]) -> dict[str, object]:
    claim = cert.get("claim")
    if not isinstance(claim, dict):  # pragma: no cover - the certificate verified
        raise CertificateError("bundle", "a certificate without a claim object")
    return claim


def _region_bound(n: int, d: int) -> int:
    """2 sum_{i<d} C(N-1, i): the most open cells N central hyperplanes cut Q^d into."""
    total, c = 0, 1  # c = C(N-1, i)
    for i in range(d):
        if i > n - 1:
            break
        total += c
        c = c * (n - 1 - i) // (i + 1)
    return 2 * total


def _keys_within(value: object, allowed: set[str], path: str) -> None:
    if not isinstance(value, dict):
        raise CertificateError(f"atlas.json: {path}", "expected an object")
    extra = sorted(str(k) for k in value if k not in allowed)
    if extra:
        raise CertificateError(f"atlas.json: {path}", f"unknown field {_short(extra[0])}")


def _face_lines(
    doc: dict[str, object], get: Callable[[object, str, str], dict[str, object]], inst: Instance, upper: Fraction
) -> tuple[list[dict[str, object]], Fraction]:
    """FORMAT 10.4 (5), the faces outside Theorems 1 and 3 (new in 1.3, 5.5 and 5.6): every
    face minimum names the ``point`` certificate of its witness (a local minimum, whose loss,
    face and signs of z it states), the faces without one are the ``faces`` certificate's,
    and ``faces_examined`` counts both. Returns the face minima (as ``minima`` lists them,
    first) and the upper bound lowered by their losses."""
    rows = doc.get("face_minima", [])
    if not isinstance(rows, list):
        raise CertificateError("atlas.json: face_minima", "expected a list")
    out: list[dict[str, object]] = []
    for m, row in enumerate(rows):
        p = f"face_minima[{m}]"
        _keys_within(row, FACE_MINIMUM_KEYS, p)
        pc = get(_field(row, "certificate", p), f"{p}.certificate", "point")
        pclaim = _claim(pc)
        if pclaim.get("verdict") not in ("local-minimum", "non-differentiable-local-minimum"):
            raise CertificateError(f"atlas.json: {p}", "its certificate does not prove a local minimum")
        weights = pc["weights"]
        _same(f"{p}.witness", _field(row, "witness", p), weights)
        loss = _q(pclaim["loss"], f"{p}.certificate")
        _same(f"{p}.loss", _q(_field(row, "loss", p), f"{p}.loss"), loss)
        z = [_q(v, f"{p}.witness") for v in _list(_field(weights, "z", p))]
        w = [[_q(v, f"{p}.witness") for v in _list(r)] for r in _list(_field(weights, "w", p))]
        text = "|".join(
            "".join("+" if s > 0 else "-" if s < 0 else "0" for s in (dot(wj, x) for x in inst.xs)) for wj in w
        )
        zs = ["+" if v > 0 else "-" if v < 0 else "0" for v in z]
        _same(f"{p}.face", _field(row, "face", p), text)
        _same(f"{p}.z_signs", _field(row, "z_signs", p), zs)
        out.append(_minimum("face", -1, loss, {"branches": zs, "face": text}))
        upper = min(upper, loss)
    name = doc.get("faces_certificate")
    none = 0
    if name is not None:
        fc = get(name, "faces_certificate", "faces")
        none = int(str(_claim(fc)["faces"]))
    examined = _field(doc, "faces_examined", "atlas.json")
    _same("faces_examined", examined, len(out) + none)
    skipped = _field(doc, "faces_not_examined", "atlas.json")
    if not isinstance(skipped, int) or isinstance(skipped, bool) or skipped < 0:
        raise CertificateError("atlas.json: faces_not_examined", "expected a non-negative integer")
    return out, upper


@dataclass(frozen=True)
class _Named:
    """The certificates ``atlas.json`` names: each is looked up by name and kind, must be a
    verified certificate of the folder, and is recorded in ``named`` (FORMAT 10.4 (5))."""

    folder: Path
    certs: dict[str, dict[str, object]]
    named: set[str] = field(default_factory=set)

    def __call__(self, name: object, path: str, kind: str) -> dict[str, object]:
        if not isinstance(name, str) or name not in self.certs:
            if isinstance(name, str) and not (self.folder / name).is_file():
                raise CertificateError(f"atlas.json: {path}", f"names {_short(name)}, which is not in the bundle")
            raise CertificateError(f"atlas.json: {path}", f"names {_short(name)}, not a verified certificate here")
        if self.certs[name].get("kind") != kind:
            raise CertificateError(f"atlas.json: {path}", f"{name} is not of kind {kind!r}")
        self.named.add(name)
        return self.certs[name]


@dataclass(frozen=True)
class _Sizes:
    """The census ``atlas.json`` names, its K and neuron cells, and the K-tuples of them
    (the network cells, in the atlas's order)."""

    census: dict[str, object]
    k: int
    ncells: list[list[int]]
    combos: list[tuple[int, ...]]


def _atlas_sizes(doc: dict[str, object], get: _Named, census_name: str, inst: Instance) -> _Sizes:
    """FORMAT 10.4 (5), the head of ``atlas.json``: only known keys; the census it names is
    the bundle's; N, d, K, the number of neuron cells, their bound 2 sum_{i<d} C(N-1, i)
    and the number of network cells (neuron cells^K) are the census's."""
    _keys_within(doc, TOP_KEYS, "(top level)")
    _keys_within(doc.get("global_minimum"), MINIMUM_KEYS, "global_minimum")
    census = get(_field(doc, "census", "atlas.json"), "census", "census")
    if census is not get.certs[census_name]:  # pragma: no cover - one census (check 1)
        raise CertificateError("atlas.json: census", "not the bundle's census")
    cclaim = census["claim"]
    if not isinstance(cclaim, dict):  # pragma: no cover - verified
        raise CertificateError(census_name, "claim")
    k = int(str(cclaim["neurons"]))
    ncells = [[int(str(v)) for v in c["active"]] for c in census["cells"]]  # type: ignore[attr-defined]
    _same("N", doc.get("N"), inst.n)
    _same("d", doc.get("d"), inst.d)
    _same("K", doc.get("K"), k)
    _same("neuron_cells", doc.get("neuron_cells"), len(ncells))
    _same("neuron_cell_bound", doc.get("neuron_cell_bound"), _region_bound(inst.n, inst.d))
    combos = list(product(range(len(ncells)), repeat=k))
    _same("network_cells", doc.get("network_cells"), len(combos))
    return _Sizes(census, k, ncells, combos)


@dataclass(frozen=True)
class _CellLine:
    """What one line of ``cells`` re-derives: the cell's activation pattern (rows i, columns
    j), its genuineness state, its local minimum (a genuine cell), the losses attained in it
    (its witness's, its infimum's) and its lower bound (infimum, else L*)."""

    pattern: list[list[int]]
    state: str
    minimum: dict[str, object] | None
    attained: list[Fraction]
    bound: Fraction


def _positive_column(
    get: _Named, p: str, files: dict[str, object], claim: dict[str, object], pattern: list[list[int]], k: int
) -> bool:
    """The (+, ..., +) column of a genuine cell: its own witness when every branch is +,
    else a certificate of kind branches for the branch vector (+, ..., +)."""
    if all(b == "+" for b in _list(claim["branches"])):
        return True
    pc = get(files.get("branches"), f"{p}.certificates.branches", "branches")
    pcl = _claim(pc)
    _same(f"{p}: the pattern of {files['branches']}", pc["pattern"], pattern)
    _same(f"{p}: the branch vectors of {files['branches']}", pcl["branch_vectors"], [["+"] * k])
    return pcl["genuine"] is True


def _saddle_line(
    get: _Named, p: str, files: dict[str, object], row: object, pattern: list[list[int]], saddles_all: bool
) -> None:
    """A cell's ``saddles``: the cases of its saddle certificate (every zero set), required
    when ``saddles_analysed``; no ``saddles`` line without a certificate."""
    if saddles_all or "saddle" in files:
        sc = get(files.get("saddle"), f"{p}.certificates.saddle", "saddle")
        _same(f"{p}: the pattern of {files['saddle']}", sc["pattern"], pattern)
        scl = _claim(sc)
        if scl["zero_sets"] != "all":
            raise CertificateError(f"atlas.json: {p}", f"{files['saddle']} does not cover every zero set")
        cases = [
            {"zero": c["zero"], "verdict": c["verdict"], "loss": show(rational(c["loss"], "loss"))}
            for c in _list(scl["cases"])
            if isinstance(c, dict)
        ]
        _same(f"{p}.saddles", _field(row, "saddles", p), cases)
    elif "saddles" in row:  # type: ignore[operator]
        raise CertificateError(f"atlas.json: {p}.saddles", "no saddle certificate is named for it")


def _cell_line(
    get: _Named, idx: int, combo: tuple[int, ...], row: object, sizes: _Sizes, inst: Instance, saddles_all: bool
) -> _CellLine:
    """One line of ``cells``: index, neuron cells and pattern of the K-tuple ``combo``; the
    cell certificate's feasible, kind, dimension, genuine, branches and loss; genuineness;
    the (+, ..., +) column; infimum and lower bound; saddles."""
    p = f"cells[{idx}]"
    _keys_within(row, CELL_KEYS, p)
    ncells = sizes.ncells
    pattern = [[ncells[c][i] for c in combo] for i in range(inst.n)]
    _same(f"{p}.index", _field(row, "index", p), idx)
    _same(f"{p}.neuron_cells", _field(row, "neuron_cells", p), list(combo))
    text = "|".join("".join("+" if a else "-" for a in ncells[c]) for c in combo)
    _same(f"{p}.pattern", _field(row, "pattern", p), text)
    files = _field(row, "certificates", p)
    if not isinstance(files, dict) or not set(files) <= {"cell", "infimum", "saddle", "branches"}:
        raise CertificateError(
            f"atlas.json: {p}.certificates", "expected an object naming cell, infimum, saddle, branches"
        )
    cc = get(files.get("cell"), f"{p}.certificates.cell", "cell")
    _same(f"{p}: the pattern of {files['cell']}", cc["pattern"], pattern)
    claim = _claim(cc)
    for key in ("feasible", "kind", "dimension", "genuine", "branches"):
        _same(f"{p}.{key}", _field(row, key, p), claim[key])
    loss = rational(claim["loss"], f"{files['cell']}: claim.loss")
    _same(f"{p}.loss", _q(_field(row, "loss", p), f"{p}.loss"), loss)
    genuine = claim["genuine"] is True
    # a bundle holds decided cells only: genuine, or not genuine (refuted or infeasible)
    state = "genuine" if genuine else "not-genuine"
    _same(f"{p}.genuineness", _field(row, "genuineness", p), state)
    positive = _positive_column(get, p, files, claim, pattern, sizes.k) if genuine else None
    minimum = _minimum("cell", idx, loss, {"branches": claim["branches"]}) if genuine else None
    attained = [loss] if genuine else []
    _same(f"{p}.genuine_with_positive_z", _field(row, "genuine_with_positive_z", p), positive)
    infimum: Fraction | None = loss if genuine else None
    if "infimum" in files:
        ic = get(files["infimum"], f"{p}.certificates.infimum", "infimum")
        _same(f"{p}: the pattern of {files['infimum']}", ic["pattern"], pattern)
        icl = _claim(ic)
        infimum = rational(icl["loss"], f"{files['infimum']}: claim.loss")
        attained.append(infimum)
    _same(f"{p}.infimum", _field(row, "infimum", p), show(infimum) if infimum is not None else None)
    bound = infimum if infimum is not None else loss
    _same(f"{p}.lower_bound", _q(_field(row, "lower_bound", p), f"{p}.lower_bound"), bound)
    _saddle_line(get, p, files, row, pattern, saddles_all)
    return _CellLine(pattern, state, minimum, attained, bound)


def _cell_lines(
    doc: dict[str, object], get: _Named, sizes: _Sizes, inst: Instance
) -> tuple[list[object], bool, list[_CellLine]]:
    """FORMAT 10.4 (5), ``cells``: one line per network cell (re-derived by
    :func:`_cell_line`), and ``genuineness_counts`` counts their states. Returns the
    lines, ``saddles_analysed`` and what each line re-derived."""
    rows = _list(_field(doc, "cells", "atlas.json"), len(sizes.combos))
    saddles_all = doc.get("saddles_analysed")
    if not isinstance(saddles_all, bool):
        raise CertificateError("atlas.json: saddles_analysed", "expected true or false")
    lines: list[_CellLine] = []
    counts = {"genuine": 0, "not-genuine": 0, "undecided": 0}
    for idx, (combo, row) in enumerate(zip(sizes.combos, rows, strict=True)):
        line = _cell_line(get, idx, combo, row, sizes, inst, saddles_all)
        counts[line.state] += 1
        lines.append(line)
    _same("genuineness_counts", doc.get("genuineness_counts"), counts)
    return rows, saddles_all, lines


def _boundary_faces(
    doc: dict[str, object], get: _Named, patterns: list[list[list[int]]]
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[Fraction]]:
    """FORMAT 10.4 (5), ``faces`` (Theorem 3): each line is its boundary certificate's cell,
    neuron, sample, loss, lambda and signs, in order of cell, neuron and sample, each once;
    ``boundary_minima`` lists the faces with a minimum. Returns the face lines, the
    boundary minima (z_k > 0, then z_k < 0) and their losses."""
    faces = _list(_field(doc, "faces", "atlas.json"))
    face_lines: list[dict[str, object]] = []
    minima: list[dict[str, object]] = []
    attained: list[Fraction] = []
    for pos, face in enumerate(faces):
        p = f"faces[{pos}]"
        bc = get(_field(face, "certificate", p), f"{p}.certificate", "boundary")
        cell = _field(face, "cell", p)
        if not isinstance(cell, int) or isinstance(cell, bool) or not 0 <= cell < len(patterns):
            raise CertificateError(f"atlas.json: {p}.cell", "not a cell index")
        _same(f"{p}: the pattern of {face['certificate']}", bc["pattern"], patterns[cell])  # type: ignore[index]
        bcl = _claim(bc)
        floss = rational(bcl["loss"], "loss")
        derived = {
            "cell": cell,
            "neuron": bc["neuron"],
            "sample": bc["sample"],
            "loss": show(floss),
            "lambda": show(rational(bcl["lambda"], "lambda")),
            "plus": bcl["plus"],
            "minus": bcl["minus"],
            "certificate": face["certificate"],  # type: ignore[index]
        }
        _same(p, face, derived)
        if face_lines and (cell, bc["neuron"], bc["sample"]) <= tuple(
            face_lines[-1][x] for x in ("cell", "neuron", "sample")
        ):
            raise CertificateError(f"atlas.json: {p}", "faces must be in order of cell, neuron and sample, each once")
        face_lines.append(derived)
        for sign, key in (("+", "plus"), ("-", "minus")):
            if bcl[key] is True:
                minima.append(
                    _minimum("boundary", cell, floss, {"neuron": bc["neuron"], "sample": bc["sample"], "sign": sign})
                )
                attained.append(floss)
    _same("boundary_minima", doc.get("boundary_minima"), [f for f in face_lines if f["plus"] or f["minus"]])
    return face_lines, minima, attained


def _faces_analysed(doc: dict[str, object], sizes: _Sizes, inst: Instance, face_lines: list[dict[str, object]]) -> None:
    """``faces_analysed``: when true, the faces listed are exactly one per facet of a
    neuron's cell (census walls, 10.2 check 6) in every network cell; when false, none is
    listed and the census does not decide the walls."""
    census, ncells = sizes.census, sizes.ncells
    faces_all = doc.get("faces_analysed")
    if not isinstance(faces_all, bool):
        raise CertificateError("atlas.json: faces_analysed", "expected true or false")
    if faces_all:
        # every facet of every neuron cell (census walls, 10.2 check 6) has its face in every network cell
        if "walls" not in census:
            raise CertificateError("atlas.json: faces_analysed", "the census does not decide the walls (version 1.3)")
        facet_samples: dict[int, list[int]] = {c: [] for c in range(len(ncells))}
        want_pairs = wall_pairs(ncells, inst)
        for (c, n, group), entry in zip(want_pairs, census["walls"], strict=True):  # type: ignore[call-overload]
            if "witness" in entry[2] and len(group) == 1:
                facet_samples[c].append(n)
        expected = sorted(
            (idx, kk, n)
            for idx, combo in enumerate(sizes.combos)
            for kk, c in enumerate(combo)
            for n in facet_samples[c]
        )
        have = sorted((f["cell"], f["neuron"], f["sample"]) for f in face_lines)
        if have != expected:
            raise CertificateError(
                "atlas.json: faces",
                f"lists {len(have)} faces; the census's walls give {len(expected)} (one per facet of a neuron's "
                "cell in every network cell)",
            )
    elif face_lines or "walls" in census:
        raise CertificateError(
            "atlas.json: faces_analysed", "false, but faces are listed or the census decides the walls"
        )


def _minima_lines(
    doc: dict[str, object], minima: list[dict[str, object]], lower: Fraction | None, upper: Fraction
) -> tuple[list[dict[str, object]], bool]:
    """``minima`` (in the atlas's order), ``spurious`` (loss > hi) and ``undecided``
    (lo < loss <= hi, while lo < hi). Sorts ``minima``; returns the spurious minima and
    whether lo = hi (certified)."""
    minima.sort(key=_order)
    _same("minima", doc.get("minima"), minima)
    spurious = [m for m in minima if rational(m["loss"], "loss") > upper]
    _same("spurious", doc.get("spurious"), spurious)
    certified = lower is not None and lower == upper
    undecided = (
        [] if certified or lower is None else [m for m in minima if lower < rational(m["loss"], "loss") <= upper]
    )
    _same("undecided", doc.get("undecided"), undecided)
    return spurious, certified


def _global_minimum_line(
    doc: dict[str, object], inst: Instance, k: int, lower: Fraction | None, upper: Fraction, certified: bool
) -> None:
    """``global_minimum``: certified iff lo = hi, lower lo, upper hi, a loss only when
    certified, and its point (if any) attains hi."""
    gm = _field(doc, "global_minimum", "atlas.json")
    _same("global_minimum.certified", _field(gm, "certified", "global_minimum"), certified)
    lo = _field(gm, "lower", "global_minimum")
    _same("global_minimum.lower", None if lo is None else _q(lo, "global_minimum.lower"), lower)
    _same("global_minimum.upper", _q(_field(gm, "upper", "global_minimum"), "global_minimum.upper"), upper)
    if certified:
        _same("global_minimum.loss", _q(_field(gm, "loss", "global_minimum"), "global_minimum.loss"), upper)
    elif isinstance(gm, dict) and "loss" in gm:
        raise CertificateError("atlas.json: global_minimum.loss", "present, but the global minimum is not certified")
    point = _field(gm, "point", "global_minimum")
    if point is not None:
        _same("global_minimum.point (its loss)", _network_loss(inst, point, k), upper)


def check_atlas_lines(
    folder: Path, doc: dict[str, object], certs: dict[str, dict[str, object]], census_name: str, inst: Instance
) -> list[str]:
    """FORMAT 10.4 (5), ``atlas.json`` version 2: every file it names exists and verified,
    every certificate of the folder is named, and every line is re-derived from the
    certificates it names (cells, losses, genuine flags and branches, the (+,...,+)
    column, infima, saddles, faces, minima, spurious and undecided lists, the global
    minimum and its point, verdict and counts)."""
    cert = _Named(folder, certs)
    sizes = _atlas_sizes(doc, cert, census_name, inst)
    rows, saddles_all, lines = _cell_lines(doc, cert, sizes, inst)
    minima = [line.minimum for line in lines if line.minimum is not None]
    zero_loss = sum((v * v for v in inst.y), Fraction(0)) / inst.n
    upper = min([zero_loss, *(a for line in lines for a in line.attained)])
    lower = min((line.bound for line in lines), default=None)
    face_lines, boundary_minima, boundary_losses = _boundary_faces(doc, cert, [line.pattern for line in lines])
    minima += boundary_minima
    upper = min([upper, *boundary_losses])
    _faces_analysed(doc, sizes, inst, face_lines)
    _same(
        "saddles_analysed",
        saddles_all,
        all(isinstance(r, dict) and "saddle" in r.get("certificates", {}) for r in rows),
    )
    face_minima, upper = _face_lines(doc, cert, inst, upper)
    minima[:0] = face_minima
    extra = sorted(set(certs) - cert.named)
    if extra:
        raise CertificateError("bundle", f"{extra[0]} is not named in atlas.json ({len(extra)} such certificates)")
    spurious, certified = _minima_lines(doc, minima, lower, upper)
    _global_minimum_line(doc, inst, sizes.k, lower, upper, certified)
    verdict = "not-covered" if not sizes.ncells else ("complete" if certified else "bounds")
    _same("verdict", doc.get("verdict"), verdict)
    return [
        f"c atlas.json: every line re-derived from the {len(cert.named)} certificates it names "
        f"({len(sizes.combos)} cells, {len(face_lines)} faces, {len(minima)} local minima, {len(spurious)} spurious)"
    ]

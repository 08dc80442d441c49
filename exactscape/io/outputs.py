"""The one way exactscape writes a file.

Every file the project writes (certificates, experiment tables ``.json`` and
``.md``, the resumable ``.partial.jsonl`` of a running experiment, instances
saved by an experiment, the bundled certificates) goes through this module,
under three rules:

1. **Check every output before writing any.** :func:`check_targets` takes
   all output paths of a command and refuses (:class:`~exactscape.errors.OutputError`,
   exit code 3, one line naming the path and the reason) when

   - two outputs are the same file (after resolving links and ``..``),
   - an output is one of the command's inputs (same path or same inode),
   - the target is a symbolic link (refused whatever it points to: replacing
     the link would surprise, writing through it could destroy a foreign file),
     a directory, or a special file (FIFO, character or block device, socket:
     ``/dev/full``, ``/dev/stdout`` is a link, a named pipe), which is never
     opened;
   - the target is a regular file that is not ours. The one rule: a file is
     ours when one of this module's kinds (:class:`JsonFormat`, :class:`TextHeading`,
     :class:`PlotFile`, :class:`Marked`, :class:`JsonRows`, :class:`Gzipped`,
     combined by :class:`AnyOf` / :class:`OrEmpty`), passed as ``may_replace``,
     recognises its content (the top-level ``"format"`` field of a JSON file, the
     heading of a Markdown table, the marker of a plot or a log), read from at most
     :data:`PREFIX_LIMIT` bytes of it; never by its name or suffix;
   - no existing ancestor of the target is a writable directory.

2. **Never a partial file at the target, never a fixed temporary name.** The
   data go to a fresh temporary file ``.NAME.<random>.tmp`` in the target's
   directory, created exclusively (``O_CREAT | O_EXCL | O_NOFOLLOW``, so an
   existing file or link of that name is never opened), written, ``fsync``-ed and
   renamed onto the target with :func:`os.replace` (atomic on POSIX: a reader
   or a concurrent writer sees the old file or a complete new one). On every
   error (a full disk included) and on interruption the temporary file is
   removed and the target is left as it was.

3. **Append-only partial results** (:func:`append_line`): one JSON line per
   finished unit of work, appended with ``O_APPEND`` to a regular file (never
   through a link); a failed append is cut back to the previous length.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import secrets
import stat
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OutputError, show_path

PREFIX_LIMIT = 16384
"""How many bytes of an existing target are read to recognise it as ours."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


# ------------------------------------------------------------ ownership tests


def read_prefix(path: Path, limit: int = PREFIX_LIMIT) -> bytes | None:
    """At most ``limit`` bytes from the start of ``path`` if it is a regular
    file (opened without following a link and without blocking, checked with
    ``fstat`` before reading); None for anything else or on an error."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks: list[bytes] = []
        left = limit
        while left > 0:
            b = os.read(fd, left)
            if not b:
                break
            chunks.append(b)
            left -= len(b)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def top_fields(data: bytes) -> dict[str, Any]:
    """The top-level fields of the JSON object that ``data`` starts with, as
    far as they are complete in ``data`` (a prefix of a file). Empty when
    ``data`` does not start with a JSON object."""
    text = codecs.getincrementaldecoder("utf-8")("strict").decode(data, final=False) if data else ""
    dec = json.JSONDecoder()
    out: dict[str, Any] = {}
    n = len(text)

    def ws(i: int) -> int:
        while i < n and text[i] in " \t\r\n":
            i += 1
        return i

    i = ws(0)
    if i >= n or text[i] != "{":
        return out
    i += 1
    try:
        while True:
            i = ws(i)
            if i >= n or text[i] == "}":
                return out
            key, i = dec.raw_decode(text, i)
            i = ws(i)
            if not isinstance(key, str) or i >= n or text[i] != ":":
                return out
            value, i = dec.raw_decode(text, ws(i + 1))
            out.setdefault(key, value)
            i = ws(i)
            if i >= n or text[i] != ",":
                return out
            i += 1
    except (ValueError, RecursionError):
        return out


@dataclass(frozen=True)
class JsonFormat:
    """``may_replace`` for a JSON file of ours: its top-level ``field`` (``"format"``
    unless told) is ``name`` (and, if given, ``check`` accepts its top-level fields),
    within the first :data:`PREFIX_LIMIT` bytes."""

    name: str
    what: str
    check: Callable[[dict[str, Any]], bool] | None = None
    field: str = "format"

    def __call__(self, path: Path) -> bool:
        return self.accepts(read_prefix(path))

    def accepts(self, data: bytes | None) -> bool:
        """Whether the first bytes ``data`` of a file are those of this format."""
        if data is None:
            return False
        try:
            fields = top_fields(data)
        except UnicodeDecodeError:
            return False
        if fields.get(self.field) != self.name:
            return False
        return self.check is None or self.check(fields)


@dataclass(frozen=True)
class TextHeading:
    """``may_replace`` for a text file of ours: it starts with ``heading``."""

    heading: str
    what: str

    def __call__(self, path: Path) -> bool:
        data = read_prefix(path, len(self.heading.encode("utf-8")))
        return data is not None and data == self.heading.encode("utf-8")


CERTIFICATE = JsonFormat("exactscape-certificate", "an exactscape certificate")


@dataclass(frozen=True)
class OrEmpty:
    """``may_replace``: ``inner`` accepts the file, or it is an empty regular
    file (a file created by a run stopped before it wrote anything)."""

    inner: JsonFormat

    @property
    def what(self) -> str:
        return f"{self.inner.what} (or empty)"

    def __call__(self, path: Path) -> bool:
        return self.inner(path) or read_prefix(path, 1) == b""


@dataclass(frozen=True)
class AnyJsonFormat:
    """``may_replace`` for a JSON file of any of the ``formats`` (the example
    files a generator script rewrites)."""

    formats: tuple[str, ...]
    what: str

    def __call__(self, path: Path) -> bool:
        return any(JsonFormat(f, self.what)(path) for f in self.formats)


EXAMPLE_FILE = AnyJsonFormat(
    ("exactscape-instance", "exactscape-weights", "exactscape-pattern", "exactscape-runs"),
    "an exactscape instance, weights, pattern or runs file",
)


PLOT_MARKERS: dict[str, str] = {
    "atlas": "exactscape-atlas-plot",  # atlas and gaussian1d figures
    "path": "exactscape path plot",  # the loss along a path
}
"""The marker every plot of a kind carries in its metadata (PNG ``Software``, SVG and PDF
``Creator``): the writer (:mod:`exactscape.floats.plots`) puts it there, and a later run
replaces an existing plot only when it carries the marker of its kind."""

PLOT_PREFIX_LIMIT = 10_000_000
"""How many bytes of an existing plot are searched for its marker (a PDF's ``Creator`` is near its end)."""


@dataclass(frozen=True)
class PlotFile:
    """``may_replace`` for a plot of ours: a regular file whose first
    :data:`PLOT_PREFIX_LIMIT` bytes hold the marker of ``kind`` (:data:`PLOT_MARKERS`)."""

    kind: str
    what: str

    def __call__(self, path: Path) -> bool:
        data = read_prefix(path, PLOT_PREFIX_LIMIT)
        return data is not None and PLOT_MARKERS[self.kind].encode("utf-8") in data


ATLAS_PLOT = PlotFile("atlas", "an exactscape atlas plot")
PATH_PLOT = PlotFile("path", "an exactscape path plot")


@dataclass(frozen=True)
class Marked:
    """``may_replace`` for a file of ours that carries ``marker`` in its first ``limit`` bytes
    (a resumable log whose header names its writer)."""

    marker: str
    what: str
    limit: int = 4096

    def __call__(self, path: Path) -> bool:
        data = read_prefix(path, self.limit)
        return data is not None and self.marker.encode("utf-8") in data


@dataclass(frozen=True)
class JsonRows:
    """``may_replace`` for a JSON list of result rows of ours: its first row (read from the
    first :data:`PREFIX_LIMIT` bytes) is an object holding every key of ``keys``."""

    keys: tuple[str, ...]
    what: str

    def __call__(self, path: Path) -> bool:
        data = read_prefix(path)
        if data is None:
            return False
        try:
            text = data.decode("utf-8", errors="ignore").lstrip()
            if not text.startswith("["):
                return False
            first, _ = json.JSONDecoder().raw_decode(text, len(text) - len(text[1:].lstrip()))
        except (ValueError, RecursionError):
            return False
        return isinstance(first, dict) and all(k in first for k in self.keys)


@dataclass(frozen=True)
class Gzipped:
    """``may_replace`` for a gzip file of ours: its decompressed first bytes are ``inner``'s."""

    inner: JsonFormat

    @property
    def what(self) -> str:
        return f"{self.inner.what} (gzip)"

    def __call__(self, path: Path) -> bool:
        data = read_prefix(path)
        if data is None:
            return False
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, PREFIX_LIMIT)
        except zlib.error:
            return False
        return self.inner.accepts(head)


@dataclass(frozen=True)
class AnyOf:
    """``may_replace`` for an output that may hold any of several kinds of ours (a results
    folder's files, a bundle); every kind recognises a file by its content, never by its name."""

    kinds: tuple[Callable[[Path], bool], ...]
    what: str

    def __call__(self, path: Path) -> bool:
        return any(kind(path) for kind in self.kinds)


def nothing(path: Path) -> bool:
    """``may_replace`` for outputs that must not exist yet."""
    return False


def _what(may_replace: Callable[[Path], bool]) -> str:
    return str(getattr(may_replace, "what", "a file exactscape wrote for this output"))


# ------------------------------------------------------------------ checking


def _fail(path: Path, reason: str) -> OutputError:
    return OutputError(f"{show_path(path)}: {reason}")


def _identity(path: Path) -> str:
    """The path with its directory resolved (links, ``..``), the name kept."""
    return os.path.join(os.path.realpath(path.parent), path.name)


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def check_target(path: Path, inputs: Sequence[Path], may_replace: Callable[[Path], bool]) -> None:
    """Refuse one output path (module docstring, rule 1); never opens anything
    but a regular file, and reads at most :data:`PREFIX_LIMIT` bytes of it."""
    p = Path(path)
    if p.name in ("", ".", ".."):
        raise _fail(p, "is not a file name")
    ident = _identity(p)
    for q in inputs:
        if _identity(Path(q)) == ident or os.path.realpath(q) == ident:
            raise _fail(p, "is an input of this command; refusing to overwrite it")
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise _fail(p, "a parent of it is not a directory") from None
    except (OSError, ValueError) as exc:
        raise _fail(p, f"cannot inspect it ({getattr(exc, 'strerror', None) or exc})") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise _fail(p, "is a symbolic link; outputs are written only as regular files or new paths")
        if stat.S_ISDIR(st.st_mode):
            raise _fail(p, "is a directory; outputs are written only as regular files or new paths")
        if not stat.S_ISREG(st.st_mode):
            raise _fail(p, "is a special file (FIFO, device or socket); outputs are written only as regular files")
        mine = (st.st_dev, st.st_ino)
        if any(_inode(Path(q)) == mine for q in inputs):
            raise _fail(p, "is an input of this command; refusing to overwrite it")
        if not may_replace(p):
            raise _fail(p, f"exists and is not {_what(may_replace)}; refusing to overwrite it")
    _check_dir_for(p, p.parent)


def _check_dir_for(p: Path, anc: Path) -> None:
    """The first existing one of ``anc`` and its ancestors is a writable directory."""
    while True:
        try:
            ast = os.stat(anc)
            break
        except FileNotFoundError:
            if anc == anc.parent:
                raise _fail(p, "no directory to write it in") from None
            anc = anc.parent
        except (OSError, ValueError):
            raise _fail(p, "a parent of it is not a directory") from None
    if not stat.S_ISDIR(ast.st_mode):
        raise _fail(p, f"cannot create its directory: {show_path(anc)} is not a directory")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise _fail(p, f"directory {show_path(anc)} is not writable")


def check_targets(paths: Sequence[Path], inputs: Sequence[Path], may_replace: Callable[[Path], bool]) -> None:
    """Check every output of a command before anything is written (module
    docstring, rule 1): each one by :func:`check_target`, and no two the
    same file. Raises :class:`OutputError` (exit 3) naming the first path refused."""
    check_outputs([(Path(p), may_replace) for p in paths], inputs)


def check_outputs(targets: Sequence[tuple[Path, Callable[[Path], bool]]], inputs: Sequence[Path]) -> None:
    """:func:`check_targets` for outputs of different kinds: each path with
    its own ``may_replace``."""
    seen: dict[str, Path] = {}
    inodes: dict[tuple[int, int], Path] = {}
    for raw, may_replace in targets:
        p = Path(raw)
        ident = _identity(p)
        ino = _inode(p)
        other = seen.get(ident) or (inodes.get(ino) if ino is not None else None)
        if other is not None:
            raise _fail(p, f"named twice as an output (also as {show_path(other)}); give distinct paths")
        check_target(p, inputs, may_replace)
        seen[ident] = p
        if ino is not None:
            inodes[ino] = p


def companion(out: Path, suffix: str) -> Path:
    """The file written beside ``out`` with ``suffix`` in place of its suffix
    (the ``.md`` table of a results ``.json``); an :class:`OutputError` if
    ``out`` has no file name or already ends in ``suffix``."""
    p = Path(out)
    if p.name in ("", ".", ".."):
        raise _fail(p, "is not a file name")
    if p.suffix == suffix:
        raise _fail(p, f"ends in {suffix}, the suffix of the file written beside it; give a .json name")
    return p.with_suffix(suffix)


def check_directory(path: Path) -> None:
    """Refuse a directory that outputs are to be written into: it must be a
    directory (a link to one is followed) or be creatable in a writable one."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        _check_dir_for(p, p.parent)
        return
    except (OSError, ValueError) as exc:
        raise _fail(p, f"cannot inspect it ({getattr(exc, 'strerror', None) or exc})") from None
    if not stat.S_ISDIR(st.st_mode):
        raise _fail(p, "is not a directory")
    if not os.access(p, os.W_OK | os.X_OK):
        raise _fail(p, "directory is not writable")


# ------------------------------------------------------------------- writing


def _reason(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, "") or exc.__class__.__name__


def _make_dirs(p: Path) -> None:
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(p, f"cannot create its directory ({_reason(exc)})") from None


def _temporary(p: Path) -> tuple[int, Path]:
    """A new, exclusively created file ``.NAME.<random>.tmp`` beside ``p``."""
    stem = p.name[:64]
    for _ in range(100):
        tmp = p.with_name(f".{stem}.{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666)
        except FileExistsError:
            continue
        return fd, tmp
    raise _fail(p, "cannot create a temporary file beside it (every name taken)")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _sync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes(
    path: Path | str,
    data: bytes,
    *,
    inputs: Sequence[Path] = (),
    may_replace: Callable[[Path], bool] = nothing,
) -> Path:
    """Write ``data`` to ``path`` (module docstring, rule 2): check the target
    again, write a fresh temporary file beside it, ``fsync``, rename it onto
    the target. The temporary file is removed on every error; errors are
    :class:`OutputError` (exit 3)."""
    p = Path(path)
    check_target(p, inputs, may_replace)
    _make_dirs(p)
    try:
        fd, tmp = _temporary(p)
    except OSError as exc:
        raise _fail(p, f"cannot create a temporary file beside it ({_reason(exc)})") from None
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, p)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _fail(p, f"cannot write it ({_reason(exc)})") from None
        raise
    _sync_dir(p.parent)
    return p


def write_text(
    path: Path | str,
    text: str,
    *,
    inputs: Sequence[Path] = (),
    may_replace: Callable[[Path], bool] = nothing,
) -> Path:
    """:func:`write_bytes` of ``text`` encoded as UTF-8 (no newline translation)."""
    return write_bytes(path, text.encode("utf-8"), inputs=inputs, may_replace=may_replace)


def append_line(path: Path | str, line: str, *, may_replace: Callable[[Path], bool] = nothing) -> None:
    """Append ``line`` (a newline is added) to the regular file ``path``,
    creating it if absent (module docstring, rule 3). The file is opened with
    ``O_APPEND | O_NOFOLLOW`` and checked to be regular before writing; if the
    write fails, the file is cut back to its previous length."""
    p = Path(path)
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    if p.exists() or p.is_symlink():
        check_target(p, (), may_replace)
    else:
        check_target(p, (), nothing)
        _make_dirs(p)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC, 0o666)
    except OSError as exc:
        raise _fail(p, f"cannot open it for appending ({_reason(exc)})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _fail(p, "is not a regular file; refusing to append to it")
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, st.st_size)
            except OSError:
                pass
            raise _fail(p, f"cannot append to it ({_reason(exc)})") from None
    finally:
        os.close(fd)


def replay_path(path: Path, base: Path | None) -> str:
    """``path`` as a command recorded in a results file names it: relative to ``base`` (the
    folder of the results file) when it lies inside it, so that the command works from that
    folder wherever it is copied; otherwise as given.

    >>> replay_path(Path("/r/out/t-instances/a.json"), Path("/r/out")), replay_path(Path("/x/a.json"), Path("/r"))
    ('t-instances/a.json', '/x/a.json')
    >>> replay_path(Path("/r/out/../x/a.json"), Path("/r/out"))
    '/r/out/../x/a.json'
    """
    full = Path(os.path.abspath(path))
    if base is None or not full.is_relative_to(os.path.abspath(base)):
        return str(path)
    return Path(os.path.relpath(full, os.path.abspath(base))).as_posix()

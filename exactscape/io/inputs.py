"""Reading input files: the one function through which exactscape reads a file.

Every file the producer reads (instances, weights, patterns, float weights,
``.npz``/``.npy``/``.csv``/``.pt``) comes through :func:`read_bytes`, and every
JSON text through :func:`read_text`. The rules (docs/manual.md "Input limits",
proofs/FORMAT.md 2):

* only a *regular* file is read. The file is opened with ``O_NONBLOCK`` (so a
  FIFO without a writer cannot block) and checked with ``fstat`` before a
  single byte is read; a FIFO, a character device such as ``/dev/zero``, a
  socket or a directory is refused;
* at most :func:`max_input_bytes` bytes are read (default 64 MiB; the
  environment variable ``EXACTSCAPE_MAX_INPUT_MIB`` raises it). A larger file
  is refused from its size, before it is read;
* JSON text is UTF-8 without a byte order mark. A UTF-8 BOM and any text that
  is not valid UTF-8 (UTF-16 and UTF-32 included) are refused; the checker
  (:mod:`exactscape.checker.readfile`, its own copy of these rules) refuses
  the same files.

Every refusal is an :class:`~exactscape.errors.InputError` (exit code 2) with
a one-line message naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError

ENV_MAX_INPUT_MIB = "EXACTSCAPE_MAX_INPUT_MIB"
DEFAULT_MAX_INPUT_MIB = 64
BYTES_PER_ARRAY_ELEMENT = 64
"""A NumPy input may declare at most ``max_input_bytes() // 64`` elements in
total (1,048,576 at the default cap), checked from the array headers before
anything is allocated: a compressed ``.npz`` can declare far more elements
than it has bytes, and each element becomes an exact rational."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def max_input_bytes() -> int:
    """The size cap on one input file, in bytes: ``EXACTSCAPE_MAX_INPUT_MIB`` MiB
    (a positive whole number; default 64)."""
    raw = os.environ.get(ENV_MAX_INPUT_MIB)
    if raw is None or raw == "":
        return DEFAULT_MAX_INPUT_MIB * 2**20
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or int(text) == 0 or len(text) > 9:
        raise InputError(f"expected a positive whole number of MiB (at most 9 digits), got {raw!r}", ENV_MAX_INPUT_MIB)
    return int(text) * 2**20


def max_array_elements() -> int:
    """The cap on the elements a NumPy input may declare (see ``BYTES_PER_ARRAY_ELEMENT``)."""
    return max_input_bytes() // BYTES_PER_ARRAY_ELEMENT


def _where(path: str | os.PathLike[str]) -> str:
    """A file name for a one-line message (control characters escaped)."""
    text = os.fspath(path)
    if isinstance(text, bytes):  # pragma: no cover - paths are str here
        text = text.decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return ascii(text)[1:-1]


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"  # pragma: no cover - every other type is listed


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The content of the regular file ``path``, at most :func:`max_input_bytes` bytes.

    Refuses (InputError, exit 2) a missing file, anything that is not a
    regular file (without reading from it), and a file larger than the cap
    (from its size, before reading).
    """
    where = _where(path)
    cap = max_input_bytes()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(os.fspath(path), flags)
    except FileNotFoundError:
        raise InputError("no such file", where) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", where) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise InputError(f"cannot open ({reason})", where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"is {_kind(st.st_mode)}; exactscape reads only regular files", where)
        if st.st_size > cap:
            raise InputError(_too_large(st.st_size, cap), where)
        chunks: list[bytes] = []
        size = 0
        while size <= cap:
            chunk = os.read(fd, min(2**20, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > cap:  # the file grew while being read
            raise InputError(_too_large(size, cap), where)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc.__class__.__name__})", where) from None
    finally:
        os.close(fd)


def _too_large(size: int, cap: int) -> str:
    return (
        f"file of {size} bytes is larger than the input size limit of {cap} bytes "
        f"({cap // 2**20} MiB; set {ENV_MAX_INPUT_MIB} to raise it)"
    )


def decode_json_text(data: bytes, where: str) -> str:
    """JSON text from bytes: UTF-8, no byte order mark (the one rule for every
    JSON file exactscape reads; the checker applies the same rule)."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError("starts with a UTF-8 byte order mark; JSON files must be UTF-8 without a BOM", where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (invalid byte at offset {exc.start}); JSON files must be UTF-8 "
            "without a BOM (UTF-16 and UTF-32 are refused)",
            where,
        ) from None


def read_text(path: str | os.PathLike[str]) -> str:
    """The JSON text of the regular file ``path`` (:func:`read_bytes`, then
    :func:`decode_json_text`)."""
    return decode_json_text(read_bytes(path), _where(path))


def describe_path(path: str | Path) -> str:
    """The one-line form of a path used in messages."""
    return _where(path)

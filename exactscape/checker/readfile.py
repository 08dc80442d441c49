"""Reading a certificate file (FORMAT.md 6): regular files only, a size cap,
UTF-8 without a byte order mark.

The checker's own copy of the producer's input rules (it imports nothing
else from exactscape):

* the file is opened with ``O_NONBLOCK`` and checked with ``fstat`` before a
  byte is read: a FIFO, a character device such as ``/dev/zero``, a socket or
  a directory is unreadable;
* at most ``EXACTSCAPE_MAX_INPUT_MIB`` MiB (default 64) are read; a larger file
  is unreadable, judged from its size before reading;
* the text must be UTF-8 without a BOM (a UTF-8 BOM, UTF-16 and UTF-32 are
  unreadable).

Every failure is an :class:`UnreadableError`: one ``s REJECTED`` line, exit 2.
"""

import os
import stat

from .errors import UnreadableError

ENV_MAX_INPUT_MIB = "EXACTSCAPE_MAX_INPUT_MIB"
DEFAULT_MAX_INPUT_MIB = 64
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def max_input_bytes() -> int:
    """The size cap in bytes: ``EXACTSCAPE_MAX_INPUT_MIB`` MiB, default 64."""
    raw = os.environ.get(ENV_MAX_INPUT_MIB)
    if raw is None or raw == "":
        return DEFAULT_MAX_INPUT_MIB * 2**20
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or int(text) == 0 or len(text) > 9:
        raise UnreadableError(
            f"{ENV_MAX_INPUT_MIB}: expected a positive whole number of MiB (at most 9 digits), found {ascii(raw)}"
        )
    return int(text) * 2**20


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_certificate_bytes(path: str) -> bytes:
    """The bytes of the regular file ``path``, at most :func:`max_input_bytes`."""
    cap = max_input_bytes()
    shown = ascii(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UnreadableError(f"cannot read {shown}: {reason}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableError(f"cannot read {shown}: it is {_kind(st.st_mode)}, not a regular file")
        if st.st_size > cap:
            raise UnreadableError(_too_large(shown, st.st_size, cap))
        chunks = []
        size = 0
        while size <= cap:
            chunk = os.read(fd, min(2**20, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > cap:
            raise UnreadableError(_too_large(shown, size, cap))
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableError(f"cannot read {shown}: {exc.strerror or type(exc).__name__}") from None
    finally:
        os.close(fd)


def _too_large(shown: str, size: int, cap: int) -> str:
    return (
        f"cannot read {shown}: {size} bytes is more than the size limit of {cap} bytes "
        f"({cap // 2**20} MiB; set {ENV_MAX_INPUT_MIB} to raise it)"
    )


def decode_text(data: bytes) -> str:
    """The certificate text: UTF-8 without a byte order mark."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise UnreadableError("not JSON: the file starts with a UTF-8 byte order mark (UTF-8 without BOM only)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableError(
            f"not JSON: not UTF-8 text (invalid byte at offset {exc.start}; UTF-16 and UTF-32 are refused)"
        ) from None

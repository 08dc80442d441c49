"""Instance files holding floats: NumPy ``.npz``/``.npy`` and ``.csv``.

:func:`exactscape.io.instances.load_instance`, the instance reader of every command,
hands array files to :func:`instance_from_numpy_file`: they are read here (headers and
sizes checked before any array is allocated, never unpickled) and converted exactly by
:mod:`exactscape.floats.convert`.

Accepted files (proofs/FORMAT.md 2.1): ``.npz`` with arrays ``X`` (N x d0)
and ``y`` (N) and optionally a boolean ``bias``; ``.npy`` or ``.csv`` holding
an N x (d0 + 1) array whose last column is the label.
"""

from __future__ import annotations

import io
import lzma
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.model import Instance
from ..errors import InputError, one_line
from ..io.inputs import (
    BYTES_PER_ARRAY_ELEMENT,
    ENV_MAX_INPUT_MIB,
    decode_json_text,
    describe_path,
    max_array_elements,
    read_bytes,
)
from .convert import instance_from_arrays

NPY_HEADER_LIMIT = 10000
"""Longest ``.npy`` header read, in bytes (NumPy's own limit without
``allow_pickle``): the header length field is read first and a longer header
is refused before a byte of it is read."""
MAX_NPZ_MEMBERS = 64
"""Most members an ``.npz`` archive may hold (the readers use at most five);
counted from the zip's end-of-directory record before the directory is read."""
MAX_ZIP_DIRECTORY = 2**20
"""Largest zip central directory read, in bytes."""
_MAGIC = b"\x93NUMPY"


def _array_header(read: Callable[[int], bytes], where: str) -> tuple[tuple[int, ...], Any, int]:
    """Shape, dtype and header length (bytes before the data) of a ``.npy``
    stream, read without reading the data: the magic string, the version
    (1.0 or 2.0), the header length field (refused beyond
    :data:`NPY_HEADER_LIMIT` before the header is read), then the header,
    parsed by numpy.lib.format from that small copy. Object, complex and
    other non-real dtypes are refused, naming the dtype."""
    from numpy.lib import format as npformat

    head = read(8)
    if len(head) < 8 or head[:6] != _MAGIC:
        raise InputError("not a .npy array (no .npy magic string at its start)", where)
    version = (head[6], head[7])
    if version not in ((1, 0), (2, 0)):
        raise InputError(f".npy format version {version[0]}.{version[1]} is not read (1.0 or 2.0)", where)
    field = read(2 if version == (1, 0) else 4)
    hlen = int.from_bytes(field, "little")
    if len(field) < (2 if version == (1, 0) else 4):
        raise InputError("not a .npy array (cut short in its header)", where)
    if hlen > NPY_HEADER_LIMIT:
        raise InputError(f".npy header of {hlen} bytes declared, more than the limit of {NPY_HEADER_LIMIT}", where)
    text = read(hlen)
    if len(text) < hlen:
        raise InputError(f"not a .npy array (header cut short: {len(text)} of {hlen} bytes)", where)
    small = io.BytesIO(head + field + text)
    small.seek(8)
    try:
        if version == (1, 0):
            shape, _, dtype = npformat.read_array_header_1_0(small, max_header_size=NPY_HEADER_LIMIT)
        else:
            shape, _, dtype = npformat.read_array_header_2_0(small, max_header_size=NPY_HEADER_LIMIT)
    except (OSError, ValueError, EOFError, SyntaxError, TypeError) as exc:
        reason = _reason(exc)
        raise InputError(f"not a .npy array (unreadable header: {exc.__class__.__name__}: {reason})", where) from None
    if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        raise InputError(f"array of dtype {dtype} refused (real numbers only: bool, integer or float)", where)
    return tuple(int(n) for n in shape), dtype, len(head) + len(field) + hlen


def _reason(exc: BaseException) -> str:
    """NumPy's or zipfile's message, one line, at most 200 characters, without
    NumPy's advice to trust the file (``allow_pickle``), which exactscape never does."""
    text = one_line(str(exc))
    if "allow_pickle" in text or "max_header_size" in text:
        text = "the array header is not one exactscape reads"
    return text[:200]


def _count(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _within_elements(total: int, where: str) -> None:
    cap = max_array_elements()
    if total > cap:
        raise InputError(
            f"the arrays declare {total} elements, more than the limit of {cap} "
            f"(1 per {BYTES_PER_ARRAY_ELEMENT} bytes of the input size limit; set {ENV_MAX_INPUT_MIB} to raise it)",
            where,
        )


def read_npy(path: Path) -> Any:
    """A ``.npy`` array: the file through :func:`exactscape.io.inputs.read_bytes`,
    its header (length, dtype, element count, data size) checked before the
    array is allocated; never unpickles."""
    import numpy as np

    where = describe_path(path)
    data = read_bytes(path)
    stream = io.BytesIO(data)
    shape, dtype, offset = _array_header(stream.read, where)
    count = _count(shape)
    _within_elements(count, where)
    if len(data) - offset < count * dtype.itemsize:
        raise InputError(
            f"the header declares {count} values ({count * dtype.itemsize} bytes) but the file has "
            f"{len(data) - offset} bytes of data",
            where,
        )
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"cannot read as .npy ({_reason(exc)})", where) from None


def zip_directory_size(data: bytes, where: str) -> tuple[int, int]:
    """(number of members, central directory bytes) from a zip's end-of-central-
    directory record (and its zip64 form), read from the bytes directly, so
    that an archive of many members is refused before its directory is parsed."""
    tail_start = max(0, len(data) - (22 + 65535))
    i = data.rfind(b"PK\x05\x06", tail_start)
    if i < 0 or len(data) - i < 22:
        raise InputError("cannot read as .npz (not a zip archive: no end-of-directory record)", where)
    _, _, _, _, count, cd_size, _, _ = struct.unpack("<4s4H2LH", data[i : i + 22])
    if count == 0xFFFF or cd_size == 0xFFFFFFFF:  # zip64: the locator sits just before the record
        loc = data[i - 20 : i] if i >= 20 else b""
        if len(loc) == 20 and loc[:4] == b"PK\x06\x07":
            (off,) = struct.unpack("<Q", loc[8:16])
            rec = data[off : off + 56]
            if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                count, cd_size = struct.unpack("<QQ", rec[32:48])
    return count, cd_size


def read_npz(path: Path) -> dict[str, Any]:
    """The arrays of a ``.npz`` archive, by name (without ``.npy``). Before
    anything is allocated: the member count and directory size from the zip's
    end record (:data:`MAX_NPZ_MEMBERS`), member names (distinct, ``.npy``),
    and every member's ``.npy`` header (:func:`_array_header`; the elements of
    all members together within the limit, each member's size in the zip
    directory equal to what its header declares). Then each member is read on
    its own (never unpickled)."""
    from numpy.lib import format as npformat

    where = describe_path(path)
    data = read_bytes(path)
    count, cd_size = zip_directory_size(data, where)
    if count > MAX_NPZ_MEMBERS or cd_size > MAX_ZIP_DIRECTORY:
        raise InputError(
            f"the archive declares {count} members ({cd_size} bytes of zip directory), more than the limit of "
            f"{MAX_NPZ_MEMBERS} members ({MAX_ZIP_DIRECTORY} bytes); an .npz instance or weights file holds "
            "a few arrays",
            where,
        )
    total = 0
    out: dict[str, Any] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_NPZ_MEMBERS:
                raise InputError(f"the archive holds {len(infos)} members, more than {MAX_NPZ_MEMBERS}", where)
            names: set[str] = set()
            headers = []
            for info in infos:
                mwhere = f"{where}: {describe_path(info.filename)}"
                if not info.filename.endswith(".npy"):
                    raise InputError("member is not a .npy array (an .npz holds only X.npy, y.npy, ...)", mwhere)
                if info.filename in names:
                    raise InputError("member name appears twice in the archive", mwhere)
                names.add(info.filename)
                with zf.open(info) as member:
                    shape, dtype, offset = _array_header(member.read, mwhere)
                n = _count(shape)
                total += n
                _within_elements(total, where)
                if info.file_size < offset + n * dtype.itemsize:
                    raise InputError(
                        f"member of {info.file_size} bytes, but its header declares "
                        f"{offset + n * dtype.itemsize} (header and data)",
                        mwhere,
                    )
                headers.append(info)
            for info in headers:
                with zf.open(info) as member:
                    out[info.filename[: -len(".npy")]] = npformat.read_array(
                        member, allow_pickle=False, max_header_size=NPY_HEADER_LIMIT
                    )
    except InputError:
        raise
    except (
        OSError,
        ValueError,
        EOFError,
        zipfile.BadZipFile,
        NotImplementedError,
        RuntimeError,
        zlib.error,
        lzma.LZMAError,
    ) as exc:  # a corrupt member fails in its decompressor
        reason = _reason(exc)
        raise InputError(f"cannot read as .npz ({exc.__class__.__name__}: {reason})", where) from None
    return out


def read_csv(path: Path) -> Any:
    """A ``.csv`` table of numbers (comma-separated), element count checked
    from the text before parsing."""
    import numpy as np

    where = describe_path(path)
    text = decode_json_text(read_bytes(path), where)
    _within_elements(text.count(",") + text.count("\n") + 1, where)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file is reported below as one line
            return np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read as .csv ({exc})", where) from None


def _bias_flag(arr: Any, where: str) -> bool:
    """The ``bias`` array of an instance ``.npz``: one boolean, or one integer 0 or 1."""
    if arr.size != 1:
        raise InputError(f"bias must be one boolean, got shape {arr.shape}", where)
    v = arr.reshape(-1)[0]
    if arr.dtype.kind == "b":
        return bool(v)
    if arr.dtype.kind in "iu" and int(v) in (0, 1):
        return int(v) == 1
    raise InputError(f"bias must be a boolean (or the integer 0 or 1), got {v!r} of dtype {arr.dtype}", where)


def instance_from_numpy_file(path: Path, max_denominator: int | None = None) -> Instance:
    """Read ``.npz`` (X, y[, bias]), or ``.npy``/``.csv`` (last column = label)."""
    where = describe_path(path)
    if path.suffix == ".npz":
        data = read_npz(path)
        for key in ("X", "y"):
            if key not in data:
                raise InputError(f"missing array {key!r} (has {sorted(data)})", where)
        bias = True
        if "bias" in data:
            bias = _bias_flag(data["bias"], f"{where}: bias")
        return instance_from_arrays(
            data["X"], data["y"], bias=bias, name=path.stem, source=where, max_denominator=max_denominator
        )
    table = read_npy(path) if path.suffix == ".npy" else read_csv(path)
    if table.ndim != 2 or table.shape[1] < 2:
        raise InputError(f"expected an N x (d0 + 1) table with labels last, got shape {table.shape}", where)
    return instance_from_arrays(
        table[:, :-1], table[:, -1], name=path.stem, source=where, max_denominator=max_denominator
    )

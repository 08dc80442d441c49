"""Instance files holding floats: NumPy ``.npz``/``.npy`` and ``.csv``.

:func:`load_instance` is the instance reader of every command that accepts
array files: exact JSON goes to :func:`exactscape.model.load_instance`, array
files are read here (headers and sizes checked before any array is allocated,
never unpickled) and converted exactly by :mod:`exactscape.floats.convert`.

Accepted files (proofs/FORMAT.md 2.1): ``.npz`` with arrays ``X`` (N x d0)
and ``y`` (N) and optionally a boolean ``bias``; ``.npy`` or ``.csv`` holding
an N x (d0 + 1) array whose last column is the label.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

from .. import model
from ..errors import InputError
from ..inputs import (
    BYTES_PER_ARRAY_ELEMENT,
    ENV_MAX_INPUT_MIB,
    decode_json_text,
    describe_path,
    max_array_elements,
    read_bytes,
)
from ..model import Instance
from .convert import instance_from_arrays

ARRAY_SUFFIXES = (".npz", ".npy", ".csv")
"""File name suffixes read as arrays; every other instance file is exact JSON."""


def load_instance(path: str | Path) -> Instance:
    """Read an instance: ``.npz``/``.npy``/``.csv`` through the exact float
    conversion, anything else as exact JSON (:func:`exactscape.model.load_instance`)."""
    p = Path(path)
    if p.suffix in ARRAY_SUFFIXES:
        return instance_from_numpy_file(p)
    return model.load_instance(p)


def _array_header(stream: Any, where: str) -> tuple[tuple[int, ...], Any]:
    """Shape and dtype from a ``.npy`` header, read without reading the data
    (numpy.lib.format); object and other non-numeric dtypes are refused."""
    from numpy.lib import format as npformat

    try:
        version = npformat.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = npformat.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _, dtype = npformat.read_array_header_2_0(stream)
        else:
            raise InputError(f".npy format version {version[0]}.{version[1]} is not read (1.0 or 2.0)", where)
    except InputError:
        raise
    except (OSError, ValueError, EOFError, SyntaxError, TypeError) as exc:
        raise InputError(f"not a .npy array ({exc.__class__.__name__}: {exc})", where) from None
    if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        raise InputError(f"array of dtype {dtype} refused (numbers only: bool, integer or float)", where)
    return tuple(int(n) for n in shape), dtype


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
    """A ``.npy`` array: the file through :func:`exactscape.inputs.read_bytes`,
    its header (dtype numeric, element count within the limit) checked before
    the array is allocated; never unpickles."""
    import numpy as np

    where = describe_path(path)
    data = read_bytes(path)
    shape, _ = _array_header(io.BytesIO(data), where)
    _within_elements(_count(shape), where)
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"cannot read as .npy ({exc})", where) from None


def read_npz(path: Path) -> dict[str, Any]:
    """The arrays of a ``.npz`` archive, by name (without ``.npy``). Every
    member's header is read from the zip first (dtype numeric; the elements of
    all members together within the limit), before any array is allocated."""
    import numpy as np

    where = describe_path(path)
    data = read_bytes(path)
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                with zf.open(info) as member:
                    shape, _ = _array_header(member, f"{where}: {describe_path(info.filename)}")
                total += _count(shape)
                _within_elements(total, where)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except InputError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"cannot read as .npz ({exc.__class__.__name__}: {exc})", where) from None


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
            if data["bias"].size != 1:
                raise InputError(f"bias must be one boolean, got shape {data['bias'].shape}", f"{where}: bias")
            bias = bool(data["bias"])
        return instance_from_arrays(
            data["X"], data["y"], bias=bias, name=path.stem, source=where, max_denominator=max_denominator
        )
    table = read_npy(path) if path.suffix == ".npy" else read_csv(path)
    if table.ndim != 2 or table.shape[1] < 2:
        raise InputError(f"expected an N x (d0 + 1) table with labels last, got shape {table.shape}", where)
    return instance_from_arrays(
        table[:, :-1], table[:, -1], name=path.stem, source=where, max_denominator=max_denominator
    )

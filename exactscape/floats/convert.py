"""The one float boundary of exactscape.

Floats enter exactscape only here. Each binary float is converted to the
rational it *equals* (a dyadic rational m / 2^e: exact, no rounding), or, when
the caller asks for it, to the nearest rational with a bounded denominator
(a stated rounding). Every conversion records what it did in a provenance
string that the CLI prints, so no output hides that its input was a float.

Accepted files (proofs/FORMAT.md 2.1): ``.npz`` with arrays ``X`` (N x d0)
and ``y`` (N) and optionally a boolean ``bias``; ``.npy`` or ``.csv`` holding
an N x (d0 + 1) array whose last column is the label.
"""

from __future__ import annotations

import io
import math
import warnings
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..inputs import (
    BYTES_PER_ARRAY_ELEMENT,
    ENV_MAX_INPUT_MIB,
    decode_json_text,
    describe_path,
    max_array_elements,
    read_bytes,
)
from ..model import Instance, Weights
from ..numbers import MAX_EXPONENT, too_long


def float_to_rational(x: Any, where: str, max_denominator: int | None = None) -> Fraction:
    """The exact rational value of a float or integer (or, with
    ``max_denominator``, the closest rational with at most that denominator).

    >>> float_to_rational(0.1, "x")
    Fraction(3602879701896397, 36028797018963968)
    >>> float_to_rational(0.1, "x", max_denominator=100)
    Fraction(1, 10)
    """
    if isinstance(x, bool):
        raise InputError("a boolean is not a number", where)
    try:
        if isinstance(x, int) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") in "iu"):
            return Fraction(int(x))
        f = float(x)
    except (TypeError, ValueError):
        raise InputError(f"not a number: {x!r}", where) from None
    if not math.isfinite(f):
        raise InputError(f"{f} is not a finite number", where)
    q = Fraction(f)
    if max_denominator is not None:
        q = q.limit_denominator(max_denominator)
    return q


def array_to_rationals(arr: Any, where: str, max_denominator: int | None = None) -> list[Any]:
    """Nested lists of exact rationals from a NumPy array (any shape)."""
    import numpy as np

    a = np.asarray(arr)
    if a.dtype.kind not in "biuf":
        raise InputError(f"array of dtype {a.dtype} is not numeric", where)
    if a.dtype.kind == "f":
        bad = ~np.isfinite(a)
        if bad.any():
            idx = tuple(int(t) for t in np.argwhere(bad)[0])
            raise InputError(f"{a[idx]} is not a finite number", f"{where}{list(idx)}")

    def conv(v: Any, path: str) -> Any:
        if isinstance(v, list):
            return [conv(u, f"{path}[{k}]") for k, u in enumerate(v)]
        return float_to_rational(v, path, max_denominator)

    return conv(a.tolist(), where)  # type: ignore[no-any-return]


def _describe(dtype: Any, count: int, max_denominator: int | None) -> str:
    if dtype.kind in "biu":
        return f"{count} integer values read exactly"
    if max_denominator is None:
        return f"{count} {dtype} values converted exactly to the dyadic rationals they equal"
    return f"{count} {dtype} values rounded to the nearest rational with denominator <= {max_denominator}"


def instance_from_arrays(
    X: Any, y: Any, *, bias: bool = True, name: str = "", source: str = "arrays", max_denominator: int | None = None
) -> Instance:
    """Build an exact :class:`Instance` from float or integer arrays."""
    import numpy as np

    Xa, ya = np.asarray(X), np.asarray(y)
    if Xa.ndim != 2:
        raise InputError(f"X must be a 2-d array (N x d0), got shape {Xa.shape}", f"{source}: X")
    if ya.ndim != 1 or ya.shape[0] != Xa.shape[0]:
        raise InputError(f"y must be a 1-d array of N = {Xa.shape[0]} labels, got shape {ya.shape}", f"{source}: y")
    Xq = array_to_rationals(Xa, f"{source}: X", max_denominator)
    yq = array_to_rationals(ya, f"{source}: y", max_denominator)
    note = (
        f"{source}: X {_describe(Xa.dtype, Xa.size, max_denominator)}; "
        f"y {_describe(ya.dtype, ya.size, max_denominator)}"
    )
    return Instance(X=tuple(tuple(r) for r in Xq), y=tuple(yq), bias=bias, name=name, provenance=note)


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


# ------------------------------------------------------------ float weights


def float_text_to_rational(text: str, where: str, mode: str = "binary64") -> Fraction:
    """The rational a JSON float literal stands for.

    ``mode="binary64"`` (the default): the dyadic rational equal to the IEEE
    double that Python's ``float(text)`` gives, i.e. the value the float
    program actually computed with. ``mode="decimal"``: the decimal literal
    read exactly (``"0.1"`` -> 1/10).

    >>> float_text_to_rational("0.5", "z[0]")
    Fraction(1, 2)
    >>> float_text_to_rational("0.1", "z[0]", mode="decimal")
    Fraction(1, 10)
    """
    if mode == "decimal":
        _, _, exp = text.lower().partition("e")
        try:
            if exp and abs(int(exp)) > MAX_EXPONENT:  # the exact readers' exponent limit
                raise InputError(f"exponent of {text[:40]!r} is beyond +-{MAX_EXPONENT}", where)
            q = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InputError(f"{text[:40]!r} is not a finite decimal (or has more than 4300 digits)", where) from None
        if too_long(q):
            raise InputError("numerator or denominator has more than 4300 digits (the limit of exact numbers)", where)
        return q
    if mode != "binary64":
        raise InputError(f"unknown float reading mode {mode!r} (binary64 or decimal)", where)
    return float_to_rational(float(text), where)


def weights_from_arrays(
    z: Any, w: Any, *, source: str = "arrays", max_denominator: int | None = None
) -> tuple[Weights, str]:
    """Exact :class:`Weights` from float arrays z (K) and w (K x d), with a
    provenance sentence saying how each float became a rational."""
    import numpy as np

    za, wa = np.asarray(z), np.asarray(w)
    if za.ndim != 1:
        raise InputError(f"z must be a 1-d array of K output weights, got shape {za.shape}", f"{source}: z")
    if wa.ndim != 2 or wa.shape[0] != za.shape[0]:
        raise InputError(f"w must be a K x d array with K = {za.shape[0]}, got shape {wa.shape}", f"{source}: w")
    zq = array_to_rationals(za, f"{source}: z", max_denominator)
    wq = array_to_rationals(wa, f"{source}: w", max_denominator)
    note = (
        f"{source}: z {_describe(za.dtype, za.size, max_denominator)}; "
        f"w {_describe(wa.dtype, wa.size, max_denominator)}"
    )
    return Weights(z=tuple(zq), w=tuple(tuple(r) for r in wq)), note


def unit_roundoff(dtype_name: str) -> Fraction:
    """u = 2^-p of a binary floating-point format (p = significand bits):
    2^-53 for float64, 2^-24 for float32, 2^-11 for float16, 2^-8 for bfloat16."""
    bits = {"float64": 53, "float32": 24, "float16": 11, "bfloat16": 8}
    if dtype_name not in bits:
        raise InputError(f"unknown floating-point format {dtype_name!r}", "precision")
    return Fraction(1, 2 ** bits[dtype_name])

"""Floats to exact rationals: the one conversion of the float side.

Each binary float is converted to the rational it *equals* (a dyadic rational
m / 2^e: exact, no rounding), or, when the caller asks for it, to the nearest
rational with a bounded denominator (a stated rounding). Every conversion
records what it did in a provenance string that the CLI prints, so no output
hides that its input was a float. Array files are read by
:mod:`exactscape.floats.files`, trained weights by :mod:`exactscape.floats.weights`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..core.model import Instance, Weights
from ..core.numbers import MAX_DIGITS, check_decimal_size, too_long
from ..errors import InputError


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
        if hasattr(x, "dtype") and _wide(x.dtype):  # long double: never through float64
            return array_to_rationals(x, where, max_denominator)  # type: ignore[return-value]
        f = float(x)
    except (TypeError, ValueError):
        raise InputError(f"not a number: {x!r}", where) from None
    if not math.isfinite(f):
        raise InputError(f"{f} is not a finite number", where)
    q = Fraction(f)
    if max_denominator is not None:
        q = q.limit_denominator(max_denominator)
    return q


def _wide(dtype: Any) -> bool:
    """A float format wider than binary64 (NumPy's long double: x87 80-bit
    extended on x86, IEEE binary128 elsewhere), which Python's float cannot hold."""
    return bool(dtype.kind == "f" and dtype.itemsize > 8)


def array_to_rationals(arr: Any, where: str, max_denominator: int | None = None) -> list[Any]:
    """Nested lists of exact rationals from a NumPy array (any shape).

    Integers are read as they are; binary16/32/64 values through Python's
    float (a widening, exact); long double values through their own
    ``as_integer_ratio`` (never through float64, which would round them).
    Complex and other non-real dtypes are refused naming the dtype; a value
    whose exact rational has more than 4300 digits is refused (the limit of
    exact numbers)."""
    import numpy as np

    a = np.asarray(arr)
    if a.dtype.kind not in "biuf":
        raise InputError(f"array of dtype {a.dtype} refused (real numbers only: bool, integer or float)", where)
    if a.dtype.kind == "f":
        bad = ~np.isfinite(a)
        if bad.any():
            idx = tuple(int(t) for t in np.argwhere(bad)[0])
            raise InputError(f"{a[idx]} is not a finite number", f"{where}{list(idx)}")

    def at(flat: int) -> str:
        return where + "".join(f"[{int(t)}]" for t in np.unravel_index(flat, a.shape)) if a.ndim else where

    if _wide(a.dtype):
        flat: list[Any] = []
        for k, v in enumerate(a.reshape(-1)):
            p, q = v.as_integer_ratio()
            f = Fraction(int(p), int(q))
            if too_long(f):
                raise InputError(
                    f"{np.format_float_scientific(v, precision=8)} ({a.dtype}) has more than {MAX_DIGITS} digits "
                    "as a rational (the limit of exact numbers)",
                    at(k),
                )
            flat.append(f if max_denominator is None else f.limit_denominator(max_denominator))
        return _nest(flat, a.shape)  # type: ignore[no-any-return]

    def conv(v: Any, path: str) -> Any:
        if isinstance(v, list):
            return [conv(u, f"{path}[{k}]") for k, u in enumerate(v)]
        return float_to_rational(v, path, max_denominator)

    return conv(a.tolist(), where)  # type: ignore[no-any-return]


def _nest(flat: list[Any], shape: tuple[int, ...]) -> Any:
    """A flat row-major list as nested lists of ``shape``."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def format_name(dtype: Any) -> str:
    """A float format as the output names it: the dtype, and for NumPy's long
    double the significand it has on this platform (``float128 (64-bit
    significand: x87 extended precision)``)."""
    import numpy as np

    name = str(dtype)
    if not _wide(dtype):
        return name
    p = int(np.finfo(dtype).nmant) + 1
    kind = "x87 extended precision" if p == 64 else "IEEE binary128" if p == 113 else "long double"
    return f"{name} ({p}-bit significand: {kind})"


def _describe(dtype: Any, count: int, max_denominator: int | None) -> str:
    if dtype.kind in "biu":
        return f"{count} integer values read exactly"
    if max_denominator is None:
        return f"{count} {format_name(dtype)} values converted exactly to the dyadic rationals they equal"
    return f"{count} {format_name(dtype)} values rounded to the nearest rational with denominator <= {max_denominator}"


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
        check_decimal_size(text, where)  # digits and exponent counted before any number is built
        try:
            q = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InputError(f"{text[:40]!r} is not a finite decimal", where) from None
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


def significand_bits(dtype_name: str) -> int | None:
    """p, the significand bits (implicit bit included) of a floating-point
    format named as NumPy names it on this platform; None if it is unknown.
    ``float128``/``float96`` are NumPy's long double (64 bits on x86, 113 for
    IEEE binary128), read from ``numpy.finfo``."""
    bits = {"float64": 53, "float32": 24, "float16": 11, "bfloat16": 8}
    if dtype_name in bits:
        return bits[dtype_name]
    if dtype_name in ("float128", "float96", "longdouble"):
        import numpy as np

        ld = np.dtype(np.longdouble)
        if dtype_name != "longdouble" and ld.name != dtype_name:
            return None  # not this platform's long double
        return int(np.finfo(ld).nmant) + 1
    return None


def unit_roundoff(dtype_name: str) -> Fraction:
    """u = 2^-p of a binary floating-point format (p = significand bits):
    2^-53 for float64, 2^-24 for float32, 2^-11 for float16, 2^-8 for bfloat16,
    2^-64 for float128 where it is x87 extended precision (:func:`significand_bits`)."""
    p = significand_bits(dtype_name)
    if p is None:
        raise InputError(f"unknown floating-point format {dtype_name!r}", "precision")
    return Fraction(1, 2**p)


def percent_text(k: int, n: int) -> str:
    """k / n as a percentage with one decimal, as a float program prints it (k / n in binary64,
    then ``.1%``); for display only (the CLI's share of active states)."""
    return f"{k / n:.1%}"

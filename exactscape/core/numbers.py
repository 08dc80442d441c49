"""Exact numbers: parsing from JSON input, canonical printing.

Grammar (proofs/FORMAT.md section 1): a JSON integer, or a string holding an
integer, a fraction ``p/q`` or a finite decimal (``0.125``, ``-2.5e-3``),
read exactly. JSON floats, NaN, Infinity, booleans and null are refused with
an :class:`~exactscape.errors.InputError` naming the field.

>>> parse_rational("-3/6", "y[0]")
Fraction(-1, 2)
>>> fmt(parse_rational("0.125", "x"))
'1/8'
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any

from ..errors import InputError, clip

_INT = re.compile(r"[+-]?[0-9]+\Z")
_FRAC = re.compile(r"[+-]?[0-9]+/[0-9]+\Z")
_DEC = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


MAX_EXPONENT = 4000  # decimal exponents beyond this are refused (they would build huge integers)
MAX_DIGITS = 4300
"""Numerators and denominators have at most this many decimal digits: in input
numbers (refused beyond it, exit 2) and in certificates (the checker's limit,
proofs/FORMAT.md 1). Python's default integer-string conversion limit."""
_DIGIT_BOUND = 10**MAX_DIGITS
CERTIFICATE_DIGITS = 100_000
"""Numerators and denominators in certificates have at most this many digits (the
checker's limit, proofs/FORMAT.md 1): exact results of inputs within MAX_DIGITS can
be longer than their inputs (a loss of a K = 20 cell on float data has about 5,000)."""


class JsonFloat:
    """Marker left by :func:`loads_exact` where the JSON text had a float."""

    def __init__(self, text: str) -> None:
        self.text = text


def loads_exact(text: str, where: str) -> Any:
    """Parse JSON keeping floats and NaN/Infinity as markers, never floats."""
    try:
        return json.loads(text, parse_float=JsonFloat, parse_constant=JsonFloat, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", where) from None
    except _DuplicateKey as exc:
        raise InputError(f"duplicate key {clip(str(exc.args[0]))} in a JSON object", where) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", where) from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        if "digits" in str(exc):
            raise InputError(
                f"a JSON integer is too large: more than {MAX_DIGITS} digits (the limit of exact numbers)", where
            ) from None
        raise InputError(f"unreadable JSON ({exc})", where) from None


def show_json(value: Any) -> str:
    """A parsed JSON value as it reads in the file (a float literal as written),
    clipped to 60 characters, for one-line messages."""
    text = json.dumps(value, default=lambda o: getattr(o, "text", type(o).__name__))
    return text if len(text) <= 60 else text[:57] + "..."


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def parse_rational(value: Any, where: str, *, decimals: bool = True) -> Fraction:
    """Read one exact number; ``where`` names the field in error messages."""
    if isinstance(value, bool) or value is None:
        raise InputError(f"expected an exact number, got {json.dumps(value)}", where)
    if isinstance(value, int):
        return _within_digits(Fraction(value), where)
    if isinstance(value, JsonFloat):
        t = value.text
        if t in ("NaN", "Infinity", "-Infinity"):
            raise InputError(f"{t} is not a finite exact number", where)
        raise InputError(f'JSON float {t} is not exact; write it as a string ("{t}") or a fraction "p/q"', where)
    if isinstance(value, str):
        try:
            return _within_digits(_parse_text(value, where, decimals), where)
        except ValueError:  # beyond Python's integer digit limit
            raise InputError(
                f"number too large: more than {MAX_DIGITS} digits (the limit of exact numbers)", where
            ) from None
    raise InputError(f"expected an exact number, got {type(value).__name__}", where)


def too_long(q: Fraction, digits: int = MAX_DIGITS) -> bool:
    """True iff the numerator or denominator of q has more than ``digits`` digits."""
    if digits == MAX_DIGITS:
        return bool(abs(q.numerator) >= _DIGIT_BOUND or q.denominator >= _DIGIT_BOUND)
    return max(abs(q.numerator).bit_length(), q.denominator.bit_length()) * 30103 // 100000 >= digits


def _within_digits(q: Fraction, where: str) -> Fraction:
    if too_long(q):
        raise InputError(
            f"number too large: numerator or denominator has more than {MAX_DIGITS} digits "
            "(the limit of exact numbers, proofs/FORMAT.md 1)",
            where,
        )
    return q


def check_decimal_size(text: str, where: str) -> None:
    """Refuse a decimal literal (``[+-]digits[.digits][e[+-]digits]``) whose
    mantissa has more than MAX_DIGITS digits or whose exponent is beyond
    +-MAX_EXPONENT, by counting characters (time linear in its length) before
    any number is built: building it first costs a power of ten as long as the
    literal (15 million digits take about 20 s)."""
    mant, _, exp = text.strip().lower().partition("e")
    digits = len(mant) - mant.count(".") - (1 if mant[:1] in ("+", "-") else 0)
    if digits > MAX_DIGITS:
        raise InputError(
            f"decimal {clip(text)} has {digits} digits, more than {MAX_DIGITS} (the limit of exact numbers)", where
        )
    body = exp.lstrip("+-")
    if exp and (len(body) > 6 or not body.isdigit() or int(body) > MAX_EXPONENT):
        raise InputError(f"exponent of {clip(text)} is beyond +-{MAX_EXPONENT}", where)


def _parse_text(value: str, where: str, decimals: bool) -> Fraction:
    """The string forms of :func:`parse_rational` (ASCII digits only)."""
    s = value.strip()
    if _INT.match(s):
        return Fraction(int(s))
    if _FRAC.match(s):
        p, q = s.split("/")
        if int(q) == 0:
            raise InputError(f"zero denominator in {clip(value)}", where)
        return Fraction(int(p), int(q))
    if decimals and _DEC.match(s):
        check_decimal_size(s, where)
        return Fraction(s)
    raise InputError(f'{clip(value)} is not an exact number (integer, "p/q" or finite decimal)', where)


_BIG = 10**4000


def int_text(n: int) -> str:
    """str(n) for integers of any size, without raising the interpreter's
    4,300-digit conversion limit (divide and conquer on powers of ten)."""
    if -_BIG < n < _BIG:
        return str(n)
    if n < 0:
        return "-" + int_text(-n)
    k = 1
    while 10 ** (2 * k) <= n:
        k *= 2
    hi, lo = divmod(n, 10**k)
    low = int_text(lo)
    return int_text(hi) + "0" * (k - len(low)) + low


class OverLong(str):
    """Stands, in place of its text, for a rational whose numerator or
    denominator has more than MAX_DIGITS digits (which a certificate cannot
    carry). Certificate builders look for it with :func:`find_overlong`."""

    digits: int

    def __new__(cls, digits: int) -> OverLong:
        obj = super().__new__(cls, f"<a number of about {digits} digits>")
        obj.digits = digits
        return obj


def _approx_digits(n: int) -> int:
    """Decimal digits of |n|, from its bit length (within one): bits * log10(2)."""
    return abs(n).bit_length() * 30103 // 100000 + 1


def fmt(q: Fraction | int) -> str:
    """Canonical text of a rational: ``"p/q"`` in lowest terms, ``"p"`` if q = 1.

    Beyond CERTIFICATE_DIGITS digits the text is an :class:`OverLong` marker instead
    (no certificate may hold it).
    """
    q = Fraction(q)
    if too_long(q, CERTIFICATE_DIGITS):
        return OverLong(max(_approx_digits(q.numerator), _approx_digits(q.denominator)))
    return int_text(q.numerator) if q.denominator == 1 else f"{int_text(q.numerator)}/{int_text(q.denominator)}"


def find_overlong(obj: Any, path: str = "") -> tuple[str, OverLong] | None:
    """The first :class:`OverLong` in a JSON-like object and its path (``claim.loss``,
    ``cases[2].solution[0][1]``), or None."""
    if isinstance(obj, OverLong):
        return path, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            hit = find_overlong(v, f"{path}.{k}" if path else str(k))
            if hit is not None:
                return hit
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            hit = find_overlong(v, f"{path}[{i}]")
            if hit is not None:
                return hit
    return None


def fmt_vec(v: Any) -> list[str]:
    """Canonical text of a vector of rationals."""
    return [fmt(x) for x in v]


def fmt_mat(m: Any) -> list[list[str]]:
    """Canonical text of a matrix (sequence of rows) of rationals."""
    return [fmt_vec(row) for row in m]

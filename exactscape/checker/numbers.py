"""Exact numbers in certificates (FORMAT.md section 1) and the JSON reader.

A certificate number is a JSON integer or a string ``"p"`` / ``"p/q"`` in
canonical form: lowest terms, q > 1 when written, no sign other than a
leading ``-`` on a non-zero numerator, no leading zeros, no spaces. JSON
floats, ``NaN``, ``Infinity``, booleans and ``null`` are refused with an error
naming the field. The JSON reader never creates a float: floats and the
non-standard constants are kept as marker objects, so that the checker can
refuse them where a number is expected and name the field.

>>> rational("-3/4", "X[0][0]")
Fraction(-3, 4)
>>> rational(7, "y[1]")
Fraction(7, 1)
>>> rational("2/4", "y[0]")
Traceback (most recent call last):
...
exactscape.checker.errors.CertificateError: y[0]: non-canonical fraction '2/4' (not in lowest terms)
>>> show(Fraction(5, 2))
'5/2'
"""

import json
from dataclasses import dataclass
from fractions import Fraction

from .errors import CertificateError, UnreadableError
from .readfile import decode_text

_SHOW_LIMIT = 60
MAX_DIGITS = 100_000
"""Numerators and denominators of certificate numbers have at most this many
decimal digits (FORMAT.md 1); they are read without the interpreter's 4,300-digit
conversion limit (:func:`digits_to_int`)."""
_DIGIT_BOUND = 10**4000  # beyond this, messages describe an integer instead of printing it
_CHUNK = 4000  # below Python's default int/str conversion limit


def digits_to_int(text: str) -> int:
    """int(text) for a string of decimal digits of any length up to MAX_DIGITS,
    without raising the interpreter's conversion limit (divide and conquer)."""
    if len(text) <= _CHUNK:
        return int(text)
    half = len(text) // 2
    low = text[-half:]
    high: int = digits_to_int(text[:-half])
    scale: int = 10 ** len(low)
    return high * scale + digits_to_int(low)


@dataclass(frozen=True)
class JsonFloat:
    """A JSON number with a fraction or exponent part, kept as its text."""

    text: str


@dataclass(frozen=True)
class JsonConstant:
    """One of the non-standard JSON constants ``NaN``, ``Infinity``, ``-Infinity``."""

    text: str


class _DuplicateKey(ValueError):
    """An object names the same key twice (ambiguous JSON)."""


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Build a JSON object, refusing a repeated key."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"duplicate key {ascii(key)}")
        out[key] = value
    return out


def load_json(data: bytes | str) -> object:
    """Parse JSON text without creating floats (FORMAT.md sections 1 and 6).

    Raises :class:`UnreadableError` when the text is not JSON (including a
    repeated key in one object, or nesting too deep for the parser).

    >>> load_json('{"a": [1, 0.5, NaN]}')
    {'a': [1, JsonFloat(text='0.5'), JsonConstant(text='NaN')]}
    """
    if isinstance(data, bytes):
        data = decode_text(data)  # UTF-8 without BOM only (readfile.py)
    try:
        return json.loads(
            data,
            parse_float=JsonFloat,
            parse_constant=JsonConstant,
            object_pairs_hook=_unique_pairs,
        )
    except RecursionError:
        raise UnreadableError("not JSON: nesting too deep") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, digit limits
        raise UnreadableError(f"not JSON: {exc}") from None


def clip(text: str) -> str:
    """Shorten a text for a message."""
    if len(text) <= _SHOW_LIMIT:
        return text
    return text[: _SHOW_LIMIT - 3] + "..."


def integer_text(n: int) -> str:
    """Decimal text of an integer for a message; beyond 4,000 digits (which
    Python refuses to print at its default limit) a description instead."""
    if abs(n) >= _DIGIT_BOUND:
        return f"<about {abs(n).bit_length() * 30103 // 100000 + 1} digits>"
    return str(n)


def show(value: Fraction) -> str:
    """Canonical text of a rational (FORMAT.md 1), clipped for messages."""
    if value.denominator == 1:
        return clip(integer_text(value.numerator))
    return clip(f"{integer_text(value.numerator)}/{integer_text(value.denominator)}")


def describe(value: object) -> str:
    """A short description of a JSON value found where something else was expected."""
    if isinstance(value, JsonFloat):
        return f"JSON float {clip(value.text)}"
    if isinstance(value, JsonConstant):
        return value.text
    if isinstance(value, bool):
        return "boolean " + ("true" if value else "false")
    if value is None:
        return "null"
    if isinstance(value, int):
        return f"integer {clip(integer_text(value))}"
    if isinstance(value, float):
        return f"float {clip(repr(value))}"
    if isinstance(value, str):
        return f"string {clip(ascii(value))}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _is_digits(text: str) -> bool:
    """Only the ASCII digits 0-9, at least one (str.isdigit alone would accept other scripts' digits)."""
    return bool(text) and text.isascii() and text.isdigit()


def _parse_string(text: str, path: str) -> Fraction:
    """Read a canonical ``"p"`` or ``"p/q"`` string (FORMAT.md 1)."""
    negative = text.startswith("-")
    body = text[1:] if negative else text
    num, slash, den = body.partition("/")
    if not _is_digits(num) or (slash and not _is_digits(den)):
        raise CertificateError(path, f"string {clip(ascii(text))} is not an integer or a 'p/q' fraction")
    if (len(num) > 1 and num[0] == "0") or (slash and den[0] == "0"):
        raise CertificateError(path, f"non-canonical number {clip(ascii(text))} (leading zero or zero denominator)")
    if len(num) > MAX_DIGITS or len(den) > MAX_DIGITS:
        raise CertificateError(
            path, f"number has too many digits (more than {MAX_DIGITS} in its numerator or denominator)"
        )
    p = digits_to_int(num)
    q = digits_to_int(den) if slash else 1
    if negative and p == 0:
        raise CertificateError(path, "non-canonical number '-0'")
    if slash and q == 1:
        raise CertificateError(path, f"non-canonical fraction {clip(ascii(text))} (denominator 1)")
    value = Fraction(-p if negative else p, q)
    if value.denominator != q:
        raise CertificateError(path, f"non-canonical fraction {clip(ascii(text))} (not in lowest terms)")
    return value


_SHORT: dict[str, Fraction] = {}
"""Short strings already read as canonical numbers (a null-space basis repeats "0", "1" and
"-1" millions of times); only strings that passed every check of FORMAT.md 1 are remembered."""
SHORT_TEXT = 24
SHORT_ENTRIES = 100_000


def rational(value: object, path: str) -> Fraction:
    """A certificate number at ``path`` (FORMAT.md 1): JSON integer or canonical string."""
    if isinstance(value, bool):
        raise CertificateError(path, f"{describe(value)} refused where a number is expected")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        hit = _SHORT.get(value)
        if hit is not None:
            return hit
        out = _parse_string(value, path)
        if len(value) <= SHORT_TEXT and len(_SHORT) < SHORT_ENTRIES:
            _SHORT[value] = out
        return out
    raise CertificateError(path, f"{describe(value)} refused where a number is expected")


def known_rational(value: object) -> Fraction | None:
    """``value`` read as a number if it is a short string already read (else None: the caller
    reads it with :func:`rational`, which names the path of an error)."""
    return _SHORT.get(value) if isinstance(value, str) else None


def integer(value: object, path: str, low: int | None = None, high: int | None = None) -> int:
    """A JSON integer (not a boolean) at ``path`` with ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise CertificateError(path, f"expected an integer, found {describe(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise CertificateError(path, f"integer {clip(integer_text(value))} out of range {lo}..{hi}")
    return value


def boolean(value: object, path: str) -> bool:
    """A JSON ``true`` or ``false`` at ``path``."""
    if not isinstance(value, bool):
        raise CertificateError(path, f"expected true or false, found {describe(value)}")
    return value

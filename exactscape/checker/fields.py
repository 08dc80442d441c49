"""Structure of certificate JSON (FORMAT.md 2 and 3): objects with exact key
sets, lists of fixed length, the sparse keyed lists used for multipliers and
curves, patterns (2.3; FORMAT 4.2 check 1) and the comparison of a claim with
what the checker derived.

FORMAT.md section 3: unknown fields anywhere are rejected. Every helper
raises :class:`CertificateError` naming the offending path; paths join object
keys with dots and write list indices in brackets (``rank.combinations[3][1]``).
"""

from fractions import Fraction

from .errors import CertificateError
from .numbers import clip, describe, integer, integer_text, known_rational, rational, show


def at(path: str, key: str) -> str:
    """The path of field ``key`` inside the object at ``path``."""
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    """The path of entry ``index`` of the list at ``path``."""
    return f"{path}[{index}]"


def record(
    value: object,
    path: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> dict[str, object]:
    """An object with all of ``required``, possibly some of ``optional``, nothing else."""
    if not isinstance(value, dict):
        raise CertificateError(path, f"expected an object, found {describe(value)}")
    for key in value:
        if key not in required and key not in optional:
            raise CertificateError(path, f"unknown field {clip(ascii(key))}")
    for key in required:
        if key not in value:
            raise CertificateError(path, f"missing field {ascii(key)}")
    return {str(key): field for key, field in value.items()}


def array(
    value: object,
    path: str,
    length: int | None = None,
    min_length: int = 0,
) -> list[object]:
    """A JSON list, of exactly ``length`` entries when given, at least ``min_length``."""
    if not isinstance(value, list):
        raise CertificateError(path, f"expected a list, found {describe(value)}")
    if length is not None and len(value) != length:
        raise CertificateError(path, f"expected {length} entries, found {len(value)}")
    if len(value) < min_length:
        raise CertificateError(path, f"expected at least {min_length} entries, found {len(value)}")
    return list(value)


def vector(value: object, path: str, length: int) -> list[Fraction]:
    """A list of ``length`` certificate numbers (FORMAT.md 1)."""
    entries = array(value, path, length)
    out: list[Fraction] = []
    for i, entry in enumerate(entries):
        v = known_rational(entry)  # the path string is built only for numbers not yet seen
        out.append(v if v is not None else rational(entry, item(path, i)))
    return out


def matrix(value: object, path: str, rows: int, cols: int) -> list[list[Fraction]]:
    """A ``rows`` x ``cols`` list of lists of certificate numbers."""
    entries = array(value, path, rows)
    return [vector(row, item(path, i), cols) for i, row in enumerate(entries)]


def keyed(
    value: object,
    path: str,
    bounds: tuple[int, ...],
    min_length: int = 0,
) -> list[tuple[tuple[int, ...], object, str]]:
    """Entries ``[k_1, ..., k_n, payload]`` with integer keys ``0 <= k_a < bounds[a]``.

    The keys must be strictly increasing in lexicographic order (FORMAT.md
    4.2 and 5.3). Returns ``(keys, payload, payload_path)`` per entry; the
    payload is left to the caller.
    """
    entries = array(value, path, min_length=min_length)
    out: list[tuple[tuple[int, ...], object, str]] = []
    previous: tuple[int, ...] | None = None
    for n, entry in enumerate(entries):
        entry_path = item(path, n)
        parts = array(entry, entry_path, len(bounds) + 1)
        keys = tuple(integer(parts[a], item(entry_path, a), 0, bound - 1) for a, bound in enumerate(bounds))
        if previous is not None and keys <= previous:
            raise CertificateError(
                entry_path, f"key {_key_text(keys)} not after {_key_text(previous)} (keys must be strictly increasing)"
            )
        previous = keys
        out.append((keys, parts[-1], item(entry_path, len(bounds))))
    return out


def _key_text(keys: tuple[int, ...]) -> str:
    return str(keys[0]) if len(keys) == 1 else "(" + ", ".join(map(str, keys)) + ")"


def parse_pattern(value: object, path: str, n: int) -> list[list[int]]:
    """FORMAT 4.2 (1), pattern (2.3): N rows of K >= 1 entries, each the integer 0 or 1."""
    rows = array(value, path, n)
    k = len(array(rows[0], item(path, 0), min_length=1))
    pattern: list[list[int]] = []
    for i, row in enumerate(rows):
        r_path = item(path, i)
        pattern.append([integer(e, item(r_path, j), 0, 1) for j, e in enumerate(array(row, r_path, k))])
    return pattern


def _text(value: object) -> str:
    """A claim value as it reads in JSON, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Fraction):
        return show(value)
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, int):
        return integer_text(value)
    return str(value)


def compare(path: str, claimed: object, derived: object) -> None:
    """Require a claim field to equal what the checker derived (FORMAT.md 3: never trust a claim)."""
    if claimed != derived:
        raise CertificateError(path, f"claimed {_text(claimed)}, derived {_text(derived)}")

"""Single-field corruptions of a JSON certificate, for the mutation tests."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

Path_ = tuple[Any, ...]


def _get(obj: Any, path: Path_) -> Any:
    for k in path:
        obj = obj[k]
    return obj


def _set(obj: Any, path: Path_, value: Any) -> Any:
    out = copy.deepcopy(obj)
    parent = _get(out, path[:-1])
    parent[path[-1]] = value
    return out


def _delete(obj: Any, path: Path_) -> Any:
    out = copy.deepcopy(obj)
    parent = _get(out, path[:-1])
    del parent[path[-1]]
    return out


class FloatText(float):
    """Serialised by json as a float literal."""


def _value_mutants(v: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(v, bool):
        yield "flip", not v
        yield "as-int", int(v)
    elif isinstance(v, int):
        yield "plus-one", v + 1
        yield "minus-one", v - 1
        yield "as-string-float", FloatText(v + 0.5)
        yield "negated", -v - 1
    elif isinstance(v, str):
        try:
            q = Fraction(v)
        except ValueError:
            yield "other-text", v + "x"
            yield "empty", ""
            return
        yield "plus-one", _fmt(q + 1)
        yield "halved", _fmt(q / 2) if q else "1"
        yield "negated", _fmt(-q) if q else "-1"
        yield "non-canonical", f"{2 * q.numerator}/{2 * q.denominator}"
        yield "float", FloatText(float(q) + 0.25)
        yield "garbage", "1/0"
    elif v is None:
        yield "zero", 0
        yield "list", []
    yield "null", None if v is not None else "null"


def _fmt(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def mutants(cert: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every single-field corruption: leaf values changed, keys dropped or added,
    list elements dropped or duplicated."""

    def walk(node: Any, path: Path_) -> Iterator[tuple[str, dict[str, Any]]]:
        where = "/".join(map(str, path)) or "<root>"
        if isinstance(node, dict):
            for k in list(node):
                yield f"{where}: drop key {k}", _delete(cert, (*path, k))
                yield from walk(node[k], (*path, k))
            yield f"{where}: extra key", _set(cert, (*path, "extra"), 1) if path or True else cert
        elif isinstance(node, list):
            if node:
                yield f"{where}: drop last", _set(cert, path, node[:-1]) if path else cert
                yield f"{where}: duplicate first", _set(cert, path, [node[0], *node]) if path else cert
                if len(node) > 1:
                    yield f"{where}: swap first two", _set(cert, path, [node[1], node[0], *node[2:]]) if path else cert
            else:
                yield f"{where}: add element", _set(cert, path, [0])
            for i, v in enumerate(node):
                yield from walk(v, (*path, i))
        else:
            for name, new in _value_mutants(node):
                yield f"{where}: {name}", _set(cert, path, new)

    yield from walk(cert, ())

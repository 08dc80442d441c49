"""Reading the model's files: the one :func:`load_instance` of every command, and the
exact JSON weights and patterns (proofs/FORMAT.md section 2).

Instances are exact JSON or float arrays (``.npz``/``.npy``/``.csv``, converted
exactly by :mod:`exactscape.floats.files`); weights and patterns are exact JSON
(trained float weights: :mod:`exactscape.floats.weights`). Every byte comes
through :mod:`exactscape.io.inputs`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..core.model import Instance, Pattern, Weights, instance_from_json, pattern_from_json, weights_from_json
from ..core.numbers import loads_exact
from ..errors import InputError
from .inputs import describe_path, read_text

T = TypeVar("T")

ARRAY_SUFFIXES = (".npz", ".npy", ".csv")
"""File name suffixes read as arrays; every other instance file is exact JSON."""

BINARY_SUFFIXES = (".npy", ".npz", ".pt", ".pth", ".pkl", ".pickle")
"""File name suffixes of binary array files, which no exact JSON reader opens."""


def load_json_file(path: str | Path) -> Any:
    """An exact JSON input file (a regular file within the size cap, UTF-8
    without BOM: :func:`exactscape.io.inputs.read_text`), floats kept as markers."""
    p = Path(path)
    if p.suffix.lower() in BINARY_SUFFIXES:
        raise InputError(
            f"a {p.suffix} file is not exact JSON: exact weights and patterns are JSON files "
            "(float arrays are read as instances, and as weights by crosscheck and compare)",
            describe_path(p),
        )
    return loads_exact(read_text(p), describe_path(p))


def load_instance(path: str | Path) -> Instance:
    """Read an instance: ``.npz``/``.npy``/``.csv`` through the exact float conversion of
    :mod:`exactscape.floats.files` (NumPy loads only then), anything else as exact JSON."""
    p = Path(path)
    if p.suffix in ARRAY_SUFFIXES:
        from ..floats.files import instance_from_numpy_file

        return instance_from_numpy_file(p)
    return _located(instance_from_json, load_json_file(p), p)


def load_weights(path: str | Path) -> Weights:
    p = Path(path)
    return _located(weights_from_json, load_json_file(p), p)


def load_pattern(path: str | Path) -> Pattern:
    p = Path(path)
    return _located(pattern_from_json, load_json_file(p), p)


def _located(fn: Callable[[Any, str], T], obj: Any, p: Path) -> T:
    shown = describe_path(p)  # control characters escaped: the message stays one line
    try:
        return fn(obj, shown)
    except InputError as exc:
        if exc.where and not exc.where.startswith(shown):
            raise InputError(str(exc), shown) from None
        raise

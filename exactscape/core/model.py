"""Instances, weights and activation patterns (theory.md §1), and their JSON I/O.

All three are frozen dataclasses of exact rationals (:class:`fractions.Fraction`).
Input formats are documented in proofs/FORMAT.md section 2; the files are read by
:mod:`exactscape.io.instances`. Floats never get here: array files are converted exactly
by :mod:`exactscape.floats.files` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any

from ..errors import InputError, clip
from .numbers import fmt_mat, fmt_vec, parse_rational, show_json

Vec = tuple[Fraction, ...]
Mat = tuple[Vec, ...]


_OPTIONAL_TEXT = ("name", "description", "source", "notes")


def _exact_vec(v: Any, where: str) -> Vec:
    """Entries as Fractions; floats, booleans and other types are refused (the
    exact core never sees a float: convert floats with exactscape.floats.convert)."""
    out = []
    for i, x in enumerate(v):
        if isinstance(x, bool) or not isinstance(x, (int, Fraction)):
            raise InputError(
                f"{type(x).__name__} {x!r} is not an exact number (use int or Fraction; "
                "floats go through exactscape.floats.convert)",
                f"{where}[{i}]",
            )
        out.append(Fraction(x))
    return tuple(out)


@dataclass(frozen=True)
class Instance:
    """N samples ``X`` (N x d0) with labels ``y``; ``bias`` appends a trailing 1,
    so the network sees x_i in Q^d with d = d0 + 1 (theory.md §1)."""

    X: Mat
    y: Vec
    bias: bool = True
    name: str = ""
    provenance: str = field(default="exact", compare=False)

    def __post_init__(self) -> None:
        if len(self.X) == 0:
            raise InputError("an instance needs at least one sample", "X")
        object.__setattr__(self, "X", tuple(_exact_vec(r, f"X[{i}]") for i, r in enumerate(self.X)))
        object.__setattr__(self, "y", _exact_vec(self.y, "y"))
        d0 = len(self.X[0])
        if d0 == 0:
            raise InputError("samples need at least one coordinate (d0 >= 1)", "X[0]")
        for i, row in enumerate(self.X):
            if len(row) != d0:
                raise InputError(f"row has {len(row)} entries, row 0 has {d0}", f"X[{i}]")
        if len(self.y) != len(self.X):
            raise InputError(f"{len(self.y)} labels for {len(self.X)} samples", "y")

    @property
    def N(self) -> int:
        return len(self.X)

    @property
    def d0(self) -> int:
        return len(self.X[0])

    @property
    def d(self) -> int:
        return self.d0 + (1 if self.bias else 0)

    @property
    def xs(self) -> Mat:
        """The augmented samples x_i (with the trailing 1 when ``bias``)."""
        one = (Fraction(1),) if self.bias else ()
        return tuple(tuple(r) + one for r in self.X)

    def to_json(self) -> dict[str, Any]:
        """Canonical exact JSON form, as embedded in certificates."""
        return {"X": fmt_mat(self.X), "y": fmt_vec(self.y), "bias": self.bias}


@dataclass(frozen=True)
class Weights:
    """Output weights z (K) and hidden weights w (K x d)."""

    z: Vec
    w: Mat

    def __post_init__(self) -> None:
        object.__setattr__(self, "z", _exact_vec(self.z, "z"))
        object.__setattr__(self, "w", tuple(_exact_vec(r, f"w[{j}]") for j, r in enumerate(self.w)))
        if len(self.z) == 0:
            raise InputError("a network needs at least one neuron", "z")
        if len(self.w) != len(self.z):
            raise InputError(f"{len(self.w)} rows of w for {len(self.z)} entries of z", "w")
        d = len(self.w[0])
        for j, row in enumerate(self.w):
            if len(row) != d:
                raise InputError(f"row has {len(row)} entries, row 0 has {d}", f"w[{j}]")

    @property
    def K(self) -> int:
        return len(self.z)

    def check_against(self, inst: Instance) -> None:
        """Refuse weights whose rows do not have the instance's length d."""
        if len(self.w[0]) != inst.d:
            extra = " (the last entry is the bias)" if inst.bias else " (the instance has no bias)"
            raise InputError(f"each row of w needs d = {inst.d} entries{extra}, got {len(self.w[0])}", "w[0]")

    def to_json(self) -> dict[str, Any]:
        return {"z": fmt_vec(self.z), "w": fmt_mat(self.w)}


@dataclass(frozen=True)
class Pattern:
    """Activation pattern I in {0,1}^{N x K}: I[i][j] = 1 iff w_j . x_i > 0."""

    I: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.I) == 0 or len(self.I[0]) == 0:
            raise InputError("a pattern needs at least one sample and one neuron", "I")
        K = len(self.I[0])
        for i, row in enumerate(self.I):
            if len(row) != K:
                raise InputError(f"row has {len(row)} entries, row 0 has {K}", f"I[{i}]")
            for j, v in enumerate(row):
                if v not in (0, 1) or isinstance(v, bool):
                    raise InputError(f"entries must be 0 or 1, got {v!r}", f"I[{i}][{j}]")

    @property
    def N(self) -> int:
        return len(self.I)

    @property
    def K(self) -> int:
        return len(self.I[0])

    def column(self, j: int) -> tuple[int, ...]:
        return tuple(row[j] for row in self.I)

    def check_against(self, inst: Instance) -> None:
        if self.N != inst.N:
            raise InputError(f"pattern has {self.N} rows, the instance has N = {inst.N} samples", "I")

    def to_json(self) -> list[list[int]]:
        return [list(r) for r in self.I]


def dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    """Exact inner product a . b = sum_i a_i b_i (the one of the package)."""
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))


def pattern_of(inst: Instance, wts: Weights) -> tuple[Pattern, list[tuple[int, int]]]:
    """The activation pattern of ``wts`` and the pairs (j, i) with w_j . x_i = 0.

    Signs are computed in integers: x_i and w_j are scaled to integers by positive
    common denominators, which changes no sign (zero entries skipped)."""
    wts.check_against(inst)
    xs = inst.xs
    xden = lcm(*{v.denominator for x in xs for v in x})
    zrows = [[(k, v.numerator * (xden // v.denominator)) for k, v in enumerate(x) if v] for x in xs]
    wint = []
    for wj in wts.w:
        wden = lcm(*{v.denominator for v in wj})
        wint.append([v.numerator * (wden // v.denominator) for v in wj])
    on: list[tuple[int, int]] = []
    rows = []
    for i, z in enumerate(zrows):
        row = []
        for j, wz in enumerate(wint):
            s = sum(a * wz[k] for k, a in z)
            if s == 0:
                on.append((j, i))
            row.append(1 if s > 0 else 0)
        rows.append(tuple(row))
    on.sort()
    return Pattern(tuple(rows)), on


# ---------------------------------------------------------------- JSON readers


def _envelope(obj: Any, fmt_name: str, where: str, fields: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InputError(f'expected a JSON object with "format": "{fmt_name}"', where)
    got = obj.get("format")
    if got != fmt_name:
        raise InputError(f'"format" is {show_json(got)}, expected "{fmt_name}"', where)
    ver = obj.get("version")
    if isinstance(ver, bool) or ver not in (1, "1"):
        raise InputError(f"unsupported version {show_json(ver)} of {fmt_name} (this exactscape reads version 1)", where)
    allowed = {"format", "version", *fields, *_OPTIONAL_TEXT}
    for k in obj:
        if k not in allowed:
            raise InputError(f"unknown field {clip(str(k))}", where)
    return obj


def _need(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise InputError(f'missing field "{key}"', where)
    return obj[key]


def _vector(v: Any, where: str) -> Vec:
    if not isinstance(v, list):
        raise InputError("expected a list of numbers", where)
    return tuple(parse_rational(x, f"{where}[{i}]") for i, x in enumerate(v))


def _matrix(m: Any, where: str) -> Mat:
    if not isinstance(m, list) or not m:
        raise InputError("expected a non-empty list of rows", where)
    return tuple(_vector(r, f"{where}[{i}]") for i, r in enumerate(m))


def instance_from_json(obj: Any, where: str = "instance") -> Instance:
    """Build an :class:`Instance` from a parsed instance document (FORMAT 2.1)."""
    obj = _envelope(obj, "exactscape-instance", where, ("X", "y", "bias"))
    bias = obj.get("bias", True)
    if not isinstance(bias, bool):
        raise InputError('"bias" must be true or false', f"{where}: bias")
    name = obj.get("name", "")
    return Instance(
        X=_matrix(_need(obj, "X", where), "X"),
        y=_vector(_need(obj, "y", where), "y"),
        bias=bias,
        name=name if isinstance(name, str) else "",
    )


def weights_from_json(obj: Any, where: str = "weights") -> Weights:
    obj = _envelope(obj, "exactscape-weights", where, ("z", "w"))
    return Weights(z=_vector(_need(obj, "z", where), "z"), w=_matrix(_need(obj, "w", where), "w"))


def pattern_from_json(obj: Any, where: str = "pattern") -> Pattern:
    obj = _envelope(obj, "exactscape-pattern", where, ("I",))
    rows = _need(obj, "I", where)
    if not isinstance(rows, list) or not rows:
        raise InputError("expected a non-empty list of rows", "I")
    out = []
    for i, r in enumerate(rows):
        if not isinstance(r, list):
            raise InputError("expected a list of 0/1", f"I[{i}]")
        for j, v in enumerate(r):
            if isinstance(v, bool) or not isinstance(v, int):
                raise InputError(f"entries must be the integers 0 or 1, got {v!r}", f"I[{i}][{j}]")
        out.append(tuple(r))
    return Pattern(tuple(out))

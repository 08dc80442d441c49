"""Import trained float weights: JSON with floats, NumPy ``.npz``,
PyTorch ``state_dict`` files.

This module only *reads* files into arrays or float literals; every
conversion of a float into a rational happens in :mod:`exactscape.floats.convert`
(exact dyadic by default, or a stated rounding), and the returned
:class:`FloatWeights` carries the sentence saying how. The exact JSON reader
(:func:`exactscape.io.instances.load_weights`) still refuses floats: this is a
separate, explicitly float path.

Layouts accepted (d = d0 + 1 with a bias, the bias being the last entry of
each w_j, as in proofs/FORMAT.md 2.2):

* float JSON: ``{"format": "exactscape-weights", "version": 1, "z": [...],
  "w": [[...], ...]}`` whose numbers may be JSON floats (also accepted
  without the envelope); exact strings ("p/q", decimals) keep their exact
  value;
* ``.npz``: arrays ``z`` (K) and ``w`` (K x d); or ``W1`` (K x d0),
  optional ``b1`` (K) and ``W2`` (1 x K or K), the weights of
  ``x -> W2 relu(W1 x + b1)``;
* PyTorch: a ``state_dict`` (saved with ``torch.save``) of
  ``nn.Sequential(nn.Linear(d0, K), nn.ReLU(), nn.Linear(K, 1, bias=False))``,
  keys ``0.weight`` (K x d0), ``0.bias`` (K, absent when the first layer has
  no bias) and ``2.weight`` (1 x K). Loaded with ``weights_only=True``
  (no code from the file is run). torch is an optional extra.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..core.model import Weights
from ..core.numbers import JsonFloat, loads_exact, parse_rational, show_json
from ..errors import InputError
from ..io.inputs import describe_path, read_bytes, read_text
from . import convert
from .files import read_npz

PRECISIONS = ("float128", "float96", "float64", "float32", "float16", "bfloat16")
"""Float formats of weights files, finest first (float128/float96: NumPy's long double)."""


@dataclass(frozen=True)
class FloatWeights:
    """Exact weights read from a float source, how they were read, and the
    floating-point format the producing program computed in (for the
    robustness model of :mod:`exactscape.landscape.crosscheck`)."""

    weights: Weights
    provenance: str
    precision: str


def _number(v: Any, where: str, mode: str) -> tuple[Fraction, bool]:
    """(value, came_from_float)."""
    if isinstance(v, JsonFloat):
        if v.text in ("NaN", "Infinity", "-Infinity"):
            raise InputError(f"{v.text} is not a finite number", where)
        return convert.float_text_to_rational(v.text, where, mode), True
    return parse_rational(v, where), False


def float_weights_from_json_text(text: str, where: str, mode: str = "binary64") -> FloatWeights:
    """Weights from JSON text whose numbers may be floats (module docstring)."""
    # the exact readers' JSON rules: duplicate keys refused, integers of at most
    # 4300 digits; float literals kept as text until exactscape.floats.convert reads them
    obj = loads_exact(text, where)
    if not isinstance(obj, dict):
        raise InputError('expected a JSON object with fields "z" and "w"', where)
    if "format" in obj and obj["format"] != "exactscape-weights":
        raise InputError(f'"format" is {show_json(obj["format"])}, expected "exactscape-weights"', where)
    ver = obj.get("version", 1)
    if isinstance(ver, bool) or ver not in (1, "1", "1.0"):
        raise InputError(f"unsupported version {show_json(ver)} of exactscape-weights", where)
    allowed = {"format", "version", "z", "w", "name", "description", "source", "notes"}
    for k in obj:
        if k not in allowed:
            raise InputError(f"unknown field {k!r}", where)
    zs, ws = obj.get("z"), obj.get("w")
    if not isinstance(zs, list) or not isinstance(ws, list) or not ws:
        raise InputError('needs a list "z" and a non-empty list of rows "w"', where)
    nfloat = 0
    z = []
    for j, v in enumerate(zs):
        q, f = _number(v, f"{where}: z[{j}]", mode)
        z.append(q)
        nfloat += f
    w = []
    for j, row in enumerate(ws):
        if not isinstance(row, list):
            raise InputError("expected a list of numbers", f"{where}: w[{j}]")
        r = []
        for l, v in enumerate(row):
            q, f = _number(v, f"{where}: w[{j}][{l}]", mode)
            r.append(q)
            nfloat += f
        w.append(tuple(r))
    how = (
        "converted exactly to the binary64 (dyadic) rationals they denote"
        if mode == "binary64"
        else "read exactly as the decimal numbers written"
    )
    note = f"{where}: {nfloat} JSON float literal(s) {how}; other numbers read exactly"
    return FloatWeights(Weights(z=tuple(z), w=tuple(w)), note, "float64")


def _with_precision(note: str, precision: str) -> str:
    """The provenance sentence with the weights' float format and its unit roundoff (what the
    robustness model assumes unless ``--precision`` names another)."""
    p = convert.significand_bits(precision)
    return f"{note}; file format {precision} (unit roundoff 2^-{p}; the robustness model's by default)" if p else note


def _precision(*arrays: Any) -> str:
    import numpy as np

    names = {str(np.asarray(a).dtype) for a in arrays}
    for p in PRECISIONS[::-1]:  # the coarsest format present bounds the error
        if p in names:
            return p
    return "float64"


def _from_layers(W1: Any, b1: Any | None, W2: Any, source: str, max_denominator: int | None) -> FloatWeights:
    import numpy as np

    W1a, W2a = np.asarray(W1), np.asarray(W2)
    if W1a.ndim != 2:
        raise InputError(f"first-layer weight must be K x d0, got shape {W1a.shape}", source)
    K = W1a.shape[0]
    if W2a.shape not in ((K,), (1, K)):
        raise InputError(f"output weight must have shape (1, {K}) or ({K},), got {W2a.shape}", source)
    z = W2a.reshape(K)
    if b1 is not None:
        b1a = np.asarray(b1)
        if b1a.shape != (K,):
            raise InputError(f"first-layer bias must have shape ({K},), got {b1a.shape}", source)
        # w_j = (W1[j], b1[j]); concatenation copies values, it never rounds
        # (both arrays are cast to the wider of their two formats, exactly)
        w = np.concatenate([W1a, b1a.reshape(K, 1)], axis=1)
        prec = _precision(W1a, b1a, W2a)
    else:
        w = W1a
        prec = _precision(W1a, W2a)
    wts, note = convert.weights_from_arrays(z, w, source=source, max_denominator=max_denominator)
    return FloatWeights(wts, _with_precision(note, prec), prec)


def float_weights_from_npz(path: Path, max_denominator: int | None = None) -> FloatWeights:
    """``.npz`` with (z, w) or (W1, [b1], W2); see the module docstring."""

    where = describe_path(path)
    data = read_npz(path)  # headers checked before any array is allocated
    files = set(data)
    if {"z", "w"} <= files:
        z, w = data["z"], data["w"]
        wts, note = convert.weights_from_arrays(z, w, source=where, max_denominator=max_denominator)
        prec = _precision(z, w)
        return FloatWeights(wts, _with_precision(note, prec), prec)
    if {"W1", "W2"} <= files:
        return _from_layers(data["W1"], data["b1"] if "b1" in files else None, data["W2"], where, max_denominator)
    raise InputError(f"needs arrays (z, w) or (W1, [b1], W2); has {sorted(files)}", where)


def float_weights_from_state_dict(sd: Any, source: str, max_denominator: int | None = None) -> FloatWeights:
    """Weights from a PyTorch ``state_dict`` (a mapping of tensors or arrays)."""
    keys = set(sd.keys()) if hasattr(sd, "keys") else set()
    need = {"0.weight", "2.weight"}
    if not need <= keys:
        raise InputError(
            "expected the state_dict of nn.Sequential(nn.Linear(d0, K), nn.ReLU(), nn.Linear(K, 1, bias=False)) "
            f"with keys '0.weight', ['0.bias'], '2.weight'; got {sorted(str(k) for k in keys)}",
            source,
        )
    extra = keys - {"0.weight", "0.bias", "2.weight"}
    if extra:
        raise InputError(
            f"unexpected keys {sorted(str(k) for k in extra)} (the output layer must have no bias)", source
        )

    def arr(t: Any) -> Any:
        if hasattr(t, "detach"):  # a torch tensor: its values, in its own dtype
            if str(t.dtype) == "torch.bfloat16":
                t = t.float()  # bfloat16 -> float32 is exact (bfloat16 is a prefix of float32)
            return t.detach().cpu().numpy()
        return t

    return _from_layers(
        arr(sd["0.weight"]),
        arr(sd["0.bias"]) if "0.bias" in keys else None,
        arr(sd["2.weight"]),
        source,
        max_denominator,
    )


def float_weights_from_torch_file(path: Path, max_denominator: int | None = None) -> FloatWeights:
    """A ``torch.save``d state_dict (``.pt``/``.pth``); needs the optional torch extra."""
    try:
        import torch
    except ImportError:
        raise InputError("reading a PyTorch file needs torch (pip install 'exactscape[torch]')", str(path)) from None
    data = io.BytesIO(read_bytes(path))  # a regular file within the size cap
    try:
        sd = torch.load(data, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many types; all mean "unreadable"
        raise InputError(f"cannot read as a PyTorch state_dict ({exc.__class__.__name__}: {exc})", str(path)) from None
    if hasattr(sd, "state_dict") and not hasattr(sd, "keys"):
        sd = sd.state_dict()
    return float_weights_from_state_dict(sd, str(path), max_denominator)


def load_float_weights(path: str | Path, *, mode: str = "binary64", max_denominator: int | None = None) -> FloatWeights:
    """Read trained weights from ``.json`` (floats allowed), ``.npz`` or ``.pt``/``.pth``."""
    p = Path(path)
    if p.suffix == ".npz":
        return float_weights_from_npz(p, max_denominator)
    if p.suffix in (".pt", ".pth", ".bin"):
        return float_weights_from_torch_file(p, max_denominator)
    if p.suffix in (".npy", ".csv"):
        raise InputError(
            f"float weights are read from .npz (arrays z and w, or W1, b1, W2), .pt/.pth or JSON, not {p.suffix}",
            describe_path(p),
        )
    if max_denominator is not None:
        raise InputError("--max-denominator applies to .npz/.pt weights; JSON floats use --float-mode", str(p))
    return float_weights_from_json_text(read_text(p), describe_path(p), mode)

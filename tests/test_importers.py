"""Float weight imports: float weights (JSON floats, .npz, PyTorch state_dict) become
exact rationals only through exactscape.floats.convert; the exact reader still refuses floats."""

from __future__ import annotations

import ast
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from exactscape.core.model import weights_from_json
from exactscape.core.numbers import loads_exact
from exactscape.errors import InputError
from exactscape.floats.convert import float_text_to_rational, unit_roundoff
from exactscape.floats.weights import float_weights_from_json_text, load_float_weights
from exactscape.io import instances
from exactscape.io.instances import load_instance, load_weights

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"


def test_exact_reader_still_refuses_floats() -> None:
    with pytest.raises(InputError, match="JSON float"):
        load_weights(EX / "trained-tiny.float-weights.json")
    with pytest.raises(InputError, match="JSON float 0.5"):
        weights_from_json(loads_exact('{"format": "exactscape-weights", "version": 1, "z": [0.5], "w": [["1"]]}', "w"))


def test_float_json_is_read_as_binary64_or_decimal() -> None:
    text = '{"format": "exactscape-weights", "version": 1, "z": [0.1, "1/3"], "w": [[1.5, 2], [-0.25, "0.1"]]}'
    fw = float_weights_from_json_text(text, "w.json")
    assert fw.weights.z == (Fraction(0.1), Fraction(1, 3))  # Fraction(0.1) is the dyadic value of the double
    assert fw.weights.w == ((Fraction(3, 2), Fraction(2)), (Fraction(-1, 4), Fraction(1, 10)))  # "0.1" string: exact
    assert "3 JSON float literal(s)" in fw.provenance and "binary64" in fw.provenance
    dec = float_weights_from_json_text(text, "w.json", mode="decimal")
    assert dec.weights.z[0] == Fraction(1, 10)
    assert float_text_to_rational("1e-3", "x", "decimal") == Fraction(1, 1000)


@pytest.mark.parametrize(
    "bad",
    [
        '{"z": [NaN], "w": [[1]]}',
        '{"z": [Infinity], "w": [[1]]}',
        '{"z": [1], "w": [[1]], "q": 1}',
        '{"z": [1]}',
        "[1, 2]",
        "{",
    ],
)
def test_float_json_rejects_malformed(bad: str) -> None:
    with pytest.raises(InputError):
        float_weights_from_json_text(bad, "w.json")


def test_npz_layouts_agree(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    W1, b1, W2 = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(1, 3))
    np.savez(tmp_path / "a.npz", W1=W1, b1=b1, W2=W2)
    np.savez(tmp_path / "b.npz", z=W2[0], w=np.hstack([W1, b1[:, None]]))
    a, b = load_float_weights(tmp_path / "a.npz"), load_float_weights(tmp_path / "b.npz")
    assert a.weights == b.weights
    assert a.weights.w[1][2] == Fraction(float(b1[1]))
    assert a.precision == "float64" and "exactly to the dyadic rationals" in a.provenance
    np.savez(tmp_path / "c.npz", W1=W1.astype(np.float32), W2=W2.astype(np.float32))
    c = load_float_weights(tmp_path / "c.npz")
    assert c.precision == "float32" and len(c.weights.w[0]) == 2
    assert c.weights.z[0] == Fraction(float(np.float32(W2[0, 0])))
    r = load_float_weights(tmp_path / "a.npz", max_denominator=100)
    assert all(v.denominator <= 100 for v in r.weights.z) and "denominator <= 100" in r.provenance
    np.savez(tmp_path / "d.npz", W1=W1, W2=np.ones(4))
    with pytest.raises(InputError, match="output weight"):
        load_float_weights(tmp_path / "d.npz")
    np.savez(tmp_path / "e.npz", foo=W1)
    with pytest.raises(InputError, match="needs arrays"):
        load_float_weights(tmp_path / "e.npz")


def test_data_from_csv_and_npy(tmp_path: Path) -> None:
    table = np.array([[0.5, -1.0, 1.0], [0.25, 2.0, -1.0]])
    np.savetxt(tmp_path / "d.csv", table, delimiter=",")
    np.save(tmp_path / "d.npy", table)
    a, b = load_instance(tmp_path / "d.csv"), load_instance(tmp_path / "d.npy")
    assert a.X == b.X == ((Fraction(1, 2), Fraction(-1)), (Fraction(1, 4), Fraction(2)))
    assert a.y == (Fraction(1), Fraction(-1)) and "dyadic" in a.provenance


def test_one_instance_reader(tmp_path: Path) -> None:
    """exactscape.io.instances.load_instance is the only load_instance: array files go through the
    float conversion (exactscape.floats.files), everything else through the exact JSON reader,
    which refuses an array file by name."""
    np.save(tmp_path / "d.npy", np.array([[0.5, 1.0], [0.25, -1.0]]))
    assert "dyadic" in load_instance(tmp_path / "d.npy").provenance
    with pytest.raises(InputError, match="not exact JSON"):
        instances.load_json_file(tmp_path / "d.npy")
    assert load_instance(EX / "zigzag.json").provenance == "exact"
    defined = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "exactscape").rglob("*.py"))
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name == "load_instance"
    ]
    assert defined == ["exactscape/io/instances.py"]


def test_the_exact_model_imports_neither_files_nor_floats() -> None:
    """model.py holds the exact dataclasses only: no import of the float side or of the file
    readers anywhere in it, not even inside a function (an old array-file dispatch there made a
    model <-> conversion import cycle)."""
    imported = [
        "." * node.level + (node.module or "")
        for node in ast.walk(ast.parse((ROOT / "exactscape" / "core" / "model.py").read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
    ]
    assert ".numbers" in imported and not [m for m in imported if "floats" in m or "io" in m.split(".")]


def test_unit_roundoff() -> None:
    assert unit_roundoff("float64") == Fraction(1, 2**53) and unit_roundoff("float32") == Fraction(1, 2**24)
    with pytest.raises(InputError):
        unit_roundoff("float80")
    import numpy as np

    ld = np.dtype(np.longdouble)
    if ld.name != "float64":  # NumPy's long double: its own significand (64 bits on x86), never float64's
        assert unit_roundoff(ld.name) == Fraction(1, 2 ** (np.finfo(ld).nmant + 1))


def test_torch_state_dict(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="torch is an optional extra (pip install 'exactscape[torch]')")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1, bias=False))
    torch.save(net.state_dict(), tmp_path / "net.pt")
    fw = load_float_weights(tmp_path / "net.pt")
    W1 = net[0].weight.detach().numpy()
    b1 = net[0].bias.detach().numpy()
    W2 = net[2].weight.detach().numpy()
    assert fw.precision == "float32"
    assert fw.weights.w[2] == (Fraction(float(W1[2, 0])), Fraction(float(W1[2, 1])), Fraction(float(b1[2])))
    assert fw.weights.z == tuple(Fraction(float(v)) for v in W2[0])
    # the network's output equals the exact model's f(x) = sum_j z_j [w_j . (x, 1)]_+ up to float32 rounding
    x = torch.tensor([[0.5, -0.25]])
    out = float(net(x)[0, 0])
    exact = sum(
        (
            z * max(Fraction(0), w[0] * Fraction(0.5) + w[1] * Fraction(-0.25) + w[2])
            for z, w in zip(fw.weights.z, fw.weights.w)
        ),
        Fraction(0),
    )
    assert abs(out - float(exact)) < 1e-5
    bad = {"0.weight": net[0].weight, "2.weight": net[2].weight, "2.bias": torch.zeros(1)}
    torch.save(bad, tmp_path / "bad.pt")
    with pytest.raises(InputError, match="unexpected keys"):
        load_float_weights(tmp_path / "bad.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    with pytest.raises(InputError, match="cannot read"):
        load_float_weights(tmp_path / "junk.pt")
    json.dumps(fw.provenance)

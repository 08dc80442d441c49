"""Points on hyperplanes, swept: move the bias of one neuron of a 1-D instance exactly
across every sample hyperplane; `point` gives a verdict everywhere, the
verdicts agree with brute force, and every certificate verifies."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from test_boundary import assert_brute_force

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core.model import Weights
from exactscape.io.instances import load_instance, load_weights

EX = Path(__file__).resolve().parents[1] / "examples"
F = Fraction
STEPS = [F(-3) + F(k, 4) for k in range(25)]  # -3, -11/4, ..., 3: hits b = -2, -1, 1, 2 exactly

SWEEPS = {
    # instance, weights, neuron whose bias moves
    "kink": ("kink.json", "kink-min.weights.json", 0),
    "line-v": ("line.json", "line-v.weights.json", 1),
    "zigzag-saddle": ("zigzag.json", "zigzag-saddle.weights.json", 0),
    # z_1 = 0: on a hyperplane the point is outside Theorem 3, decided by Lemmas D and E (format 1.3)
    "zigzag-dead-z": ("zigzag.json", "zigzag-saddle.weights.json", 1),
}


def sweep(name: str) -> list[tuple[Fraction, str]]:
    inst_file, w_file, j = SWEEPS[name]
    inst = load_instance(EX / inst_file)
    base = load_weights(EX / w_file)
    out = []
    for b in STEPS:
        w = [list(r) for r in base.w]
        w[j][-1] = b * w[j][0] if w[j][0] else b  # w_j = a (1, b): hyperplane of x when x = -b
        wts = Weights(base.z, tuple(tuple(r) for r in w))
        res = api.point(inst, wts)
        v = res.summary["verdict"]
        assert check_certificate(res.certificate).verified
        on = res.summary.get("on_hyperplanes", [])
        covered = base.z[j] != 0  # one neuron, one sample at a time: covered iff z_j != 0
        assert (len(on) == 1) == (v in ("non-differentiable-local-minimum", "not-a-local-minimum")), (name, b, v)
        assert (len(on) == 1 and not covered) == (res.certificate["version"] == "1.3"), (name, b, v)
        assert_brute_force(inst, wts, res.certificate, v)
        out.append((b, v))
    return out


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_sweep_across_every_hyperplane(name: str) -> None:
    got = dict(sweep(name))
    boundary_verdicts = ("non-differentiable-local-minimum", "not-a-local-minimum", "not-covered")
    on_plane = {b for b, v in got.items() if v in boundary_verdicts}
    inst = load_instance(EX / SWEEPS[name][0])
    base = load_weights(EX / SWEEPS[name][1])
    j = SWEEPS[name][2]
    assert on_plane == {-x[0] for x in inst.X}  # every sample hyperplane is crossed and decided
    _ = (base, j)
    if name == "kink":
        assert got[F(1)] == "non-differentiable-local-minimum"

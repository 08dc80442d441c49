# %% [markdown]
# # What did my network converge to? An exactscape tutorial
#
# A notebook in plain Python: open it in Jupyter (with jupytext) or VS Code and run
# the cells one by one (`# %%` starts a cell), or run it whole from the repository root:
#
#     .venv/bin/python docs/tutorial.py
#
# It writes its files into a fresh temporary folder (or the folder named by the
# environment variable `EXACTSCAPE_TUTORIAL_OUT`) and prints where. The test suite runs
# it exactly like that (`tests/test_tutorial.py`). It needs NumPy and matplotlib
# (`pip install 'exactscape[plot]'`). The mathematics behind every step is in
# docs/theory.md (sections 2, 7, 8 and 12).
#
# The plan:
# 1. load real data (handwritten digits 0 and 1), exactly;
# 2. train a one-hidden-layer ReLU network with NumPy, in float64;
# 3. ask exactscape what the trained weights really are (`crosscheck`);
# 4. read the certificate it wrote and replay it with the independent checker;
# 5. draw the atlas of a slice of the problem small enough to see whole, and find out
#    which of its minima gradient descent reaches.

# %%
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # draw into files; no window

try:
    ROOT = Path(__file__).resolve().parents[1]
except NameError:  # in a notebook: the repository root is the working folder or one of its parents
    ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "examples" / "digits-01.npz").exists())
sys.path.insert(0, str(ROOT))  # use this checkout's exactscape

from exactscape import api
from exactscape.core.model import Instance, pattern_of  # noqa: E402
from exactscape.floats.convert import weights_from_arrays  # noqa: E402
from exactscape.floats.plots import draw_atlas  # noqa: E402
from exactscape.io import certify  # noqa: E402
from exactscape.io.instances import load_instance  # noqa: E402
from exactscape.landscape.atlas import write_bundle  # noqa: E402
from exactscape.landscape.crosscheck import crosscheck, sci  # noqa: E402
from exactscape.landscape.point import classify_point, loss  # noqa: E402

OUT = Path(os.environ.get("EXACTSCAPE_TUTORIAL_OUT") or tempfile.mkdtemp(prefix="exactscape-tutorial-"))
OUT.mkdir(parents=True, exist_ok=True)
print("writing into", OUT)

# %% [markdown]
# ## 1. Real data, exactly
#
# `examples/digits-01.npz` holds the first 20 images of the digit 0 and the first 20 of
# the digit 1 of scikit-learn's `load_digits` (8 x 8 pixels; `examples/make_digits_example.py`
# made it), as float64 pixel/16, with labels +1 (a zero) and -1 (a one). The float reader
# turns every float into the rational it equals and appends the bias entry 1.

# %%
inst = load_instance(ROOT / "examples" / "digits-01.npz")
print(f"N = {inst.N} samples, d = {inst.d} (64 pixels and the bias), bias: {inst.bias}")
print(inst.provenance)
X = np.array([[float(v) for v in x] for x in inst.xs])  # the float twin, bias column included
y = np.array([float(v) for v in inst.y])

# %% [markdown]
# ## 2. Train with NumPy
#
# f(x) = sum_j z_j relu(w_j . x), squared loss averaged over the samples, full-batch Adam
# from a seeded start, as one would in any float framework.


# %%
def train(X: np.ndarray, y: np.ndarray, K: int, steps: int, seed: int, lr: float = 0.01) -> tuple:
    """Full-batch Adam on L(z, w) = mean((sum_j z_j relu(w_j . x_i) - y_i)^2), float64."""
    rng = np.random.default_rng(seed)
    N, d = X.shape
    params = [rng.normal(size=K), rng.normal(size=(K, d)) * np.sqrt(2.0 / d)]  # z, w
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        z, w = params
        pre = X @ w.T  # N x K pre-activations
        hidden = np.maximum(pre, 0.0)
        e = hidden @ z - y  # residuals
        grads = [2 / N * hidden.T @ e, 2 / N * ((e[:, None] * (pre > 0)) * z).T @ X]
        for k, g in enumerate(grads):
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            params[k] = params[k] - lr * (m[k] / (1 - 0.9**t)) / (np.sqrt(v[k] / (1 - 0.999**t)) + 1e-12)
    z, w = params
    return z, w, float(np.mean((np.maximum(X @ w.T, 0.0) @ z - y) ** 2))


z_f, w_f, float_loss = train(X, y, K=3, steps=3000, seed=0)
print(f"float64 training loss: {float_loss:.3e}")
np.savez(OUT / "net.npz", z=z_f, w=w_f)  # the format `exactscape crosscheck DATA --weights net.npz` reads

# %% [markdown]
# ## 3. What is it, exactly?
#
# The trained floats are dyadic rationals, so the trained point (z, w) is an exact point.
# `crosscheck` decides its activation pattern (and whether a float64 program can be sure of
# it), the cell's exact minimiser set and loss, and the exact distance in R-space
# (R_j = z_j w_j) from the trained point to the minimiser set and to the *genuine*
# minimisers, the ones that are local minima of the network (docs/theory.md section 12).

# %%
weights, how = weights_from_arrays(z_f, w_f)
print(how)
cc = crosscheck(inst, weights)
cell = cc.analysis
assert cell is not None  # the trained point is inside a cell (no w_j . x_i = 0)
rob = cc.robustness
assert rob is not None
print("verdict:", cc.verdict)
print(
    f"pattern robust in float64: {rob.robust} (smallest relative margin {sci(rob.min_relative_margin)}, "
    f"float error bound {sci(rob.gamma)})"
)
print(f"exact loss of the trained point: {sci(cc.loss_exact)}; the cell's minimum loss L*: {sci(cell.loss)}")
print(f"the point itself: {cc.point.verdict}")
print(f"minimisers: {cell.kind}, dimension {cell.dimension}; genuine minimum in the cell: {cell.genuineness.text()}")
assert cc.affine_dist_sq is not None
print(f"squared R-distance to the minimiser set: {sci(cc.affine_dist_sq)} (||R||^2 = {sci(cc.R_norm_sq)})")

# %% [markdown]
# With the default tolerance (a relative R-distance of 1/1000) the answer is usually
# `nothing`: the loss is tiny, but the weights are still measurably away from any exact
# stationary point; the trained point is `not-stationary`, and gradient descent would go on.
# The cell holds genuine minima, so `crosscheck` has built one near the trained point anyway
# (the exact projection onto the minimiser set, moved into the genuine set if needed): the
# verdict is `near-genuine-minimum` exactly when its squared relative R-distance is at most
# tol^2 (`crosscheck(inst, weights, tol=...)`).

# %%
assert cc.snap is not None and cc.genuine_dist_sq_upper is not None
relative_sq = cc.genuine_dist_sq_upper / max(Fraction(1), cc.R_norm_sq)
print(f"an exact genuine minimum near the trained point: {cc.snap.verdict.verdict}, loss {sci(cc.snap.verdict.loss)}")
print("how:", cc.snap.how)
print(f"its squared relative R-distance: {sci(relative_sq)}; within tol = 1/10: {relative_sq <= Fraction(1, 100)}")

# %% [markdown]
# ## 4. Read a certificate, replay it independently
#
# Every answer comes with a JSON certificate. Here: the snapped point's `point`
# certificate (it is a local minimum: A^T (A R - y) = 0 inside its cell) and the cell's
# `cell` certificate (its minimisers and a genuine witness). The checker,
# `exactscape/checker/`, uses the Python standard library only and imports nothing of
# the producer; it replays every identity in exact arithmetic.

# %%
point_cert = certify.write(certify.point_certificate(cc.snap.verdict), OUT / "snapped.point.cert.json")
cell_cert = certify.write(certify.cell_certificate(cell), OUT / "trained.cell.cert.json")

doc = json.loads(point_cert.read_text())
print("kind:", doc["kind"], "| format version:", doc["version"], "| claim:", doc["claim"]["verdict"])
print("fields:", ", ".join(sorted(doc)))

for cert in (point_cert, cell_cert):
    # the checker as a separate program, exactly as `exactscape check CERT` runs it
    run = subprocess.run(
        [sys.executable, "-m", "exactscape.checker", str(cert)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    print(f"{cert.name}: exit {run.returncode}, last line: {run.stdout.splitlines()[-1]}")
    assert run.returncode == 0 and run.stdout.splitlines()[-1] == "s VERIFIED"

# %% [markdown]
# ## 5. An atlas you can see whole
#
# The full landscape of 40 images in 65 dimensions has far too many cells to list. A
# slice small enough to see whole: one feature per image, the mean ink of its two centre
# columns (a rational: pixel/16 values averaged), centred and scaled exactly, for the first
# four zeros and the first four ones, and a network with one hidden unit. `api.atlas` lists every cell (proved
# complete), decides Theorems 1-3 in and around each, and proves the global minimum from
# both sides (docs/theory.md section 8).


# %%
def centre_ink(x: tuple[Fraction, ...]) -> Fraction:
    """4 (m - 5/8), m the mean of the 16 pixels in columns 3 and 4 of the 8 x 8 image."""
    m = sum((x[8 * r + c] for r in range(8) for c in (3, 4)), Fraction(0)) / 16
    return 4 * (m - Fraction(5, 8))


chosen = [0, 1, 2, 3, 20, 21, 22, 23]  # four zeros, four ones
small = Instance(X=tuple((centre_ink(inst.xs[i]),) for i in chosen), y=tuple(inst.y[i] for i in chosen), bias=True)
print("feature:", [str(x[0]) for x in small.X], "labels:", [str(v) for v in small.y])

at = api.atlas(small, 1)
print(f"{len(at.census.cells)} cells; global minimum certified: {at.certified}, loss {at.upper} ({at.upper_from})")
print(f"spurious local minima: {len(at.spurious)}, with losses {sorted({str(m.loss) for m in at.spurious})}")

picture = OUT / "atlas.png"
picture.write_bytes(draw_atlas(at, "png"))
print("picture:", picture)

# %% [markdown]
# The picture shows the weight plane of the hidden unit, w = (w_1, w_0) for the feature
# and the bias: the sample lines w . x_i = 0 cut it into the cells, the colour is the
# loss with z = 1, and the stars mark genuine minima. The bundle of certificates behind
# the atlas is replayed as a whole by `exactscape check DIR`.

# %%
write_bundle(at, OUT / "atlas")
run = subprocess.run(
    [sys.executable, "-m", "exactscape", "check", str(OUT / "atlas")], capture_output=True, text=True, cwd=ROOT
)
print(f"bundle: exit {run.returncode}, last line: {run.stdout.splitlines()[-1]}")
assert run.returncode == 0

# %% [markdown]
# ## 6. Which minimum does gradient descent find?
#
# Train the one-unit network on the slice from a few seeds and look each trained point up
# in the atlas: its cell, the exact infimum of the loss over that cell (its genuine minimum,
# or the value approached on its boundary), and whether that is the global minimum.

# %%
Xs = np.array([[float(x[0]), 1.0] for x in small.X])
ys = np.array([float(v) for v in small.y])
by_pattern = {r.pattern: r for r in at.cells}
for seed in range(4):
    z1, w1, fl = train(Xs, ys, K=1, steps=2000, seed=seed, lr=0.05)
    trained, _ = weights_from_arrays(z1, w1)
    pattern, on_walls = pattern_of(small, trained)
    if on_walls:
        print(f"seed {seed}: the trained point lies on a wall")
        continue
    record = by_pattern[pattern]
    inside = {"genuine": "a genuine minimum inside", "not-genuine": "no minimum inside"}.get(
        record.analysis.genuineness.state, "undecided inside"
    )
    where = "the global minimum" if record.lower == at.upper else "above the global minimum"
    print(
        f"seed {seed}: float loss {fl:.4f}, exact {sci(loss(small, trained))}, "
        f"{classify_point(small, trained).verdict}; cell {record.index} ({inside}): "
        f"infimum {record.lower} (exact: {record.exact}), {where}"
    )

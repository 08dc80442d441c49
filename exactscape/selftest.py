"""``exactscape selftest``: trust your install without pytest.

1. Every certificate in proofs/certificates is replayed by the independent
   checker and must be VERIFIED.
2. Every bundled example run (examples/runs.json) is recomputed by the
   producer, and its claims must equal the bundled certificate's claims.

In a source checkout (or an editable install) the two folders are read where
they are in the repository. An installed wheel carries the same files as
package data, ``exactscape/bundled/certificates`` and
``exactscape/bundled/examples`` (setup.py maps the repository folders there;
nothing is copied in the repository), and they are read from there.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any


def bundled_folders() -> tuple[Path, Path]:
    """(certificates folder, examples folder): the repository's when the
    package sits in a source checkout, else the package data of a wheel."""
    root = Path(__file__).resolve().parents[1]
    if (root / "examples" / "runs.json").is_file() and (root / "proofs" / "certificates").is_dir():
        return root / "proofs" / "certificates", root / "examples"
    data = Path(str(resources.files("exactscape").joinpath("bundled")))
    return data / "certificates", data / "examples"


CERTS, EXAMPLES = bundled_folders()


def load_runs() -> list[dict[str, Any]]:
    """The bundled example runs."""
    data = json.loads((EXAMPLES / "runs.json").read_text(encoding="utf-8"))
    return list(data["runs"])


def produce(run: dict[str, Any], verify: bool = True) -> dict[str, Any]:
    """Recompute one bundled run; returns its certificate."""
    from . import api
    from .io.instances import load_instance, load_pattern, load_weights

    inst = load_instance(EXAMPLES / run["instance"])
    wts = load_weights(EXAMPLES / run["weights"]) if "weights" in run else None
    pat = load_pattern(EXAMPLES / run["pattern"]) if "pattern" in run else None
    if run["command"] == "cell":
        res = api.cell(
            inst,
            pattern=pat,
            weights=wts,
            verify=verify,
            engine=run.get("engine", "auto"),
            backend=run.get("backend", "exact"),  # deterministic: no float hints in golden files
            budget=None,
        )
        if not res.certificate:  # pragma: no cover - no budget here
            raise ValueError("an undecided cell has no certificate")
        return res.certificate
    if run["command"] == "point":
        if wts is None:
            raise ValueError("a point run needs weights")
        return api.point(inst, wts, verify=verify).certificate
    if run["command"] == "saddles":
        zero = run.get("zero", "all")
        k = wts.K if wts is not None else (pat.K if pat is not None else 0)
        z = None if zero == "all" else api.parse_zero_set(str(zero), k)
        res = api.saddles(inst, pattern=pat, weights=wts, zero=z, all_zero_sets=zero == "all", verify=verify)
        return res.certificate
    if run["command"] == "boundary":
        if wts is None:
            raise ValueError("a boundary run needs weights")
        return api.boundary(inst, wts, int(run["neuron"]), int(run["sample"]), verify=verify).certificate
    if run["command"] in ("census", "infimum", "faces", "branches"):  # the atlas's certificates (1.2, 1.3)
        cert = _atlas_certificate(run, inst, pat)
        if verify:
            from .io.certify import self_check

            self_check(cert)
        return cert
    if run["command"] == "spurious":
        low = load_weights(EXAMPLES / run["lower"]) if "lower" in run else None
        res = api.spurious(inst, int(run["neurons"]), lower=low, search=bool(run.get("search", False)), verify=verify)
        return res.certificate
    if run["command"] == "path":
        start, end = load_weights(EXAMPLES / run["from"]), load_weights(EXAMPLES / run["to"])
        return api.path(inst, start, end, verify=verify).certificate
    if run["command"] == "region":
        return _region_certificate(run, inst, wts, pat, verify)
    if run["command"] == "quadratic":  # new in 1.4: a cell refuted by one quadratic form (FORMAT 4.3)
        from .theory.quadratic import quadratic_cell_certificate

        if pat is None:
            raise ValueError("a quadratic run needs a pattern")
        return quadratic_cell_certificate(inst, pat, run["mu"], verify=verify, factor=run.get("finsler"))
    raise ValueError(f"unknown command {run['command']!r}")


def _atlas_certificate(run: dict[str, Any], inst: Any, pat: Any) -> dict[str, Any]:
    """The certificate of a census, infimum, faces or branches run (the atlas's kinds)."""
    if run["command"] in ("census", "infimum"):  # new in 1.2 (the atlas)
        from .landscape.atlas import WallProof, census_certificate, infimum_certificate, neuron_facets
        from .theory.census import enumerate_cells
        from .theory.infimum import cell_infimum

        if run["command"] == "census":
            census = enumerate_cells(inst)
            walls: WallProof | None = None
            if run.get("walls"):  # new in 1.3: every wall of every cell decided
                walls = {}
                neuron_facets(inst, census, walls)
            return census_certificate(census, int(run["neurons"]), walls)
        ci = cell_infimum(inst, pat) if pat is not None else None
        if ci is None:
            raise ValueError("an infimum run needs a pattern")
        return infimum_certificate(inst, ci)
    if run["command"] == "faces":  # new in 1.3: the atlas's faces without a local minimum
        from .landscape.atlas import atlas, faces_certificate

        return faces_certificate(atlas(inst, int(run["neurons"]), saddles=False))
    if run["command"] == "branches":  # new in 1.3: the single branch vector (+, ..., +)
        from .landscape.atlas import positive_certificate

        if pat is None:
            raise ValueError("a branches run needs a pattern")
        return positive_certificate(inst, pat)
    raise ValueError(f"unknown command {run['command']!r}")


def _region_certificate(run: dict[str, Any], inst: Any, wts: Any, pat: Any, verify: bool) -> dict[str, Any]:
    """The certificate of a region run (kind cell, saddle or boundary)."""
    from . import api
    from .landscape.region import region
    from .landscape.region_dd import parse_branches
    from .theory.boundary import face_pattern

    face = (int(run["neuron"]), int(run["sample"])) if run["kind"] == "boundary" else None
    if face is not None and wts is not None:
        pat = face_pattern(inst, wts, face[0], face[1])
    else:
        pat = api.pattern_for(inst, pat, wts)
    br = parse_branches(str(run["branches"]), pat.K)
    return region(inst, pat, br, str(run["kind"]), face, verify=verify).certificate


def run(folder: str | None = None) -> int:
    from .checker import check_file

    certs = Path(folder) if folder else CERTS
    files = sorted(certs.glob("*.cert.json"))
    if not files:
        print(f"s REJECTED: no certificates found in {certs}")
        return 1
    bad = 0
    for f in files:
        code, lines = check_file(str(f))
        print(f"c {f.name}: {lines[-1]}")
        bad += code != 0
    if folder is None:
        for r in load_runs():
            cert = json.loads((CERTS / r["cert"]).read_text(encoding="utf-8"))
            again = produce(r, verify=False)
            same = again["claim"] == cert["claim"]
            print(f"c recompute {r['cert']}: {'same claims' if same else 'DIFFERENT claims'}")
            bad += not same
    print("s VERIFIED" if bad == 0 else f"s REJECTED: {bad} failure(s)")
    return 0 if bad == 0 else 1

"""The instances, patterns and weights of the trials that differ from the paper, kept replayable."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ...core.numbers import fmt_mat, fmt_vec
from ...io import outputs
from ..data import sample_weights
from .log import write_table
from .presets import MARKER, TableSettings
from .trial import dataset, trial_rng

WEIGHTS_LIMIT = 2000  # K d up to which the sampled weights of a kept trial are saved beside its pattern


def keep_instances(
    st: TableSettings, records: Iterable[dict[str, Any]], where: Path, base: Path | None = None
) -> list[str]:
    """Save the instance (once) and the pattern of every trial that differs from the paper,
    each replayable with ``exactscape cell INSTANCE --pattern P``; the sampled weights too
    when they are small (K d <= WEIGHTS_LIMIT; larger ones, e.g. MNIST's, are reproduced from
    (seed, location, trial) by :func:`trial_rng`). The commands name the files relative to
    ``base``, the folder of the results file (:func:`exactscape.io.outputs.replay_path`)."""
    kept = [r for r in records if r.get("differs") and r.get("pattern")]
    if not kept:
        return []
    ds = dataset(st.data, st.N, st.d0, st.seed)
    inst = ds.instance
    ipath = where / f"table-{st.table}-{st.data}-N{st.N}-d{st.d0}-seed{st.seed}.instance.json"
    doc = {
        "format": "exactscape-instance",
        "version": 1,
        "name": ipath.stem,
        "description": f"{MARKER}: data of table {st.table} ({inst.provenance})",
        "X": fmt_mat(inst.X),
        "y": fmt_vec(inst.y),
        "bias": inst.bias,
    }
    _write_if_changed(ipath, (json.dumps(doc) + "\n").encode())
    out = []
    for r in kept:
        loc, t = float(r["location"]), int(r["trial"])
        stem = where / f"table-{st.table}-K{st.K}-seed{st.seed}-loc{loc:g}-t{t}"
        pat = {
            "format": "exactscape-pattern",
            "version": 1,
            "description": f"{MARKER}: activation pattern of a sampled point",
            "I": [[int(c) for c in s] for s in r["pattern"]],
        }
        _write_if_changed(Path(f"{stem}.pattern.json"), (json.dumps(pat) + "\n").encode())
        if st.K * inst.d <= WEIGHTS_LIMIT:
            wts, _, _ = sample_weights(st.K, inst.d0, loc, trial_rng(st.seed, loc, t))
            wdoc = {
                "format": "exactscape-weights",
                "version": 1,
                "description": f"{MARKER}: sampled weights",
                **wts.to_json(),
            }
            _write_if_changed(Path(f"{stem}.weights.json"), (json.dumps(wdoc) + "\n").encode())
        names = (outputs.replay_path(ipath, base), outputs.replay_path(Path(f"{stem}.pattern.json"), base))
        out.append(f"exactscape cell {names[0]} --pattern {names[1]}")
    return out


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    write_table(path, data)

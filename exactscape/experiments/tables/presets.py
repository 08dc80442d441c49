"""The presets of Part 2's Tables I-IV, the paper's numbers beside them, and a run's settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ...errors import InputError
from ...io import outputs

PARTIAL_FORMAT = "exactscape-tables-partial"
RESULTS_FORMAT = "exactscape-tables-results"
MARKER = "exactscape-tables"
OURS = outputs.Marked(MARKER, "a file of experiment tables")
"""The files of a run (partial log, results, table): they carry :data:`MARKER` near their start."""

GAUSS_LOCATIONS = (20.0, 3.0, 0.0, -3.0, -20.0)
DIGIT_LOCATIONS = (20.0, 3.0, 0.0, -3.0, -50.0)


@dataclass(frozen=True)
class Preset:
    """One table's data and sizes."""

    data: str  # "gaussian", "mnist" or "sklearn"
    N: int
    d0: int
    K: int
    locations: tuple[float, ...]
    gd: bool
    title: str


PRESETS: dict[str, Preset] = {
    "I": Preset("gaussian", 2000, 3, 10, GAUSS_LOCATIONS, False, "Table I: Gaussian data"),
    "II": Preset("gaussian", 2000, 3, 20, GAUSS_LOCATIONS, False, "Table II: Gaussian data"),
    "III": Preset("gaussian", 400, 10, 50, GAUSS_LOCATIONS, False, "Table III: Gaussian data"),
    "IV": Preset("mnist", 200, 784, 10, DIGIT_LOCATIONS, True, "Table IV: MNIST digits 0 and 1"),
    "sklearn": Preset("sklearn", 200, 64, 10, DIGIT_LOCATIONS, True, "scikit-learn 8x8 digits 0 and 1"),
}

# bias -> genuine %, continuous %, activated states %, and (Table IV) trapped %;
# Part 2 reports these for 100 trials per bias (its "Average P_g" column is a float
# heuristic, not reproduced here)
PAPER: dict[str, dict[float, dict[str, float]]] = {
    "I": {
        20.0: {"genuine": 0, "continuous": 100, "activated": 100},
        3.0: {"genuine": 0, "continuous": 60, "activated": 91.27},
        0.0: {"genuine": 0, "continuous": 3, "activated": 50.66},
        -3.0: {"genuine": 0, "continuous": 86, "activated": 8.04},
        -20.0: {"genuine": 100, "continuous": 100, "activated": 0},
    },
    "II": {
        20.0: {"genuine": 0, "continuous": 100, "activated": 100},
        3.0: {"genuine": 0, "continuous": 91, "activated": 91.67},
        0.0: {"genuine": 0, "continuous": 9, "activated": 50.23},
        -3.0: {"genuine": 0, "continuous": 98, "activated": 7.93},
        -20.0: {"genuine": 100, "continuous": 100, "activated": 0},
    },
    "III": {
        20.0: {"genuine": 0, "continuous": 100, "activated": 100},
        3.0: {"genuine": 0, "continuous": 100, "activated": 81.99},
        0.0: {"genuine": 0, "continuous": 100, "activated": 49.33},
        -3.0: {"genuine": 0, "continuous": 100, "activated": 18.38},
        -20.0: {"genuine": 100, "continuous": 100, "activated": 0},
    },
    "IV": {
        20.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 98.70},
        3.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 62.96},
        0.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 52.19},
        -3.0: {"genuine": 0, "continuous": 100, "trapped": 0, "activated": 37.00},
        -50.0: {"genuine": 100, "continuous": 100, "trapped": 100, "activated": 0},
    },
}

CIFAR_NOTE = (
    "Part 2's Table V (CIFAR-10, airplane vs automobile, grey, N = 200, K = 10) is not reproduced: "
    "CIFAR-10 is not shipped with any installed package and this tool runs offline."
)


@dataclass(frozen=True)
class TableSettings:
    """Everything that fixes a run's records (the header of the partial file, less
    ``trials`` and ``locations``: more trials or locations extend a run)."""

    table: str
    data: str
    N: int
    d0: int
    K: int
    locations: tuple[float, ...]
    trials: int
    seed: int
    budget: float
    backend: str = "hinted"
    gd: bool = False
    max_steps: int = 20000
    grad_tol: float = 1e-3
    replay: bool = False  # replay each decided cell's certificate with the checker (per record)

    def header(self) -> dict[str, Any]:
        h = asdict(self)
        del h["trials"], h["locations"], h["replay"]  # replay only adds a field to new records
        return h


def settings_for(table: str, **over: Any) -> TableSettings:
    """A preset (``table`` in :data:`PRESETS`) with the given overrides (None = keep)."""
    if table not in PRESETS:
        raise InputError(f"unknown table {table!r} (choose from {', '.join(PRESETS)})", "--table")
    p = PRESETS[table]
    o = {k: v for k, v in over.items() if v is not None}
    if p.data != "gaussian" and "d0" in o and o["d0"] != p.d0:
        raise InputError(f"--d0 is fixed by the images of table {table} (d0 = {p.d0})", "--d0")
    st = TableSettings(
        table=table,
        data=p.data,
        N=int(o.get("N", p.N)),
        d0=p.d0 if p.data != "gaussian" else int(o.get("d0", p.d0)),
        K=int(o.get("K", p.K)),
        locations=tuple(float(v) for v in o.get("locations", p.locations)),
        trials=int(o.get("trials", 100)),
        seed=int(o.get("seed", 0)),
        budget=float(o.get("budget", 60.0)),
        backend=str(o.get("backend", "hinted")),
        gd=bool(o.get("gd", p.gd)),
        max_steps=int(o.get("max_steps", 20000)),
        grad_tol=float(o.get("grad_tol", 1e-3)),
        replay=bool(o.get("replay", False)),
    )
    if st.N < 2 or (st.data != "gaussian" and st.N % 2):
        raise InputError("N must be at least 2 (and even for digit tables: N/2 images per class)", "--N")
    if st.d0 < 1 or st.K < 1 or st.trials < 0 or st.seed < 0 or not st.locations:
        raise InputError("need d0 >= 1, K >= 1, trials >= 0, seed >= 0 and at least one location")
    if not st.budget >= 0:
        raise InputError("the budget must be a number of seconds >= 0", "--budget")
    return st

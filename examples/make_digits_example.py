"""Write ``examples/digits-01.npz``, the real data of the tutorial (docs/tutorial.py); deterministic.
Run from the repo root: ``PYTHONPATH=. python examples/make_digits_example.py`` (needs scikit-learn).

The first 20 images of digit 0 and the first 20 of digit 1 of scikit-learn's ``load_digits``
(8 x 8 pixels, values 0..16; the UCI optical digits, shipped inside scikit-learn), in that
order: ``X`` holds pixel / 16 as float64 (exact: 16 is a power of two), ``y`` is +1 for a 0
and -1 for a 1. Read by ``exactscape.io.instances.load_instance`` (with a bias), every float
becomes the rational it equals.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from exactscape.io import outputs

HERE = Path(__file__).resolve().parent
TARGET = HERE / "digits-01.npz"
PER_CLASS = 20


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the module docstring, from scikit-learn."""
    from sklearn.datasets import load_digits

    ds = load_digits()
    images, labels = np.asarray(ds.data, dtype=np.int64), np.asarray(ds.target)
    rows = np.concatenate([np.flatnonzero(labels == c)[:PER_CLASS] for c in (0, 1)])
    X = images[rows].astype(np.float64) / 16.0
    y = np.where(labels[rows] == 0, 1.0, -1.0)
    return X, y


def npz_bytes(X: np.ndarray, y: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, X=X, y=y)
    return buf.getvalue()


def ours(path: Path) -> bool:
    """An .npz holding exactly the arrays X and y (an earlier run of this script)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            return sorted(f.files) == ["X", "y"]
    except (OSError, ValueError):
        return False


def main() -> None:
    X, y = digits_arrays()
    outputs.write_bytes(TARGET, npz_bytes(X, y), may_replace=ours)
    print(f"wrote {TARGET.relative_to(HERE.parent)}: X {X.shape}, y {y.shape}")


if __name__ == "__main__":
    main()

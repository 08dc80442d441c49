"""Regenerate proofs/certificates from examples/runs.json (run from the repo root:
``python proofs/regenerate.py``). Each certificate is replayed by the checker."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactscape.io import certify  # noqa: E402
from exactscape.selftest import CERTS, load_runs, produce  # noqa: E402


def main() -> None:
    CERTS.mkdir(parents=True, exist_ok=True)
    for run in load_runs():
        cert = produce(run, verify=True)
        certify.write(cert, CERTS / run["cert"])
        print(f"{run['cert']}: {cert['claim']}")


if __name__ == "__main__":
    main()

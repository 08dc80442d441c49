"""``path``'s work estimate against the time it stands for.

Run from the repository root: ``python benchmarks/path_work.py [--quick]``;
writes benchmarks/results/path_work.json (and prints it). Nothing is asserted.

The family is the hostile one: the segment of examples/zigzag-path-a/-b with
one endpoint weight 1/77...7 and one output weight 1/33...3 of D digits, whose
loss pieces have roots closer together the longer D is (the root isolation's
bisection then needs about as many steps as the coefficients have bits). For
each D: the estimates :func:`exactscape.landscape.path.build_work` and
:func:`exactscape.landscape.path.root_work`, in units meant as about 0.1 ms each,
and the measured time of :func:`exactscape.landscape.path.analyse_path`; the ratio
``seconds_per_unit`` should stay near 1e-4 (the default ``--max-work``,
600,000 units, is then about a minute).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run import BENCHMARK_RESULTS  # noqa: E402  (one output rule for the benchmarks)

from exactscape.core.model import Weights  # noqa: E402
from exactscape.io import outputs  # noqa: E402
from exactscape.io.instances import load_instance  # noqa: E402
from exactscape.landscape import path as pathloss  # noqa: E402


def case(digits: int) -> dict[str, float | int]:
    inst = load_instance(ROOT / "examples" / "zigzag.json")
    a = Weights(
        (Fraction(1), Fraction(-1)), ((Fraction(1), Fraction(1, int("7" * digits))), (Fraction(-1), Fraction(1)))
    )
    b = Weights(
        (Fraction(1), Fraction(1, int("3" * digits))), ((Fraction(1), Fraction(-1)), (Fraction(2), Fraction(1, 3)))
    )
    seg = pathloss.Segment(inst, a, b)
    ends = [Fraction(0), *pathloss.breakpoints(seg), Fraction(1)]
    polys = [pathloss.piece_polynomial(seg, lo, hi) for lo, hi in zip(ends, ends[1:], strict=False)]
    units = pathloss.build_work(seg, len(polys)) + pathloss.root_work([pathloss.derivative(p) for p in polys])
    t = time.perf_counter()
    pathloss.analyse_path(inst, a, b)
    seconds = time.perf_counter() - t
    return {
        "digits": digits,
        "pieces": len(polys),
        "units": units,
        "seconds": round(seconds, 3),
        "seconds_per_unit": seconds / units,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="digits 10..200 only")
    args = ap.parse_args()
    sizes = [10, 50, 100, 200] if args.quick else [10, 50, 100, 200, 400, 600]
    doc = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "default_max_work": pathloss.DEFAULT_MAX_WORK,
        "cases": [case(d) for d in sizes],
    }
    out = ROOT / "benchmarks" / "results" / "path_work.json"
    outputs.write_text(out, json.dumps(doc, indent=1) + "\n", may_replace=BENCHMARK_RESULTS)
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()

"""Project-level contracts: README and CI agree; floats stay in the float packages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The float side: the only packages allowed to import NumPy/SciPy or make a float (their
# answers are hints or comparisons, re-verified exactly elsewhere). Everything else in
# exactscape/ -- the checker and theory/ included -- is the exact core and is scanned.
FLOAT_PACKAGES = ("floats", "experiments")
FLOAT_LIBRARIES = {"numpy", "scipy"}
INTEGER_MATH = {"lcm", "gcd", "isqrt", "comb", "prod"}  # exact on integers; the rest of math is float


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    m = re.search(r"TEST_COMMAND='([^']+)'", ci)
    assert m, ".ci/run must define TEST_COMMAND"
    readme = (ROOT / "README.md").read_text()
    assert m.group(1) in readme.splitlines(), "README.md must show .ci/run's test command on a line of its own"


def test_readme_first_command_uses_a_bundled_example() -> None:
    readme = (ROOT / "README.md").read_text()
    first = next(line for line in readme.splitlines() if line.startswith("./setup.sh &&"))
    for token in first.split():
        if token.startswith("examples/"):
            assert (ROOT / token).exists(), token


def _exact_core_modules() -> list[Path]:
    """Every module of the package outside the float packages (selected by folder, never by file name)."""
    pkg = ROOT / "exactscape"
    return [p for p in sorted(pkg.rglob("*.py")) if p.relative_to(pkg).parts[0] not in FLOAT_PACKAGES]


def _imports_float_library(name: str) -> bool:
    return name.split(".")[0] in FLOAT_LIBRARIES


def float_offences(source: str, name: str) -> list[str]:
    """What in ``source`` makes or reaches a float: float(), float or complex literals, an
    import of numpy/scipy (also through __import__ or importlib.import_module with a
    literal name), any part of math but its integer helpers (``from math import`` or
    ``math.name``; math under another name is refused), and literal / literal divisions."""
    out = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            f = node.func
            called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if called == "float":
                out.append(f"{name}:{line}: float()")
            if called in ("__import__", "import_module") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _imports_float_library(arg.value):
                    out.append(f"{name}:{line}: {called}({arg.value!r})")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "math":
            if node.attr not in INTEGER_MATH:
                out.append(f"{name}:{line}: math.{node.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, (float, complex)):
            out.append(f"{name}:{line}: float literal")
        if isinstance(node, ast.Import):
            for a in node.names:
                if _imports_float_library(a.name):
                    out.append(f"{name}:{line}: import {a.name}")
                if a.name == "math" and a.asname not in (None, "math"):
                    out.append(f"{name}:{line}: import math as {a.asname}")
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _imports_float_library(node.module):
                out.append(f"{name}:{line}: from {node.module} import")
            used = {a.name for a in node.names}
            if node.module == "math" and not used <= INTEGER_MATH:
                out.append(f"{name}:{line}: math.{sorted(used - INTEGER_MATH)}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            # true division is allowed only on Fractions; flag literal / literal
            if isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant):
                out.append(f"{name}:{line}: literal division")
    return out


def test_no_float_reaches_the_exact_core() -> None:
    offenders = []
    for p in _exact_core_modules():
        offenders += float_offences(p.read_text(encoding="utf-8"), str(p.relative_to(ROOT)))
    assert offenders == []


def test_no_assert_statements_for_validation_in_the_package() -> None:
    offenders = []
    for p in sorted((ROOT / "exactscape").rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Assert):
                offenders.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_float_guard_is_not_vacuous() -> None:
    """The scanner reports each kind of float it is meant to catch, and it scans the
    modules whose names once exempted them (theory/boundary.py) and the checker."""
    source = (
        "import math as m\n"
        "import numpy as np\n"
        "import importlib\n"
        "from math import sqrt, gcd\n"
        "from scipy.optimize import linprog\n"
        "x = 0.5\n"
        "y = float(3)\n"
        "z = math.sqrt(2) + math.gcd(4, 6)\n"
        "w = __import__('numpy')\n"
        "v = importlib.import_module('scipy.linalg')\n"
        "u = 1 / 3\n"
        "from fractions import Fraction\n"
        "from math import lcm, isqrt\n"
        "q = Fraction(1, 3) * 2\n"
    )
    found = float_offences(source, "s")
    expected = [
        "s:1: import math as m",
        "s:2: import numpy",
        "s:4: math.['sqrt']",
        "s:5: from scipy.optimize import",
        "s:6: float literal",
        "s:7: float()",
        "s:8: math.sqrt",
        "s:9: __import__('numpy')",
        "s:10: import_module('scipy.linalg')",
        "s:11: literal division",
    ]
    for e in expected:
        assert any(f.startswith(e) for f in found), (e, found)
    assert len(found) == len(expected), found  # math.gcd and lines 12-14 (exact code) pass
    pkg = ROOT / "exactscape"
    scanned = {p.relative_to(pkg).as_posix() for p in _exact_core_modules()}
    assert {"theory/boundary.py", "checker/__init__.py", "checker/boundary.py", "linalg.py", "cli.py"} <= scanned
    checker = {p.relative_to(pkg).as_posix() for p in (pkg / "checker").rglob("*.py")}
    assert checker and checker <= scanned
    assert not any(s.startswith(("floats/", "experiments/")) for s in scanned)
    assert len(scanned) + len(list((pkg / "floats").rglob("*.py"))) + len(
        list((pkg / "experiments").rglob("*.py"))
    ) == len(list(pkg.rglob("*.py")))

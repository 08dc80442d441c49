"""Project-level contracts: README and CI agree; floats stay in the float packages."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The float side: the only packages allowed to import NumPy/SciPy or make a float (their
# answers are hints or comparisons, re-verified exactly elsewhere). Everything else in
# exactscape/ -- the checker and theory/ included -- is the exact core and is scanned.
FLOAT_PACKAGES = ("floats", "experiments")
FLOAT_LIBRARIES = {
    # numerical and machine-learning libraries: arrays and solvers in binary floating point
    *("numpy", "scipy", "torch", "highspy", "sklearn", "mlxtend", "pandas", "jax", "tensorflow", "cupy", "numba"),
    *("matplotlib", "pylab", "PIL"),  # pictures: coordinates are floats
    *("mpmath", "cmath", "statistics"),  # float functions (arbitrary-precision floats are floats too)
}
# The only libraries outside the standard library that the exact core may import: exact rational
# arithmetic (python-flint, pycddlib's gmp build, PPL) and the terminal (rich). A library not listed
# here or in the standard library is refused, so a float library nobody thought of is caught too.
EXACT_LIBRARIES = {"flint", "cdd", "ppl", "rich"}
# pycddlib's top-level module ``cdd`` is its float build: only its enums and the exact ``cdd.gmp``
CDD_EXACT = {"gmp", "RepType", "LPObjType", "LPStatusType"}
# the float draws of the standard library's random module (its integer draws, randrange and
# getrandbits, are exact)
RANDOM_FLOATS = {
    *("random", "uniform", "triangular", "gauss", "normalvariate", "lognormvariate", "expovariate"),
    *("vonmisesvariate", "gammavariate", "betavariate", "paretovariate", "weibullvariate", "binomialvariate"),
}
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


def _library_offence(module: str) -> str | None:
    """Why importing ``module`` (absolute) brings floats into the exact core, or None."""
    top = module.split(".")[0]
    if top in FLOAT_LIBRARIES:
        return f"{module}"
    if top == "cdd" and module != "cdd" and module.split(".")[1] not in CDD_EXACT:
        return f"{module} (pycddlib's float build)"
    if top not in sys.stdlib_module_names and top not in EXACT_LIBRARIES and top != "exactscape":
        return f"{module} (not an exact library: add it to EXACT_LIBRARIES only if it computes exactly)"
    return None


def float_offences(source: str, name: str) -> list[str]:
    """What in ``source`` makes or reaches a float: float(), float or complex literals, an
    import of a float library (FLOAT_LIBRARIES, also through __import__ or
    importlib.import_module with a literal name) or of any library outside the standard
    library and EXACT_LIBRARIES, pycddlib's float functions (``cdd.name`` but its enums and
    ``cdd.gmp``), any part of math but its integer helpers (``from math import`` or
    ``math.name``; math under another name is refused), the float draws of ``random``, and
    literal / literal divisions."""
    out = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            f = node.func
            called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if called == "float":
                out.append(f"{name}:{line}: float()")
            if isinstance(f, ast.Attribute) and called in RANDOM_FLOATS:
                out.append(f"{name}:{line}: .{called}() (a float draw)")
            if called in ("__import__", "import_module") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _imports_float_library(arg.value):
                    out.append(f"{name}:{line}: {called}({arg.value!r})")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "math":
            if node.attr not in INTEGER_MATH:
                out.append(f"{name}:{line}: math.{node.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, (float, complex)):
            out.append(f"{name}:{line}: float literal")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "cdd":
            if node.attr not in CDD_EXACT:
                out.append(f"{name}:{line}: cdd.{node.attr} (pycddlib's float build)")
        if isinstance(node, ast.Import):
            for a in node.names:
                why = _library_offence(a.name)
                if why:
                    out.append(f"{name}:{line}: import {why}")
                if a.name == "math" and a.asname not in (None, "math"):
                    out.append(f"{name}:{line}: import math as {a.asname}")
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            why = _library_offence(node.module)
            if why:
                out.append(f"{name}:{line}: from {why} import")
            if node.module == "cdd" and not {a.name for a in node.names} <= CDD_EXACT:
                out.append(f"{name}:{line}: from cdd import {sorted({a.name for a in node.names} - CDD_EXACT)}")
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
        "import matplotlib.pyplot as plt\n"
        "import torch, highspy\n"
        "from sklearn.datasets import load_digits\n"
        "t = importlib.import_module('mlxtend.data')\n"
        "import some_new_array_lib\n"
        "import cdd\n"
        "import cdd.gmp as cg\n"
        "m = cdd.matrix_from_array([[1]])\n"
        "r = cdd.RepType.INEQUALITY\n"
        "from cdd import RepType, polyhedron_from_matrix\n"
        "import json, itertools, flint\n"
        "import random\n"
        "a = random.Random(1).random() + rng.gauss(0, 1)\n"
        "b = random.Random(1).randrange(-5, 6) + rng.getrandbits(8)\n"
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
        "s:15: import matplotlib.pyplot",
        "s:16: import torch",
        "s:16: import highspy",
        "s:17: from sklearn.datasets import",
        "s:18: import_module('mlxtend.data')",
        "s:19: import some_new_array_lib (not an exact library",
        "s:22: cdd.matrix_from_array (pycddlib's float build)",
        "s:24: from cdd import ['polyhedron_from_matrix']",
        "s:27: .random() (a float draw)",
        "s:27: .gauss() (a float draw)",
    ]
    for e in expected:
        assert any(f.startswith(e) for f in found), (e, found)
    assert len(found) == len(expected), found  # math.gcd, lines 12-14, 20-21, 23, 25-26 and 28 (exact code) pass
    pkg = ROOT / "exactscape"
    scanned = {p.relative_to(pkg).as_posix() for p in _exact_core_modules()}
    assert {
        "theory/boundary.py",
        "checker/__init__.py",
        "checker/boundary.py",
        "core/linalg.py",
        "cli/__init__.py",
    } <= scanned
    checker = {p.relative_to(pkg).as_posix() for p in (pkg / "checker").rglob("*.py")}
    assert checker and checker <= scanned
    assert not any(s.startswith(("floats/", "experiments/")) for s in scanned)
    assert len(scanned) + len(list((pkg / "floats").rglob("*.py"))) + len(
        list((pkg / "experiments").rglob("*.py"))
    ) == len(list(pkg.rglob("*.py")))


def test_plot_markers_are_spelled_once(tmp_path: Path) -> None:
    """One table of plot markers (exactscape.io.outputs.PLOT_MARKERS): the writer uses it, the
    recognisers use it, and no other module spells a marker."""
    from exactscape.floats import plots
    from exactscape.io import outputs

    assert (plots.ATLAS_MARK, plots.PATH_MARK) == (outputs.PLOT_MARKERS["atlas"], outputs.PLOT_MARKERS["path"])
    spelled = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "exactscape").rglob("*.py"))
        for mark in outputs.PLOT_MARKERS.values()
        if mark in p.read_text(encoding="utf-8")
    ]
    assert spelled == ["exactscape/io/outputs.py"] * len(outputs.PLOT_MARKERS)
    for kind, recognise in (("atlas", outputs.ATLAS_PLOT), ("path", outputs.PATH_PLOT)):
        ours, other = tmp_path / f"{kind}.png", tmp_path / f"{kind}-other.png"
        ours.write_bytes(b"\x89PNG tEXtSoftware\x00" + outputs.PLOT_MARKERS[kind].encode() + b" IDAT")
        other.write_bytes(b"\x89PNG tEXtSoftware\x00someone else IDAT")
        assert recognise(ours) and not recognise(other)
    assert not outputs.ATLAS_PLOT(tmp_path / "path.png")  # the markers of two kinds are told apart


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every module of the package -> the package modules it imports anywhere (module level, inside
    functions, under TYPE_CHECKING), relative imports resolved; ``from P import m`` counts the
    submodule ``P.m`` when it exists, else ``P``."""
    pkg = ROOT / "exactscape"
    files = {_module_name(p): p for p in sorted(pkg.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name.split(".")[0] == "exactscape"}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] != "exactscape":
                    continue
                for a in node.names:
                    edges.add(f"{target}.{a.name}" if f"{target}.{a.name}" in files else target)
        graph[name] = {e for e in edges if e in files and e != name}
    return graph


def _reach(graph: dict[str, set[str]], start: str) -> dict[str, str]:
    """Every module reachable from ``start`` -> the module that imports it on one path."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        m = todo.pop()
        for n in graph.get(m, ()):
            if n not in seen:
                seen[n] = m
                todo.append(n)
    return seen


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


# the float library sits below what uses it: no arrow from it up to the commands, the experiments,
# the cross-check or the certificate writer
FLOATS_MUST_NOT_IMPORT = (
    "exactscape.cli",
    "exactscape.experiments",
    "exactscape.landscape.crosscheck",
    "exactscape.io.certify",
)
# the exact core, the theorems and the checker reach no float module, not even through another module
EXACT_PACKAGES = ("exactscape.core", "exactscape.theory", "exactscape.checker")


def layer_offences(graph: dict[str, set[str]]) -> list[str]:
    """The import arrows the layout forbids: floats/ -> FLOATS_MUST_NOT_IMPORT (direct), and
    core/, theory/, checker/ -> floats/ (direct or through any chain of imports)."""
    out = []
    for m, edges in sorted(graph.items()):
        if _within(m, ("exactscape.floats",)):
            out += [f"{m} -> {e}" for e in sorted(edges) if _within(e, FLOATS_MUST_NOT_IMPORT)]
        if _within(m, EXACT_PACKAGES):
            reached = _reach(graph, m)
            for e in sorted(reached):
                if _within(e, ("exactscape.floats",)):
                    chain = [e]
                    while chain[-1] != m:
                        chain.append(reached[chain[-1]] if chain[-1] in reached else m)
                    out.append(" -> ".join(reversed(chain)))
    return out


def test_the_import_graph_keeps_the_layers_apart() -> None:
    graph = import_graph()
    assert {"exactscape.core.model", "exactscape.floats.plots", "exactscape.cli"} <= set(graph)
    assert "exactscape.core.polyhedra" in graph["exactscape.theory.minima"]  # relative imports resolved
    assert layer_offences(graph) == []


def test_the_layer_rule_is_not_vacuous() -> None:
    """Each forbidden arrow, direct or through a chain, is reported."""
    graph = {
        "exactscape.floats.plots": {"exactscape.cli.atlas"},
        "exactscape.floats.lp": {"exactscape.io.certify", "exactscape.core.model"},
        "exactscape.floats.hint": {"exactscape.experiments.tables"},
        "exactscape.core.model": set(),
        "exactscape.theory.minima": {"exactscape.deciders"},
        "exactscape.deciders": {"exactscape.floats.hint"},
        "exactscape.checker.cell": {"exactscape.floats.lp"},
        "exactscape.landscape.path": {"exactscape.floats.plots"},
    }
    found = layer_offences(graph)
    assert "exactscape.floats.plots -> exactscape.cli.atlas" in found
    assert "exactscape.floats.lp -> exactscape.io.certify" in found
    assert "exactscape.floats.hint -> exactscape.experiments.tables" in found
    assert "exactscape.theory.minima -> exactscape.deciders -> exactscape.floats.hint" in found
    assert "exactscape.checker.cell -> exactscape.floats.lp" in found
    assert not any(f.startswith("exactscape.landscape") for f in found)

"""The checker is small, trusted and independent (docs/theory.md §7, proofs/FORMAT.md 6).

(a) Every module of ``exactscape/checker/`` imports only from a short list
    of standard-library modules, or relatively from ``exactscape.checker``;
    no dynamic imports.
(b) With every other ``exactscape`` module and the exact/numeric backends
    blocked, ``exactscape.checker`` still imports and verifies a certificate.
"""

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from checker_certs import cell_unique_tree

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "exactscape"
CHECKER = PACKAGE / "checker"

ALLOWED = frozenset(
    {
        "json",
        "fractions",
        "sys",
        "typing",
        "dataclasses",
        "argparse",
        "os",
        "stat",
        "collections",
        "pathlib",
        "itertools",
        "functools",
    }
)
BLOCKED_BACKENDS = ("flint", "cdd", "sympy", "numpy", "scipy")
DYNAMIC = frozenset({"__import__", "eval", "exec", "compile", "importlib"})


def checker_files() -> list[Path]:
    files = sorted(CHECKER.rglob("*.py"))
    assert files, "no checker modules found"
    assert CHECKER / "region.py" in files, "the region kind's checker module is covered"
    return files


def imports_of(path: Path) -> list[tuple[int, str, int]]:
    """(line, module, level) for every import statement of a module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out: list[tuple[int, str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.lineno, node.module or "", node.level))
    return out


def violations(source: str, depth: int = 1) -> list[str]:
    """What rules (a) breaks in a checker module's source: imports outside the allow-list,
    relative imports that leave exactscape.checker (``depth``: 1 for checker/x.py),
    dynamic code, asserts, imports inside functions."""
    tree = ast.parse(source)
    out: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Import):
            out += [f"{line}: import of {a.name!r}" for a in node.names if a.name.split(".")[0] not in ALLOWED]
        elif isinstance(node, ast.ImportFrom):
            if node.level > depth:
                out.append(f"{line}: relative import leaves exactscape.checker")
            elif not node.level and (node.module or "").split(".")[0] not in ALLOWED:
                out.append(f"{line}: import of {node.module!r}")
        elif isinstance(node, ast.Name) and node.id in DYNAMIC:
            out.append(f"{line}: dynamic code or import via {node.id}")
        elif isinstance(node, ast.Assert):
            out.append(f"{line}: assert used for validation")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
            out += [f"{n.lineno}: import inside {node.name}()" for n in inner]
    return out


@pytest.mark.parametrize("path", checker_files(), ids=lambda p: p.name)
def test_checker_module_follows_the_independence_rules(path: Path) -> None:
    depth = len(path.relative_to(CHECKER).parts)
    found = violations(path.read_text(), depth)
    assert not found, f"{path.relative_to(REPO)}: " + "; ".join(found)


def test_the_rules_catch_what_they_forbid() -> None:
    """The rule checker is not vacuous: each forbidden construct is reported."""
    bad = textwrap.dedent(
        """
        import math
        from decimal import Decimal
        from .. import model
        from fractions import Fraction
        def f(x):
            from .linalg import dot
            assert x
            return __import__("numpy")
        """
    )
    found = violations(bad)
    for what in ("'math'", "'decimal'", "leaves exactscape.checker", "import inside f()", "assert", "__import__"):
        assert any(what in v for v in found), (what, found)
    assert not any("fractions" in v for v in found)
    assert violations("from .numbers import rational\nimport json\n") == []


BLOCKED_SCRIPT = textwrap.dedent(
    """
    import importlib.abc
    import sys
    import types

    PACKAGE_DIR, CERT = sys.argv[1], sys.argv[2]
    BACKENDS = {backends!r}


    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            top = name.split(".")[0]
            inside_checker = name == "exactscape.checker" or name.startswith("exactscape.checker.")
            if top in BACKENDS or (top == "exactscape" and name != "exactscape" and not inside_checker):
                raise ImportError("blocked by the independence test: " + name)
            return None


    sys.meta_path.insert(0, Blocker())
    # A stub parent package, so exactscape/__init__.py is not executed at all.
    stub = types.ModuleType("exactscape")
    stub.__path__ = [PACKAGE_DIR]
    sys.modules["exactscape"] = stub

    for probe in ("exactscape.core.model", "exactscape.core.linalg", "numpy", "flint", "sympy"):
        try:
            __import__(probe)
        except ImportError as exc:
            if "blocked by the independence test" not in str(exc):
                raise SystemExit("the blocker did not run for " + probe)
        else:
            raise SystemExit("import of " + probe + " was not blocked")

    import exactscape.checker as checker
    import os

    # every module of the package, not only those the public API happens to load
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(PACKAGE_DIR, "checker")) if f.endswith(".py"))
    for module in modules:
        __import__("exactscape.checker." + module)
    print("modules:", len(modules))

    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BACKENDS or
                    (m.startswith("exactscape.") and not m.startswith("exactscape.checker")))
    if loaded:
        raise SystemExit("unexpected modules loaded: " + ", ".join(loaded))
    code, lines = checker.check_file(CERT)
    for line in lines:
        print(line)
    result = checker.check_certificate({{"format": "exactscape-certificate", "version": "1.0", "kind": "x"}})
    print("direct:", result.verified, result.reason)
    sys.exit(code)
    """
).format(backends=BLOCKED_BACKENDS)


def _run_blocked(cert: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Check ``cert`` in a fresh interpreter whose imports of the producer and backends fail."""
    return subprocess.run(
        [sys.executable, "-I", "-c", BLOCKED_SCRIPT, str(PACKAGE), str(cert)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_checker_runs_with_producer_and_backends_blocked(tmp_path: Path) -> None:
    cert = tmp_path / "cert.json"
    cert.write_text(json.dumps(cell_unique_tree()))
    proc = _run_blocked(cert, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    assert "s VERIFIED" in out
    assert out[-1].startswith("direct: False kind:")
    modules = [p for p in CHECKER.glob("*.py")]
    assert f"modules: {len(modules)}" in out  # every checker module imported under the blocker


def test_blocked_run_still_rejects_a_corrupted_certificate(tmp_path: Path) -> None:
    bad = cell_unique_tree()
    bad["minimiser"] = {"u": [1, 1]}
    cert = tmp_path / "cert.json"
    cert.write_text(json.dumps(bad))
    proc = _run_blocked(cert, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert any(line.startswith("s REJECTED: minimiser.u:") for line in proc.stdout.splitlines())


ONE_PER_KIND = {
    "cell": "toy-mixed.cell-11.cert.json",
    "point": "kink-min.point.cert.json",
    "saddle": "zigzag-mixed.saddles.cert.json",
    "boundary": "kink-tree.boundary.cert.json",
    "region": "kink.region.cert.json",
    "census": "toy-mixed.census.cert.json",
    "infimum": "toy-mixed.infimum-11.cert.json",
    "path": "zigzag.path.cert.json",
    "spurious": "zigzag.spurious.cert.json",
    "branches": "zigzag-hidden.branches.cert.json",
    "faces": "vee.faces.cert.json",
}


def test_one_golden_certificate_per_kind() -> None:
    from exactscape.checker.envelope import KINDS

    assert sorted(ONE_PER_KIND) == sorted(KINDS)
    for kind, name in ONE_PER_KIND.items():
        assert json.loads((REPO / "proofs" / "certificates" / name).read_text())["kind"] == kind


@pytest.mark.parametrize("name", sorted(ONE_PER_KIND.values()))
def test_every_kind_verifies_with_producer_and_backends_blocked(name: str, tmp_path: Path) -> None:
    """Every kind (cells, points and their curves, trees, regions, census, Sturm
    sequences, ...) needs nothing outside the checker."""
    cert = REPO / "proofs" / "certificates" / name
    proc = _run_blocked(cert, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "s VERIFIED" in proc.stdout.splitlines()


def checker_import_graph() -> dict[str, set[str]]:
    """module -> the checker modules it imports (``from .x import``, ``from . import x``)."""
    graph: dict[str, set[str]] = {}
    for path in checker_files():
        targets: set[str] = set()
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    targets.add(node.module.split(".")[0])
                else:
                    targets.update(alias.name for alias in node.names)
        graph[path.stem] = targets
    return graph


def test_checker_modules_import_without_cycles() -> None:
    graph = checker_import_graph()
    assert graph["point"] >= {"curves", "hyperplane"} and "point" not in graph["hyperplane"]
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == 2:
            return
        assert state.get(module) != 1, "import cycle: " + " -> ".join([*trail, module])
        state[module] = 1
        for target in sorted(graph.get(module, set())):
            visit(target, [*trail, module])
        state[module] = 2

    for module in sorted(graph):
        visit(module, [])

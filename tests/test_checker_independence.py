"""The checker is small, trusted and independent (STYLE.md, SPEC section 7).

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


@pytest.mark.parametrize("path", checker_files(), ids=lambda p: p.name)
def test_checker_imports_only_allowed_standard_library(path: Path) -> None:
    for line, module, level in imports_of(path):
        where = f"{path.relative_to(REPO)}:{line}"
        if level:
            # Relative imports must stay inside exactscape.checker (level 1 from its own modules).
            depth = len(path.relative_to(CHECKER).parts)  # 1 for checker/x.py
            assert level <= depth, f"{where}: relative import leaves exactscape.checker"
            continue
        top = module.split(".")[0]
        assert top in ALLOWED, f"{where}: import of {module!r} is not in the allowed standard-library list"


@pytest.mark.parametrize("path", checker_files(), ids=lambda p: p.name)
def test_checker_has_no_dynamic_imports_or_asserts(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Name):
            assert node.id not in DYNAMIC, f"{where}: dynamic code or import via {node.id}"
        assert not isinstance(node, ast.Assert), f"{where}: assert used for validation"


def test_allow_list_rejects_math() -> None:
    # The list is deliberately short: math (floats) is not on it.
    assert "math" not in ALLOWED and "decimal" not in ALLOWED


def hand_built_certificate() -> dict[str, object]:
    """No bias, x_0 = (1, 0), x_1 = (0, 1), y = (1, -1), one neuron active on both.

    A = I, R* = (1, -1) is in no branch: the tree refutes "+", "-" and "0".
    """
    return {
        "format": "exactscape-certificate",
        "version": "1.0",
        "kind": "cell",
        "instance": {"X": [[1, 0], [0, 1]], "y": [1, -1], "bias": False},
        "claim": {
            "feasible": True,
            "rank": 2,
            "kind": "unique",
            "dimension": 0,
            "loss": 0,
            "genuine": False,
            "branches": None,
        },
        "pattern": [[1], [1]],
        "feasibility": {"witness": [[1, 1]]},
        "rank": {"basis_rows": [0, 1], "combinations": []},
        "minimiser": {"u": [1, -1]},
        "genuineness": {
            "tree": {
                "split": 0,
                "+": {"leaf": {"fit": [[1, -1]], "sign": [[0, 1, 1]]}},
                "-": {"leaf": {"fit": [[0, 1]], "sign": [[0, 0, 1]]}},
                "0": {"leaf": {"fit": [[0, 1]], "sign": []}},
            }
        },
    }


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

    for probe in ("exactscape.model", "exactscape.linalg", "numpy", "flint", "sympy"):
        try:
            __import__(probe)
        except ImportError as exc:
            if "blocked by the independence test" not in str(exc):
                raise SystemExit("the blocker did not run for " + probe)
        else:
            raise SystemExit("import of " + probe + " was not blocked")

    import exactscape.checker as checker

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


def test_checker_runs_with_producer_and_backends_blocked(tmp_path: Path) -> None:
    cert = tmp_path / "cert.json"
    cert.write_text(json.dumps(hand_built_certificate()))
    proc = subprocess.run(
        [sys.executable, "-I", "-c", BLOCKED_SCRIPT, str(PACKAGE), str(cert)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    assert "s VERIFIED" in out
    assert out[-1].startswith("direct: False kind:")


def test_blocked_run_still_rejects_a_corrupted_certificate(tmp_path: Path) -> None:
    bad = hand_built_certificate()
    bad["minimiser"] = {"u": [1, 1]}
    cert = tmp_path / "cert.json"
    cert.write_text(json.dumps(bad))
    proc = subprocess.run(
        [sys.executable, "-I", "-c", BLOCKED_SCRIPT, str(PACKAGE), str(cert)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert any(line.startswith("s REJECTED: minimiser.u:") for line in proc.stdout.splitlines())


@pytest.mark.parametrize("name", ["zigzag.path.cert.json", "zigzag.spurious.cert.json"])
def test_new_1_2_kinds_verify_with_producer_and_backends_blocked(name: str, tmp_path: Path) -> None:
    """The kinds new in 1.2 (path: Sturm sequences; spurious) need nothing outside the checker."""
    cert = REPO / "proofs" / "certificates" / name
    proc = subprocess.run(
        [sys.executable, "-I", "-c", BLOCKED_SCRIPT, str(PACKAGE), str(cert)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "s VERIFIED" in proc.stdout.splitlines()

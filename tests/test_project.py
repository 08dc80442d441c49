"""Project-level contracts: README and CI agree; floats stay at the boundary."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# modules allowed to touch floats: the one input boundary, and the float side
# (fast-path hints and float experiments whose answers are re-verified exactly)
FLOAT_SIDE = {"boundary.py"}
FLOAT_SIDE_DIRS = {"experiments", "checker"}
FLOAT_SIDE_PREFIXES = ("float",)


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
    out = []
    for p in sorted((ROOT / "exactscape").rglob("*.py")):
        rel = p.relative_to(ROOT / "exactscape")
        if rel.name in FLOAT_SIDE or rel.parts[0] in FLOAT_SIDE_DIRS or rel.name.startswith(FLOAT_SIDE_PREFIXES):
            continue
        out.append(p)
    return out


def test_no_float_reaches_the_exact_core() -> None:
    offenders = []
    for p in _exact_core_modules():
        tree = ast.parse(p.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
                offenders.append(f"{p.name}:{node.lineno}: float()")
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                offenders.append(f"{p.name}:{node.lineno}: float literal")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for n in names:
                    if n.split(".")[0] in {"numpy", "scipy"}:
                        offenders.append(f"{p.name}:{node.lineno}: import {n}")
                    if n == "math":
                        # integer-only helpers are exact; everything else in math is float
                        used = {a.name for a in node.names} if isinstance(node, ast.ImportFrom) else {"*"}
                        if not used <= {"lcm", "gcd", "isqrt", "comb", "prod"}:
                            offenders.append(f"{p.name}:{node.lineno}: math.{sorted(used)}")
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                # true division is allowed only on Fractions; flag int-literal / int-literal
                if isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant):
                    offenders.append(f"{p.name}:{node.lineno}: literal division")
    assert offenders == []


def test_no_assert_statements_for_validation_in_the_package() -> None:
    offenders = []
    for p in sorted((ROOT / "exactscape").rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Assert):
                offenders.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_float_guard_is_not_vacuous() -> None:
    assert any(p.name == "linalg.py" for p in _exact_core_modules())
    assert not any(p.name == "boundary.py" for p in _exact_core_modules())

"""Packaging beyond pyproject.toml: the data ``exactscape selftest`` replays.

A wheel carries the package only; the bundled example runs
(examples/runs.json and the instances, weights and patterns they name) and
the golden certificates (proofs/certificates/*.cert.json) live outside it in
the repository. They are mapped, not copied, into the wheel as the data-only
packages ``exactscape.bundled.examples`` and
``exactscape.bundled.certificates``; exactscape/selftest.py reads them there
when the repository layout is absent. The documents the CLI and the
certificates cite ship the same way: docs/theory.md as
``exactscape/bundled/docs/theory.md`` and proofs/FORMAT.md as
``exactscape/bundled/format/FORMAT.md``. Everything else is in pyproject.toml.
"""

from __future__ import annotations

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

BUNDLED = {
    "exactscape.bundled.examples": "examples",
    "exactscape.bundled.certificates": "proofs/certificates",
    "exactscape.bundled.docs": "docs",
    "exactscape.bundled.format": "proofs",
}


class BuildPy(build_py):  # type: ignore[misc]
    """build_py that takes only data files from the bundled folders (not their scripts)."""

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        if package in BUNDLED:
            return []
        return list(super().find_package_modules(package, package_dir))


setup(
    packages=[*find_packages(include=["exactscape", "exactscape.*"]), *BUNDLED],
    package_dir=BUNDLED,
    package_data={
        "exactscape": ["py.typed"],
        "exactscape.bundled.examples": ["*.json"],
        "exactscape.bundled.certificates": ["*.cert.json"],
        "exactscape.bundled.docs": ["*.md"],
        "exactscape.bundled.format": ["FORMAT.md"],
    },
    cmdclass={"build_py": BuildPy},
)

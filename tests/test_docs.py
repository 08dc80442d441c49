"""Every citation resolves inside the repository.

- Every bracketed equation number "[n]", "[n-m]", "[a, b-c]" in the package's
  strings and comments and in the Markdown documents is an equation label of
  docs/theory.md (a number in bold there: **[n]**, or **Part 2 [n]** for
  Part 2's numbering, which gaussian1d.py cites bare and other files as
  "Part 2 [n]").
- Every "docs/theory.md section n" / "theory.md §n" names a section that exists.
- The stand-alone documents cite nothing outside the repository (the maths
  notes, the tool notes, the tracker's issue numbers).

To widen a check, add a glob to CITING or STANDALONE.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THEORY = ROOT / "docs" / "theory.md"

# files whose equation citations and theory.md section references must resolve
CITING = [
    "exactscape/**/*.py",
    "examples/*.py",
    "README.md",
    "results/README.md",
    "proofs/FORMAT.md",
    "proofs/README.md",
    "docs/theory.md",
]
# files that cite Part 2's equation numbers without the words "Part 2"
PART2_FILES = {"exactscape/experiments/gaussian1d.py"}
# files that must not cite the maths notes, the tool notes or issue numbers
STANDALONE = [
    "README.md",
    "results/README.md",
    "docs/*.md",
    "examples/*.py",
    "exactscape/**/*.py",
    "proofs/*.md",
    "proofs/*.py",
    "benchmarks/*.py",
    "benchmarks/results/*.md",
    "tests/*.py",
    "setup.py",
    "setup.sh",
    "pyproject.toml",
    ".ci/run",
]
SELF = Path(__file__).resolve()  # this file names the patterns it forbids
OUTSIDE = re.compile(r"SPEC|\.\./shared|TOOLS\.md|[Ii]ssue ?[0-9]")

# "[12]", "[10-14]", "[27-28, 43]"; not an index (x[3], X[0][1]), a regex class ([0-9]+) or a list literal
CITE = re.compile(r"(?<![\w\]\[)\"'`/.*^_,])\[(\d+(?:-\d+)?(?:, ?\d+(?:-\d+)?)*)\](?![\w\[\](*+?{:])")
INTERVAL_BEFORE = re.compile(r"\b(?:in|on|outside|to|within)\s*$")  # "t in [0, 1]", "L on [0, 1]"
PART2_BEFORE = re.compile(r"Part 2(?:'s)?\s*$")
SECTION_REF = re.compile(r"theory\.md,?\s+(?:sections?|§)\s*(\d+(?:\.\d+)?(?:(?:,\s*|\s+and\s+)\d+(?:\.\d+)?)*)")


def files(globs: list[str]) -> list[Path]:
    found = sorted({p for g in globs for p in ROOT.glob(g) if p.is_file()})
    assert found, globs
    return found


def labels() -> tuple[set[int], set[int]]:
    """(Part 1 labels, Part 2 labels): the bracketed numbers inside bold spans of theory.md."""
    p1: set[int] = set()
    p2: set[int] = set()
    for span in re.findall(r"\*\*(.+?)\*\*", THEORY.read_text(encoding="utf-8")):
        for m in re.finditer(r"(Part 2\s+)?\[(\d+)\]", span):
            (p2 if m.group(1) else p1).add(int(m.group(2)))
    return p1, p2


def sections() -> set[str]:
    text = THEORY.read_text(encoding="utf-8")
    return set(re.findall(r"^##+ (\d+(?:\.\d+)?)\.? ", text, flags=re.M))


def prose(path: Path) -> Iterator[str]:
    """The texts of a file that may cite: Python strings and comments; Markdown without code."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.STRING, tokenize.COMMENT):
                yield tok.string
    else:
        text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
        yield re.sub(r"`[^`\n]*`", "", text)


def citations(text: str, part2: bool = False) -> Iterator[tuple[bool, str]]:
    """(is Part 2's numbering, the bracket's contents) for every equation citation in text."""
    for m in CITE.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if INTERVAL_BEFORE.search(before):
            continue
        yield part2 or bool(PART2_BEFORE.search(before)), m.group(1)


def numbers(cited: str) -> Iterator[int]:
    for item in cited.split(","):
        lo, _, hi = item.strip().partition("-")
        yield from range(int(lo), int(hi or lo) + 1)


def unresolved(path: Path, p1: set[int], p2: set[int]) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    bad = []
    for text in prose(path):
        for is2, cited in citations(text, rel in PART2_FILES):
            missing = [n for n in numbers(cited) if n not in (p2 if is2 else p1)]
            if missing:
                bad.append(f"{rel}: {'Part 2 ' if is2 else ''}[{cited}] (no label {missing})")
    return bad


def test_scanner_tells_citations_from_indices_and_intervals() -> None:
    text = "loss [14], KKT [38]-[42], x[3], X[0][1], t in [0, 1], [0-9]+, [27-28, 43], Part 2 [17]"
    assert list(citations(text)) == [(False, "14"), (False, "38"), (False, "42"), (False, "27-28, 43"), (True, "17")]
    assert list(numbers("27-28, 43")) == [27, 28, 43]
    p1, p2 = labels()
    assert 99 not in p1 and 99 not in p2  # so a "[99]" in a scanned file would be reported


def test_the_scan_sees_the_package_citations() -> None:
    """Not vacuous: the package and the documents do cite, in both numberings."""
    found = {
        (is2, n)
        for f in files(CITING)
        for text in prose(f)
        for is2, cited in citations(text, f.relative_to(ROOT).as_posix() in PART2_FILES)
        for n in numbers(cited)
    }
    assert {(False, 12), (False, 29), (False, 42), (True, 17), (True, 20)} <= found
    assert len(found) > 40


def test_theory_has_the_seven_sections_in_order() -> None:
    text = THEORY.read_text(encoding="utf-8")
    top = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.M)
    assert [n for n, _ in top] == [str(i) for i in range(1, 8)]
    titles = [t for _, t in top]
    for i, word in enumerate(["Model", "Theorem 1", "Theorem 2", "Theorem 3", "Part 2", "sharper", "Certificates"]):
        assert word in titles[i], (i + 1, titles[i])


def test_theory_labels_the_paper_equations() -> None:
    p1, p2 = labels()
    assert {1, 2, 4, *range(10, 31), *range(38, 49)} <= p1
    assert set(range(9, 25)) <= p2


@pytest.mark.parametrize("path", files(CITING), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_equation_citation_resolves(path: Path) -> None:
    p1, p2 = labels()
    assert unresolved(path, p1, p2) == []


@pytest.mark.parametrize("path", files(CITING), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_theory_section_reference_exists(path: Path) -> None:
    have = sections()
    text = path.read_text(encoding="utf-8")
    for m in SECTION_REF.finditer(text):
        for sec in re.split(r",\s*|\s+and\s+", m.group(1)):
            assert sec in have, f"{path.relative_to(ROOT)}: {m.group(0)!r} names no section of docs/theory.md"


@pytest.mark.parametrize(
    "path", [p for p in files(STANDALONE) if p.resolve() != SELF], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_no_citation_outside_the_repository(path: Path) -> None:
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert not OUTSIDE.search(line), f"{path.relative_to(ROOT)}:{no}: {line.strip()}"


@pytest.mark.parametrize("doc", ["README.md", "results/README.md", "docs/theory.md"])
def test_markdown_links_resolve(doc: str) -> None:
    path = ROOT / doc
    text = path.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    for link in links:
        if "://" not in link:
            assert (path.parent / link).exists(), f"{doc}: link {link} does not exist"
    if doc == "README.md":
        assert "docs/theory.md" in links

"""Every citation resolves inside the repository.

- Every bracketed equation number "[n]", "[n-m]", "[a, b-c]" in the package's
  strings and comments and in the Markdown documents is an equation label of
  docs/theory.md (a number in bold there: **[n]**, or **Part 2 [n]** for
  Part 2's numbering, which gaussian1d.py cites bare and other files as
  "Part 2 [n]").
- Every "docs/theory.md section n" / "theory.md §n" names a section that exists.
- Every paper section, figure or table the package and the documents cite
  ("Part 2's Section III", "Section IV-B", "Fig. 2(e)", "Table VI") is named in
  docs/theory.md, there with its part ("Part 1, Section IV-B", "Part 2, Fig. 3").
- The stand-alone documents cite nothing outside the repository (the maths
  notes, the tool notes, the tracker's issue numbers).

To widen a check, add a glob to CITING or STANDALONE.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
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
    "docs/*.py",
    "README.md",
    "results/README.md",
    "proofs/FORMAT.md",
    "proofs/README.md",
    "docs/*.md",
]
# files that cite Part 2's equation numbers without the words "Part 2"
PART2_FILES = {"exactscape/experiments/gaussian1d.py"}
# files that must not cite the maths notes, the tool notes or issue numbers
STANDALONE = [
    "README.md",
    "results/README.md",
    "docs/*.md",
    "docs/*.py",
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


# paper sections "Section IV-B", "Sections IV-V", "Sections III and IV"; figures "Fig. 2(a)-(d)"; tables
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
SEC = r"[IVX]+(?:-[A-H])?\b"
PAPER_REF = re.compile(
    rf"\b(?P<what>[Ss]ections?|Tables?)\s+(?P<list>{SEC}(?:(?:-|,\s+|\s+and\s+|/){SEC})*)"
    r"|\bFig\.\s*(?P<fig>\d+)(?:\((?P<p1>[a-z])\)(?:-\((?P<p2>[a-z])\))?)?"
)
PART_BEFORE = re.compile(r"Part\s+([12])\b(?!.*Part\s+[12]\b)", re.S)


def roman_range(lo: str, hi: str) -> list[str]:
    """The sections from lo to hi ("IV", "VI": IV, V, VI); a subsection ("III-C") stands for itself."""
    if lo in ROMAN and hi in ROMAN and ROMAN.index(lo) < ROMAN.index(hi):
        return ROMAN[ROMAN.index(lo) : ROMAN.index(hi) + 1]
    return [lo, hi]


def paper_refs(text: str, default_part: str | None = None) -> Iterator[tuple[str | None, str]]:
    """(part or None, "Section IV-B" / "Fig. 2(e)" / "Fig. 3" / "Table VI") for every paper citation
    in text; the part is the last "Part 1"/"Part 2" in the 24 characters before the citation."""
    for m in PAPER_REF.finditer(text):
        near = PART_BEFORE.search(text[max(0, m.start() - 24) : m.start()])
        part = near.group(1) if near else default_part
        if m.group("fig"):
            lo, hi = m.group("p1"), m.group("p2") or m.group("p1")
            panels = [chr(c) for c in range(ord(lo), ord(hi) + 1)] if lo and hi else [""]
            for panel in panels:
                yield part, f"Fig. {m.group('fig')}" + (f"({panel})" if panel else "")
            continue
        kind = "Table" if m.group("what").startswith("Table") else "Section"
        items = re.findall(rf"{SEC}|-(?={SEC})", m.group("list"))
        names: list[str] = []
        for k, item in enumerate(items):
            if item == "-" and names and k + 1 < len(items):
                names += roman_range(names.pop(), items[k + 1])[:-1]
            elif item != "-":
                names.append(item)
        for name in names:
            yield (None if kind == "Table" else part), f"{kind} {name}"


def paper_labels() -> set[tuple[str | None, str]]:
    """What theory.md names: (part, section or figure) where it says the part, (None, table) for tables."""
    found = set(paper_refs(THEORY.read_text(encoding="utf-8")))
    return {(part, name) for part, name in found if part or name.startswith("Table")}


def named(label: str, cited: str) -> bool:
    """theory.md's label covers the citation: the same, the whole figure ("Fig. 3" for "Fig. 3(b)"),
    or a panel of the figure cited whole ("Fig. 2(a)" for "Fig. 2")."""
    return label in (cited, cited.split("(")[0]) or (cited.startswith("Fig.") and label.startswith(cited + "("))


def paper_unresolved(path: Path, have: set[tuple[str | None, str]]) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    bad = []
    for text in prose(path):
        for part, name in paper_refs(text, "2" if rel in PART2_FILES else None):
            if name.startswith("Table"):
                ok = (None, name) in have
            else:  # without a part ("the paper's Section IV-B") either part will do
                ok = any(q in (part or "12") and named(label, name) for q, label in have if q)
            if not ok:
                bad.append(f"{rel}: {'Part ' + part + ' ' if part else ''}{name} is not named in docs/theory.md")
    return bad


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


THEORY_SECTIONS = [
    "Model",
    "Theorem 1",
    "Theorem 2",
    "Theorem 3",
    "Part 2",
    "sharper",
    "Certificates",
    "atlas",
    "Spurious",
    "segment",
    "polyhedra",
    "float point",
    "Cells",
]


def test_theory_has_its_sections_in_order() -> None:
    text = THEORY.read_text(encoding="utf-8")
    top = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.M)
    assert [n for n, _ in top] == [str(i) for i in range(1, len(THEORY_SECTIONS) + 1)]
    titles = [t for _, t in top]
    for i, word in enumerate(THEORY_SECTIONS):
        assert word in titles[i], (i + 1, titles[i])


def cli_commands() -> list[str]:
    """The commands ``exactscape --help`` lists (the lines of its COMMAND block)."""
    out = subprocess.run(
        [sys.executable, "-m", "exactscape", "--help"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    block = out.split("COMMAND\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^    (\w+)", block, flags=re.M)


def test_every_command_has_its_mathematics_in_theory() -> None:
    """The table "Which section each command rests on" names every command, each with sections that exist."""
    text = THEORY.read_text(encoding="utf-8")
    table = text.split("**Which section each command rests on.**", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for name in re.findall(r"`(\w+)`", cells[0]):
            rows[name] = re.split(r",\s*", cells[2])
    commands = cli_commands()
    assert {"cell", "atlas", "path", "crosscheck"} <= set(commands)  # the scan reads the help
    assert [c for c in commands if c not in rows] == []
    have = sections()
    for name, secs in rows.items():
        assert secs and all(s in have for s in secs), (name, secs)


def test_theory_labels_the_paper_equations() -> None:
    p1, p2 = labels()
    assert {1, 2, 4, *range(10, 31), *range(38, 49)} <= p1
    assert set(range(9, 25)) <= p2


@pytest.mark.parametrize("path", files(CITING), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_equation_citation_resolves(path: Path) -> None:
    p1, p2 = labels()
    assert unresolved(path, p1, p2) == []


def test_scanner_reads_paper_citations() -> None:
    text = "Part 2's Section III, Part 2 (its Sections IV-V, Section III-C), the paper's Section IV-B, Fig. 2(a)-(c)"
    assert list(paper_refs(text + ", Tables I-III; Part 1, Fig. 3")) == [
        ("2", "Section III"),
        ("2", "Section IV"),
        ("2", "Section V"),
        (None, "Section III-C"),  # "Part 2" is too far back: either part will do
        (None, "Section IV-B"),
        (None, "Fig. 2(a)"),
        (None, "Fig. 2(b)"),
        (None, "Fig. 2(c)"),
        (None, "Table I"),
        (None, "Table II"),
        (None, "Table III"),
        ("1", "Fig. 3"),
    ]
    have = paper_labels()
    assert {
        ("1", "Section IV-B"),
        ("2", "Section VI"),
        ("2", "Fig. 2(e)"),
        ("1", "Fig. 2(c)"),
        (None, "Table V"),
    } <= have
    assert ("1", "Section IX") not in have and ("2", "Fig. 9") not in have  # so such a citation would be reported


def test_the_scan_sees_paper_citations() -> None:
    """Not vacuous: the package and the documents cite the paper's sections, figures and tables."""
    found = {ref for f in files(CITING) if f != THEORY for text in prose(f) for ref in paper_refs(text)}
    assert {("2", "Section III"), ("2", "Section VI"), (None, "Fig. 2(e)"), (None, "Table VI")} <= found


@pytest.mark.parametrize("path", files(CITING), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_paper_section_figure_and_table_is_named_in_theory(path: Path) -> None:
    assert paper_unresolved(path, paper_labels()) == []


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


@pytest.mark.parametrize("doc", ["README.md", "results/README.md", "docs/theory.md", "docs/manual.md"])
def test_markdown_links_resolve(doc: str) -> None:
    path = ROOT / doc
    text = path.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    for link in links:
        if "://" not in link:
            assert (path.parent / link).exists(), f"{doc}: link {link} does not exist"
    if doc == "README.md":
        assert {"docs/theory.md", "docs/manual.md", "docs/tutorial.py", "proofs/FORMAT.md"} <= set(links)

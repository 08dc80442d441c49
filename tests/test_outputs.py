"""The write side: every file exactscape writes goes through exactscape.io.outputs.

One regression test per reproduction of the hardening report (data loss at
the fixed temporary name, a full disk, experiment ``--out``, two certificate
outputs, concurrent writers, special files as outputs), then unit tests of
the module and a hypothesis test over random output paths."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactscape.cli import main
from exactscape.errors import OutputError
from exactscape.experiments import trapped
from exactscape.experiments.data import gaussian
from exactscape.experiments.trapped import TrappedSettings, result_paths, run_to_files
from exactscape.io import certify, outputs

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
CERTS = ROOT / "proofs" / "certificates"
PATTERN = str(EX / "toy-cell-11.pattern.json")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, list[str]]:
    """``exactscape ARGV`` in this process: (exit code, stdout, stderr lines)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def snapshot(d: Path) -> dict[str, Any]:
    """Every entry under ``d`` (names, link targets, file bytes)."""
    snap: dict[str, Any] = {}
    for p in sorted(d.rglob("*")):
        if p.is_symlink():
            snap[str(p)] = ("link", os.readlink(p))
        elif p.is_file():
            snap[str(p)] = p.read_bytes()
        else:
            snap[str(p)] = "dir"
    return snap


def temporaries(d: Path) -> list[Path]:
    return [p for p in d.iterdir() if p.name.endswith(".tmp") and p.name.startswith(".")]


def is_certificate(p: Path) -> bool:
    from exactscape.checker import check_file

    return check_file(p)[0] == 0


# ------------------------------------------------- item 1: the fixed temporary name


def test_input_named_like_the_old_temporary_survives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_tmp = tmp_path / "data.tmp"
    shutil.copy(EX / "toy-mixed.json", data_tmp)
    before = data_tmp.read_bytes()
    code, _, err = run(["cell", str(data_tmp), "--pattern", PATTERN, "--cert", str(tmp_path / "data")], capsys)
    assert code == 0 and err == []
    assert data_tmp.read_bytes() == before  # the input is kept
    assert is_certificate(tmp_path / "data")
    assert temporaries(tmp_path) == []


def test_symlink_at_the_old_temporary_name_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.txt"
    other.write_text("precious\n")
    (tmp_path / "c.json.tmp").symlink_to(other)
    argv = ["cell", str(EX / "toy-mixed.json"), "--pattern", PATTERN, "--cert", str(tmp_path / "c.json")]
    code, _, _ = run(argv, capsys)
    assert code == 0
    assert other.read_text() == "precious\n"
    assert os.readlink(tmp_path / "c.json.tmp") == str(other)
    assert is_certificate(tmp_path / "c.json")


def test_foreign_file_at_the_old_temporary_name_is_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.json.tmp"
    notes.write_text('{"mine": true}\n')
    code, _, _ = run(
        ["cell", str(EX / "toy-mixed.json"), "--pattern", PATTERN, "--cert", str(tmp_path / "notes.json")], capsys
    )
    assert code == 0 and notes.read_text() == '{"mine": true}\n'
    assert is_certificate(tmp_path / "notes.json")


def test_certificate_bytes_are_the_canonical_dump(tmp_path: Path) -> None:
    src = CERTS / "toy-mixed.cell-11.cert.json"
    cert = json.loads(src.read_text())
    certify.write(cert, tmp_path / "c.json")
    assert (tmp_path / "c.json").read_bytes() == certify.dumps(cert).encode()
    assert (tmp_path / "c.json").read_bytes() == src.read_bytes()


# ------------------------------------------------------------ item 2: a full disk


def _enospc(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_full_disk_leaves_no_temporary_and_the_old_certificate(
    call: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "c.json"
    shutil.copy(CERTS / "toy-positive.cell-11.cert.json", target)
    old = target.read_bytes()
    monkeypatch.setattr(os, call, _enospc)
    code, _, err = run(["cell", str(EX / "toy-mixed.json"), "--pattern", PATTERN, "--cert", str(target)], capsys)
    monkeypatch.undo()
    assert code == 3 and len(err) == 1 and "No space left on device" in err[0], err
    assert target.read_bytes() == old
    assert temporaries(tmp_path) == []


def test_full_disk_on_a_new_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "write", _enospc)
    with pytest.raises(OutputError, match="No space left"):
        outputs.write_text(tmp_path / "new.json", "x" * 100)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_full_disk_on_append_cuts_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "p.jsonl"
    outputs.append_line(p, '{"a": 1}')
    real_write = os.write

    def half(fd: int, data: Any) -> int:  # writes part of the line, then the disk is full
        real_write(fd, bytes(data)[:3])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half)
    with pytest.raises(OutputError, match="No space left"):
        outputs.append_line(p, '{"b": 2}', may_replace=lambda _p: True)
    monkeypatch.undo()
    assert p.read_text() == '{"a": 1}\n'


def test_interrupt_removes_the_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def stop(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", stop)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_text(tmp_path / "new.json", "x")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------- item 3: experiment --out

TRAPPED = ["experiment", "trapped", "--N", "10", "--d0", "2", "--K", "2", "--locations=-20,3", "--trials", "2"]


@pytest.mark.parametrize("what", ["input", "foreign", "directory", "devfull", "foreign-md", "md-suffix"])
def test_experiment_out_is_protected(what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    if what == "input":
        shutil.copy(EX / "toy-mixed.json", out)
    elif what == "foreign":
        out.write_text('{"format": "something-else"}\n')
    elif what == "directory":
        out.mkdir()
    elif what == "devfull":
        out = Path("/dev/full")
    elif what == "foreign-md":
        (tmp_path / "r.md").write_text("my notes\n")
    elif what == "md-suffix":
        out = tmp_path / "r.md"
    before = snapshot(tmp_path)
    code, _, err = run([*TRAPPED, "--out", str(out)], capsys)
    assert code == 3 and len(err) == 1 and "Traceback" not in err[0], err
    assert snapshot(tmp_path) == before


def test_experiment_replaces_its_own_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert run([*TRAPPED, "--out", str(out)], capsys)[0] == 0
    first = json.loads(out.read_text())
    assert first["format"] == "exactscape-trapped-results" and (tmp_path / "r.md").exists()
    assert not (tmp_path / "r.partial.jsonl").exists()
    code, stdout, _ = run([*TRAPPED, "--seed", "1", "--out", str(out)], capsys)
    assert code == 0 and json.loads(out.read_text())["settings"]["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.md"]


def test_disagreement_out_is_protected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "d.json"
    shutil.copy(EX / "toy-mixed.json", out)
    before = snapshot(tmp_path)
    argv = ["experiment", "disagreement", "--N", "6", "--d0", "2", "--K", "1", "--trials", "1", "--out", str(out)]
    code, _, err = run([*argv, "--save-dir", str(tmp_path / "s")], capsys)
    assert code == 3 and len(err) == 1 and "not a results file of experiment disagreement" in err[0]
    (tmp_path / "file").write_text("x")
    code, _, err = run([*argv[:-1], str(tmp_path / "e.json"), "--save-dir", str(tmp_path / "file")], capsys)
    assert code == 3 and "not a directory" in err[0]
    assert snapshot(tmp_path) == {**before, str(tmp_path / "file"): b"x"}


def _tiny() -> tuple[Any, TrappedSettings]:
    ds = gaussian(10, 2, np.random.default_rng(5))
    return ds, TrappedSettings(K=2, locations=(-20.0, 3.0), trials=2, seed=4, max_steps=500)


class Stop(Exception):
    pass


def _strip(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if not k.endswith("_seconds")} for r in recs]


def test_trapped_resumes_from_its_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ds, st = _tiny()
    out = tmp_path / "t.json"
    _, _, part = result_paths(out)
    full = trapped.run_trapped(ds, st)

    def stop_after_two(msg: str, n: list[int] = [0]) -> None:  # noqa: B006 - a counter
        n[0] += 1
        if n[0] == 2:
            raise Stop

    with pytest.raises(Stop):
        run_to_files(ds, st, out, stop_after_two)
    lines = part.read_text().splitlines()
    assert json.loads(lines[0])["format"] == "exactscape-trapped-partial" and len(lines) == 3
    calls: list[int] = []
    real = trapped.analyse_cell

    def counted(*a: Any, **k: Any) -> Any:
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(trapped, "analyse_cell", counted)
    res, j, m, resumed = run_to_files(ds, st, out)
    assert resumed == 2 and len(calls) == 2  # only the two unfinished trials are computed
    assert _strip(res["records"]) == _strip(full["records"])  # the same run as without the stop
    assert not part.exists() and j.exists() and m.exists()


def test_trapped_resume_drops_a_cut_last_line(tmp_path: Path) -> None:
    ds, st = _tiny()
    out = tmp_path / "t.json"
    _, _, part = result_paths(out)

    def stop(msg: str) -> None:
        raise Stop

    with pytest.raises(Stop):
        run_to_files(ds, st, out, stop)
    part.write_bytes(part.read_bytes() + b'{"location": 3.0, "tri')  # a run killed mid-line
    res, _, _, resumed = run_to_files(ds, st, out)
    assert resumed == 1 and len(res["records"]) == 4


def test_trapped_starts_over_an_empty_partial_file(tmp_path: Path) -> None:
    ds, st = _tiny()
    out = tmp_path / "t.json"
    (tmp_path / "t.partial.jsonl").write_bytes(b"")  # what a run stopped at once leaves
    res, _, _, resumed = run_to_files(ds, st, out)
    assert resumed == 0 and len(res["records"]) == 4 and not (tmp_path / "t.partial.jsonl").exists()


def test_trapped_refuses_a_partial_file_of_another_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.json"
    part = tmp_path / "t.partial.jsonl"
    ds, st = _tiny()
    with pytest.raises(Stop):
        run_to_files(ds, st, out, lambda msg: (_ for _ in ()).throw(Stop()))
    before = part.read_bytes()
    other = TrappedSettings(K=2, locations=(-20.0, 3.0), trials=2, seed=5, max_steps=500)
    with pytest.raises(OutputError, match="other settings .*seed"):
        run_to_files(ds, other, out)
    assert part.read_bytes() == before
    part.write_text("not ours\n")
    code, _, err = run([*TRAPPED, "--out", str(out)], capsys)
    assert code == 3 and len(err) == 1 and "partial results file" in err[0]
    assert part.read_text() == "not ours\n"


# -------------------------------------------------- item 4: crosscheck's two outputs

CC = ["crosscheck", str(EX / "trained-tiny.json"), "--weights", str(EX / "trained-tiny.float-weights.json")]


def test_crosscheck_same_path_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    same = str(tmp_path / "same.json")
    code, _, err = run([*CC, "--cert", same, "--cell-cert", same], capsys)
    assert code == 3 and len(err) == 1 and "named twice" in err[0]
    assert list(tmp_path.iterdir()) == []
    code, _, err = run([*CC, "--cert", same, "--cell-cert", str(tmp_path / "." / "same.json")], capsys)
    assert code == 3 and list(tmp_path.iterdir()) == []


def test_crosscheck_cell_cert_at_an_input_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = tmp_path / "i.json"
    shutil.copy(EX / "trained-tiny.json", inst)
    before = inst.read_bytes()
    argv = ["crosscheck", str(inst), "--weights", str(EX / "trained-tiny.float-weights.json")]
    code, _, err = run([*argv, "--cert", str(tmp_path / "p.json"), "--cell-cert", str(inst)], capsys)
    assert code == 3 and "is an input" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.json"] and inst.read_bytes() == before


# -------------------------------------------------------- item 5: concurrent writers


def _writer(path: str, cert_file: str, rounds: int) -> None:
    cert = json.loads(Path(cert_file).read_text())
    for _ in range(rounds):
        certify.write(cert, path)


def test_concurrent_writers_never_corrupt(tmp_path: Path) -> None:
    sources = sorted(CERTS.glob("toy-*.cell-*.cert.json"))[:4]
    texts = {p.read_bytes() for p in sources}
    target = tmp_path / "c.json"
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    procs = [ctx.Process(target=_writer, args=(str(target), str(s), 50)) for s in sources]
    for p in procs:
        p.start()
    seen = 0
    while any(p.is_alive() for p in procs):
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            continue
        assert data in texts  # always one complete certificate, never a mix
        seen += 1
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert target.read_bytes() in texts and is_certificate(target)
    assert temporaries(tmp_path) == []


# --------------------------------------- special files as outputs (the output half)


@pytest.mark.parametrize("kind", ["devfull", "fifo", "stdout"])
def test_special_output_targets(kind: str, tmp_path: Path) -> None:
    cert = {"devfull": "/dev/full", "stdout": "/dev/stdout"}.get(kind, str(tmp_path / "x"))
    if kind == "fifo":
        os.mkfifo(cert)
    r = subprocess.run(
        [sys.executable, "-m", "exactscape.cli", "cell", str(EX / "toy-mixed.json"), "--pattern", PATTERN,
         "--cert", cert],
        capture_output=True, text=True, cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert r.returncode == 3 and len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stdout == ""
    if kind == "fifo":
        assert stat.S_ISFIFO(os.lstat(cert).st_mode)


# ------------------------------------------------------------------ unit tests


def test_check_targets_reasons(tmp_path: Path) -> None:
    inp = tmp_path / "in.json"
    inp.write_text("{}")
    (tmp_path / "link").symlink_to(inp)
    (tmp_path / "hard").hardlink_to(inp)
    (tmp_path / "file").write_text("x")
    cases = {
        inp: "is an input",
        tmp_path / "hard": "is an input",
        tmp_path / "link": "symbolic link",
        tmp_path: "is a directory",
        tmp_path / "file" / "x.json": "not a directory",
        tmp_path / "file": "is not an exactscape certificate",
        Path("/dev/null"): "special file",
    }
    for p, reason in cases.items():
        with pytest.raises(OutputError, match=reason):
            outputs.check_targets([p], [inp], outputs.CERTIFICATE)
    outputs.check_targets([tmp_path / "new" / "deeper" / "c.json"], [inp], outputs.CERTIFICATE)
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_ownership_reads_a_bounded_prefix(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"instance": "' + "x" * (2 * outputs.PREFIX_LIMIT) + '", "format": "exactscape-certificate"}')
    assert not outputs.CERTIFICATE(big)  # "format" beyond the prefix: not recognised, so kept
    nested = tmp_path / "nested.json"
    nested.write_text('{"data": {"format": "exactscape-certificate"}}')
    assert not outputs.CERTIFICATE(nested)
    first = tmp_path / "first.json"
    first.write_text('{"format": "exactscape-certificate", "rest": "' + "x" * (2 * outputs.PREFIX_LIMIT) + '"}')
    assert outputs.CERTIFICATE(first)
    assert outputs.top_fields(b'{"a": 1, "b": [1, 2], "c": "unfinis') == {"a": 1, "b": [1, 2]}
    assert outputs.top_fields(b"\xef\xbb\xbf{}") == {} and outputs.top_fields(b"[1]") == {}


def test_unwritable_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.access(ro, os.W_OK):  # root writes anywhere: use a directory no one can create files in
        if not Path("/proc/self").is_dir():
            pytest.skip("no unwritable directory for this user")
        ro = Path("/proc")
    try:
        argv = ["cell", str(EX / "toy-mixed.json"), "--pattern", PATTERN, "--cert", str(ro / "exactscape-c.json")]
        code, _, err = run(argv, capsys)
        assert code == 3 and len(err) == 1 and str(ro) in err[0], err
    finally:
        if ro != Path("/proc"):
            ro.chmod(0o700)


WRITERS = (r"\.write_(text|bytes)\(", r"open\([^)]*[\"'][wax]b?[\"']", r"json\.dump\(", r"np\.save", r"\.mkdir\(")


def test_examples_and_regenerate_use_outputs() -> None:
    """Every writer outside the package goes through exactscape.io.outputs too."""
    for rel in ["examples/make_examples.py", "examples/make_float_examples.py", "proofs/regenerate.py",
                "benchmarks/run.py", "benchmarks/float_vs_exact.py", "benchmarks/scale.py"]:  # fmt: skip
        text = (ROOT / rel).read_text()
        assert ".write_text(" not in text.replace("outputs.write_text(", ""), rel
        assert "outputs" in text or "certify.write" in text, rel
    for p in (ROOT / "exactscape").rglob("*.py"):
        if p.name == "outputs.py" or "checker" in p.parts:
            continue
        text = p.read_text()
        stripped = text.replace("outputs.write_text(", "").replace("outputs.write_bytes(", "")
        for bad in WRITERS:
            assert not re.search(bad, stripped), f"{p.name}: {bad}"


# ----------------------------------------------------- fuzz: random output paths

KINDS = ["new", "new-in-missing-dir", "input", "foreign", "symlink", "directory", "same", "own-cert", "file-parent"]


def _commands() -> list[tuple[str, list[str], list[str]]]:
    """(name, argv before the outputs, inputs)."""
    e = str(EX)
    return [
        ("cell", ["cell", f"{e}/toy-mixed.json", "--pattern", PATTERN], [f"{e}/toy-mixed.json", PATTERN]),
        ("point", ["point", f"{e}/kink.json", "--weights", f"{e}/kink-min.weights.json"],
         [f"{e}/kink.json", f"{e}/kink-min.weights.json"]),
        ("saddles", ["saddles", f"{e}/zigzag.json", "--weights", f"{e}/zigzag-saddle.weights.json"],
         [f"{e}/zigzag.json"]),
        ("boundary", ["boundary", f"{e}/kink.json", "--weights", f"{e}/kink-min.weights.json", "--neuron", "0",
                      "--sample", "1"], [f"{e}/kink.json"]),
        ("crosscheck", CC, [str(EX / "trained-tiny.json")]),
    ]  # fmt: skip


def _make(kind: str, d: Path, n: int, inputs: list[str], first: Path | None) -> Path:
    p = d / f"out{n}.json"
    if kind == "new-in-missing-dir":
        return d / f"missing{n}" / "c.json"
    if kind == "input":
        q = Path(inputs[0])
        if q.parent == d:  # the command's own input
            return q
        shutil.copy(q, p)  # a copy: a foreign instance file
        return p
    if kind == "foreign":
        p.write_text('{"format": "exactscape-instance"}\n')
    elif kind == "symlink":
        (d / f"target{n}").write_text("keep\n")
        p.symlink_to(d / f"target{n}")
    elif kind == "directory":
        p.mkdir()
    elif kind == "same" and first is not None:
        return first
    elif kind == "own-cert":
        shutil.copy(CERTS / "kink.boundary.cert.json", p)
    elif kind == "file-parent":
        (d / f"plain{n}").write_text("x")
        return d / f"plain{n}" / "c.json"
    return p


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cmd=st.integers(0, 4), k1=st.sampled_from(KINDS), k2=st.sampled_from(KINDS), input_as_out=st.booleans())
def test_fuzz_output_paths(
    cmd: int, k1: str, k2: str, input_as_out: bool, tmp_path_factory: pytest.TempPathFactory, capsys: Any
) -> None:
    d = tmp_path_factory.mktemp("fz")
    name, argv, inputs = _commands()[cmd]
    if input_as_out:  # the instance copied into the directory is the input and may be named as output
        local = d / "inst.json"
        shutil.copy(argv[1], local)
        argv = [argv[0], str(local), *argv[2:]]
        inputs = [str(local)]
    p1 = _make(k1, d, 1, inputs, None)
    outs = ["--cert", str(p1)]
    named = [p1]
    if name == "crosscheck":
        p2 = _make(k2, d, 2, inputs, p1)
        outs += ["--cell-cert", str(p2)]
        named.append(p2)
    before = snapshot(d)
    code, _, err = run([*argv, *outs], capsys)
    assert code in (0, 2, 3), (code, err)
    assert len(err) <= 1 and not any("Traceback" in line for line in err)
    after = snapshot(d)
    allowed = {str(p) for p in named} | {str(p.parent) for p in named}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= allowed, (changed, allowed, err)
    if code == 3:
        assert changed == set()  # refused before anything was written
    assert temporaries(d) == []


def test_saved_disagreement_cases_are_ours() -> None:
    """Cases saved by earlier runs (patterns without a description) may be replaced; user instances may not."""
    from exactscape.experiments.compare import SAVED_INSTANCE, SAVED_PATTERN

    saved = sorted((ROOT / "results" / "disagreements").glob("*.pattern.json"))
    assert saved and all(SAVED_PATTERN(p) for p in saved)
    assert all(SAVED_INSTANCE(p.with_name(p.name.replace(".pattern.json", ".json"))) for p in saved)
    assert not SAVED_INSTANCE(EX / "toy-mixed.json") and not SAVED_PATTERN(EX / "toy-cell-11.pattern.json")


def test_one_rule_for_files_of_ours(tmp_path: Path) -> None:
    """Whether an existing file may be replaced is decided by the kinds of exactscape.io.outputs,
    from the file's content: no module keeps a predicate of its own, and no kind takes a file for
    ours by its suffix (a foreign .json, .md or .gz beside the results is refused)."""
    import ast
    import gzip

    from exactscape.experiments import landscape, table6, tables
    from exactscape.landscape import atlas

    own = [
        f"{p.relative_to(ROOT)}:{node.name}"
        for p in sorted((ROOT / "exactscape").rglob("*.py"))
        if p.name != "outputs.py"
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and "ours" in node.name
    ]
    assert own == []
    foreign = {name: tmp_path / name for name in ("a.json", "b.md", "c.json.gz", "d.png", "e.jsonl")}
    foreign["a.json"].write_text('{"format": "someone-else", "rows": []}\n')
    foreign["b.md"].write_text("# Someone's notes\n")
    foreign["c.json.gz"].write_bytes(gzip.compress(b'{"format": "someone-else"}'))
    foreign["d.png"].write_bytes(b"\x89PNG someone else")
    foreign["e.jsonl"].write_text('{"marker": "someone-else"}\n')
    kinds = [landscape._ours, table6.TABLE6_JSON, table6.TABLE6_MD, table6.COUNTS_MD, tables.OURS, atlas.ours]
    for kind in kinds:
        for p in foreign.values():
            assert not kind(p), (kind, p.name)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "RESULTS.json").write_text(json.dumps([{"data": "g", "N": 2, "d0": 1, "K": 1, "seconds": 0.1}] * 3))
    (mine / "RESULTS.md").write_text("# Spurious minima by construction (...)\n")
    (mine / "x.cert.json.gz").write_bytes(gzip.compress(b'{"format": "exactscape-certificate", "version": "1.0"}'))
    (mine / "i.json").write_text('{"format": "exactscape-instance", "version": 1}')
    assert all(landscape._ours(p) for p in mine.iterdir())
    (mine / "table6.json").write_text('{"generator": "exactscape table6", "rows": []}')
    (mine / "table6.md").write_text("# Table VI reproduced: cell diameters (Part 2 Section VI)\n")
    assert table6.TABLE6_JSON(mine / "table6.json") and table6.TABLE6_MD(mine / "table6.md")
    (mine / "t.partial.jsonl").write_text(json.dumps({"marker": tables.MARKER}) + "\n")
    assert tables.OURS(mine / "t.partial.jsonl")

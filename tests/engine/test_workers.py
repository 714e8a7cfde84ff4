"""Building with worker processes gives the index a serial build gives (issue 6).

Each case builds the same notes twice, once in this process (``jobs=1``) and
once with worker processes, and compares everything a user can see: the
sections, the file table, the statistics, the warnings and their order, and
search results with their scores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from notesearch import open_index, search
from notesearch.engine import seal, store
from notesearch.engine import workers as indexmod
from notesearch.engine.build import build_index
from notesearch.errors import IndexWriteError
from tests.helpers import write

QUERIES = ["quokka", "cougar care", '"feed the"', "tag:zoo", "link:b.md", "title:alpha", "zebra*"]


def _notes(count: int) -> dict[str, bytes]:
    """Varied notes: front matter, tags, links, code, and three that are skipped or warned."""
    notes: dict[str, bytes] = {}
    for n in range(count):
        front = f"---\ntags: [zoo/t{n % 4}]\naliases: [N{n}]\n---\n" if n % 3 == 0 else ""
        body = (
            f"{front}# Note {n} `#animals`\n\n**Tags:** `#zoo` `#n{n % 5}`\n\n"
            f"The quokka number {n} meets a zebra{n % 7}.\n\n"
            f"## Care `#gotcha`\n\nFeed the cougar {n} times. "
            f"See [b](b.md) and [[note-{n + 1}]].\n\n"
            "```python\nquokka = 'in code'\n```\n"
        )
        notes[f"dir{n % 3}/note-{n}.md"] = body.encode()
    notes["a.md"] = b"# Alpha\n\nThe quokka sleeps here.\n"
    notes["b.md"] = b"# Beta\n\nBeta body with a bison.\n"
    notes["latin1.md"] = "# Caf\xe9\n\nQuokka caf\xe9.\n".encode("cp1252")  # warned
    notes["binary.md"] = b"# Bin\x00ary\n"  # skipped: binary
    notes["huge.md"] = b"# Huge\n\n" + b"quokka " * 40_000  # skipped: over max_bytes
    return notes


def _write_all(root: Path, notes: dict[str, bytes]) -> Path:
    for rel, data in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _seen(index: Path) -> dict[str, Any]:
    """Everything a reader of the index can observe, in a comparable form."""
    with open_index(index) as ix:
        sections = [s.to_dict() for s in ix.sections()]
        results = {
            q: [(h.section.path, h.section.line, round(h.score, 6)) for h in search(ix, q).hits]
            for q in QUERIES
        }
        table = ix.table.to_json()
    return {"sections": sections, "results": results, "table": table}


def _stats(stats: Any) -> dict[str, Any]:
    keys = ("notes", "sections", "links", "tags", "added", "updated", "removed", "renamed")
    values = {k: getattr(stats, k) for k in (*keys, "unchanged", "skipped", "written")}
    values["warnings"] = [str(d) for d in stats.warnings]
    return values


def _build(notes: Path, index: Path, jobs: int) -> dict[str, Any]:
    return _stats(build_index(notes, index, jobs=jobs, max_bytes=100_000))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_first_build_equals_serial(tmp_path: Path, jobs: int) -> None:
    notes = _write_all(tmp_path / "notes", _notes(40))
    serial = _build(notes, tmp_path / "serial", 1)
    parallel = _build(notes, tmp_path / "parallel", jobs)
    assert parallel == serial
    assert serial["skipped"] == 2 and serial["notes"] == 43
    assert any("cp1252" in w or "Windows-1252" in w for w in serial["warnings"])
    assert _seen(tmp_path / "parallel") == _seen(tmp_path / "serial")
    assert _seen(tmp_path / "serial")["results"]["quokka"]  # the comparison is not vacuous
    assert not list((tmp_path / "parallel").glob("gen-*.tmp"))


@pytest.mark.slow
def test_the_seal_holds_the_digests_the_workers_took(tmp_path: Path) -> None:
    """Workers hash the segment files they wrote; the parent seals those digests."""
    notes = _write_all(tmp_path / "notes", _notes(40))
    index = tmp_path / "index"
    _build(notes, index, 2)
    gen = store.current(index)
    assert gen is not None
    assert seal.problems(index, gen, seal.load_key()) == []  # every file hashed anew


def _edit(notes: Path) -> None:
    (notes / "dir0/note-0.md").write_text("# Note 0\n\nNow about a wombat.\n", encoding="utf-8")
    (notes / "dir1/note-1.md").unlink()
    (notes / "dir2/note-2.md").rename(notes / "moved.md")
    (notes / "new.md").write_text("# New\n\nA quokka arrives. [[a]]\n", encoding="utf-8")
    st = (notes / "a.md").stat()  # touched, not changed
    os.utime(notes / "a.md", ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    for path in [notes / "dir0/note-0.md", notes / "moved.md", notes / "new.md"]:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [2, 4])
def test_parallel_update_equals_serial_update(tmp_path: Path, jobs: int) -> None:
    notes = _write_all(tmp_path / "notes", _notes(30))
    _build(notes, tmp_path / "serial", 1)
    shutil.copytree(tmp_path / "serial", tmp_path / "parallel")
    _edit(notes)
    serial = _build(notes, tmp_path / "serial", 1)
    parallel = _build(notes, tmp_path / "parallel", jobs)
    assert parallel == serial
    assert (serial["updated"], serial["removed"], serial["renamed"], serial["added"]) == (
        1,
        1,
        1,
        1,
    )
    assert _seen(tmp_path / "parallel") == _seen(tmp_path / "serial")
    _build(notes, tmp_path / "fresh", 1)
    fresh = _seen(tmp_path / "fresh")
    assert _seen(tmp_path / "parallel")["sections"] == fresh["sections"]
    # and the next update of the multi-segment index is a no-change run
    assert _build(notes, tmp_path / "parallel", jobs)["written"] is False


@pytest.mark.slow
def test_touched_notes_in_parallel_equal_serial(tmp_path: Path) -> None:
    notes = _write_all(tmp_path / "notes", _notes(6))
    _build(notes, tmp_path / "serial", 1)
    shutil.copytree(tmp_path / "serial", tmp_path / "parallel")
    for path in notes.rglob("*.md"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    serial = _build(notes, tmp_path / "serial", 1)
    parallel = _build(notes, tmp_path / "parallel", 2)
    assert parallel == serial
    assert serial["unchanged"] == serial["notes"] and serial["updated"] == 0
    assert _seen(tmp_path / "parallel") == _seen(tmp_path / "serial")
    assert not list((tmp_path / "parallel").glob("gen-*.tmp"))


def _unreadable_worker(
    k: int, tmp: str, root: str, share: list[Any], *args: Any, results: Any, **kwargs: Any
) -> None:
    """A worker that finds every note of its share unreadable (an I/O error)."""
    from notesearch.models import Diagnostic

    outcomes = [
        indexmod.Outcome("access", [Diagnostic("cannot be read (test); skipped", nf.path)])
        for nf, _ in share
    ]
    results.put((k, "", outcomes, [], {}))  # no segment written, none hashed


@pytest.mark.slow
def test_nothing_to_publish_leaves_no_generation_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = _write_all(tmp_path / "notes", _notes(6))
    index = tmp_path / "index"
    _build(notes, index, 1)
    before = sorted(p.name for p in index.iterdir())
    write(notes, "new1.md", "# New one\n")
    write(notes, "new2.md", "# New two\n")
    monkeypatch.setattr(indexmod, "_worker", _unreadable_worker)
    stats = _build(notes, index, 2)
    assert stats["written"] is False
    assert stats["warnings"] == [
        "new1.md: cannot be read (test); skipped",
        "new2.md: cannot be read (test); skipped",
    ]
    assert sorted(p.name for p in index.iterdir()) == before


def test_automatic_jobs_stay_in_process_for_few_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert indexmod.worker_count(None, indexmod.PARALLEL_MIN - 1) == 1
    assert indexmod.worker_count(1, 10_000) == 1
    assert indexmod.worker_count(8, 3) == 3  # never more workers than notes
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert indexmod.worker_count(None, indexmod.PARALLEL_MIN) == 2


# Workers replaced by these (spawned processes import them from this module).
def _dying_worker(k: int, *args: Any, **kwargs: Any) -> None:
    os._exit(3)


def _failing_worker(k: int, *args: Any, results: Any, **kwargs: Any) -> None:
    results.put((k, "No space left on device", None, None, None))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("worker", "message"),
    [
        (_dying_worker, "a worker process ended with exit code 3"),
        (_failing_worker, "No space left on device"),
    ],
)
def test_a_failing_worker_leaves_the_index_as_it_was(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    worker: Callable[..., None],
    message: str,
) -> None:
    notes = _write_all(tmp_path / "notes", _notes(8))
    index = tmp_path / "index"
    _build(notes, index, 1)
    before = _seen(index)
    live = (index / store.CURRENT).read_text(encoding="utf-8")
    (notes / "a.md").write_text("# Alpha\n\nChanged.\n", encoding="utf-8")
    os.utime(notes / "a.md", ns=(0, 4_000_000_000_000_000_000))
    monkeypatch.setattr(indexmod, "_worker", worker)
    with pytest.raises(IndexWriteError) as caught:
        build_index(notes, index, jobs=2, max_bytes=100_000, rebuild=True)
    assert message in str(caught.value)
    assert "previous index is unchanged" in (caught.value.hint or "")
    assert (index / store.CURRENT).read_text(encoding="utf-8") == live
    assert not list(index.glob("gen-*.tmp"))
    assert _seen(index) == before


@pytest.mark.slow
def test_ctrl_c_during_a_parallel_build_exits_130_and_keeps_the_index(tmp_path: Path) -> None:
    notes = _write_all(tmp_path / "notes", _notes(600))
    index = tmp_path / "index"
    base = [sys.executable, "-m", "notesearch", "index", "--notes", str(notes)]
    first = subprocess.run(
        [*base, "-q", "--index", str(index), "--jobs", "1"], capture_output=True, timeout=300
    )
    assert first.returncode == 0, first.stderr
    live = (index / store.CURRENT).read_text(encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.Popen(  # not -q: a run that finishes says how long it took
        [*base, "--index", str(index), "--rebuild", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(index.glob("gen-*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until the workers have started writing
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    signalled = time.monotonic() - started
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # finished first, or went on through the Ctrl-C
        took = re.search(r" in ([0-9.]+)s$", err.decode().strip())
        assert took is not None and float(took.group(1)) < signalled, (
            f"the build went on through the Ctrl-C: {err.decode()!r}"
        )
        pytest.skip("the build finished before Ctrl-C arrived")
    assert proc.returncode == 130
    assert out == b""
    assert err.decode().strip() == "notesearch: interrupted"
    assert (index / store.CURRENT).read_text(encoding="utf-8") == live
    assert not list(index.glob("gen-*.tmp"))
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "notesearch",
            "doctor",
            "--notes",
            str(notes),
            "--index",
            str(index),
        ],
        capture_output=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_jobs_option_on_the_command_line(tmp_path: Path) -> None:
    notes = _write_all(tmp_path / "notes", _notes(5))
    from click.testing import CliRunner

    from notesearch.cli import cli

    ok = CliRunner().invoke(cli, ["index", "--notes", str(notes), "--index", "ix", "-j", "2"])
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout == ""
    assert "9 notes" in ok.stderr  # the binary note is skipped
    bad = CliRunner().invoke(cli, ["index", "--notes", str(notes), "--index", "ix", "-j", "0"])
    assert bad.exit_code == 2
    assert "--jobs" in bad.stderr and bad.stdout == ""
    with open_index(tmp_path / "ix") as ix:
        assert json.dumps(ix.table.to_json())  # a readable file table
        assert len(ix.table.notes) == 9


@pytest.mark.slow
def test_no_worker_outlives_a_killed_parent(tmp_path: Path) -> None:
    """SIGKILL of a parallel index run: its workers end too, so nothing keeps its stderr
    open (`notesearch index | tee log` would hang on a worker left behind)."""
    notes = _write_all(tmp_path / "notes", _notes(1500))
    command = [sys.executable, "-m", "notesearch", "index", "-q", "--jobs", "2"]
    for attempt in range(3):
        index = tmp_path / f"index-{attempt}"
        proc = subprocess.Popen(
            [*command, "--notes", str(notes), "--index", str(index)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.5)  # the workers are running by now
        proc.kill()
        started = time.monotonic()
        proc.communicate(timeout=20)  # EOF: no process holds the pipes any more
        assert time.monotonic() - started < 5

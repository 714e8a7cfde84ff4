"""Crash safety and concurrency: locks, readers during writes, Ctrl-C, kill -9, I/O errors."""

from __future__ import annotations

import errno
import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import notesearch.engine.build as index_mod
import notesearch.engine.segments as segments_mod
from notesearch import IndexLockedError, NotesearchError, build_index, open_index, search
from notesearch.engine.store import locked
from tests.helpers import write
from tests.hostile.helpers import index_ok, nsub, run, subprocess_env


def _snapshot(index: Path, notes: Path) -> list[dict]:
    with open_index(index, notes) as idx:
        return [s.to_dict() for s in idx.sections()]


def _generations(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.startswith("gen-"))


def _only_live_and_previous(index: Path) -> bool:
    """The clean-up rule: the live generation and at most the one it replaced."""
    names = _generations(index)
    live = (index / "CURRENT").read_text().strip()
    return (
        bool(names)
        and names[-1] == live
        and len(names) <= 2
        and not any(n.endswith(".tmp") for n in names)
    )


def _bulk(notes: Path, count: int, word: str) -> None:
    for i in range(count):
        write(
            notes,
            f"bulk/n{i:05d}.md",
            f"# Note {i}\n\n{word} number{i} lorem ipsum\n\n## Part\n\nmore text {i}\n",
        )


def _wait_for_lock(index: Path, pid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (index / "lock").read_text().strip() == str(pid):
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError("the index run never took its lock")


# -- the writer lock -------------------------------------------------------------


def test_second_writer_waits_then_fails_naming_the_holder(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index_ok()
    before = _snapshot(index, notes)
    write(notes, "b.md", "# B\n\nbetaword\n")
    with locked(index):
        started = time.monotonic()
        with pytest.raises(IndexLockedError) as caught:
            build_index(notes, index, lock_timeout=0.5)
        waited = time.monotonic() - started
    assert waited >= 0.5
    message = str(caught.value)
    assert message == f"index is locked by another notesearch (pid {os.getpid()})"
    assert _snapshot(index, notes) == before


@pytest.mark.slow
def test_second_writer_cli_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index_ok()
    monkeypatch.setitem(index_mod.build_index.__kwdefaults__, "lock_timeout", 0.3)
    with locked(index):
        result = run("index")
        query = run("query", "alphaword", "--format", "paths")  # readers never wait
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert f"index is locked by another notesearch (pid {os.getpid()})" in result.stderr
    assert query.exit_code == 0 and query.stdout == "notes/a.md\n"


@pytest.mark.slow
def test_two_real_index_runs_serialize(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    _bulk(notes, 2000, "bulkword")
    first = subprocess.Popen(
        [sys.executable, "-m", "notesearch", "index", "-q"],
        cwd=tmp_path,
        env=subprocess_env(),
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_lock(index, first.pid)
        second = nsub("index", timeout=60)  # waits (up to 10 s) for the first
    finally:
        _, first_err = first.communicate(timeout=60)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second.stderr
    assert b"2000 unchanged" in second.stderr or b"2000 added" in second.stderr
    with open_index(index, notes) as idx:
        assert len(search(idx, "bulkword", limit=None, per_note=0).hits) == 2000
    assert _only_live_and_previous(index)


def test_stale_lock_file_from_a_dead_process_is_recovered(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index.mkdir()
    (index / "lock").write_text("999999\n")  # no process holds the flock
    result = index_ok()
    assert "locked" not in result.stderr
    assert run("query", "alphaword", "--format", "paths").stdout == "notes/a.md\n"


@pytest.mark.slow
def test_queries_during_an_update_see_old_or_new_never_a_mix(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    count = 1500
    _bulk(notes, count, "oldword")
    index_ok()
    _bulk(notes, count, "newword")  # every note changes
    writer = subprocess.Popen(
        [sys.executable, "-m", "notesearch", "index", "-q"],
        cwd=tmp_path,
        env=subprocess_env(),
        stderr=subprocess.PIPE,
    )
    seen: set[tuple[int, int]] = set()
    try:
        while writer.poll() is None:
            with open_index(index, notes) as idx:
                old = len(search(idx, "oldword", limit=None, per_note=0).hits)
                new = len(search(idx, "newword", limit=None, per_note=0).hits)
            seen.add((old, new))
    finally:
        _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert seen, "no query ran while the index was being written"
    assert seen <= {(count, 0), (0, count)}, seen
    with open_index(index, notes) as idx:
        assert len(search(idx, "newword", limit=None, per_note=0).hits) == count


# -- Ctrl-C ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.1, 0.9])
def test_ctrl_c_exits_130_with_one_line_and_a_consistent_index(
    tmp_path: Path, delay: float
) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index_ok()
    before = _snapshot(index, notes)
    _bulk(notes, 3000, "bulkword")
    proc = subprocess.Popen(
        [sys.executable, "-m", "notesearch", "index"],
        cwd=tmp_path,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for_lock(index, proc.pid)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # finished first, or went on through the Ctrl-C
        took = re.search(r" in ([0-9.]+)s$", err.decode().strip())
        assert took is not None and float(took.group(1)) < delay + 0.2, (
            f"the run went on through the Ctrl-C: {err.decode()!r}"
        )
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 130
    assert out == b""
    assert err.decode().splitlines() == ["notesearch: interrupted"]
    assert _snapshot(index, notes) == before
    again = index_ok()
    assert "3000 added" in again.stderr
    assert _only_live_and_previous(index)


# multiprocessing's first spawn starts its resource tracker, and that unblocks SIGINT
# on its way: a Ctrl-C while the workers started met the parent's SIG_IGN and was lost
# (the run went on to the end). The Ctrl-C here comes just as the first worker starts.
_CTRL_C_AS_A_WORKER_STARTS = """
import os, signal, sys
import multiprocessing.context as context

start = context.SpawnProcess.start


def started(self):
    start(self)
    os.kill(os.getpid(), signal.SIGINT)


context.SpawnProcess.start = started
sys.argv[0] = "notesearch"
from notesearch.__main__ import run

run()
"""


@pytest.mark.slow
def test_ctrl_c_while_the_workers_start_is_not_lost(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index_ok()
    before = _snapshot(index, notes)
    _bulk(notes, 300, "bulkword")
    _interrupted(_probe(tmp_path, _CTRL_C_AS_A_WORKER_STARTS, "index", "--jobs", "2"))
    assert _snapshot(index, notes) == before
    assert "300 added" in index_ok().stderr
    assert _only_live_and_previous(index)


# Python 3.11 ends a process by SIGINT at its exit when a KeyboardInterrupt passed
# through a string exec (dataclasses create their methods so), even one handled later:
# a Ctrl-C during a lazy import then gave "killed by SIGINT" instead of exit 130.
_CTRL_C_IN_A_STRING_EXEC = """
import sys
import notesearch.vault


def refresh(self, **options):
    exec("raise KeyboardInterrupt")


notesearch.vault.Vault.refresh = refresh
sys.argv[0] = "notesearch"
from notesearch.__main__ import run

run()
"""


def test_a_ctrl_c_raised_in_a_string_exec_still_exits_130(tmp_path: Path) -> None:
    write(tmp_path / "notes", "a.md", "# A\n\nalphaword\n")
    _interrupted(_probe(tmp_path, _CTRL_C_IN_A_STRING_EXEC, "index"))


_CTRL_C_AS_CLICK_IS_IMPORTED = """
import sys


class Stop:  # one Ctrl-C, as click's import starts
    def find_spec(self, name, path=None, target=None):
        if name == "click" and self in sys.meta_path:
            sys.meta_path.remove(self)
            raise KeyboardInterrupt
        return None


sys.meta_path.insert(0, Stop())
sys.argv[0] = "notesearch"
from notesearch.__main__ import run

run()
"""


def test_a_ctrl_c_while_the_command_line_is_imported_is_one_line(tmp_path: Path) -> None:
    # --all: not a form the shortcut takes (notesearch.shortcut), so click is imported
    _interrupted(_probe(tmp_path, _CTRL_C_AS_CLICK_IS_IMPORTED, "query", "spot", "--all"))


_CTRL_C_AS_WHOOSH_IS_IMPORTED = _CTRL_C_AS_CLICK_IS_IMPORTED.replace(
    'name == "click"', 'name == "whoosh"'
).replace("click's import", "Whoosh's import")


def test_a_ctrl_c_in_a_query_answered_without_the_command_line_is_one_line(
    tmp_path: Path,
) -> None:
    write(tmp_path / "notes", "a.md", "# A\n\nspot training\n")
    build_index(tmp_path / "notes", tmp_path / "index", jobs=1)
    _interrupted(_probe(tmp_path, _CTRL_C_AS_WHOOSH_IS_IMPORTED, "query", "spot"))


def _probe(folder: Path, script: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """notesearch run from ``folder`` after ``script``'s patches, as ``python -m``, the
    way the console script's Python ends (``-c`` ends another way)."""
    write(folder, "probe/__main__.py", script)
    return subprocess.run(
        [sys.executable, "-m", "probe", *args],
        cwd=folder,
        env=subprocess_env(),
        capture_output=True,
        timeout=60,
    )


def _interrupted(proc: subprocess.CompletedProcess[bytes]) -> None:
    assert proc.returncode == 130, proc.stderr
    assert proc.stdout == b""
    assert proc.stderr.decode().splitlines() == ["notesearch: interrupted"]


# -- kill -9 at chosen points ------------------------------------------------------

KILL_SCRIPT = """
import os, signal, sys
point, nth = sys.argv[1], int(sys.argv[2])
import notesearch.engine.segments as im
import notesearch.notes.parse as pm
import notesearch.engine.store as sm
calls = [0]

def hit():
    calls[0] += 1
    if calls[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)

def wrap(owner, name, when=lambda *a, **k: True):
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        if when(*args, **kwargs):
            hit()
        return real(*args, **kwargs)
    setattr(owner, name, wrapper)

if point == "parse":
    wrap(pm, "parse_note")
elif point == "segment-file":
    wrap(im.SafeFileStorage, "create_file")
elif point == "fsync":
    wrap(os, "fsync")
elif point == "rename":
    wrap(os, "rename")
elif point == "switch":
    wrap(os, "replace", lambda src, dst, *a, **k: str(dst).endswith("CURRENT"))
elif point == "cleanup":
    wrap(sm, "clean")
from notesearch.cli import main
sys.argv = ["notesearch", "index", "-q"]
main()
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "nth"),
    [
        ("parse", 2),
        ("segment-file", 1),
        ("segment-file", 5),
        ("fsync", 1),
        ("fsync", 4),
        ("rename", 1),
        ("switch", 1),
        ("cleanup", 2),
    ],
)
def test_kill_9_leaves_old_or_new_state(tmp_path: Path, point: str, nth: int) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    for i in range(5):
        write(notes, f"n{i}.md", f"# N{i}\n\nword{i} common\n")
    index_ok()
    old = _snapshot(index, notes)
    write(notes, "new.md", "# New\n\nnewword common\n")
    write(notes, "n1.md", "# N1 changed\n\nchangedword common\n")
    write(notes, "n2.md", "# N2 changed\n\nchangedword common\n")
    (notes / "n0.md").unlink()
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, point, str(nth)],
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr)
    # The next query works on the old or the new state...
    state = _snapshot(index, notes)
    query = run("query", "common", "--format", "paths", "--all")
    assert query.exit_code == 0
    # ...and the next index completes without manual cleanup.
    index_ok()
    new = _snapshot(index, notes)
    assert state in (old, new)
    assert {s["path"] for s in new} == {"n1.md", "n2.md", "n3.md", "n4.md", "new.md"}
    assert _only_live_and_previous(index)
    assert not (index / "CURRENT.tmp").exists()


# -- I/O errors (full disk) ----------------------------------------------------------


def _setup_update(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    notes, index = tmp_path / "notes", tmp_path / "index"
    for i in range(5):
        write(notes, f"n{i}.md", f"# N{i}\n\nword{i} common\n")
    build_index(notes, index)
    old = _snapshot(index, notes)
    write(notes, "new.md", "# New\n\nnewword common\n")
    write(notes, "n1.md", "# N1 changed\n\nchangedword common\n")
    (notes / "n0.md").unlink()
    return notes, index, old


def _fail_nth(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, nth: int, *, before_switch: bool
) -> None:
    """Make the nth call of owner.name raise ENOSPC.

    With ``before_switch``, only calls made before CURRENT is switched count
    (an error after the switch is the subject of its own test).
    """
    calls = [0]
    switched = [False]
    real = getattr(owner, name)
    real_replace = os.replace

    def failing(*args, **kwargs):
        if not (before_switch and switched[0]):
            calls[0] += 1
            if calls[0] == nth:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        result = (failing if owner is os and name == "replace" else real_replace)(
            src, dst, *args, **kwargs
        )
        if str(dst).endswith("CURRENT"):
            switched[0] = True
        return result

    monkeypatch.setattr(owner, name, failing)
    monkeypatch.setattr(os, "replace", replace)


def _count_before_switch(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, run_it) -> int:
    calls = [0]
    switched = [False]
    real = getattr(owner, name)
    real_replace = os.replace

    def counting(*args, **kwargs):
        if not switched[0]:
            calls[0] += 1
        return real(*args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        result = (counting if owner is os and name == "replace" else real_replace)(
            src, dst, *args, **kwargs
        )
        if str(dst).endswith("CURRENT"):
            switched[0] = True
        return result

    with monkeypatch.context() as patch:
        patch.setattr(owner, name, counting)
        patch.setattr(os, "replace", replace)
        run_it()
    return calls[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("owner", "name"),
    [
        (segments_mod.SafeFileStorage, "create_file"),
        (os, "fsync"),
        (os, "rename"),
        (os, "replace"),
        (os, "link"),
        (os, "mkdir"),
    ],
    ids=["segment-file", "fsync", "rename", "replace", "link", "mkdir"],
)
def test_os_error_at_every_step_keeps_the_old_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owner: object, name: str
) -> None:
    notes, index, old = _setup_update(tmp_path)
    pristine = tmp_path / "pristine"
    shutil.copytree(index, pristine)
    total = _count_before_switch(monkeypatch, owner, name, lambda: build_index(notes, index))
    new = _snapshot(index, notes)
    assert new != old
    assert total >= 1
    for nth in range(1, total + 1):
        shutil.rmtree(index)
        shutil.copytree(pristine, index)
        with monkeypatch.context() as patch:
            _fail_nth(patch, owner, name, nth, before_switch=True)
            result = run("index")
        code, stderr = result.exit_code, result.stderr
        del result  # its traceback would keep a failed Whoosh writer (and its lock) alive
        gc.collect()  # see test_failed_commit_does_not_poison_the_next_run
        if code == 0:  # the failing call was one the run can do without
            assert _snapshot(index, notes) == new
            continue
        assert code == 2, (nth, stderr)
        assert stderr.count("\n") == 1, stderr
        assert "No space left on device" in stderr
        assert _snapshot(index, notes) == old, nth
        assert run("query", "word2", "--format", "paths").stdout == "notes/n2.md\n"
        again = index_ok()
        assert "Traceback" not in again.stderr
        assert _snapshot(index, notes) == new, nth


def test_error_after_the_switch_is_not_reported_as_an_unchanged_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index, old = _setup_update(tmp_path)
    switched = [False]
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        if str(dst).endswith("CURRENT"):
            switched[0] = True

    def fsync(fd):
        if switched[0]:
            raise OSError(errno.EIO, "Input/output error")
        return real_fsync(fd)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        patch.setattr(os, "fsync", fsync)
        result = run("index")
    live = _snapshot(index, notes)
    assert live != old  # the new index is what readers now see...
    # ...so the run must not claim that nothing changed.
    assert result.exit_code == 0 or "previous index is unchanged" not in result.stderr


@pytest.mark.parametrize("nth", [1, 2])
def test_failed_commit_does_not_poison_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    notes, index, _ = _setup_update(tmp_path)
    gc.disable()
    try:
        with monkeypatch.context() as patch:
            _fail_nth(patch, segments_mod.SafeFileStorage, "create_file", nth, before_switch=False)
            with pytest.raises(NotesearchError):
                build_index(notes, index)
        build_index(notes, index)  # the disk has space again
    finally:
        gc.enable()
    assert "new.md" in {s["path"] for s in _snapshot(index, notes)}


# -- bad folders ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
def test_notes_folder_missing_file_or_empty(tmp_path: Path, kind: str) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index_ok()
    before = _snapshot(tmp_path / "index", notes)
    shutil.rmtree(notes)
    if kind == "file":
        notes.write_text("not a folder")
    elif kind == "empty":
        notes.mkdir()
    result = run("index")
    if kind == "empty":
        assert result.exit_code == 0  # an empty folder is a valid (empty) index
        assert "0 notes" in result.stderr
        return
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("notesearch: ")
    assert _snapshot(tmp_path / "index", tmp_path / "nowhere") == before


def test_index_path_is_a_file(tmp_path: Path) -> None:
    write(tmp_path / "notes", "a.md", "# A\n\nalphaword\n")
    (tmp_path / "index").write_text("oops")
    result = run("index")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert (tmp_path / "index").read_text() == "oops"


def test_doctor_reports_a_damaged_index(tmp_path: Path) -> None:
    write(tmp_path / "notes", "a.md", "# A\n\nalphaword\n")
    index_ok()
    healthy = run("doctor")
    assert healthy.exit_code == 0
    gen = tmp_path / "index" / (tmp_path / "index" / "CURRENT").read_text().strip()
    segments = [p for p in gen.iterdir() if p.suffix in (".seg", ".trm", ".pst", ".col")]
    assert segments
    for segment in segments:
        segment.write_bytes(b"garbage")
    damaged = run("doctor")
    assert damaged.exit_code != 0
    assert "rebuild" in damaged.stderr

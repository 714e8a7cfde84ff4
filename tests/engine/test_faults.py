"""Fault tests (issue 15): damaged files, killed runs, a full disk, notes changing under a run.

Each case ends the same way: ``doctor`` says what is wrong (exit 2, naming the
file) or that the index is sound, and the next ``notesearch index`` converges
to exactly what a fresh ``--rebuild`` of the same notes gives (compared with
``notesearch export``). In between, a query sees the old or the new index,
never a mix.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from notesearch.cli import cli
from notesearch.engine import seal, store

WORDS = ("alpha", "beta", "gamma", "delta", "models", "training", "spot", "drift", "epsilon")


def _write_notes(notes: Path, count: int, version: int = 0) -> None:
    notes.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        words = " ".join(WORDS[(i + j + version) % len(WORDS)] for j in range(i % 5 + 2))
        last = WORDS[i % len(WORDS)]
        text = f"# Note {i}\n\n{words} uniq{i} v{version}\n\n## Part\n\nmore {last}\n"
        (notes / f"n{i:03d}.md").write_text(text, encoding="utf-8")


def ns(notes: Path, index: Path, *args: str) -> Result:
    """The command line in this process, on these folders."""
    return CliRunner().invoke(cli, ["--notes", str(notes), "--index", str(index), *args])


def nsub(notes: Path, index: Path, *args: str, timeout: float = 120) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "notesearch", "--notes", str(notes), "--index", str(index), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def export(notes: Path, index: Path) -> str:
    result = ns(notes, index, "export")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def rebuilt(notes: Path, where: Path) -> str:
    """The export of a fresh ``--rebuild`` of ``notes`` (in a folder of its own)."""
    shutil.rmtree(where, ignore_errors=True)
    result = ns(notes, where, "index", "--rebuild", "-q")
    assert result.exit_code == 0, result.stderr
    return export(notes, where)


def live(index: Path) -> Path:
    return index / (index / store.CURRENT).read_text(encoding="utf-8").strip()


def converges(notes: Path, index: Path, fresh: str) -> Result:
    """``index`` repairs or updates the index; it then equals a rebuild and doctor is happy."""
    result = ns(notes, index, "index", "-q")
    assert result.exit_code == 0, result.stderr
    assert export(notes, index) == fresh
    doctor = ns(notes, index, "doctor")
    assert doctor.exit_code == 0, doctor.stderr
    return result


# -- damaged files ---------------------------------------------------------------------


def _zero(path: Path) -> None:
    data = bytearray(path.read_bytes())
    quarter = len(data) // 4
    data[quarter : quarter + len(data) // 2] = bytes(len(data) // 2)
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x80  # a non-UTF-8 byte in a text file
    path.write_bytes(bytes(data))


def _delete(path: Path) -> None:
    path.unlink()


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "zero": _zero,
    "truncate": _truncate,
    "bit-flip": _flip,
    "delete": _delete,
}
# Which file of a generation (by how its name ends), or of the index folder.
KINDS = {
    "postings": ".pst",
    "terms": ".trm",
    "length": "._body_len.col",
    "stored": "._stored.col",
    "toc": ".toc",
    "file table": "files.json",
    "stat table": "stat.bin",
    "meta": "meta.json",
}
CASES = [(kind, how) for kind in KINDS for how in DAMAGE] + [
    ("CURRENT", how) for how in (*DAMAGE, "folder")
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(notes, a built index, the export of a rebuild), made once for the module."""
    base = tmp_path_factory.mktemp("faults")
    notes, index = base / "notes", base / "index"
    _write_notes(notes, 30)
    result = ns(notes, index, "index", "-q")
    assert result.exit_code == 0, result.stderr
    return notes, index, rebuilt(notes, base / "fresh")


def _copy(pristine: tuple[Path, Path, str], tmp_path: Path) -> Path:
    index = tmp_path / "index"
    shutil.copytree(pristine[1], index)
    return index


def _target(index: Path, kind: str) -> Path:
    if kind == "CURRENT":
        return index / store.CURRENT
    return next(p for p in sorted(live(index).iterdir()) if p.name.endswith(KINDS[kind]))


@pytest.mark.parametrize(("kind", "how"), CASES, ids=[f"{k}-{h}" for k, h in CASES])
def test_damage_is_named_by_doctor_and_repaired_by_index(
    pristine: tuple[Path, Path, str], tmp_path: Path, kind: str, how: str
) -> None:
    notes, _, fresh = pristine
    index = _copy(pristine, tmp_path)
    target = _target(index, kind)
    named = "CURRENT" if kind == "CURRENT" else target.name
    DAMAGE.get(how, _folder)(target)

    doctor = ns(notes, index, "doctor")
    assert doctor.exit_code == 2, doctor.stderr
    assert named in doctor.stderr, doctor.stderr
    assert doctor.stderr.splitlines()[-1] == (
        "notesearch: the index is damaged; run `notesearch index --rebuild` "
        "(your notes are not affected)"
    )
    assert "another version" not in doctor.stderr

    query = ns(notes, index, "query", "models")  # one line, never a traceback or "unexpected"
    assert query.exit_code == 2
    assert query.stderr.count("\n") == 1, query.stderr
    assert "unexpected" not in query.stderr and "another version" not in query.stderr

    repaired = converges(notes, index, fresh)
    if not (kind == "CURRENT" and how == "delete"):  # no CURRENT: a first build, no warning
        assert repaired.stderr.count("\n") == 1, repaired.stderr
        assert "rebuilding it from the notes" in repaired.stderr


@pytest.mark.parametrize("how", ["bit-flip", "folder", "fifo"])
def test_rebuild_always_works_whatever_is_in_place_of_current(
    pristine: tuple[Path, Path, str], tmp_path: Path, how: str
) -> None:
    notes, _, fresh = pristine
    index = _copy(pristine, tmp_path)
    pointer = index / store.CURRENT
    if how == "fifo":
        pointer.unlink()
        os.mkfifo(pointer)
    else:
        DAMAGE.get(how, _folder)(pointer)
    query = ns(notes, index, "query", "models")
    assert query.exit_code == 2 and "is damaged" in query.stderr, query.stderr
    result = ns(notes, index, "index", "--rebuild", "-q")
    assert (result.exit_code, result.stderr) == (0, "")
    assert export(notes, index) == fresh


@pytest.mark.parametrize("how", list(DAMAGE))
def test_damage_to_the_lock_file_is_harmless(
    pristine: tuple[Path, Path, str], tmp_path: Path, how: str
) -> None:
    notes, _, fresh = pristine
    index = _copy(pristine, tmp_path)
    lock = index / store.LOCK
    lock.write_text("12345\n")
    DAMAGE[how](lock)
    assert ns(notes, index, "doctor").exit_code == 0
    assert ns(notes, index, "query", "models").exit_code == 0
    converges(notes, index, fresh)


@pytest.mark.slow
def test_zeroing_the_middle_of_any_segment_file_is_found_and_repaired(
    pristine: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """Done-when of issue 15, over every segment file of the generation."""
    notes, _, fresh = pristine
    names = [
        p.name for p in live(pristine[1]).iterdir() if p.suffix in (".pst", ".trm", ".col", ".toc")
    ]
    assert len(names) >= 7
    for name in names:
        index = tmp_path / f"index-{name}"
        shutil.copytree(pristine[1], index)
        _zero(live(index) / name)
        doctor = ns(notes, index, "doctor")
        assert doctor.exit_code == 2 and name in doctor.stderr, (name, doctor.stderr)
        converges(notes, index, fresh)


def test_an_update_never_carries_damage_over(
    pristine: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """Bit rot that leaves the stat signature alone (mtime put back) is found by the full
    hash an update makes before it hard-links the files into the next generation."""
    notes = tmp_path / "notes"
    shutil.copytree(pristine[0], notes)
    index = _copy(pristine, tmp_path)
    target = _target(index, "postings")
    gen = live(index)
    key = seal.load_key()
    seal.write(gen, key)  # the copy's own inodes, as if it had been built here
    before = target.stat()
    _flip(target)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    # Bit rot keeps the inode's ctime; no test can, so the seal is made to
    # record the new signature with the old checksum (what rot looks like).
    seal.write(gen, key, seal._read(gen, key))
    assert ns(notes, index, "query", "models").exit_code == 0  # queries do not hash
    (notes / "n001.md").write_text("# One\n\nrewritten models\n", encoding="utf-8")
    result = ns(notes, index, "index", "-q")
    assert result.exit_code == 0
    assert "rebuilding it from the notes" in result.stderr
    assert export(notes, index) == rebuilt(notes, tmp_path / "fresh")
    assert ns(notes, index, "doctor").exit_code == 0


def test_a_whoosh_error_while_reading_says_the_index_is_damaged(
    pristine: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query does not hash the index: damage Whoosh trips on is still one line."""
    from whoosh.reading import TermNotFound

    notes, _, _ = pristine
    index = _copy(pristine, tmp_path)

    def broken(*args: object, **kwargs: object) -> None:
        raise TermNotFound("bad block")

    # Both ways of scoring (the postings' for plain words, Whoosh's for the
    # rest) ask the searcher for each word's idf.
    monkeypatch.setattr("whoosh.searching.Searcher.idf", broken)
    result = ns(notes, index, "query", "models")
    assert (result.exit_code, result.stderr) == (
        2,
        "notesearch: the index is damaged: run `notesearch doctor`\n",
    )


# -- killed runs -----------------------------------------------------------------------


@pytest.mark.slow
def test_sigkill_and_sigterm_during_a_parallel_build_leave_old_or_new(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    _write_notes(notes, 300)
    assert ns(notes, index, "index", "-q", "--jobs", "1").exit_code == 0
    old = export(notes, index)
    _write_notes(notes, 300, version=1)
    new = rebuilt(notes, tmp_path / "fresh")
    chance = random.Random(15)
    codes: list[int] = []
    for how in (signal.SIGTERM, signal.SIGKILL, signal.SIGKILL):
        proc = nsub(notes, index, "index", "-q", "--jobs", "2")
        time.sleep(chance.uniform(0.3, 1.5))
        proc.send_signal(how)
        _, err = proc.communicate(timeout=30)  # EOF at once: no worker holds the pipes
        assert b"Traceback" not in err and b"leaked" not in err and b"resource_tracker" not in err
        state = export(notes, index)
        assert state in (old, new), how
        codes.append(proc.returncode)
        if proc.returncode == 0:
            break  # finished before the signal: the new index
    print("exit codes of the killed runs:", codes)
    converges(notes, index, new)


# -- a full disk -----------------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Callable[[int], Path]:
    """Mount small tmpfs folders (root only); skips when mounting is not possible."""
    mounted: list[Path] = []

    def mount(kib: int) -> Path:
        where = tmp_path / f"tmpfs-{len(mounted)}"
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
        mounted.append(where)
        return where

    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield mount  # type: ignore[misc]
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _fill(folder: Path, leave: int) -> Path:
    """Fill ``folder``'s file system until about ``leave`` bytes are free."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(filler, "wb") as fh:
        try:
            fh.write(bytes(max(0, free - leave)))
            fh.flush()
        except OSError:
            pass
    return filler


def _says_disk_full(stderr: str) -> None:
    """The usual one-line write error, never an "unexpected" one."""
    assert stderr.count("\n") == 1, stderr
    assert "No space left on device" in stderr and "unexpected" not in stderr


@pytest.mark.slow
def test_a_full_disk_at_every_step_of_an_update_keeps_old_or_new(
    tmp_path: Path, tmpfs: Callable[[int], Path]
) -> None:
    notes = tmp_path / "notes"
    _write_notes(notes, 40)
    disk = tmpfs(1024)
    index = disk / "index"
    assert ns(notes, index, "index", "-q").exit_code == 0
    old = export(notes, index)
    _write_notes(notes, 40, version=1)
    new = rebuilt(notes, tmp_path / "fresh")
    outcomes: list[int] = []
    for leave in (0, 4096, 16384, 40960, 81920, 163840, 327680):
        filler = _fill(disk, leave)
        result = ns(notes, index, "index", "-q")
        assert result.exit_code in (0, 2), result.stderr
        if result.exit_code == 2:
            _says_disk_full(result.stderr)
        filler.unlink()
        assert export(notes, index) in (old, new), leave
        outcomes.append(result.exit_code)
        if result.exit_code == 0:
            break
    assert outcomes.count(2) >= 3 and outcomes[-1] == 0, outcomes  # failed at several steps
    converges(notes, index, new)


def test_a_full_disk_on_a_first_build_is_one_line(
    tmp_path: Path, tmpfs: Callable[[int], Path]
) -> None:
    notes = tmp_path / "notes"
    _write_notes(notes, 10)
    disk = tmpfs(256)
    index = disk / "index"
    for prepare in ("nothing", "marked folder"):
        if prepare == "marked folder":
            index.mkdir(exist_ok=True)
            (index / "NOTESEARCH-INDEX").write_text("notesearch\n")
        filler = _fill(disk, 0)
        result = ns(notes, index, "index", "-q")
        assert result.exit_code == 2
        _says_disk_full(result.stderr)
        filler.unlink()
    converges(notes, index, rebuilt(notes, tmp_path / "fresh"))


# -- notes changing while index runs ---------------------------------------------------


@pytest.mark.slow
def test_notes_renamed_rewritten_and_deleted_while_index_runs(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    _write_notes(notes, 60)
    assert ns(notes, index, "index", "-q").exit_code == 0
    chance = random.Random(150)
    for _ in range(3):
        stop = threading.Event()

        def churn(stop: threading.Event = stop) -> None:
            for step in range(300):
                if stop.is_set():
                    return
                k = chance.randrange(60)
                path = notes / f"n{k:03d}.md"
                action = step % 3
                try:
                    if action == 0:
                        path.write_text(f"# Re {k}\n\nrewritten {step} models\n", encoding="utf-8")
                    elif action == 1:
                        path.rename(notes / f"n{chance.randrange(60):03d}.md")
                    else:
                        path.unlink()
                except OSError:
                    pass  # already renamed or deleted
                time.sleep(0.001)

        churning = threading.Thread(target=churn)
        churning.start()
        try:
            result = ns(notes, index, "index", "-q")
        finally:
            stop.set()
            churning.join()
        assert result.exit_code == 0, result.stderr
        doctor = ns(notes, index, "doctor")
        assert doctor.exit_code == 0, doctor.stderr  # one consistent generation
    converges(notes, index, rebuilt(notes, tmp_path / "fresh"))

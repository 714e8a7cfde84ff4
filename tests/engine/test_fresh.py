"""The freshness check (engine/fresh.py): each kind of change, found by folder signatures
and a stat of each known note, and counted as a whole walk of the notes folder counts it."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from notesearch import open_index
from notesearch.engine import fresh, tables
from notesearch.engine.build import build_index
from notesearch.engine.documents import Outcome
from notesearch.engine.statfile import columns
from notesearch.models import Diagnostic
from notesearch.notes import discover as discovery
from notesearch.notes.discover import discover
from tests.helpers import write

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")

VAULT = {
    "a.md": "# Alpha\n\nquokka\n",
    "b.md": "# Beta\n\nbeaver\n",
    "sub/c.md": "# Gamma\n\ncapybara\n",
    "sub/deep/d.md": "# Delta\n\ndingo\n",
    "other/e.md": "# Epsilon\n\nemu\n",
    "empty/.keep": "",
    "img/photo.png": b"\x89PNG",
}
IGNORE = ["drafts/", "*.tmp.md"]


def _edit_same_size(notes: Path) -> None:
    path = notes / "sub/c.md"
    before = path.stat()
    path.write_text("# Gamma\n\ncapybarA\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))


def _rename_folder(notes: Path) -> None:
    (notes / "sub").rename(notes / "moved")


def _mtime_put_back(notes: Path) -> None:
    """A note added to a folder whose mtime is then restored (rsync -a, tar): its ctime moved."""
    folder = notes / "other"
    before = folder.stat()
    write(notes, "other/f.md", "# Zeta\n")
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))


# (what happens after the build, the counts (changed, new, removed))
CHANGES: dict[str, tuple[Callable[[Path], Any], tuple[int, int, int]]] = {
    "nothing": (lambda notes: None, (0, 0, 0)),
    "edit in place, same size": (_edit_same_size, (1, 0, 0)),
    "edit in place, other size": (
        lambda notes: (notes / "sub/deep/d.md").write_text("# Delta\n\nmore dingo\n"),
        (1, 0, 0),
    ),
    "new note in an existing folder": (lambda n: write(n, "sub/new.md", "# New\n"), (0, 1, 0)),
    "new note in the root": (lambda n: write(n, "new.md", "# New\n"), (0, 1, 0)),
    "new note in an empty folder": (lambda n: write(n, "empty/new.md", "# New\n"), (0, 1, 0)),
    "new folder with notes": (
        lambda n: (write(n, "fresh/x.md", "# X\n"), write(n, "fresh/deeper/y.md", "# Y\n")),
        (0, 2, 0),
    ),
    "new empty folder": (lambda n: (n / "nothing").mkdir(), (0, 0, 0)),
    "deleted note": (lambda n: (n / "b.md").unlink(), (0, 0, 1)),
    "deleted note in a subfolder": (lambda n: (n / "sub/deep/d.md").unlink(), (0, 0, 1)),
    "deleted folder": (lambda n: shutil.rmtree(n / "sub"), (0, 0, 2)),
    "renamed note": (lambda n: (n / "a.md").rename(n / "sub/a2.md"), (0, 1, 1)),
    "renamed folder": (_rename_folder, (0, 2, 2)),
    "note replaced by a folder": (
        lambda n: ((n / "b.md").unlink(), (n / "b.md").mkdir(), write(n, "b.md/x.md", "# X\n")),
        (0, 1, 1),
    ),
    "folder's mtime put back": (_mtime_put_back, (0, 1, 0)),
    "ignored file added": (lambda n: write(n, "sub/scratch.tmp.md", "# T\n"), (0, 0, 0)),
    "note added in an ignored folder": (lambda n: write(n, "drafts/x.md", "# X\n"), (0, 0, 0)),
    "hidden file and folder added": (
        lambda n: (write(n, "sub/.c.md.swp", "x"), write(n, ".obsidian/x.md", "# X\n")),
        (0, 0, 0),
    ),
    "asset added": (lambda n: write(n, "img/other.png", b"\x89PNG"), (0, 0, 0)),
    "other extension added": (lambda n: write(n, "sub/notes.txt", "text"), (0, 0, 0)),
    "note added in the index folder": (lambda n: write(n, "index/x.md", "# X\n"), (0, 0, 0)),
}


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A built vault (index inside the notes folder) whose folders are not "racy"."""
    notes = tmp_path / "notes"
    for rel, text in VAULT.items():
        write(notes, rel, text)
    write(notes, "drafts/old.md", "# Old draft\n")
    index = notes / "index"
    # Folders changed in the same clock tick as the walk are listed at every check
    # (engine/fresh.py): put the vault's changes a minute in the past, and look
    # only at the signatures (the tick here is far finer than RACY_NS).
    past = time.time_ns() - 60_000_000_000
    for folder in [notes, *(p for p in notes.rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(past, past))
    monkeypatch.setattr(fresh, "RACY_NS", -10_000_000_000)
    monkeypatch.setattr(fresh, "RACY_WHOLE_NS", -10_000_000_000)
    build_index(notes, index, ignore=IGNORE, jobs=1)
    return notes, index


def _no_whole_walk(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the freshness check walked the whole notes folder")


def _whole(notes: Path, index: Path) -> tuple[int, int, int]:
    with open_index(index, notes) as ix:
        return fresh._whole(notes, index, ix.stat, (".md", ".markdown"), IGNORE)


@pytest.mark.parametrize("name", list(CHANGES), ids=str)
def test_each_change_is_counted_as_a_whole_walk_counts_it(
    name: str, vault: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index = vault
    change, expected = CHANGES[name]
    with open_index(index, notes) as ix:
        assert ix.stat.folders is not None  # the lean check applies to this vault
        change(notes)
        monkeypatch.setattr(discovery, "discover", _no_whole_walk)
        assert ix.changes(notes) == expected
    monkeypatch.undo()
    assert _whole(notes, index) == expected


def test_folders_are_kept_with_their_signatures(vault: tuple[Path, Path]) -> None:
    notes, index = vault
    with open_index(index, notes) as ix:
        folders = ix.stat.folders
    assert folders is not None
    assert sorted(folders) == ["", "empty", "img", "other", "sub", "sub/deep"]  # no index, drafts
    info = (notes / "sub").stat()
    assert folders["sub"] == (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


def test_a_folder_changed_within_the_walks_clock_tick_is_listed_again(
    vault: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index = vault
    monkeypatch.setattr(fresh, "RACY_NS", 10**18)  # every folder is "racy"
    monkeypatch.setattr(fresh, "RACY_WHOLE_NS", 10**18)
    with open_index(index, notes) as ix:
        recorded = ix.stat.folders
        assert recorded is not None
        write(notes, "sub/new.md", "# New\n")
        # A coarse clock: the folder's signature did not move although it changed.
        monkeypatch.setattr(fresh, "folder_signature", lambda info: recorded["sub"])
        monkeypatch.setattr(discovery, "discover", _no_whole_walk)
        assert ix.changes(notes) == (0, 1, 0)


S = 1_000_000_000
# (mtime_ns, ctime_ns) of a folder, relative to the walk's start (whole seconds: at 1000 s)
RACY = {
    "changed long before the walk": ((-60 * S + 7, -60 * S + 7), False),
    "changed 50 ms before the walk": ((-50_000_000 + 7, -50_000_000 + 7), True),
    "changed 0.2 s before the walk": ((-200_000_000 + 7, -200_000_000 + 7), False),
    "changed during the walk": ((3 * S + 7, 3 * S + 7), True),
    "mtime put back, ctime recent": ((-60 * S + 7, -10_000_000 + 7), True),
    "whole seconds, 1 s before the walk": ((-S, -S), True),
    "whole seconds, 3 s before the walk": ((-3 * S, -3 * S), False),
}


@pytest.mark.parametrize("name", list(RACY), ids=str)
def test_which_folders_are_racy(name: str) -> None:
    (mtime, ctime), expected = RACY[name]
    started = 1000 * S
    assert fresh.racy((1, started + mtime, started + ctime), started) is expected


def _same_signatures(notes: Path, index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A coarse clock: every folder keeps the signature the build kept, changed or not."""
    with open_index(index, notes) as ix:
        recorded = ix.stat.folders
    assert recorded is not None
    by_inode = {kept[0]: kept for kept in recorded.values()}
    monkeypatch.setattr(fresh, "folder_signature", lambda info: by_inode[info.st_ino])


def _settled(notes: Path, index: Path, table: Any, started: int, discovery: Any) -> int:
    """fresh.settled for what a stat table holds."""
    assert table.folders is not None
    known = [*columns(table.notes), *((p, s[0], s[1]) for p, s in table.skipped.items())]
    return fresh.settled(notes, index, started, discovery, table.folders, known, table.assets)


# what happens to the racy folders, with their signatures as kept; settled?
SETTLE: dict[str, tuple[Callable[[Path], Any], bool]] = {
    "nothing": (lambda notes: None, True),
    "a note added": (lambda n: write(n, "sub/new.md", "# New\n"), False),
    "a note removed": (lambda n: (n / "sub/c.md").unlink(), False),
    "a note replaced, another size": (lambda n: write(n, "other/e.md", "# Epsilon!\n"), False),
    "an asset added": (lambda n: write(n, "img/more.png", b"\x89PNG"), False),
    "a folder added": (lambda n: write(n, "sub/new/x.md", "# X\n"), False),
    "an ignored file added": (lambda n: write(n, "sub/scratch.tmp.md", "# T\n"), True),
}


def _clock_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """The racy window 5 s and the settling's clock 10 s ahead: the folders written or
    signed just now are racy at the walk, and past their tick when the build settles."""
    monkeypatch.setattr(fresh, "RACY_NS", 5 * S)
    monkeypatch.setattr(fresh, "RACY_WHOLE_NS", 5 * S)
    ahead = type("Clock", (), {"time_ns": staticmethod(lambda: time.time_ns() + 10 * S)})
    monkeypatch.setattr(fresh, "time", ahead)


@pytest.mark.parametrize("name", list(SETTLE), ids=str)
def test_the_build_settles_the_racy_folders_it_finds_as_it_left_them(
    name: str, vault: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder that changed in the clock tick of the walk is listed again at every check,
    unless, looked at again past that tick, it holds what the walk found: then the walk
    counts as begun then (``scanned_ns``), and the folder is not racy any more."""
    notes, index = vault
    change, expected = SETTLE[name]
    _same_signatures(notes, index, monkeypatch)
    change(notes)
    _clock_ahead(monkeypatch)
    with open_index(index, notes) as ix:
        assert ix.stat.folders is not None
        started = max(max(kept[1:]) for kept in ix.stat.folders.values()) + S  # all racy
        before = time.time_ns()
        at = _settled(notes, index, ix.stat, started, ix.meta["discovery"])
    assert (at >= before + 10 * S) is expected
    assert at == started or expected


def test_a_racy_folder_within_its_tick_is_not_settled(
    vault: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index = vault
    monkeypatch.setattr(fresh, "RACY_NS", 10**18)  # racy at the walk, and racy now
    with open_index(index, notes) as ix:
        started = ix.meta["scanned_ns"]
        assert _settled(notes, index, ix.stat, started, ix.meta["discovery"]) == started


def test_after_a_build_that_settled_its_racy_folders_no_check_lists_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notes written just before the build (an editor hook's update): their folders are
    racy at the walk; the build, finishing past the tick (here: a clock 10 s ahead for
    the settling), settles them, and the checks after it stat, and list nothing."""
    notes, index = tmp_path / "notes", tmp_path / "index"
    for rel, text in VAULT.items():
        write(notes, rel, text)
    _clock_ahead(monkeypatch)
    walk_began = time.time_ns()
    build_index(notes, index, jobs=1)
    with open_index(index, notes) as ix:
        assert ix.meta["scanned_ns"] > walk_began + 5 * S
        monkeypatch.setattr(discovery, "rescan", _no_whole_walk)
        monkeypatch.setattr(discovery, "discover", _no_whole_walk)
        assert ix.changes(notes) == (0, 0, 0)
        write(notes, "sub/c.md", "# Gamma\n\ncapybara, edited\n")  # caught by its stat
        assert ix.changes(notes) == (1, 0, 0)


def test_a_note_that_could_not_be_read_stays_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found but neither indexed nor skipped (tried again next time): its folder is listed
    again at every check, so it is counted as new although the signature did not move."""
    import notesearch.engine.documents as documents

    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "a.md", "# A\n")
    write(notes, "sub/b.md", "# B\n")
    real = documents.examine

    def examine(root: Path, note_file: Any, *args: Any) -> Any:
        if note_file.path == "sub/b.md":
            return Outcome("access", [Diagnostic("cannot be read (test)", note_file.path)]), None
        return real(root, note_file, *args)

    monkeypatch.setattr(documents, "examine", examine)  # build.py imports it when updating
    build_index(notes, index, jobs=1)
    with open_index(index, notes) as ix:
        assert ix.stat.folders is not None
        assert ix.stat.folders["sub"] == tables.RELIST
        assert ix.changes(notes) == (0, 1, 0)


@needs_symlinks
def test_a_vault_with_symlinks_is_walked_whole(tmp_path: Path) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "real/a.md", "# A\n")
    (notes / "link").symlink_to(notes / "real", target_is_directory=True)
    build_index(notes, index, jobs=1)
    with open_index(index, notes) as ix:
        assert ix.stat.folders is None
        write(notes, "real/b.md", "# B\n")
        assert ix.changes(notes) == (0, 1, 0)


@needs_symlinks
def test_a_symlink_made_after_the_build_means_a_whole_walk(
    vault: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index = vault
    (notes / "other/link").symlink_to(notes / "sub", target_is_directory=True)
    write(notes, "other/note-link.md", "")
    (notes / "other/note-link.md").unlink()
    (notes / "other/note-link.md").symlink_to(notes / "a.md")
    expected = _whole(notes, index)
    assert expected == (0, 1, 0)  # the link to a folder already walked is not walked again
    walks: list[Path] = []

    def counted(root: Path, *args: Any, **kwargs: Any) -> Any:
        walks.append(root)
        return discover(root, *args, **kwargs)

    monkeypatch.setattr(discovery, "discover", counted)
    with open_index(index, notes) as ix:
        assert ix.changes(notes) == expected
    assert walks == [notes]


def test_an_unreadable_folder_means_a_whole_walk(
    vault: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index = vault
    write(notes, "sub/new.md", "# New\n")
    monkeypatch.setattr(
        discovery, "rescan", lambda *args, **kwargs: None
    )  # what rescan says of a folder it cannot enter
    with open_index(index, notes) as ix:
        assert ix.changes(notes) == (0, 1, 0)


def test_whether_anything_changed_stops_at_the_first_change(
    vault: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`untouched` (the question `notesearch index` asks first) stats notes only up to the
    first changed one; `changes` (what a query reports) still counts them all."""
    notes, index = vault
    (notes / "a.md").write_text("# Alpha\n\nquokka quokka\n", encoding="utf-8")  # first
    (notes / "sub/deep/d.md").write_text("# Delta\n\ndingo dingo\n", encoding="utf-8")
    with open_index(index, notes) as ix:
        assert ix.changes(notes) == (2, 0, 0)
        statted: list[str] = []
        real = os.stat

        def counting(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            statted.append(os.fspath(path))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, "stat", counting)
        assert fresh.untouched(notes, index, ix.stat, ix.meta) is False
        monkeypatch.undo()
        assert fresh.untouched(notes, index, ix.stat, ix.meta) is False
    assert [p for p in statted if p.endswith(".md")] == [str(notes / "a.md")]

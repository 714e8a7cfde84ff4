"""The note lines an open index keeps for snippets and previews (engine/notelines.py):
used while the file is unchanged, read again (with the safety checks) when it is not."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from notesearch.engine.notelines import NoteLines
from notesearch.errors import NotesearchError

needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks and FIFOs")


def _edit(notes: Path, outside: Path) -> None:
    (notes / "a.md").write_text("# Alpha\n\nedited\nlonger now\n", encoding="utf-8")


def _edit_same_size(notes: Path, outside: Path) -> None:
    path = notes / "a.md"
    before = path.stat()
    path.write_text("# Alpha\n\nquokkb\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime


def _replace(notes: Path, outside: Path) -> None:
    fresh = notes / "new.tmp"
    fresh.write_text("# Alpha\n\nreplaced\n", encoding="utf-8")
    os.replace(fresh, notes / "a.md")


def _link_out(notes: Path, outside: Path) -> None:
    (notes / "a.md").unlink()
    (notes / "a.md").symlink_to(outside)


def _fifo(notes: Path, outside: Path) -> None:
    (notes / "a.md").unlink()
    os.mkfifo(notes / "a.md")


def _remove(notes: Path, outside: Path) -> None:
    (notes / "a.md").unlink()


# (what happens to a.md after it was read once, its lines then; None: cannot be read)
CHANGES: list[tuple[str, Callable[[Path, Path], None], list[str] | None]] = [
    ("edited", _edit, ["# Alpha", "", "edited", "longer now", ""]),
    ("edited, same size and mtime", _edit_same_size, ["# Alpha", "", "quokkb", ""]),
    ("replaced by rename", _replace, ["# Alpha", "", "replaced", ""]),
    ("swapped for a link out of the folder", _link_out, None),
    ("swapped for a FIFO", _fifo, None),
    ("removed", _remove, None),
]


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, Path]:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Alpha\n\nquokka\n", encoding="utf-8")
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\nnot for you\n", encoding="utf-8")
    return notes, outside


@needs_posix
@pytest.mark.parametrize(("change", "apply", "expected"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_changed_note_is_read_again(
    folder: tuple[Path, Path],
    change: str,
    apply: Callable[[Path, Path], None],
    expected: list[str] | None,
) -> None:
    notes, outside = folder
    kept = NoteLines(str(notes))
    assert kept.get("a.md") == ["# Alpha", "", "quokka", ""]
    apply(notes, outside)
    assert kept.get("a.md") == expected


def test_an_unchanged_note_is_not_read_again(
    folder: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, _ = folder
    kept = NoteLines(str(notes))
    first = kept.get("a.md")
    reads: list[str] = []
    import notesearch.engine.notelines as module

    monkeypatch.setattr(module, "read_lines", lambda root, path, **_: reads.append(path) or [])
    assert kept.get("a.md") is first
    assert reads == []


def test_read_says_why_and_get_gives_none(folder: tuple[Path, Path]) -> None:
    notes, _ = folder
    (notes / "bin.md").write_bytes(b"\x00\x01binary")
    kept = NoteLines(str(notes))
    with pytest.raises(NotesearchError):
        kept.read("bin.md")
    with pytest.raises(OSError):
        kept.read("gone.md")
    assert kept.get("bin.md") is None
    assert kept.get("gone.md") is None


def test_only_the_last_notes_are_kept(tmp_path: Path) -> None:
    for n in range(5):
        (tmp_path / f"{n}.md").write_text(f"# {n}\n", encoding="utf-8")
    kept = NoteLines(str(tmp_path), kept=3)
    for n in range(5):
        kept.get(f"{n}.md")
    assert kept._lines.keys() == ["2.md", "3.md", "4.md"]
    kept.get("2.md")
    assert kept._lines.keys() == ["3.md", "4.md", "2.md"]

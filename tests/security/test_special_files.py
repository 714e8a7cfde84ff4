"""Attack 4: a note swapped for a FIFO or device after indexing is never opened.

Even a non-blocking open of a FIFO is an open (its writer sees a reader) and
a device's open can act, so every place that opens a note (index, a query's
line lookup, show, open) must look at it first. ``os.open`` is watched: the
swapped path must never reach it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from notesearch.errors import NotARegularFile
from notesearch.notes.read import check_note, read_note
from tests.helpers import write
from tests.security.helpers import invoke, one_line, run


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every path os.open is called with, while the test runs."""
    paths: list[str] = []
    real = os.open

    def recording(path: object, *args: object, **kwargs: object) -> int:
        paths.append(os.fsdecode(path))  # type: ignore[arg-type]
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", recording)
    yield paths


@pytest.fixture
def swapped(tmp_path: Path) -> Path:
    """An indexed note that is now a FIFO."""
    notes = tmp_path / "notes"
    write(notes, "fifo.md", "# Pipe\n\npipeword here\n")
    write(notes, "plain.md", "# Plain\n\nplainword here\n")
    assert invoke("index").exit_code == 0
    (notes / "fifo.md").unlink()
    os.mkfifo(notes / "fifo.md")
    return notes / "fifo.md"


def _never_opened(opened: list[str], path: Path) -> None:
    assert not any(os.path.realpath(p) == os.path.realpath(path) for p in opened), opened


def test_a_query_does_not_open_a_fifo_to_find_the_line(swapped: Path, opened: list[str]) -> None:
    result = invoke("query", "pipeword", "-f", "vimgrep")
    assert result.exit_code == 0
    assert "fifo.md:1:1:" in result.stdout  # the section's own line, not looked up
    _never_opened(opened, swapped)


def test_show_does_not_open_a_fifo(swapped: Path, opened: list[str]) -> None:
    result = invoke("show", "fifo.md")
    assert result.exit_code == 2
    assert one_line(result.stderr) == "notesearch: cannot read fifo.md: not a regular file"
    _never_opened(opened, swapped)


def test_open_does_not_hand_a_fifo_to_the_editor(
    swapped: Path, opened: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "argv.txt"
    editor = tmp_path / "vim"
    editor.write_text(f'#!/bin/sh\necho "$@" > "{record}"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDITOR", str(editor))
    result = invoke("open", "pipeword")
    assert result.exit_code == 2
    assert "cannot open fifo.md: not a regular file" in one_line(result.stderr)
    assert not record.exists()
    _never_opened(opened, swapped)


def test_index_does_not_open_a_fifo(swapped: Path, opened: list[str]) -> None:
    result = invoke("index")
    assert result.exit_code == 0
    assert "fifo.md" in result.stderr
    _never_opened(opened, swapped)


def test_a_writer_never_sees_a_reader(swapped: Path, tmp_path: Path) -> None:
    """From outside: a process holding the FIFO's write end never gets a reader."""
    for args in (["query", "pipeword"], ["show", "fifo.md"]):
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode in (0, 2), proc.stderr
        # A non-blocking open for writing fails with ENXIO while no one reads.
        with pytest.raises(OSError):
            os.close(os.open(swapped, os.O_WRONLY | os.O_NONBLOCK))


def test_a_device_is_never_opened(tmp_path: Path, opened: list[str]) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    (root / "dev.md").symlink_to("/dev/null")  # a device, by a link
    with pytest.raises(NotARegularFile):
        check_note(str(root), "dev.md")
    with pytest.raises(NotARegularFile):
        read_note(str(root), "dev.md", 100)
    assert not any(p.endswith("dev.md") or p == "/dev/null" for p in opened)


def test_a_link_out_of_the_notes_folder_is_never_opened(tmp_path: Path, opened: list[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n")
    root = tmp_path / "notes"
    root.mkdir()
    (root / "leak.md").symlink_to(secret)
    with pytest.raises(NotARegularFile, match="outside"):
        read_note(str(root), "leak.md", 100)
    _never_opened(opened, secret)

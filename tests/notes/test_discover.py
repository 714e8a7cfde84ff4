"""discover(): which files under the notes root are notes, assets or skipped."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from notesearch.notes.discover import Discovery, discover
from notesearch.notes.names import is_note_name
from notesearch.paths import within
from tests.helpers import write

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no os.mkfifo")


def paths(found: Discovery) -> list[str]:
    return [n.path for n in found.notes]


def warnings(found: Discovery) -> dict[str, str]:
    return {str(w.path): w.message for w in found.warnings}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "notes"
    path.mkdir()
    return path


def test_notes_found_recursively_and_sorted(root: Path) -> None:
    for rel in ["b.md", "a.markdown", "sub/z.md", "sub/deeper/y.MD", "c/x.Markdown"]:
        write(root, rel, "# x\n")
    found = discover(root)
    assert paths(found) == [
        "a.markdown",
        "b.md",
        "c/x.Markdown",
        "sub/deeper/y.MD",
        "sub/z.md",
    ]
    assert found.assets == []
    assert found.warnings == []


def test_note_file_fields(root: Path) -> None:
    note_path = write(root, "sub/n.md", "hello\n")
    (note,) = discover(root).notes
    st = note_path.stat()
    assert note.path == "sub/n.md"
    assert Path(note.abspath).resolve() == note_path.resolve()
    assert note.size == 6
    assert note.mtime_ns == st.st_mtime_ns


def test_order_is_stable(root: Path) -> None:
    for rel in ["m.md", "a/b.md", "z/q.md", "A.md", "k/l/m.md"]:
        write(root, rel, "x")
    assert paths(discover(root)) == paths(discover(root))


@pytest.mark.parametrize(
    "rel",
    [
        pytest.param(".obsidian/workspace.md", id="obsidian"),
        pytest.param(".git/notes.md", id="git"),
        pytest.param(".trash/old.md", id="trash"),
        pytest.param("sub/.hidden/deep.md", id="nested-hidden-folder"),
        pytest.param(".hidden.md", id="hidden-file"),
    ],
)
def test_hidden_entries_skipped(root: Path, rel: str) -> None:
    write(root, rel, "# hidden\n")
    write(root, "visible.md", "# v\n")
    found = discover(root)
    assert paths(found) == ["visible.md"]
    assert found.assets == []


def test_index_folder_excluded(root: Path) -> None:
    write(root, "a.md", "x")
    write(root, "index/_MAIN_1.toc", "binary")
    write(root, "index/readme.md", "not a note")
    found = discover(root, exclude=[root / "index"])
    assert paths(found) == ["a.md"]
    assert found.assets == []


def test_excluded_folder_outside_root_is_harmless(root: Path, tmp_path: Path) -> None:
    write(root, "a.md", "x")
    assert paths(discover(root, exclude=[tmp_path / "elsewhere"])) == ["a.md"]


def test_other_files_are_assets(root: Path) -> None:
    write(root, "n.md", "x")
    write(root, "img.png", b"\x89PNG")
    write(root, "sub/doc.pdf", b"%PDF")
    write(root, "sub/notes.txt", "text")
    found = discover(root)
    assert paths(found) == ["n.md"]
    assert found.assets == ["img.png", "sub/doc.pdf", "sub/notes.txt"]


def test_directory_named_like_a_note_is_not_a_note(root: Path) -> None:
    (root / "folder.md").mkdir()
    write(root, "folder.md/inner.md", "x")
    found = discover(root)
    assert paths(found) == ["folder.md/inner.md"]
    assert found.warnings == []


def test_empty_root(root: Path) -> None:
    found = discover(root)
    assert (found.notes, found.assets, found.warnings) == ([], [], [])


@needs_symlinks
def test_symlink_to_file_inside_root_is_followed(root: Path) -> None:
    target = write(root, "real/target.md", "# t\n")
    (root / "link.md").symlink_to(target)
    found = discover(root)
    assert paths(found) == ["link.md", "real/target.md"]
    assert found.warnings == []


@needs_symlinks
def test_relative_symlink_to_folder_inside_root_is_followed(root: Path) -> None:
    write(root, "real/n.md", "x")
    (root / "zlink").symlink_to("real")
    found = discover(root)
    assert "real/n.md" in paths(found)


@needs_symlinks
@pytest.mark.parametrize("kind", ["file", "folder"])
def test_symlink_outside_root_is_skipped_with_warning(
    root: Path, tmp_path: Path, kind: str
) -> None:
    outside = tmp_path / "outside"
    secret = write(outside, "secret.md", "# secret\n")
    write(root, "ok.md", "x")
    if kind == "file":
        (root / "leak.md").symlink_to(secret)
    else:
        (root / "leak").symlink_to(outside, target_is_directory=True)
    found = discover(root)
    assert paths(found) == ["ok.md"]
    name = "leak.md" if kind == "file" else "leak"
    assert list(warnings(found)) == [name]
    assert "outside" in warnings(found)[name]


@needs_symlinks
def test_symlink_to_parent_of_root_is_skipped(root: Path) -> None:
    write(root, "ok.md", "x")
    (root / "up").symlink_to(root.parent, target_is_directory=True)
    found = discover(root)
    assert paths(found) == ["ok.md"]
    assert "up" in warnings(found)


@needs_symlinks
def test_symlink_loop_does_not_recurse(root: Path) -> None:
    write(root, "a/n.md", "x")
    (root / "a" / "loop").symlink_to("..", target_is_directory=True)
    (root / "a" / "self").symlink_to(".", target_is_directory=True)
    found = discover(root)  # must terminate
    assert paths(found) == ["a/n.md"]
    msgs = warnings(found)
    assert "loop" in msgs["a/loop"]
    assert "loop" in msgs["a/self"]


@needs_symlinks
def test_broken_symlink_note_is_reported(root: Path) -> None:
    (root / "gone.md").symlink_to(root / "missing.md")
    (root / "gone.png").symlink_to(root / "missing.png")
    found = discover(root)
    assert paths(found) == []
    assert found.assets == []
    assert list(warnings(found)) == ["gone.md"]


@needs_symlinks
def test_real_folder_wins_over_symlink_that_sorts_first(root: Path) -> None:
    write(root, "zreal/n.md", "x")
    (root / "alias").symlink_to("zreal", target_is_directory=True)
    found = discover(root)
    assert "zreal/n.md" in paths(found)
    assert "zreal" not in warnings(found)


@needs_fifo
def test_fifo_named_like_a_note_is_never_opened(root: Path) -> None:
    os.mkfifo(root / "x.md")
    write(root, "ok.md", "x")
    found = discover(root)  # opening the FIFO would block forever
    assert paths(found) == ["ok.md"]
    assert found.assets == []
    assert "not a regular file" in warnings(found)["x.md"]


@needs_fifo
def test_fifo_with_other_name_is_silently_ignored(root: Path) -> None:
    os.mkfifo(root / "pipe")
    found = discover(root)
    assert (found.notes, found.assets, found.warnings) == ([], [], [])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.md", True),
        ("a.MD", True),
        ("a.markdown", True),
        ("a.mdx", False),
        ("a.md.txt", False),
        ("md", False),
    ],
)
def test_is_note_name(name: str, expected: bool) -> None:
    assert is_note_name(name) is expected


@pytest.mark.parametrize(
    ("root", "path", "expected"),
    [
        ("/r", "/r", True),
        ("/r", "/r/a", True),
        ("/r", "/rx/a", False),
        ("/r", "/", False),
        ("/r/", "/r/a", True),
    ],
)
def test_within(root: str, path: str, expected: bool) -> None:
    assert within(root, path) is expected


def test_discover_keeps_each_folder_walked_with_its_signature(root: Path) -> None:
    for rel in ["a.md", "sub/b.md", "sub/deeper/c.md", ".hidden/d.md", "empty/x.txt"]:
        write(root, rel, "# x\n")
    found = discover(root)
    assert sorted(found.folders) == ["", "empty", "sub", "sub/deeper"]
    st = (root / "sub").stat()
    assert found.folders["sub"] == (st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    assert found.simple


RESCANS = {
    # (folders listed again, folders the caller checks itself, the notes found)
    "a folder's own notes, not its known subfolders": (["sub"], {"sub/deeper"}, ["sub/b.md"]),
    "a new folder is walked whole": (["sub"], set(), ["sub/b.md", "sub/deeper/c.md"]),
    "the root": ([""], {"sub", "sub/deeper", "idx"}, ["a.md"]),
    "the index folder is never listed": (["idx"], set(), []),
    "a folder that is gone": (["gone"], set(), None),
}


@pytest.mark.parametrize("name", list(RESCANS), ids=str)
def test_rescan_lists_only_the_folders_asked_for(root: Path, name: str) -> None:
    from notesearch.notes.discover import rescan

    for rel in ["a.md", "sub/b.md", "sub/deeper/c.md", "idx/e.md"]:
        write(root, rel, "# x\n")
    folders, known, expected = RESCANS[name]
    found = rescan(root, folders, known, [root / "idx"])
    assert (None if found is None else paths(found)) == expected


@needs_symlinks
def test_rescan_gives_up_on_a_symlink(root: Path) -> None:
    from notesearch.notes.discover import rescan

    write(root, "real/a.md", "# x\n")
    (root / "link.md").symlink_to(root / "real/a.md")
    assert rescan(root, [""], {"real"}) is None
    assert not discover(root).simple

"""Attack 2b: notesearch touches only what it made.

A folder named as the index (by mistake, or by a notes folder's config in
older versions) used to lose every ``gen-*`` entry, its ``lock`` was emptied
and ``CURRENT`` overwritten; a ``lock`` symlink made ``index`` truncate its
target. Now a folder is written only when it is empty or carries the marker
file, and nothing in it is opened through a symlink.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from notesearch.engine import folder
from tests.helpers import write
from tests.security.helpers import invoke, one_line, run
from tests.security.helpers_fs import foreign_folder, snapshot

FOREIGN = "notesearch: ./elsewhere is not a notesearch index and is not empty"
HINT = "Name another --index folder, or empty this one."


OLDER = "If an older notesearch made it (there is no NOTESEARCH-INDEX file), delete it"


def refused_as_foreign(line: str, where: str = "./elsewhere", hint: str = HINT) -> bool:
    """The one line (the hint follows the message, with or without a full stop)."""
    head = FOREIGN.replace("./elsewhere", where)
    return line.startswith((f"{head} {hint}", f"{head}. {hint}"))


@pytest.fixture
def built(tmp_path: Path) -> Path:
    write(tmp_path / "notes", "spot.md", "# Spot\n\nspot training\n")
    result = invoke("index")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "index"


@pytest.mark.parametrize("rebuild", [[], ["--rebuild"]])
def test_a_foreign_folder_is_left_byte_for_byte(tmp_path: Path, rebuild: list[str]) -> None:
    write(tmp_path / "notes", "spot.md", "# Spot\n\nspot training\n")
    elsewhere = foreign_folder(tmp_path / "elsewhere")
    before = snapshot(elsewhere)
    result = invoke("index", "--index", "elsewhere", *rebuild)
    assert result.exit_code == 2
    assert refused_as_foreign(one_line(result.stderr))
    proc = run("index", "--index", "elsewhere", *rebuild, cwd=tmp_path)
    assert proc.returncode == 2
    assert refused_as_foreign(one_line(proc.stderr))
    assert snapshot(elsewhere) == before


def test_an_empty_folder_becomes_an_index_with_the_marker(tmp_path: Path) -> None:
    write(tmp_path / "notes", "spot.md", "# Spot\n\nspot training\n")
    (tmp_path / "index").mkdir()
    assert invoke("index").exit_code == 0
    assert "notesearch index" in (tmp_path / "index" / folder.MARKER).read_text()


def test_an_index_from_before_the_marker_is_adopted_when_sealed_with_the_users_key(
    built: Path,
) -> None:
    (built / folder.MARKER).unlink()
    assert invoke("index").exit_code == 0
    assert (built / folder.MARKER).is_file()


def test_an_unmarked_index_without_the_users_seal_is_foreign(built: Path, tmp_path: Path) -> None:
    (built / folder.MARKER).unlink()
    live = built / (built / "CURRENT").read_text().strip()
    (live / "seal.json").unlink()
    before = snapshot(built)
    result = invoke("index", "--rebuild")
    assert result.exit_code == 2
    assert refused_as_foreign(one_line(result.stderr), "./index", OLDER)
    assert snapshot(built) == before


def _target(tmp_path: Path) -> Path:
    target = tmp_path / "bashrc"
    target.write_text("export PATH=$HOME/bin:$PATH\n")
    return target


@pytest.mark.parametrize("name", ["lock", "CURRENT"])
def test_a_symlink_in_the_index_is_refused_and_its_target_untouched(
    built: Path, tmp_path: Path, name: str
) -> None:
    target = _target(tmp_path)
    (built / name).unlink()
    (built / name).symlink_to(target)
    expected = f"notesearch: ./index/{name} is a symlink: notesearch does not follow it"
    for args in (["index"], ["index", "--rebuild"]):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert one_line(result.stderr) == expected
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 2
        assert one_line(proc.stderr) == expected
    assert target.read_text() == "export PATH=$HOME/bin:$PATH\n"
    assert (built / name).is_symlink()


def test_a_lock_with_a_second_hard_link_is_refused(built: Path, tmp_path: Path) -> None:
    target = _target(tmp_path)
    (built / "lock").unlink()
    os.link(target, built / "lock")
    result = invoke("index")
    assert result.exit_code == 2
    assert "is not a lock file notesearch made" in one_line(result.stderr)
    assert target.read_text() == "export PATH=$HOME/bin:$PATH\n"


def test_a_lock_that_is_a_fifo_is_refused_without_blocking(built: Path, tmp_path: Path) -> None:
    (built / "lock").unlink()
    os.mkfifo(built / "lock")
    proc = run("index", cwd=tmp_path)
    assert proc.returncode == 2
    assert one_line(proc.stderr) == (
        "notesearch: ./index/lock is not a regular file: notesearch does not use it"
    )


def test_a_symlinked_pointer_leftover_is_removed_not_followed(built: Path, tmp_path: Path) -> None:
    target = _target(tmp_path)
    (built / "CURRENT.tmp").symlink_to(target)
    write(tmp_path / "notes", "more.md", "# More\n\nspot prices\n")
    assert invoke("index").exit_code == 0
    assert target.read_text() == "export PATH=$HOME/bin:$PATH\n"
    assert not (built / "CURRENT.tmp").exists()


def test_clean_up_removes_only_notesearch_names_and_never_follows_links(
    built: Path, tmp_path: Path
) -> None:
    precious = tmp_path / "precious"
    (precious / "sub").mkdir(parents=True)
    (precious / "sub" / "thesis.txt").write_text("four years\n")
    before = snapshot(precious)
    (built / "gen-000050").symlink_to(precious)  # a notesearch name, but a link
    (built / "gen-important").mkdir()
    (built / "gen-important" / "keep.txt").write_text("mine\n")
    (built / "notes-of-mine.txt").write_text("mine\n")
    write(tmp_path / "notes", "more.md", "# More\n\nspot prices\n")
    assert invoke("index").exit_code == 0
    assert snapshot(precious) == before
    assert not (built / "gen-000050").is_symlink()  # the link went, not what it named
    assert (built / "gen-important" / "keep.txt").read_text() == "mine\n"
    assert (built / "notes-of-mine.txt").read_text() == "mine\n"
    assert invoke("query", "spot").exit_code == 0


def test_the_lock_is_never_truncated_before_it_is_held(built: Path) -> None:
    """The pid goes in only once the flock is held; a waiting run leaves it as it is."""
    from notesearch.engine.build import build_index
    from notesearch.engine.store import locked
    from notesearch.errors import IndexLockedError

    with locked(built):
        holder = (built / "lock").read_text()
        assert holder.strip() == str(os.getpid())
        with pytest.raises(IndexLockedError):  # the CLI's run waits 10 s, then gives up
            build_index(built.parent / "notes", built, lock_timeout=0.3)
        assert (built / "lock").read_text() == holder


def test_a_copied_index_folder_keeps_working(built: Path, tmp_path: Path) -> None:
    shutil.copytree(built, tmp_path / "copy")
    assert invoke("index", "--index", "copy").exit_code == 0


def test_a_crafted_index_without_the_marker_is_neither_read_nor_rebuilt(tmp_path: Path) -> None:
    from tests.security.helpers import plant_index

    write(tmp_path / "notes", "spot.md", "# Spot\n\nspot training\n")
    canary = tmp_path / "canary"
    plant_index(tmp_path / "index", canary, marker=False)
    before = snapshot(tmp_path / "index")
    assert invoke("query", "spot").exit_code == 2
    result = invoke("index", "--rebuild")
    assert result.exit_code == 2
    assert refused_as_foreign(one_line(result.stderr), "./index", OLDER)
    assert snapshot(tmp_path / "index") == before
    assert not canary.exists()


@pytest.mark.parametrize("keep", [".gitignore", ".gitkeep"])
def test_a_folder_holding_only_a_git_keep_file_counts_as_empty(tmp_path: Path, keep: str) -> None:
    """The project's own index/ folder is kept in git by a .gitignore: it is an index to be."""
    write(tmp_path / "notes", "spot.md", "# Spot\n\nspot training\n")
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / keep).write_text("*\n!.gitignore\n")
    result = invoke("index")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "index" / keep).read_text() == "*\n!.gitignore\n"
    assert invoke("query", "spot", "-l").stdout == "notes/spot.md\n"

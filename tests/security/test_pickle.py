"""Attack 1: an index someone else made must never be unpickled.

Whoosh reads ``_MAIN_N.toc`` (and segment files) with pickle; a crafted TOC
runs its author's code. Each test plants one that would create a canary file
and checks that notesearch refuses it with one line, before Whoosh opens it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from notesearch import IndexUntrustedError, build_index, open_index
from notesearch.engine import seal
from tests.helpers import write
from tests.security.helpers import crafted_toc, invoke, one_line, plant_index, run

REFUSED = (
    "notesearch: the index at {where} was not written by notesearch for you: "
    "run `notesearch index --rebuild`"
)


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    return tmp_path / "canary"


def _notes(root: Path) -> None:
    write(root, "spot.md", "# Spot training\n\nSpot instances save money.\n")


def test_the_payload_is_real(tmp_path: Path, canary: Path) -> None:
    """Without the seal check, Whoosh itself would run the crafted TOC."""
    from whoosh.filedb.filestore import FileStorage

    gen = plant_index(tmp_path / "index", canary)
    with pytest.raises(Exception):  # noqa: B017 - the payload returns 0, not a schema
        FileStorage(str(gen), readonly=True).open_index()
    assert canary.exists()


@pytest.mark.parametrize("how", ["runner", "subprocess"])
def test_a_crafted_index_beside_the_notes_is_refused(
    tmp_path: Path, canary: Path, how: str
) -> None:
    """The design card's layout: a cloned project ships notes/ and a crafted index/."""
    _notes(tmp_path / "notes")
    plant_index(tmp_path / "index", canary)
    expected = REFUSED.format(where="./index")
    for args in (["query", "spot"], ["index"], ["show", "spot.md"], ["doctor"]):
        if how == "runner":
            result = invoke(*args)
            code, err = result.exit_code, result.stderr
        else:
            proc = run(*args, cwd=tmp_path)
            code, err = proc.returncode, proc.stderr
        assert not canary.exists(), args
        if args == ["doctor"]:
            assert code == 1 or code == 2
            assert "was not written by notesearch for you" in err
            continue
        assert code == 2, (args, err)
        assert one_line(err) == expected
    proc = run("index", "--rebuild", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not canary.exists()
    proc = run("query", "spot", "-f", "paths", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("spot.md"), proc
    assert not canary.exists()


@pytest.mark.parametrize("how", ["runner", "subprocess"])
def test_a_crafted_index_named_by_the_notes_folder_config_is_refused(
    tmp_path: Path, canary: Path, how: str
) -> None:
    """vault/.notesearch.toml points at vault/.idx, which the crafter shipped."""
    vault = tmp_path / "vault"
    _notes(vault)
    write(vault, ".notesearch.toml", 'index = ".idx"\n')  # relative to the notes folder
    plant_index(vault / ".idx", canary)
    expected = REFUSED.format(where="./vault/.idx")
    for args in (["query", "spot", "--notes", "vault"], ["index", "--notes", "vault"]):
        if how == "runner":
            result = invoke(*args)
            code, err = result.exit_code, result.stderr
        else:
            proc = run(*args, cwd=tmp_path)
            code, err = proc.returncode, proc.stderr
        assert not canary.exists(), args
        assert code == 2, (args, err)
        assert one_line(err) == expected
    proc = run("index", "--rebuild", "--notes", "vault", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not canary.exists()
    assert (vault / ".idx" / "CURRENT").read_text() != "gen-000001\n"
    proc = run("query", "spot", "--notes", "vault", "-f", "paths", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("spot.md"), proc
    assert not canary.exists()


def test_a_refresh_query_over_a_crafted_index_is_refused(tmp_path: Path, canary: Path) -> None:
    _notes(tmp_path / "notes")
    plant_index(tmp_path / "index", canary)
    result = invoke("query", "spot", "--refresh")
    assert result.exit_code == 2
    assert one_line(result.stderr) == REFUSED.format(where="./index")
    assert not canary.exists()


def test_an_index_sealed_with_another_users_key_is_refused(tmp_path: Path) -> None:
    _notes(tmp_path / "notes")
    build_index(tmp_path / "notes", tmp_path / "index", key=b"k" * 32)
    with pytest.raises(IndexUntrustedError):
        open_index(tmp_path / "index", key=b"x" * 32)
    result = invoke("query", "spot")  # the user's own key, made now
    assert result.exit_code == 2
    assert one_line(result.stderr) == REFUSED.format(where="./index")
    assert invoke("index").exit_code == 2
    assert invoke("index", "--rebuild").exit_code == 0
    assert invoke("query", "spot").exit_code == 0


def test_a_generation_copied_from_another_users_index_is_refused(tmp_path: Path) -> None:
    """Their whole generation, seal included, dropped into the user's own index."""
    import shutil

    _notes(tmp_path / "notes")
    assert invoke("index").exit_code == 0
    build_index(tmp_path / "notes", tmp_path / "theirs", key=b"t" * 32)
    theirs = (tmp_path / "theirs" / "CURRENT").read_text().strip()
    shutil.copytree(tmp_path / "theirs" / theirs, tmp_path / "index" / "gen-000099")
    (tmp_path / "index" / "CURRENT").write_text("gen-000099\n")
    result = invoke("query", "spot")
    assert result.exit_code == 2
    assert one_line(result.stderr) == REFUSED.format(where="./index")


def _live(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text().strip()


def test_a_changed_segment_file_is_refused(tmp_path: Path) -> None:
    """Same name and size, one byte changed (its mtime put back): hashed again, refused
    as damage naming the file (the seal is the user's own), before Whoosh reads it."""
    _notes(tmp_path / "notes")
    assert invoke("index").exit_code == 0
    gen = _live(tmp_path / "index")
    target = next(gen.glob("*.pst"))
    before = target.stat()
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = invoke("query", "spot")
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        f"notesearch: the index at ./index is damaged: {gen.name}/{target.name} differs from "
        "what notesearch wrote (its checksum). Run `notesearch index` to rebuild it from the notes."
    )


@pytest.mark.parametrize("name", ["_MAIN_2.toc", "extra.json"])
def test_an_extra_file_in_a_generation_is_refused(tmp_path: Path, canary: Path, name: str) -> None:
    """Whoosh opens the highest-numbered TOC: an added one must not be read."""
    _notes(tmp_path / "notes")
    assert invoke("index").exit_code == 0
    (_live(tmp_path / "index") / name).write_bytes(crafted_toc(canary))
    result = invoke("query", "spot")
    assert result.exit_code == 2
    assert one_line(result.stderr) == REFUSED.format(where="./index")
    assert not canary.exists()


def test_a_symlinked_file_in_a_generation_is_refused(tmp_path: Path) -> None:
    _notes(tmp_path / "notes")
    assert invoke("index").exit_code == 0
    gen = _live(tmp_path / "index")
    toc = next(gen.glob("*.toc"))
    copy = tmp_path / "toc-copy"
    copy.write_bytes(toc.read_bytes())
    toc.unlink()
    toc.symlink_to(copy)
    assert invoke("query", "spot").exit_code == 2


def test_an_index_still_opens_after_updates_and_copies(tmp_path: Path) -> None:
    """Hard links, reseals and a copy of the whole folder keep it trusted."""
    import shutil

    _notes(tmp_path / "notes")
    assert invoke("index").exit_code == 0
    write(tmp_path / "notes", "more.md", "# More\n\nspot prices\n")
    assert invoke("index").exit_code == 0
    assert invoke("index").exit_code == 0
    assert invoke("query", "spot").exit_code == 0
    shutil.copytree(tmp_path / "index", tmp_path / "copy", copy_function=shutil.copy)
    result = invoke("query", "spot", "--index", "copy")
    assert result.exit_code == 0, result.stderr
    assert invoke("doctor").exit_code == 0


def test_the_key_is_made_private_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "xdg-data" / "notesearch" / "key"
    key = seal.load_key()
    assert len(key) == 32 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert seal.load_key() == key


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    _notes(tmp_path / "notes")
    seal.load_key()
    path = tmp_path / "xdg-data" / "notesearch" / "key"
    path.chmod(0o640)
    result = invoke("index")
    assert result.exit_code == 2
    assert "can be read by others" in one_line(result.stderr)


def test_a_key_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    _notes(tmp_path / "notes")
    planted = tmp_path / "their-key"
    planted.write_bytes(b"k" * 32)
    planted.chmod(0o600)
    path = tmp_path / "xdg-data" / "notesearch" / "key"
    path.parent.mkdir(parents=True)
    path.symlink_to(planted)
    result = invoke("index")
    assert result.exit_code == 2
    assert "is a symlink" in one_line(result.stderr)
    assert planted.read_bytes() == b"k" * 32


def test_the_library_and_the_command_line_share_the_key(tmp_path: Path) -> None:
    _notes(tmp_path / "notes")
    build_index(tmp_path / "notes", tmp_path / "index")
    assert invoke("query", "spot").exit_code == 0
    with open_index(tmp_path / "index") as idx:
        assert idx.table.notes


def test_a_query_after_an_update_hashes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer reseals after removing old generations: queries take the stat fast path."""
    _notes(tmp_path / "notes")
    assert invoke("index").exit_code == 0
    write(tmp_path / "notes", "more.md", "# More\n\nspot prices\n")
    assert invoke("index").exit_code == 0
    hashed: list[Path] = []
    real = seal._hash_file
    monkeypatch.setattr(seal, "_hash_file", lambda path: (hashed.append(path), real(path))[1])
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        assert len(idx.table.notes) == 2
    assert hashed == []
    assert invoke("doctor").exit_code == 0  # doctor hashes every file
    assert hashed

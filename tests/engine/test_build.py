"""build_index lifecycle: incremental updates, errors, locking and crash safety.

Every test works in its own tmp_path (see conftest); nothing here touches the
project's ./notes or ./index.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from notesearch import open_index, search
from notesearch.cli import cli
from notesearch.engine import seal, statfile, store, tables
from notesearch.engine.build import build_index
from notesearch.engine.segments import SafeFileStorage
from notesearch.errors import (
    IndexLockedError,
    IndexMissingError,
    IndexVersionError,
    IndexWriteError,
    NotesFolderError,
)
from notesearch.models import IndexStats
from tests.helpers import write

# Restored by hand mid-test: monkeypatch.undo() would also undo the autouse
# isolation (working folder, NOTESEARCH_*) and let a test touch the real ./index.
ORIGINAL_CREATE_FILE = SafeFileStorage.create_file
ORIGINAL_WRITE_JSON = store.write_json

SectionKey = tuple[str, str, str]

BASE_NOTES = {
    "a.md": "# Alpha\n\nThe quokka sleeps here.\n\n## Details\n\nMore about marsupials.\n",
    "b.md": "# Beta\n\nBeta body with a bison.\n",
    "sub/c.md": (
        "---\ntags: [zoo/cats]\n---\n# Gamma\n\nCats and cougars.\n\n## Care\n\nFeed the cougar.\n"
    ),
}


# --------------------------------------------------------------------------- helpers


def make_notes(root: Path, notes: dict[str, str] = BASE_NOTES) -> Path:
    for rel, text in notes.items():
        write(root, rel, text)
    return root


def later(path: Path, seconds: float = 2.0) -> None:
    """Move a file's mtime forward, so change detection never depends on clock ticks."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + int(seconds * 1e9)))


def edit(path: Path, text: str | bytes) -> None:
    """Rewrite a note the way an editor would (new content, newer mtime)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    st = path.stat()
    if st.st_mtime_ns <= before:
        os.utime(path, ns=(st.st_atime_ns, before + 2_000_000_000))


def section_keys(index_dir: Path) -> set[SectionKey]:
    with open_index(index_dir) as ix:
        return {(s.path, s.heading, s.text) for s in ix.sections()}


def section_paths(index_dir: Path) -> set[str]:
    return {path for path, _, _ in section_keys(index_dir)}


def generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


def kept(index_dir: Path, live: str) -> bool:
    """Only what the clean-up rule keeps: the live generation, and at most the one it
    replaced (removed at the next switch, so a reader that read the old pointer still
    opens a whole generation)."""
    names = generations(index_dir)
    return (
        bool(names)
        and names[-1] == live
        and len(names) <= 2
        and not any(n.endswith(".tmp") for n in names)
    )


def current_name(index_dir: Path) -> str:
    return (index_dir / store.CURRENT).read_text(encoding="utf-8").strip()


def hit_paths(index_dir: Path, query: str) -> list[str]:
    with open_index(index_dir) as ix:
        return [h.section.path for h in search(ix, query, limit=None).hits]


def counts(stats: IndexStats) -> dict[str, int]:
    keys = ("notes", "added", "updated", "removed", "renamed", "unchanged", "skipped")
    return {k: getattr(stats, k) for k in keys}


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """BASE_NOTES indexed once: (notes_dir, index_dir)."""
    notes = make_notes(tmp_path / "notes")
    index = tmp_path / "index"
    build_index(notes, index)
    return notes, index


# --------------------------------------------------------------------------- first build


def test_first_build_then_no_change(tmp_path: Path) -> None:
    notes = make_notes(tmp_path / "notes")
    index = tmp_path / "index"

    first = build_index(notes, index)
    assert counts(first) == {
        "notes": 3,
        "added": 3,
        "updated": 0,
        "removed": 0,
        "renamed": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    assert first.written is True
    assert first.sections == 5
    assert section_keys(index) == {
        ("a.md", "Alpha", "The quokka sleeps here."),
        ("a.md", "Details", "More about marsupials."),
        ("b.md", "Beta", "Beta body with a bison."),
        ("sub/c.md", "Gamma", "Cats and cougars."),
        ("sub/c.md", "Care", "Feed the cougar."),
    }
    gen_before, live_before = generations(index), current_name(index)

    second = build_index(notes, index)
    assert counts(second) == {
        "notes": 3,
        "added": 0,
        "updated": 0,
        "removed": 0,
        "renamed": 0,
        "unchanged": 3,
        "skipped": 0,
    }
    assert second.written is False
    assert current_name(index) == live_before
    assert generations(index) == gen_before and kept(index, live_before)


def test_empty_notes_folder_gives_an_empty_index(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    stats = build_index(notes, tmp_path / "index")
    assert (stats.notes, stats.sections, stats.written) == (0, 0, True)
    assert section_keys(tmp_path / "index") == set()


# --------------------------------------------------------------------------- incremental updates


def _edit_a(notes: Path) -> None:
    edit(notes / "a.md", BASE_NOTES["a.md"].replace("quokka sleeps", "zebrafish swims"))


def _edit_a_same_size(notes: Path) -> None:
    new = BASE_NOTES["a.md"].replace("quokka", "wombat")
    assert len(new) == len(BASE_NOTES["a.md"])
    edit(notes / "a.md", new)


def _touch_a(notes: Path) -> None:
    later(notes / "a.md")


def _add_d(notes: Path) -> None:
    write(notes, "d.md", "# Delta\n\nA dingo appears.\n")


def _delete_b(notes: Path) -> None:
    (notes / "b.md").unlink()


def _rename_c(notes: Path) -> None:
    (notes / "moved").mkdir()
    (notes / "sub" / "c.md").rename(notes / "moved" / "cats.md")


def _delete_all(notes: Path) -> None:
    for rel in BASE_NOTES:
        (notes / rel).unlink()


def _check_edit(index: Path, before: set[SectionKey]) -> None:
    assert hit_paths(index, "zebrafish") == ["a.md"]
    assert hit_paths(index, "quokka") == []
    assert ("a.md", "Alpha", "The zebrafish swims here.") in section_keys(index)


def _check_same_size(index: Path, before: set[SectionKey]) -> None:
    assert hit_paths(index, "wombat") == ["a.md"]
    assert hit_paths(index, "quokka") == []


def _check_same(index: Path, before: set[SectionKey]) -> None:
    assert section_keys(index) == before


def _check_add(index: Path, before: set[SectionKey]) -> None:
    assert section_keys(index) == before | {("d.md", "Delta", "A dingo appears.")}
    assert hit_paths(index, "dingo") == ["d.md"]


def _check_delete(index: Path, before: set[SectionKey]) -> None:
    after = section_keys(index)
    assert "b.md" not in {p for p, _, _ in after}
    assert after == {k for k in before if k[0] != "b.md"}
    assert hit_paths(index, "bison") == []


def _check_rename(index: Path, before: set[SectionKey]) -> None:
    after = section_keys(index)
    paths = {p for p, _, _ in after}
    assert "sub/c.md" not in paths
    assert "moved/cats.md" in paths
    moved = {(h, t) for p, h, t in after if p == "moved/cats.md"}
    assert moved == {(h, t) for p, h, t in before if p == "sub/c.md"}
    assert set(hit_paths(index, "cougar")) == {"moved/cats.md"}
    with open_index(index) as ix:
        assert "zoo/cats" in ix.known_tags()
        assert set(ix.table.notes) == {"a.md", "b.md", "moved/cats.md"}


def _check_empty(index: Path, before: set[SectionKey]) -> None:
    assert section_keys(index) == set()


def _stats(**changed: int) -> dict[str, int]:
    base = {
        "notes": 3,
        "added": 0,
        "updated": 0,
        "removed": 0,
        "renamed": 0,
        "unchanged": 3,
        "skipped": 0,
    }
    return {**base, **changed}


SCENARIOS: list[tuple[str, Callable[[Path], None], dict[str, int], Callable[..., None]]] = [
    ("edit", _edit_a, _stats(updated=1, unchanged=2), _check_edit),
    ("edit-same-size", _edit_a_same_size, _stats(updated=1, unchanged=2), _check_same_size),
    ("touch", _touch_a, _stats(), _check_same),
    ("add", _add_d, _stats(notes=4, added=1), _check_add),
    ("delete", _delete_b, _stats(notes=2, removed=1, unchanged=2), _check_delete),
    ("rename", _rename_c, _stats(renamed=1, unchanged=2), _check_rename),
    ("delete-all", _delete_all, _stats(notes=0, removed=3, unchanged=0), _check_empty),
]


@pytest.mark.parametrize(
    ("mutate", "expected", "check"),
    [pytest.param(m, e, c, id=name) for name, m, e, c in SCENARIOS],
)
def test_incremental_update(
    built: tuple[Path, Path],
    mutate: Callable[[Path], None],
    expected: dict[str, int],
    check: Callable[[Path, set[SectionKey]], None],
) -> None:
    notes, index = built
    before = section_keys(index)
    mutate(notes)
    stats = build_index(notes, index)
    assert counts(stats) == expected
    check(index, before)
    # and the run after that has nothing to do
    again = build_index(notes, index)
    assert again.written is False
    assert again.unchanged == expected["notes"]


def test_touch_is_remembered(built: tuple[Path, Path]) -> None:
    notes, index = built
    later(notes / "a.md")
    stats = build_index(notes, index)
    assert (stats.updated, stats.unchanged) == (0, 3)  # the hash confirmed: no re-parse
    with open_index(index, notes) as ix:
        assert ix.table.notes["a.md"].mtime_ns == (notes / "a.md").stat().st_mtime_ns
        assert ix.changes(notes) == (0, 0, 0)
    code, _, err = run_cli("query", "quokka", "--notes", str(notes), "--index", str(index))
    assert code == 0
    assert "out of date" not in err


def test_stats_never_negative_when_edit_matches_deleted_content(tmp_path: Path) -> None:
    notes = make_notes(tmp_path / "notes", {"a.md": "# A\n\nalpha\n", "c.md": "# C\n\ngamma\n"})
    index = tmp_path / "index"
    build_index(notes, index)
    (notes / "a.md").unlink()
    edit(notes / "c.md", "# A\n\nalpha\n")  # c.md now holds what a.md held
    stats = build_index(notes, index)
    assert min(stats.added, stats.updated, stats.removed, stats.renamed) >= 0
    # every note on disk is exactly one of these, and a.md went away one way or another
    assert stats.added + stats.updated + stats.renamed + stats.unchanged == stats.notes == 1
    assert stats.removed + stats.renamed == 1


def test_rebuild_reindexes_everything(built: tuple[Path, Path]) -> None:
    notes, index = built
    before, live = section_keys(index), current_name(index)
    stats = build_index(notes, index, rebuild=True)
    assert stats.written is True
    assert (stats.added, stats.updated, stats.unchanged, stats.notes) == (3, 0, 0, 3)
    assert current_name(index) != live
    assert kept(index, current_name(index))
    assert section_keys(index) == before


def test_index_folder_inside_notes_folder_is_not_indexed(tmp_path: Path) -> None:
    notes = make_notes(tmp_path / "notes")
    index = notes / "index"
    build_index(notes, index)
    with open_index(index) as ix:
        assert not [a for a in ix.table.assets if a.startswith("index/")]
        assert set(ix.table.notes) == set(BASE_NOTES)
    assert build_index(notes, index).written is False


def test_live_generation_files_are_never_written_through(built: tuple[Path, Path]) -> None:
    """Updates hard-link the live files; the live files' bytes must never change."""
    notes, index = built
    side = index.parent / "side"
    side.mkdir()
    live = index / current_name(index)
    digests = {}
    for item in live.iterdir():
        os.link(item, side / item.name)  # keeps the inode alive after the old gen is removed
        digests[item.name] = hashlib.sha256(item.read_bytes()).hexdigest()
    _edit_a(notes)
    _delete_b(notes)
    _add_d(notes)
    build_index(notes, index)
    build_index(notes, index, rebuild=True)
    for name, digest in digests.items():
        assert hashlib.sha256((side / name).read_bytes()).hexdigest() == digest, name


# --------------------------------------------------------------------------- unreadable notes

BAD_CONTENT = {
    "nul-bytes": (b"# Broken\n\nbinary\x00\x01\x02 data\n", "binary file"),
    "lying-utf8-bom": (b"\xef\xbb\xbf# Broken\n\n\xff\xfe not utf-8 at all\n", "byte-order mark"),
    "lying-utf16-bom": (b"\xff\xfe\x00\xd8# odd", "byte-order mark"),
}


@pytest.mark.parametrize(("data", "reason"), BAD_CONTENT.values(), ids=BAD_CONTENT.keys())
def test_note_that_becomes_unreadable_is_skipped(
    built: tuple[Path, Path], data: bytes, reason: str
) -> None:
    notes, index = built
    edit(notes / "b.md", data)
    seen: list[str] = []
    stats = build_index(notes, index, on_warning=lambda d: seen.append(str(d)))
    assert stats.skipped == 1
    assert [w.path for w in stats.warnings] == ["b.md"]
    assert len(seen) == 1
    assert seen[0].startswith("b.md: ")
    assert reason in seen[0]
    assert "skipped" in seen[0]
    assert section_paths(index) == {"a.md", "sub/c.md"}
    assert hit_paths(index, "cougar")  # the others are still searchable


@pytest.mark.parametrize(("data", "reason"), BAD_CONTENT.values(), ids=BAD_CONTENT.keys())
def test_unreadable_note_on_first_build_via_cli(tmp_path: Path, data: bytes, reason: str) -> None:
    notes = make_notes(tmp_path / "notes")
    write(notes, "junk.md", data)
    code, out, err = run_cli("index", "--notes", str(notes), "--index", str(tmp_path / "index"))
    assert code == 0
    assert out == ""
    lines = err.splitlines()
    warnings = [line for line in lines if line.startswith("notesearch: warning:")]
    assert len(warnings) == 1
    assert warnings[0].startswith("notesearch: warning: junk.md: ")
    assert reason in warnings[0]
    assert lines[-1].startswith("notesearch: 3 notes, ")
    assert "3 added" in lines[-1]
    assert "1 skipped" in lines[-1]
    assert "Traceback" not in err
    assert section_paths(tmp_path / "index") == set(BASE_NOTES)


def test_invalid_utf8_is_read_as_cp1252_with_a_warning(tmp_path: Path) -> None:
    """No BOM and not UTF-8: indexed (not skipped), with a warning naming the file."""
    notes = make_notes(tmp_path / "notes")
    write(notes, "latin.md", "# Caf\xe9\n\nna\xefve cr\xe8me\n".encode("cp1252"))
    stats = build_index(notes, tmp_path / "index")
    assert (stats.skipped, stats.added) == (0, 4)
    assert [str(w) for w in stats.warnings] == [
        "latin.md: not valid UTF-8 (byte 5); read as cp1252"
    ]
    assert ("latin.md", "Café", "naïve crème") in section_keys(tmp_path / "index")


def test_note_over_the_size_limit_is_skipped(tmp_path: Path) -> None:
    notes = make_notes(tmp_path / "notes")
    write(notes, "huge.md", "# Huge\n\n" + "words " * 100)
    stats = build_index(notes, tmp_path / "index", max_bytes=200)
    assert stats.skipped == 1
    assert [str(w) for w in stats.warnings] == ["huge.md: larger than the 200 byte limit; skipped"]
    assert "huge.md" not in section_paths(tmp_path / "index")


# --------------------------------------------------------------------------- links


def _links_of(index: Path, path: str) -> list[tuple[str, str | None, str | None, bool]]:
    with open_index(index) as ix:
        return [
            (link.kind, link.path, link.anchor, link.exists)
            for s in ix.sections()
            if s.path == path
            for link in s.links
        ]


def test_link_exists_is_computed_when_read(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "A.md", "# A\n\nSee [B](B.md), [[B]] and [[B#Part|the part]].\n")
    index = tmp_path / "index"
    build_index(notes, index)
    assert _links_of(index, "A.md") == [
        ("markdown", "B.md", None, False),
        ("wiki", None, None, False),
        ("wiki", None, "Part", False),
    ]

    write(notes, "B.md", "# B\n\n## Part\n\ntext\n")
    stats = build_index(notes, index)
    assert (stats.added, stats.unchanged, stats.updated) == (1, 1, 0)  # A was not re-read
    assert _links_of(index, "A.md") == [
        ("markdown", "B.md", None, True),
        ("wiki", "B.md", None, True),
        ("wiki", "B.md", "Part", True),
    ]

    (notes / "B.md").unlink()
    build_index(notes, index)
    assert [exists for *_, exists in _links_of(index, "A.md")] == [False, False, False]


def test_link_field_follows_notes_created_later(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "x.md", "# X\n\nsee [[Yonder]]\n")
    index = tmp_path / "index"
    build_index(notes, index)
    write(notes, "Yonder.md", "# Yonder\n\nfar away\n")
    build_index(notes, index)
    incremental = hit_paths(index, "link:yonder.md")
    build_index(notes, index, rebuild=True)
    assert hit_paths(index, "link:yonder.md") == ["x.md"]  # what a fresh index answers
    assert incremental == ["x.md"]


# --------------------------------------------------------------------------- folder errors


@pytest.mark.parametrize("kind", ["missing", "a-file"])
def test_bad_notes_folder(tmp_path: Path, kind: str) -> None:
    notes = tmp_path / "nope"
    if kind == "a-file":
        notes.write_text("not a folder")
    with pytest.raises(NotesFolderError, match="notes folder"):
        build_index(notes, tmp_path / "index")
    assert not (tmp_path / "index").exists()

    code, out, err = run_cli("index", "--notes", str(notes), "--index", str(tmp_path / "index"))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert err.startswith("notesearch: notes folder ")
    assert err.rstrip().endswith("does not exist" if kind == "missing" else "is not a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_index_parent_not_writable(tmp_path: Path) -> None:
    notes = make_notes(tmp_path / "notes")
    locked_parent = tmp_path / "ro"
    locked_parent.mkdir()
    locked_parent.chmod(0o500)
    try:
        with pytest.raises(IndexWriteError):
            build_index(notes, locked_parent / "index")
        code, out, err = run_cli(
            "index", "--notes", str(notes), "--index", str(locked_parent / "index")
        )
        assert (code, out) == (2, "")
        assert err.startswith("notesearch: ") and len(err.splitlines()) == 1
    finally:
        locked_parent.chmod(0o700)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_existing_index_folder_not_writable_keeps_old_index(built: tuple[Path, Path]) -> None:
    notes, index = built
    before = section_keys(index)
    _edit_a(notes)
    index.chmod(0o500)
    try:
        with pytest.raises(IndexWriteError):
            build_index(notes, index)
    finally:
        index.chmod(0o700)
    assert section_keys(index) == before


@pytest.mark.parametrize("kind", ["below-a-file", "is-a-file"])
def test_index_path_unusable(tmp_path: Path, kind: str) -> None:
    """The same error as a permission problem, but reproducible as root too."""
    notes = make_notes(tmp_path / "notes")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    index = blocker / "index" if kind == "below-a-file" else blocker
    message = "cannot create the index folder" if kind == "below-a-file" else "is not a folder"
    with pytest.raises(IndexWriteError, match=message):
        build_index(notes, index)
    code, out, err = run_cli("index", "--notes", str(notes), "--index", str(index))
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    assert err.startswith("notesearch: ") and message in err
    assert len(err.splitlines()) == 1


# --------------------------------------------------------------------------- schema version


def test_schema_version_mismatch(built: tuple[Path, Path]) -> None:
    notes, index = built
    before = section_keys(index)
    meta_path = index / current_name(index) / store.META
    meta = json.loads(meta_path.read_text())
    assert meta["schema_version"] == store.SCHEMA_VERSION
    meta["schema_version"] = store.SCHEMA_VERSION + 41
    meta_path.write_text(json.dumps(meta))

    with pytest.raises(IndexVersionError, match="--rebuild"):
        open_index(index)
    with pytest.raises(IndexVersionError, match="--rebuild"):
        build_index(notes, index)
    code, out, err = run_cli("export", "--notes", str(notes), "--index", str(index))
    assert (code, out) == (2, "")
    assert "--rebuild" in err and len(err.splitlines()) == 1

    stats = build_index(notes, index, rebuild=True)
    assert stats.written is True
    assert section_keys(index) == before
    assert tables.read_meta(index / current_name(index))["schema_version"] == store.SCHEMA_VERSION


def test_open_index_without_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="notesearch index"):
        open_index(tmp_path / "index")


def test_meta_records_the_notes_folder(tmp_path: Path) -> None:
    notes = make_notes(tmp_path / "elsewhere" / "vault")
    index = tmp_path / "index"
    build_index(notes, index)
    meta = tables.read_meta(index / current_name(index))
    assert Path(meta["notes_root"]).resolve() == notes.resolve()


# --------------------------------------------------------------------------- lock


def test_lock_held_in_this_process(built: tuple[Path, Path]) -> None:
    notes, index = built
    _edit_a(notes)
    with store.locked(index):
        started = time.monotonic()
        with pytest.raises(IndexLockedError) as caught:
            build_index(notes, index, lock_timeout=0.3)
        waited = time.monotonic() - started
    assert f"locked by another notesearch (pid {os.getpid()})" in str(caught.value)
    assert 0.25 <= waited < 3
    assert hit_paths(index, "quokka") == ["a.md"]  # nothing was written
    stats = build_index(notes, index, lock_timeout=0.3)
    assert stats.updated == 1
    assert hit_paths(index, "zebrafish") == ["a.md"]


def test_lock_held_by_another_process_and_released_when_it_dies(
    built: tuple[Path, Path],
) -> None:
    notes, index = built
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from notesearch.engine import store\n"
            "with store.locked(Path(sys.argv[1])):\n"
            "    print('ready', flush=True); time.sleep(60)\n",
            str(index),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(
            IndexLockedError, match=rf"locked by another notesearch \(pid {holder.pid}\)"
        ):
            build_index(notes, index, lock_timeout=0.3)
    finally:
        holder.kill()
        holder.wait()
    # the kernel dropped the flock with the process: no stale lock to clean up
    assert build_index(notes, index, lock_timeout=0.3).unchanged == 3


# --------------------------------------------------------------------------- readers during updates


def test_reader_opened_before_an_update_can_still_search(built: tuple[Path, Path]) -> None:
    notes, index = built
    with open_index(index, notes) as ix:
        _edit_a(notes)
        build_index(notes, index)  # removes the generation ix has open
        assert [h.section.path for h in search(ix, "quokka").hits] == ["a.md"]


def test_reader_opened_before_an_update_keeps_its_file_table(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nsee [b](b.md) #topic\n")
    write(notes, "b.md", "# B\n\nbee\n")
    index = tmp_path / "index"
    build_index(notes, index)
    with open_index(index, notes) as ix:
        write(notes, "c.md", "# C\n\nnew\n")
        build_index(notes, index)
        links = [(link.path, link.exists) for s in ix.sections() for link in s.links]
        assert links == [("b.md", True)]
        assert "topic" in ix.known_tags()


# --------------------------------------------------------------------------- export


EXPORT_KEYS = {
    "path",
    "title",
    "heading",
    "level",
    "breadcrumb",
    "anchor",
    "line",
    "end_line",
    "tags",
    "links",
    "text",
    "schema_version",
}


def test_export_jsonl_and_json(built: tuple[Path, Path]) -> None:
    notes, index = built
    code, out, err = run_cli("export", "--notes", str(notes), "--index", str(index))
    assert (code, err) == (0, "")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(section_keys(index)) == 5
    for record in records:
        assert set(record) == EXPORT_KEYS | {"file"}
        assert record["file"] == str(notes / record["path"])
        assert record["schema_version"] == 1
    assert [(r["path"], r["line"]) for r in records] == sorted(
        (r["path"], r["line"]) for r in records
    )
    gamma = next(r for r in records if r["heading"] == "Gamma")
    assert gamma["tags"] == ["zoo/cats"]
    assert gamma["level"] == 1 and gamma["anchor"] == "gamma" and gamma["line"] == 4

    code, out_json, err = run_cli(
        "export", "--format", "json", "--notes", str(notes), "--index", str(index)
    )
    assert (code, err) == (0, "")
    array = json.loads(out_json)
    assert isinstance(array, list)
    assert array == records


def test_export_of_empty_index_is_an_empty_array(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    build_index(notes, tmp_path / "index")
    code, out, _ = run_cli("export", "-f", "json", "--index", str(tmp_path / "index"))
    assert code == 0
    assert json.loads(out) == []
    code, out, _ = run_cli("export", "--index", str(tmp_path / "index"))
    assert (code, out) == (0, "")


# --------------------------------------------------------------------------- crash safety


def _generated(version: int, count: int = 400) -> dict[str, str]:
    """~400 notes of ~45 lines with five sections each; version 2 differs everywhere."""
    notes = {}
    keep = range(count) if version == 1 else range(20, count + 20)  # 20 removed, 20 added
    for k in keep:
        lines = [f"# Note {k} {'draft' if version == 1 else 'revised edition'}", ""]
        for h in range(4):
            lines += [f"## Heading {h} of note {k}", ""]
            for j in range(8):
                word = f"word{(k * 7 + j * 3 + h + version) % 97}"
                lines.append(f"Line {j} of section {h} in note {k} version{version} {word} text.")
            lines.append("")
        notes[f"d{k % 10}/note-{k:03d}.md"] = "\n".join(lines)
    return notes


def _replace_notes(root: Path, notes: dict[str, str]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    make_notes(root, notes)


@pytest.fixture(scope="module")
def crash_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Notes at version 2 with a complete index of version 1 beside them."""
    root = tmp_path_factory.mktemp("crash")
    notes, base = root / "notes", root / "base-index"
    _replace_notes(notes, _generated(1))
    build_index(notes, base)
    old = section_keys(base)
    time.sleep(0.01)
    _replace_notes(notes, _generated(2))
    fresh = root / "fresh-index"
    build_index(notes, fresh)
    new = section_keys(fresh)
    assert old and new and old != new
    assert len(old) == len(new) == 2000
    return {"notes": notes, "base": base, "old": old, "new": new}


def _index_copy(world: dict[str, object], target: Path) -> Path:
    shutil.copytree(world["base"], target)  # type: ignore[arg-type]
    return target


def _assert_recovers(world: dict[str, object], index: Path) -> None:
    """After a crash: old or new, never a mix; the next run completes and cleans up."""
    seen = section_keys(index)
    assert seen == world["old"] or seen == world["new"], "index is a mix of old and new"
    stats = build_index(world["notes"], index, lock_timeout=5)  # type: ignore[arg-type]
    assert stats.notes == 400
    assert section_keys(index) == world["new"]
    assert not list(index.glob("gen-*.tmp"))
    assert not (index / (store.CURRENT + ".tmp")).exists()
    assert current_name(index) in generations(index)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.2, 0.5, 0.8, 1.0, 1.2])
def test_sigkill_during_index_run(
    crash_world: dict[str, object], tmp_path: Path, delay: float
) -> None:
    index = _index_copy(crash_world, tmp_path / "index")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notesearch",
            "index",
            "-q",
            "--notes",
            str(crash_world["notes"]),
            "--index",
            str(index),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, -signal.SIGKILL), err
    _assert_recovers(crash_world, index)


# Deterministic crash points: the child kills itself with SIGKILL at one exact step.
CRASH_POINTS = {
    "mid-commit": (
        "from notesearch.engine.segments import SafeFileStorage as S\n"
        "orig = S.create_file\n"
        "n = [0]\n"
        "def hook(self, *a, **k):\n"
        "    n[0] += 1\n"
        "    if n[0] == 3: die()\n"
        "    return orig(self, *a, **k)\n"
        "S.create_file = hook\n"
    ),
    "writing-meta": (
        "from notesearch.engine import store, tables\n"
        "orig = store.write_json\n"
        "def hook(path, data):\n"
        "    if path.name == store.META: die()\n"
        "    return orig(path, data)\n"
        "store.write_json = hook\n"
    ),
    "after-rename-before-switch": ("import os\nos.replace = lambda *a, **k: die()\n"),
    "after-switch-before-cleanup": (
        "from notesearch.engine import store, tables\n"
        "orig = store.clean\n"
        "n = [0]\n"
        "def hook(*a, **k):\n"
        "    n[0] += 1\n"
        "    if n[0] == 2: die()\n"
        "    return orig(*a, **k)\n"
        "store.clean = hook\n"
    ),
}

CHILD = """
import os, signal, sys
from pathlib import Path
def die():
    os.kill(os.getpid(), signal.SIGKILL)
{hook}
from notesearch.engine.build import build_index
build_index(Path(sys.argv[1]), Path(sys.argv[2]))
print("finished")
"""


def _crash_at(point: str, notes: Path, index: Path) -> None:
    script = CHILD.format(hook=CRASH_POINTS[point])
    proc = subprocess.run(
        [sys.executable, "-c", script, str(notes), str(index)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "finished" not in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_sigkill_at_each_step_of_a_write(
    crash_world: dict[str, object], tmp_path: Path, point: str
) -> None:
    index = _index_copy(crash_world, tmp_path / "index")
    _crash_at(point, crash_world["notes"], index)  # type: ignore[arg-type]
    expect_new = point == "after-switch-before-cleanup"
    assert section_keys(index) == crash_world["new" if expect_new else "old"]
    _assert_recovers(crash_world, index)


@pytest.mark.parametrize("leftover", ["tmp-folder", "old-generation"])
def test_leftovers_cleaned_by_next_successful_run_even_without_changes(
    built: tuple[Path, Path], leftover: str
) -> None:
    notes, index = built
    live = current_name(index)
    name = "gen-000099.tmp" if leftover == "tmp-folder" else "gen-000000"
    shutil.copytree(index / live, index / name)
    stats = build_index(notes, index)
    assert stats.unchanged == 3
    assert kept(index, live)


def test_leftover_tmp_folders_cleaned_by_next_writing_run(built: tuple[Path, Path]) -> None:
    notes, index = built
    (index / "gen-000050.tmp").mkdir()
    (index / "gen-000050.tmp" / "junk").write_bytes(b"half a segment")
    (index / (store.CURRENT + ".tmp")).write_text("gen-000050\n")
    _edit_a(notes)
    build_index(notes, index)
    assert kept(index, current_name(index))
    assert not (index / (store.CURRENT + ".tmp")).exists()
    assert hit_paths(index, "zebrafish") == ["a.md"]


def _fail_on_call(n: int) -> Callable[..., object]:
    original = SafeFileStorage.create_file
    calls = [0]

    def create_file(self: SafeFileStorage, *args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, *args, **kwargs)

    return create_file


def _count_create_file_calls(notes: Path, index: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    original = SafeFileStorage.create_file
    calls = [0]

    def counting(self: SafeFileStorage, *args: object, **kwargs: object) -> object:
        calls[0] += 1
        return original(self, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(SafeFileStorage, "create_file", counting)
        build_index(notes, index)
    return calls[0]


@pytest.mark.slow
def test_disk_full_during_update_keeps_old_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = make_notes(tmp_path / "notes", _generated(1, count=30))
    index = tmp_path / "index"
    build_index(notes, index)
    old = section_keys(index)
    live = current_name(index)
    make_notes(notes, _generated(2, count=30))
    for rel in _generated(2, count=30):
        later(notes / rel)
    (notes / "d0" / "note-000.md").unlink()  # and a removal, so deletes are committed too

    probe = tmp_path / "probe-index"
    shutil.copytree(index, probe)
    total = _count_create_file_calls(notes, probe, monkeypatch)
    new = section_keys(probe)
    assert total >= 3 and new != old

    for n in range(1, total + 1):
        with monkeypatch.context() as m:
            m.setattr(SafeFileStorage, "create_file", _fail_on_call(n))
            with pytest.raises(IndexWriteError, match="No space left on device") as caught:
                build_index(notes, index)
        assert caught.value.hint == "The previous index is unchanged."
        assert current_name(index) == live, n
        assert section_keys(index) == old, n
        assert list(index.glob("gen-*.tmp")), "a failed run leaves its tmp folder"

    stats = build_index(notes, index)
    assert stats.written is True
    assert section_keys(index) == new
    assert kept(index, current_name(index))


def test_disk_full_on_first_build_leaves_no_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = make_notes(tmp_path / "notes")
    index = tmp_path / "index"
    monkeypatch.setattr(SafeFileStorage, "create_file", _fail_on_call(2))
    with pytest.raises(IndexWriteError):
        build_index(notes, index)
    with pytest.raises(IndexMissingError):
        open_index(index)
    monkeypatch.setattr(SafeFileStorage, "create_file", ORIGINAL_CREATE_FILE)
    build_index(notes, index)
    assert section_paths(index) == set(BASE_NOTES)
    assert kept(index, current_name(index))


def test_disk_full_while_publishing_keeps_old_index(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index = built
    before, live = section_keys(index), current_name(index)
    _edit_a(notes)

    def full(path: Path, data: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store, "write_json", full)
    with pytest.raises(IndexWriteError):
        build_index(notes, index)
    monkeypatch.setattr(store, "write_json", ORIGINAL_WRITE_JSON)
    assert (current_name(index), section_keys(index)) == (live, before)
    assert build_index(notes, index).updated == 1
    assert hit_paths(index, "zebrafish") == ["a.md"]


# --------------------------------------------------------------------------- the stat table


def test_queries_read_the_stat_table_and_the_file_table_only_when_asked(
    built: tuple[Path, Path],
) -> None:
    notes, index = built
    gen = index / current_name(index)
    stat = tables.read_stat(gen)
    table = tables.read_table(gen)
    assert stat is not None
    assert stat.notes == {p: (e.size, e.mtime_ns) for p, e in table.notes.items()}
    with open_index(index, notes) as ix:
        assert ix._table is None  # not read by opening, a search or the freshness check
        assert [h.section.path for h in search(ix, "quokka").hits] == ["a.md"]
        assert ix.changes(notes) == (0, 0, 0)
        assert ix._table is None
        assert ix.table.notes["sub/c.md"].tags == ["zoo/cats"]  # read on first use


def test_an_index_without_a_stat_table_still_answers(built: tuple[Path, Path]) -> None:
    notes, index = built
    gen = index / current_name(index)
    (gen / store.STAT).unlink()  # as written by an older version: not in its seal either
    seal.write(gen, seal.load_key())
    with open_index(index, notes) as ix:
        assert ix.changes(notes) == (0, 0, 0)
        assert [h.section.path for h in search(ix, "quokka").hits] == ["a.md"]
    code, out, err = run_cli("doctor", "--notes", str(notes), "--index", str(index))
    assert (code, out) == (0, "")
    assert err.splitlines()[-1] == "notesearch: the index is sound"


def test_doctor_reports_a_stat_table_that_disagrees(built: tuple[Path, Path]) -> None:
    notes, index = built
    path = index / current_name(index) / store.STAT
    data = statfile.unpack(path.read_bytes())
    size, mtime_ns = data.notes["a.md"]
    data.notes = {**data.notes, "a.md": (size + 1, mtime_ns)}
    path.write_bytes(statfile.pack(data))
    code, out, err = run_cli("doctor", "--notes", str(notes), "--index", str(index))
    assert (code, out) == (2, "")
    assert f"notesearch: problem: {store.STAT} does not match {store.TABLE}" in err.splitlines()

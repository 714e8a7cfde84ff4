"""Watch mode: creates, edits, deletes and renames reach the index within a bounded time."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchfiles import Change

from notesearch.engine import store
from notesearch.engine.reader import open_index
from notesearch.engine.search import search
from notesearch.models import Diagnostic, IndexStats
from notesearch.watch import EventFilter, watch
from tests.helpers import until, write

DEADLINE = 10.0  # seconds a change may take to be searchable


def paths_for(index: Path, notes: Path, text: str) -> set[str]:
    with open_index(index, notes) as idx:
        return {hit.section.path for hit in search(idx, text).hits}


class Watcher:
    """watch() in a thread, with what it reported."""

    def __init__(self, notes: Path, index: Path, **options: object) -> None:
        self.updates: list[IndexStats] = []
        self.warnings: list[str] = []
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(notes, index, options), daemon=True)

    def _run(self, notes: Path, index: Path, options: dict[str, object]) -> None:
        try:
            watch(
                notes,
                index,
                on_update=self.updates.append,
                on_warning=lambda diag: self.warnings.append(str(diag)),
                on_ready=lambda stats: self.ready.set(),
                stop_event=self.stop,
                **options,
            )
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc

    def close(self) -> None:
        self.stop.set()
        self.thread.join(DEADLINE)
        assert not self.thread.is_alive(), "watch() did not stop"
        assert self.error is None, self.error


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[tuple[Watcher, Path, Path]]:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "zebra.md", "# Zebra\n\nA rare word: quokka.\n")
    running = Watcher(notes, index, step_ms=50, debounce_ms=400)
    running.thread.start()
    assert running.ready.wait(DEADLINE), running.error
    yield running, notes, index
    running.close()


def _create(notes: Path) -> None:
    write(notes, "fauna/wombat.md", "# Wombat\n\nBurrowing marsupial.\n")


def _modify(notes: Path) -> None:
    write(notes, "fauna/wombat.md", "# Wombat\n\nNow about the numbat instead.\n")


def _rename(notes: Path) -> None:
    os.rename(notes / "fauna" / "wombat.md", notes / "fauna" / "numbat.md")


def _delete(notes: Path) -> None:
    (notes / "fauna" / "numbat.md").unlink()


def _create_in_folder(notes: Path) -> None:
    write(notes, "drafts/echidna.md", "# Echidna\n\nSpiny.\n")


def _move_folder(notes: Path) -> None:
    os.rename(notes / "drafts", notes / "published")


# Each step changes the notes, then a search must show the expected paths.
STEPS: list[tuple[str, Callable[[Path], None], str, set[str]]] = [
    ("create", _create, "burrowing", {"fauna/wombat.md"}),
    ("modify: new text found", _modify, "numbat", {"fauna/wombat.md"}),
    ("modify: old text gone", lambda notes: None, "burrowing", set()),
    ("rename", _rename, "numbat", {"fauna/numbat.md"}),
    ("delete", _delete, "numbat", set()),
    ("create in a new folder", _create_in_folder, "spiny", {"drafts/echidna.md"}),
    ("rename the folder", _move_folder, "spiny", {"published/echidna.md"}),
]


@pytest.mark.slow
def test_changes_reach_the_index_while_queries_keep_working(
    watcher: tuple[Watcher, Path, Path],
) -> None:
    running, notes, index = watcher
    assert paths_for(index, notes, "quokka") == {"zebra.md"}
    for name, change, word, expected in STEPS:
        change(notes)
        assert until(lambda w=word, e=expected: paths_for(index, notes, w) == e), name
        assert running.error is None, running.error
    assert paths_for(index, notes, "quokka") == {"zebra.md"}  # untouched note still there
    assert all(stats.written for stats in running.updates)
    assert sum(s.added for s in running.updates) >= 2
    assert sum(s.removed for s in running.updates) >= 1
    assert running.warnings == []


def test_stop_event_ends_an_idle_watch(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n")
    running = Watcher(notes, tmp_path / "index")
    running.thread.start()
    assert running.ready.wait(DEADLINE)
    started = time.monotonic()
    running.close()
    assert time.monotonic() - started < 3.0
    assert running.updates == []  # the first run is reported by on_ready, not on_update


def test_missing_notes_folder_is_an_error_at_start(tmp_path: Path) -> None:
    from notesearch.errors import NotesFolderError

    with pytest.raises(NotesFolderError):
        watch(
            tmp_path / "missing",
            tmp_path / "index",
            on_update=lambda stats: None,
            on_warning=lambda diag: None,
        )


@pytest.mark.slow
def test_a_busy_index_is_retried_not_lost(watcher: tuple[Watcher, Path, Path]) -> None:
    """Another writer holds the lock longer than lock_timeout: the batch waits, then lands."""
    _, notes, index = watcher
    blocked = Watcher(notes, index, lock_timeout=0.2, step_ms=50)
    blocked.thread.start()
    assert blocked.ready.wait(DEADLINE)
    with store.locked(index):
        write(notes, "late.md", "# Late\n\nPlatypus.\n")
        assert until(lambda: any("will be retried" in w for w in blocked.warnings))
        # Readers never need the lock: queries still work while it is held.
        assert paths_for(index, notes, "quokka") == {"zebra.md"}
    assert until(lambda: paths_for(index, notes, "platypus") == {"late.md"})
    assert until(lambda: "the index is up to date again" in blocked.warnings)
    blocked.close()


@pytest.mark.slow
def test_warnings_are_not_repeated_for_untouched_files(
    watcher: tuple[Watcher, Path, Path],
) -> None:
    running, notes, index = watcher
    write(notes, "binary.md", b"\x00\x01\x02")
    assert until(lambda: any("binary.md" in w for w in running.warnings))
    for number in range(3):  # three more updates elsewhere
        write(notes, f"n{number}.md", f"# N{number}\n\nechidna{number}\n")
        assert until(lambda n=number: paths_for(index, notes, f"echidna{n}") == {f"n{n}.md"})
    assert sum("binary.md" in w for w in running.warnings) == 1


@pytest.mark.parametrize(
    ("change", "rel", "is_dir", "accepted"),
    [
        (Change.added, "a.md", False, True),
        (Change.modified, "sub/a.markdown", False, True),
        (Change.deleted, "a.md", False, True),
        (Change.modified, "image.png", False, False),
        (Change.added, "image.png", False, False),
        (Change.deleted, "image.png", False, True),  # may be a folder that held notes
        (Change.deleted, "old-folder", False, True),
        (Change.added, "new-folder", True, True),  # created or renamed into place
        (Change.modified, "new-folder", True, False),
        (Change.added, ".obsidian/workspace.md", False, False),
        (Change.deleted, ".git/index", False, False),
        (Change.added, ".a.md.swp", False, False),
        (Change.added, "sub/.hidden/a.md", False, False),
        (Change.added, "index/CURRENT", False, False),
        (Change.added, "index/gen-1/a.md", False, False),
        (Change.added, "indexes.md", False, True),  # only the index folder itself is skipped
    ],
)
def test_event_filter(
    tmp_path: Path, change: Change, rel: str, is_dir: bool, accepted: bool
) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    if is_dir:
        (root / rel).mkdir()
    accept = EventFilter(os.path.realpath(root), root / "index")
    assert accept(change, os.path.join(os.path.realpath(root), rel)) is accepted


def test_event_filter_index_outside_the_notes(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    root.mkdir()
    accept = EventFilter(os.path.realpath(root), tmp_path / "index")
    assert accept.index_rel is None
    assert accept(Change.added, os.path.join(os.path.realpath(root), "index.md"))


def test_keyboard_interrupt_propagates_after_closing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C inside the watcher reaches the caller (the CLI turns it into "stopped")."""
    import watchfiles

    closed: list[bool] = []

    def interrupted(*args: object, **kwargs: object) -> Iterator[set[tuple[Change, str]]]:
        try:
            raise KeyboardInterrupt
            yield set()
        finally:
            closed.append(True)

    monkeypatch.setattr(watchfiles, "watch", interrupted)
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n")
    diags: list[Diagnostic] = []
    with pytest.raises(KeyboardInterrupt):
        watch(notes, tmp_path / "index", on_update=lambda s: None, on_warning=diags.append)
    assert closed == [True]
    assert diags == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("config", "rel"),
    [
        ('extensions = ["txt"]\n', "plain.txt"),
        ('extensions = [".md", ".txt"]\n', "sub/other.txt"),
    ],
    ids=["txt only", "md and txt"],
)
def test_an_edited_note_of_a_configured_extension_is_reindexed(
    tmp_path: Path, config: str, rel: str
) -> None:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, ".notesearch.toml", config)
    write(notes, rel, "# Text note\n\nabout the quokka\n")
    running = Watcher(notes, index, step_ms=50, debounce_ms=400)
    running.thread.start()
    try:
        assert running.ready.wait(DEADLINE), running.error
        assert paths_for(index, notes, "quokka") == {rel}
        write(notes, rel, "# Text note\n\nnow about the numbat\n")
        assert until(lambda: paths_for(index, notes, "numbat") == {rel}, DEADLINE)
        assert paths_for(index, notes, "quokka") == set()
    finally:
        running.close()


def test_the_event_filter_asks_the_configured_suffixes() -> None:
    accept = EventFilter("/notes", Path("/notes/.index"), (".txt",))
    assert accept(Change.modified, "/notes/a.txt")
    assert not accept(Change.modified, "/notes/a.md")
    assert EventFilter("/notes", Path("/notes/.index"))(Change.modified, "/notes/a.md")

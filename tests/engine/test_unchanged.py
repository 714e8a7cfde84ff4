"""The update that changes nothing (engine/unchanged.py): answered from the seal, the stat
table and the freshness check, with the same stats as the full update; anything else is
left to the full update."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from notesearch import records
from notesearch.engine import build, store, tables
from notesearch.engine.build import build_index
from notesearch.models import IndexStats
from notesearch.notes import discover as discovery
from tests.engine.test_fresh import CHANGES, IGNORE, vault  # noqa: F401  (the fixture)
from tests.helpers import write


def _stats(stats: IndexStats) -> dict[str, Any]:
    fields = records.asdict(stats)
    del fields["seconds"]
    return fields


def _update(
    notes: Path,
    index: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    fast: bool = True,
    ignore: list[str] = IGNORE,
) -> tuple[IndexStats, IndexStats | None]:
    """(the stats of an update, what the quick check answered)."""
    answers: list[IndexStats | None] = []
    real = build.nothing_to_do

    def recorded(*args: Any) -> IndexStats | None:
        answers.append(real(*args) if fast else None)
        return answers[-1]

    monkeypatch.setattr(build, "nothing_to_do", recorded)
    stats = build_index(notes, index, ignore=ignore, jobs=1)
    monkeypatch.setattr(build, "nothing_to_do", real)
    return stats, (answers[0] if answers else None)


def test_nothing_changed_is_answered_without_the_tables(
    vault: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notes, index = vault
    live = store.current(index)

    def no_table(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file table was read")

    monkeypatch.setattr(tables, "read_table", no_table)
    monkeypatch.setattr(discovery, "discover", no_table)
    stats, answer = _update(notes, index, monkeypatch)
    assert answer is not None and not stats.written
    assert store.current(index) == live
    monkeypatch.undo()
    slow, _ = _update(notes, index, monkeypatch, fast=False)
    assert _stats(stats) == _stats(slow)  # the full update's counts, word for word
    assert stats.summary().split(" in ")[0] == slow.summary().split(" in ")[0]


@pytest.mark.parametrize("name", list(CHANGES), ids=str)
def test_an_answer_is_the_full_updates(
    name: str,
    vault: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After each kind of change: a change is left to the full update; when the quick
    check answers (nothing changed, or only what the discovery rules leave out), the full
    update agrees, word for word, and writes nothing."""
    notes, index = vault
    change, counts = CHANGES[name]
    change(notes)
    live = store.current(index)
    stats, answer = _update(notes, index, monkeypatch)
    if counts != (0, 0, 0):
        assert answer is None
    if answer is not None:
        assert store.current(index) == live
        slow, _ = _update(notes, index, monkeypatch, fast=False)
        assert not slow.written and _stats(stats) == _stats(slow)


def _other_rules(notes: Path, index: Path) -> dict[str, Any]:
    return {"ignore": [*IGNORE, "other/"]}


def _leftover(notes: Path, index: Path) -> dict[str, Any]:
    (index / "gen-999999.tmp").mkdir()
    return {}


def _damaged_stat(notes: Path, index: Path) -> dict[str, Any]:
    path = store.current(index) / tables.STAT  # type: ignore[operator]
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    before = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return {}


def _older_meta(notes: Path, index: Path) -> dict[str, Any]:
    """A generation written before the meta table kept its counts: the full update."""
    return {"meta": lambda meta: {k: v for k, v in meta.items() if k != "counts"}}


def _fifo(notes: Path, index: Path) -> dict[str, Any]:
    os.mkfifo(notes / "pipe.md")  # warned about at every full update
    return {"rebuild": True}


SITUATIONS = {
    "other discovery rules": _other_rules,
    "a crashed run's generation left over": _leftover,
    "a damaged stat table": _damaged_stat,
    "a meta table without counts": _older_meta,
    "the last walk warned": _fifo,
}


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs")
@pytest.mark.parametrize("name", list(SITUATIONS), ids=str)
def test_the_full_update_looks_closer(
    name: str,
    vault: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notes, index = vault
    how = SITUATIONS[name](notes, index)
    if "rebuild" in how:
        build_index(notes, index, ignore=IGNORE, jobs=1, rebuild=True)
    if "meta" in how:
        real = store.check_version
        monkeypatch.setattr(store, "check_version", lambda i, g: how["meta"](real(i, g)))
    stats, answer = _update(notes, index, monkeypatch, ignore=how.get("ignore", IGNORE))
    assert answer is None
    if name == "the last walk warned":
        assert [w.message for w in stats.warnings] == ["not a regular file; skipped"]
    if name == "a damaged stat table":
        assert stats.written  # rebuilt from the notes
    if name == "a crashed run's generation left over":
        assert not (index / "gen-999999.tmp").exists()


def test_a_write_keeps_its_counts(vault: tuple[Path, Path]) -> None:  # noqa: F811
    notes, index = vault
    write(notes, "sub/new.md", "# New\n\nSee [a](../a.md). `#fresh`\n")
    stats = build_index(notes, index, ignore=IGNORE, jobs=1)
    meta = store.check_version(index, store.current(index))  # type: ignore[arg-type]
    assert meta["counts"] == {
        "notes": stats.notes,
        "sections": stats.sections,
        "tags": stats.tags,
        "links": stats.links,
    }
    assert meta["walk_warnings"] == 0


def test_racy_folders_are_listed_again(
    vault: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A folder whose signature was taken in the tick of a change may have changed again
    unseen: it is listed, and must hold just the notes and assets the table knows."""
    from notesearch.engine import fresh

    notes, index = vault
    gen = store.current(index)
    assert gen is not None
    meta = store.check_version(index, gen)
    stat = tables.read_stat(gen)
    assert stat is not None and stat.assets
    monkeypatch.setattr(fresh, "RACY_NS", 10**18)  # every folder racy
    listed: list[list[str]] = []
    real = discovery.rescan
    monkeypatch.setattr(
        discovery, "rescan", lambda n, f, *a, **k: listed.append(list(f)) or real(n, f, *a, **k)
    )
    assert fresh.untouched(notes, index, stat, meta)
    assert sorted(listed[0]) == sorted(stat.folders or {})
    # What a listing in the same tick could find that the table does not hold:
    fewer_assets = records.replace(stat, assets=stat.assets[1:])
    assert not fresh.untouched(notes, index, fewer_assets, meta)
    known = dict(stat.notes)
    known.pop(sorted(known)[0])
    fewer_notes = records.replace(stat, notes=known)
    assert not fresh.untouched(notes, index, fewer_notes, meta)
    stats, answer = _update(notes, index, monkeypatch)
    assert answer is not None and not stats.written

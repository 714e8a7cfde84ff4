"""The finder's garbage collection: frozen at open, full collections when typing pauses."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from notesearch.finder import memory
from notesearch.finder.memory import Collector


class Cycle:
    """An object only the cyclic collector can free."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collector() -> Iterator[Collector]:
    before = gc.get_threshold()
    kept = Collector()
    yield kept
    kept.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def _cycle() -> weakref.ref[Cycle]:
    return weakref.ref(Cycle())


def test_what_is_alive_at_open_is_frozen_until_the_end(collector: Collector) -> None:
    young, middle, _ = gc.get_threshold()
    collector.start(lambda seconds, callback: None)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (young, middle, memory._OLDEST_EVERY)
    collector.stop()
    assert gc.get_freeze_count() == 0


def test_a_full_collection_once_typing_has_paused(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: now[0])
    collected: list[int] = []
    monkeypatch.setattr(memory.gc, "collect", lambda: collected.append(1) or 0)
    collector.start(lambda seconds, callback: None)
    collector.idle()
    assert collected == []  # nothing shown yet: nothing to collect
    collector.shown()
    now[0] += memory.IDLE / 2
    collector.idle()
    assert collected == []  # the user is typing
    now[0] += memory.IDLE
    collector.idle()
    collector.idle()
    assert collected == [1]  # once per pause


def test_garbage_made_while_open_is_freed_at_a_pause(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: now[0])
    collector.start(lambda seconds, callback: None)
    gc.disable()  # no collection of its own meanwhile
    try:
        dead = _cycle()
        collector.shown()
        assert dead() is not None
        now[0] += memory.IDLE
        collector.idle()
        assert dead() is None
    finally:
        gc.enable()


def test_a_new_generation_frees_what_was_frozen(collector: Collector) -> None:
    gc.disable()
    try:
        held = Cycle()
        frozen = weakref.ref(held)
        collector.start(lambda seconds, callback: None)  # frozen with everything else
        del held
        gc.collect()
        assert frozen() is not None  # out of the walks
        collector.renewed()
        assert frozen() is None
        assert gc.get_freeze_count() > 0  # what is alive frozen again
    finally:
        gc.enable()

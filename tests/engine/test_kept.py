"""The LRU an open index keeps things in (engine/kept.py)."""

from __future__ import annotations

import pytest

from notesearch.engine.kept import Kept

# (limit, size by text length?, puts and gets in order, the keys kept after, least recent first)
CASES = [
    (3, False, ["put a", "put b", "put c", "put d"], ["b", "c", "d"]),
    (3, False, ["put a", "put b", "put c", "get a", "put d"], ["c", "a", "d"]),
    (3, False, ["put a", "put b", "put a"], ["b", "a"]),  # again: one entry, the newest
    (5, True, ["put aa", "put bb", "put cc"], ["bb", "cc"]),  # 6 characters > 5
    (5, True, ["put aa", "put bb", "put aa", "put c"], ["bb", "aa", "c"]),
    (2, True, ["put abc"], []),  # larger than the limit: not kept
]


@pytest.mark.parametrize(("limit", "by_length", "steps", "keys"), CASES)
def test_the_least_recently_used_go_first(
    limit: int, by_length: bool, steps: list[str], keys: list[str]
) -> None:
    kept: Kept[str, str] = Kept(limit, (lambda k, v: len(k)) if by_length else None)
    for step in steps:
        action, key = step.split()
        if action == "put":
            kept.put(key, key.upper())
        else:
            assert kept.get(key) == key.upper()
    assert kept.keys() == keys
    assert all(kept.get(k) == k.upper() for k in keys)
    assert kept.get("zz") is None

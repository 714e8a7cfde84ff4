"""Plain word queries scored from the postings give Whoosh's own scores (engine/postings.py)."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pytest

from notesearch import build_index, open_index
from notesearch.engine import postings
from notesearch.engine.postings import Scores, link_counts, plain_words
from notesearch.engine.query import parse_query, tag_filter
from notesearch.engine.reader import Index
from tests.helpers import write


@pytest.fixture
def index(notes: Path, tmp_path: Path) -> Index:
    """The fixture notes in several segments, with deleted documents in one of them."""
    work = tmp_path / "notes"
    for path in sorted(notes.rglob("*.md")):
        write(work, str(path.relative_to(notes)), path.read_text(encoding="utf-8"))
    build_index(work, tmp_path / "index")
    write(work, "extra.md", "# Extra\n\nTraining spot checkpoints, again training.\n")
    build_index(work, tmp_path / "index")
    first = sorted(work.rglob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nMore training.\n", encoding="utf-8")
    build_index(work, tmp_path / "index")
    opened = open_index(tmp_path / "index", work)
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("text", "tags", "exclude"),
    [
        ("training", (), ()),
        ("spot training", (), ()),
        ("checkpoint sharding storage", (), ()),
        ("checkpoints", ("exam-tip",), ()),
        ("training", (), ("exam-tip",)),
        ("quokka zebra", (), ()),
    ],
)
def test_postings_scores_are_whooshs(
    index: Index, text: str, tags: tuple[str, ...], exclude: tuple[str, ...]
) -> None:
    searcher = index._searcher
    assert len(searcher.reader().leaf_readers()) > 1 or searcher.reader().has_deletions()
    parsed = parse_query(index, text)
    words = plain_words(parsed)
    assert words is not None
    include, masked = tag_filter(index, tags, (), exclude, [])
    whoosh = {
        hit.docnum: hit.score
        for hit in searcher.search(parsed, limit=None, filter=include, mask=masked)
    }
    allow = None if include is None else set(searcher.docs_for_query(include))
    drop = None if masked is None else set(searcher.docs_for_query(masked))
    ours = Scores(searcher, words, allow, drop)
    assert whoosh, text
    assert set(ours.scores) == set(whoosh)
    for docnum, score in whoosh.items():
        if len(words) == 1:  # the same float operations: the same bits
            assert ours.scores[docnum] == score
        else:  # sums of the words' scores, in another order than Whoosh's tree
            assert ours.scores[docnum] == pytest.approx(score, rel=1e-12)
    best = ours.best(3)
    assert [doc for _, doc in best] == [
        doc for doc, _ in sorted(whoosh.items(), key=lambda d: (-d[1], d[0]))[:3]
    ]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("training", True),
        ("spot training", True),
        ('"spot training"', False),  # a phrase
        ("train*", False),
        ("title:training", False),
        ("spot AND training", False),
        ("training NOT spot", False),
        ("ADR-016", False),  # a phrase of its words
    ],
)
def test_only_plain_words_take_the_postings_way(index: Index, text: str, plain: bool) -> None:
    assert (plain_words(parse_query(index, text)) is not None) == plain


def _uncached(searcher: object, words: list[str], **filters: set[int]) -> Scores:
    """Scores worked out with nothing kept from earlier queries (what is kept stays kept)."""
    kept = postings._DECODED.pop(searcher, None)
    try:
        return Scores(searcher, words, **filters)  # type: ignore[arg-type]
    finally:
        postings._DECODED.pop(searcher, None)
        if kept is not None:
            postings._DECODED[searcher] = kept


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The words decoded from here on."""
    decoded: list[str] = []
    decode = postings.Decoded._decode

    def counted(self: postings.Decoded, segment: object, base: int, word: str) -> object:
        decoded.append(word)
        return decode(self, segment, base, word)

    monkeypatch.setattr(postings.Decoded, "_decode", counted)
    return decoded


@pytest.mark.parametrize(
    "queries",
    [
        ["spot", "spot training", "spot trainin", "spot training", "spot training checkpoint"],
        ["training spot", "spot training", "quokka training", "training"],
    ],
)
def test_kept_postings_give_the_same_scores(
    index: Index, queries: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = index._searcher
    include, _ = tag_filter(index, ("exam-tip",), (), (), [])
    some = set(searcher.docs_for_query(include))
    assert some
    postings._DECODED.pop(searcher, None)
    decoded = _counting(monkeypatch)
    asked: set[str] = set()
    for text in queries:  # each query after the others, from what they left
        words = plain_words(parse_query(index, text))
        assert words is not None
        for filters in ({}, {"allow": some}, {"exclude": some}):
            decoded.clear()
            kept = Scores(searcher, words, **filters)  # type: ignore[arg-type]
            assert not asked & set(decoded)  # a word asked before is not decoded again
            asked |= set(words)
            fresh = _uncached(searcher, words, **filters)
            assert kept.scores == fresh.scores  # the same floats, to the bit
            assert kept.holders == fresh.holders
            assert kept.best(5) == fresh.best(5)


def test_kept_postings_are_bounded(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    searcher = index._searcher
    words = ["spot", "train", "checkpoint", "shard", "storag", "quokka"]
    expected = {word: _uncached(searcher, [word]).scores for word in words}
    assert sum(1 for scores in expected.values() if scores) >= 4
    largest = max(len(scores) for scores in expected.values())
    monkeypatch.setattr(postings.Decoded, "limit", largest + 1)
    postings._DECODED.pop(searcher, None)
    decoded = _counting(monkeypatch)
    for _ in range(2):
        for word in words:
            assert Scores(searcher, [word]).scores == expected[word]
            kept = postings._decoded(searcher)
            assert kept.size == sum(len(docs) for docs, _ in kept._kept.values())
            assert kept.size <= largest + 1
    assert len(decoded) > len(words) * len(searcher.reader().leaf_readers())  # some let go


def test_a_new_generation_has_its_own_postings(index: Index, tmp_path: Path) -> None:
    assert Scores(index._searcher, ["wombat"]).scores == {}  # kept: no wombat
    work = tmp_path / "notes"
    write(work, "wombat.md", "# Wombat\n\nA wombat digs.\n")
    build_index(work, tmp_path / "index")
    newer = open_index(tmp_path / "index", work)
    assert len(Scores(newer._searcher, ["wombat"]).scores) == 1
    assert Scores(index._searcher, ["wombat"]).scores == {}  # the open one is still itself
    gc.collect()  # other tests' closed searchers, still in cycles, go now and not below
    count = len(postings._DECODED)
    newer.close()
    del newer
    gc.collect()
    assert len(postings._DECODED) == count - 1  # its postings went with it


def test_link_counts_are_kept_for_each_open_index(tmp_path: Path) -> None:
    from notesearch.engine.search import search

    work, folder = tmp_path / "notes", tmp_path / "index"
    write(work, "hub.md", "# Hub\n\nWombat facts.\n")
    write(work, "a.md", "# A\n\nA wombat, see [[hub]].\n")
    build_index(work, folder)
    old = open_index(folder, work)
    first = search(old, "wombat")
    assert link_counts(old._searcher)["hub.md"] == 1
    again = search(old, "wombat")  # the counts kept: the same answer
    assert replace(again, elapsed=0.0) == replace(first, elapsed=0.0) and first.hits
    write(work, "b.md", "# B\n\nAnother wombat, see [[hub]].\n")
    build_index(work, folder)
    new = open_index(folder, work)
    try:
        search(new, "wombat")
        assert link_counts(new._searcher)["hub.md"] == 2
        assert link_counts(old._searcher)["hub.md"] == 1  # the open one's own
    finally:
        new.close()
        old.close()

"""Plain word queries scored from the postings give Whoosh's own scores (engine/postings.py)."""

from __future__ import annotations

import gc
import heapq
import pickle
import struct
import zlib
from array import array
from operator import itemgetter
from pathlib import Path

import pytest

from notesearch import build_index, open_index
from notesearch.engine import postings
from notesearch.engine.postings import Scores, link_counts, plain_words
from notesearch.engine.query import parse_query, tag_filter
from notesearch.engine.reader import Index
from notesearch.records import replace
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


def test_blocks_are_read_as_whoosh_reads_them(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every block of every word: the ids and weights read without the values are
    Whoosh's own (the same numbers, the same types), none read Whoosh's way instead."""
    fallbacks: list[str] = []
    head = postings._head

    def counted(matcher: object) -> object:
        found = head(matcher)
        if found is None:
            fallbacks.append(repr(matcher))
        return found

    monkeypatch.setattr(postings, "_head", counted)
    compared = 0
    for segment, _ in index._searcher.reader().leaf_readers():
        for term in segment.lexicon("body"):
            word = term.decode("utf-8")
            ours = list(postings._blocks(segment, "body", word))
            matcher = segment._terms.matcher("body", term, segment.schema["body"].format)
            theirs = []
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                theirs.append((matcher._ids, matcher._weights))
                matcher._next_block()
            assert [(tuple(i), list(w), type(w)) for i, w in ours] == [
                (tuple(i), list(w), type(w)) for i, w in theirs
            ], word
            compared += len(theirs)
    assert compared > 100
    assert fallbacks == []


class _Block:
    """What :func:`postings._head` reads of a Whoosh 3 matcher: one block, pickled and
    compressed as Whoosh 3 writes it (codec/whoosh3.py, ``_write_block``)."""

    def __init__(self, docnums: list[int], weights: list[float], values: object, zip_: bool):
        deltas = tuple(b - a for a, b in zip([0, *docnums], docnums, strict=False))
        if all(w == 1.0 for w in weights):
            mini: object = None
        elif all(w == weights[0] for w in weights):
            mini = weights[0]
        else:
            mini = tuple(weights)
        data = pickle.dumps((deltas, mini, values), 2)
        self._data = zlib.compress(data, 3) if zip_ else data
        self._postfile = self
        self._dataoffset, self._nextoffset = 0, len(self._data)
        self._compression = zip_
        self._blocklength = len(docnums)
        self._byteids = False

    def get(self, offset: int, length: int) -> bytes:
        return self._data[offset : offset + length]


# A float whose last pickled byte is "(", the byte of the MARK that starts more than 3 values.
_MARK_LIKE = struct.unpack(">d", b"\x40\x00\x00\x00\x00\x00\x00\x28")[0]


@pytest.mark.parametrize(
    ("docnums", "weights", "zip_"),
    [
        ([7], [1.0], False),  # one posting: no MARK before its value
        ([3, 9, 12], [2.0, 2.0, 2.0], False),  # one weight for all (a float)
        ([3, 9, 12], [_MARK_LIKE] * 3, False),  # ... ending in the MARK's byte
        ([3, 9, 12, 40], [_MARK_LIKE] * 4, True),
        ([1, 2, 5, 8, 13], [1.0, 3.0, 1.0, 2.0, 5.0], True),
        (list(range(0, 128 * 70_001, 70_001)), [float(i % 7 + 1) for i in range(128)], True),
        # ids and weights longer than one inflated chunk (2,048 bytes)
        (list(range(0, 400 * 90_001, 90_001)), [i + 0.5 for i in range(400)], True),
    ],
)
def test_a_blocks_ids_and_weights_are_read_without_its_values(
    docnums: list[int], weights: list[float], zip_: bool
) -> None:
    values = tuple(pickle.dumps([i, i + 4], 2)[2:] for i in range(len(docnums)))
    block = _Block(docnums, weights, values, zip_)
    head = postings._head(block)
    assert head is not None
    ids, read = head
    assert tuple(ids) == tuple(docnums)
    # One weight for all comes back as Whoosh's _read_weights makes it: float32s.
    expected = array("f", weights) if len(set(weights)) == 1 else tuple(weights)
    assert (list(read), type(read)) == (list(expected), type(expected))


@pytest.mark.parametrize(
    ("values", "extra", "read"),
    [
        ((b"\x00\x01", b"\x02"), 0, True),
        (b"\x00\x01\x02\x03", 0, True),  # fixed-size values, joined: one bytes object
        (None, 0, False),  # no values (a format without them): Whoosh reads the block
        ((b"\x00\x01", b"\x02"), 1, False),  # fewer ids than the block says it has
    ],
)
def test_a_block_not_as_expected_is_read_whooshs_way(
    values: object, extra: int, read: bool
) -> None:
    block = _Block([4, 5], [1.0, 2.0], values, True)
    block._blocklength += extra
    head = postings._head(block)
    assert (head is not None) == read
    if head is not None:
        assert (tuple(head[0]), tuple(head[1])) == ((4, 5), (1.0, 2.0))


@pytest.mark.parametrize(
    ("scores", "count"),
    [
        ({5: 1.0, 2: 3.0, 9: 3.0, 1: 2.0}, 2),
        ({5: 1.0, 2: 3.0, 9: 2.0, 1: 2.0, 7: 2.0, 3: 2.0}, 3),  # the cut inside equal scores
        ({8: 0.5, 4: 0.5, 6: 0.5, 2: 0.5}, 2),  # all equal: the first ones, by docnum
        ({3: 1.5, 1: 2.5}, 5),
        ({3: 1.5, 1: 2.5}, None),
        ({}, 3),
    ],
)
def test_the_best_are_the_first_best_in_scoring_order(
    scores: dict[int, float], count: int | None
) -> None:
    """As ``heapq.nlargest`` over the (docnum, score) items: of equal scores at the cut,
    the first scored are kept; then by score and docnum. The same from the scores of
    several words (a dict) and from one word's postings (arrays, in postings order)."""
    items = scores.items()
    top = items if count is None else heapq.nlargest(count, items, key=itemgetter(1))
    expected = sorted(((s, d) for d, s in top), key=lambda t: (-t[0], t[1]))
    several = Scores.__new__(Scores)
    several._scores = scores
    one = Scores.__new__(Scores)
    one._scores = None
    one._docs, one._values = array("q", scores), array("d", scores.values())
    assert several.best(count) == one.best(count) == expected
    assert one.scores == scores and list(one.scores) == list(scores)

"""Plain word queries scored from the postings give Whoosh's own scores (engine/postings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesearch import build_index, open_index
from notesearch.engine.postings import Scores, plain_words
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
